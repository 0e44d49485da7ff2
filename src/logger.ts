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
