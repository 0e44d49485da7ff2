/**
 * A steady state is quiet: the same warning or error, repeated (a broken rule evaluated on every request, a
 * Pipet that stays down, a hook that throws for every visitor), is logged the first time and then as one
 * line per interval with a count. Used by the sources, the middleware, the Pipet server and the CLI.
 */
import type { Logger } from './logger.js';

/** Options of {@link aggregateRepeats}. */
export interface AggregateOptions {
  /** At most one line per message, test and cause per this many ms. @default 60000 */
  readonly intervalMs?: number;
}

/** A logger that aggregates repeats; `flush()` writes the pending counts now (the CLI does at exit). */
export interface AggregatingLogger extends Logger {
  /** Write one line per message with repeats not yet reported, and forget them. */
  flush(): void;
}

type Level = 'warn' | 'error';
interface Entry {
  readonly level: Level;
  readonly message: string;
  fields: Record<string, unknown> | undefined;
  repeats: number;
  since: number;
}

const AGGREGATING = Symbol('proctor.aggregating');

/** The key of a line: its level, message, and the `test` and `error` fields when present (the cause). */
function keyOf(level: Level, message: string, fields: Record<string, unknown> | undefined): string {
  if (fields === undefined) return `${level}\u0000${message}`;
  const test = fields.test;
  const error = fields.error;
  return `${level}\u0000${message}\u0000${typeof test === 'string' ? test : ''}\u0000${typeof error === 'string' ? error : ''}`;
}

/** `60 s`, `0.4 s`, or `35 ms` under a tenth of a second (never "0.0 s"). */
function span(ms: number): string {
  if (ms < 100) return `${Math.max(1, Math.round(ms))} ms`;
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

/**
 * Wrap `logger` so that repeated `warn`/`error` lines are aggregated: the first occurrence of a message
 * (for the same `fields.test` and `fields.error`) is written at once; further ones within the interval are
 * counted and written as one line, `… (repeated N times in the last 60 s)` with a `repeated` field, when the
 * interval ends. `info`/`debug` pass through. Wrapping an aggregating logger returns it unchanged.
 * @example
 * const logger = aggregateRepeats(console);
 */
export function aggregateRepeats(logger: Logger, options: AggregateOptions = {}): AggregatingLogger {
  if ((logger as Partial<Record<typeof AGGREGATING, true>>)[AGGREGATING] === true) return logger as AggregatingLogger;
  const intervalMs = options.intervalMs ?? 60_000;
  const entries = new Map<string, Entry>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  function report(entry: Entry, now: number): void {
    const text = `${entry.message} (repeated ${entry.repeats} time${entry.repeats === 1 ? '' : 's'} in the last ${span(now - entry.since)})`;
    logger[entry.level](text, { ...entry.fields, repeated: entry.repeats });
  }

  function tick(): void {
    timer = undefined;
    const now = Date.now();
    for (const [key, entry] of entries) {
      if (entry.repeats === 0) {
        // Quiet for a whole interval: the next occurrence is news again.
        entries.delete(key);
        continue;
      }
      report(entry, now);
      entry.repeats = 0;
      entry.since = now;
    }
    if (entries.size > 0) schedule();
  }

  function schedule(): void {
    if (timer !== undefined) return;
    timer = setTimeout(tick, intervalMs);
    // Never keeps a process alive: a CLI flushes before it exits, a server keeps running anyway.
    timer.unref?.();
  }

  function write(level: Level, message: string, fields?: Record<string, unknown>): void {
    const key = keyOf(level, message, fields);
    const entry = entries.get(key);
    if (entry !== undefined) {
      entry.repeats++;
      entry.fields = fields;
      return;
    }
    entries.set(key, { level, message, fields, repeats: 0, since: Date.now() });
    schedule();
    logger[level](message, fields);
  }

  const aggregating: AggregatingLogger & Record<typeof AGGREGATING, true> = {
    [AGGREGATING]: true,
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    flush() {
      const now = Date.now();
      for (const entry of entries.values()) if (entry.repeats > 0) report(entry, now);
      entries.clear();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
  if (logger.info) aggregating.info = (message, fields) => logger.info?.(message, fields);
  if (logger.debug) aggregating.debug = (message, fields) => logger.debug?.(message, fields);
  return aggregating;
}

/** A source's logger: its own when it was given one, else the one its client hands over later. */
export interface SourceLogger {
  /** Forwards to the current target, aggregated. */
  readonly logger: AggregatingLogger;
  /** Use `shared` from now on, unless the source was given a logger of its own. */
  adopt(shared: Logger): void;
}

/** The logger of a source created with `own` (maybe undefined): aggregated, and adoptable when undefined. */
export function sourceLogger(own: Logger | undefined, silent: Logger): SourceLogger {
  let target = aggregateRepeats(own ?? silent);
  const logger: AggregatingLogger = {
    warn: (message, fields) => target.warn(message, fields),
    error: (message, fields) => target.error(message, fields),
    info: (message, fields) => target.info?.(message, fields),
    debug: (message, fields) => target.debug?.(message, fields),
    flush: () => target.flush(),
  };
  return {
    logger,
    adopt(shared) {
      if (own === undefined && target !== shared) target = aggregateRepeats(shared);
    },
  };
}
