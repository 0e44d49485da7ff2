/**
 * The Pipet source's circuit breaker. Closed, every call goes to Pipet and failed attempts are counted;
 * after `failureThreshold` failed attempts in a row it opens: calls are answered at once without Pipet
 * (the cached assignment or unassigned) until a probe is due. Then one call at a time is let through as a
 * probe (half-open); its success closes the breaker, its failure opens it again with a longer wait
 * (doubling up to `maxProbeDelayMs`, jittered). No timer: a probe is due once the clock passed its time, and
 * the next call after that is the probe, so an idle app sends nothing.
 *
 * The clock is `Date.now()`, like the Pipet cache's: fake timers move both, and a wall-clock jump only
 * moves one probe.
 */
import { ConfigError } from '../errors.js';

/** The breaker's state: `closed` (calls go to Pipet), `open` (they do not), `half-open` (one probe is out). */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** One change of state, as given to `onStateChange` and logged. */
export interface CircuitChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** Failed attempts in a row so far (0 after a success). */
  readonly consecutiveFailures: number;
  /** The failure that opened (or re-opened) the breaker; null when it closed. */
  readonly error: string | null;
  /** When the next probe is allowed (`Date.now()` ms), while open; else null. */
  readonly nextProbeAt: number | null;
}

/** What {@link CircuitBreaker.status} reports. */
export interface CircuitStatus {
  readonly state: CircuitState;
  /** Failed attempts in a row (reset by any success). */
  readonly consecutiveFailures: number;
  /** When the state last changed (`Date.now()` ms). */
  readonly since: number;
  /** When the next probe is allowed (`Date.now()` ms), while open; else null. */
  readonly nextProbeAt: number | null;
  /** The last failure seen, or null when the last attempt succeeded. */
  readonly lastError: string | null;
}

/** Options of the Pipet source's circuit breaker (`pipetSource({ circuitBreaker })`). */
export interface CircuitBreakerOptions {
  /**
   * Failed attempts in a row that open the breaker. A failure is a network error or timeout, a 5xx, or a
   * 200 whose body is unusable; a 4xx is an answer (Pipet is up). 10 is two and a half calls' worth of
   * retries with the default 4 attempts: one slow call does not open it, a Pipet that is down does within
   * its first few calls.
   * @default 10
   */
  readonly failureThreshold?: number;
  /**
   * Wait before the first probe after the breaker opened, in ms. Later failed probes double it.
   * One second: an outage shorter than that costs at most a second of fallback answers, and a dead Pipet
   * sees at most one attempt per 0.5–1 s from this process.
   * @default 1000
   */
  readonly probeDelayMs?: number;
  /**
   * Longest wait between probes, in ms. 30 s bounds both the load on a dead Pipet (≤ 1 attempt per
   * 15–30 s from each process) and how long a recovered Pipet goes unnoticed.
   * @default 30000
   */
  readonly maxProbeDelayMs?: number;
  /** Called on every change of state, after it is logged. Exceptions are ignored. */
  readonly onStateChange?: (change: CircuitChange) => void;
}

/** How a call may proceed: `call` (closed), `probe` (the one call let through), `reject` (open). */
export type Permit = 'call' | 'probe' | 'reject';

/** Settings of a {@link CircuitBreaker}, validated. */
interface Settings {
  readonly failureThreshold: number;
  readonly probeDelayMs: number;
  readonly maxProbeDelayMs: number;
  readonly onStateChange: ((change: CircuitChange) => void) | undefined;
}

/** Where the breaker reports changes (the source words the log lines). */
export type CircuitListener = (change: CircuitChange) => void;

function checkNumber(name: string, value: unknown, fallback: number, integer: boolean): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) {
    throw new ConfigError(`circuitBreaker.${name}`, `expected ${integer ? 'an integer ≥ 1' : 'a number of milliseconds > 0'}, got ${String(value)}`);
  }
  return n;
}

