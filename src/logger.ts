/**
 * The logger proctor-node writes to. Any object with these methods works (console, pino, winston):
 * `warn`/`error` take a message and optional structured fields.
 */
export interface Logger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  debug?(message: string, fields?: Record<string, unknown>): void;
}

/** Discards everything. The default of the pure core; adapters and the CLI pass a real logger. */
export const silentLogger: Logger = Object.freeze({
  warn: () => undefined,
  error: () => undefined,
});

/** True for an object with `warn` and `error` methods. */
export function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && typeof (value as Logger).warn === 'function' && typeof (value as Logger).error === 'function';
}

/**
 * The default of the client and the middleware: warnings and errors to the console (stderr), so that a
 * misconfiguration is seen on the first run; info and debug lines are dropped. Pass your own logger, or
 * `silentLogger`, to change it.
 */
/* eslint-disable no-console -- the one place the console is written: the default logger, by design */
export const consoleLogger: Logger = Object.freeze({
  warn: (message: string, fields?: Record<string, unknown>) => (fields === undefined ? console.warn(message) : console.warn(message, fields)),
  error: (message: string, fields?: Record<string, unknown>) => (fields === undefined ? console.error(message) : console.error(message, fields)),
});
/* eslint-enable no-console */
