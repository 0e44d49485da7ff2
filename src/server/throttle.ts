/**
 * Rule errors are logged per request by the engine. Under Pipet's "all tests" mode one broken rule would log
 * on every request (thousands per second), so the server reports the first error per test and then at most
 * one line per test per interval, with the number of errors it left out.
 */
import type { Logger } from '../logger.js';

/** Options of {@link throttleRuleErrors}. */
export interface ThrottleOptions {
  /** At most one error line per test per this many ms. @default 60000 */
  readonly intervalMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** A logger whose `error` lines carrying a `test` field are rate-limited per test; everything else passes through. */
export function throttleRuleErrors(logger: Logger, options: ThrottleOptions = {}): Logger {
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  const state = new Map<string, { last: number; suppressed: number }>();
  const throttled: Logger = {
    warn: (message, fields) => logger.warn(message, fields),
    error: (message, fields) => {
      const test = fields?.test;
      if (typeof test !== 'string') {
        logger.error(message, fields);
        return;
      }
      const t = now();
      const entry = state.get(test);
      if (entry !== undefined && t - entry.last < intervalMs) {
        entry.suppressed++;
        return;
      }
      const suppressed = entry?.suppressed ?? 0;
      state.set(test, { last: t, suppressed: 0 });
      logger.error(message, suppressed > 0 ? { ...fields, suppressed } : fields);
    },
  };
  if (logger.info) throttled.info = (message, fields) => logger.info?.(message, fields);
  if (logger.debug) throttled.debug = (message, fields) => logger.debug?.(message, fields);
  return throttled;
}