/** The `circuitBreaker` option, checked at setup; null when it is `false` (no breaker). */
export function circuitBreakerSettings(options: unknown): Settings | null {
  if (options === false) return null;
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('circuitBreaker', `expected an options object or false, got ${String(options)}`);
  }
  const o = options as Record<string, unknown>;
  const failureThreshold = checkNumber('failureThreshold', o['failureThreshold'], 10, true);
  const probeDelayMs = checkNumber('probeDelayMs', o['probeDelayMs'], 1000, false);
  const maxProbeDelayMs = checkNumber('maxProbeDelayMs', o['maxProbeDelayMs'], Math.max(30_000, probeDelayMs), false);
  if (maxProbeDelayMs < probeDelayMs) {
    throw new ConfigError('circuitBreaker.maxProbeDelayMs', `expected at least probeDelayMs (${probeDelayMs}), got ${maxProbeDelayMs}`);
  }
  const onStateChange = o['onStateChange'];
  if (onStateChange !== undefined && typeof onStateChange !== 'function') {
    throw new ConfigError('circuitBreaker.onStateChange', `expected a function, got ${String(onStateChange)}`);
  }
  return { failureThreshold, probeDelayMs, maxProbeDelayMs, onStateChange: onStateChange as Settings['onStateChange'] };
}

/** The breaker. Every `probe` permit must end in exactly one of `success`, `failure` or `release`. */
export class CircuitBreaker {
  readonly #settings: Settings;
  readonly #listener: CircuitListener;
  #state: CircuitState = 'closed';
  #failures = 0;
  #since = Date.now();
  #nextProbeAt: number | null = null;
  /** Failed probes since the breaker opened: the exponent of the wait. */
  #failedProbes = 0;
  #lastError: string | null = null;

  constructor(settings: Settings, listener: CircuitListener) {
    this.#settings = settings;
    this.#listener = listener;
  }

  /** Whether a call may go to Pipet now. A `probe` permit moves the breaker to half-open. */
  acquire(): Permit {
    if (this.#state === 'closed') return 'call';
    if (this.#state === 'half-open' || Date.now() < (this.#nextProbeAt ?? 0)) return 'reject';
    this.#change('half-open', null);
    return 'probe';
  }

  /** True while calls started when closed may retry (no retry once the breaker opened). */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** Pipet answered (any status below 500 with a usable body): close, and reset the count. */
  success(): void {
    this.#failures = 0;
    this.#failedProbes = 0;
    this.#lastError = null;
    if (this.#state !== 'closed') this.#change('closed', null);
  }

  /** An attempt failed. `probe`: it was the half-open probe. */
  failure(error: string, probe: boolean): void {
    this.#failures++;
    this.#lastError = error;
    if (this.#state === 'closed') {
      if (this.#failures >= this.#settings.failureThreshold) this.#open(error);
    } else if (probe && this.#state === 'half-open') {
      this.#failedProbes++;
      this.#open(error);
    }
    // Open already: late failures of calls started before it opened change nothing.
  }

  /** A probe ended without telling anything about Pipet (the source closed): another call may probe. */
  release(): void {
    if (this.#state === 'half-open') {
      this.#state = 'open';
      this.#nextProbeAt = Date.now();
    }
  }

  status(): CircuitStatus {
    return {
      state: this.#state,
      consecutiveFailures: this.#failures,
      since: this.#since,
      nextProbeAt: this.#state === 'open' ? this.#nextProbeAt : null,
      lastError: this.#lastError,
    };
  }

  /**
   * The wait before the next probe: `probeDelayMs · 2^failedProbes`, capped, times a random factor in
   * [0.5, 1) ("equal jitter"), so that the processes of a fleet do not probe a recovering Pipet in step and
   * never probe sooner than half the nominal wait.
   */
  #delay(): number {
    const { probeDelayMs, maxProbeDelayMs } = this.#settings;
    const nominal = Math.min(maxProbeDelayMs, probeDelayMs * 2 ** Math.min(this.#failedProbes, 30));
    return nominal * (0.5 + Math.random() / 2);
  }

  #open(error: string): void {
    this.#nextProbeAt = Date.now() + Math.round(this.#delay());
    this.#change('open', error);
  }

  #change(to: CircuitState, error: string | null): void {
    const from = this.#state;
    this.#state = to;
    this.#since = Date.now();
    if (to !== 'open') this.#nextProbeAt = null;
    const change: CircuitChange = { from, to, consecutiveFailures: this.#failures, error, nextProbeAt: this.#nextProbeAt };
    for (const listener of [this.#listener, this.#settings.onStateChange]) {
      try {
        listener?.(change);
      } catch {
        // A throwing listener must not break the request path.
      }
    }
  }
}
