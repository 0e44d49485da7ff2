/**
 * The Pipet source: assignments come from a Pipet REST server (`GET /groups/identify`, spec §5.4), the way
 * django-proctor calls it (§6.2–§6.4), with an optional version-aware cache in front. Every failure resolves
 * with the documented fallback (`origin: 'fallback'`, every test unassigned) or the last good cached answer
 * (`origin: 'stale-cache'`), logged exactly once per request.
 *
 * Differences from django-proctor, on purpose (§10.8): an empty payload `{}` reads as "no payload" instead of
 * crashing; a cached entry is served when Pipet fails even after the version expired (django's
 * `CacheCacher` ignores `allow_expired`); an overall deadline bounds the retries, which back off; a circuit
 * breaker (`circuit-breaker.ts`) stops calling a Pipet that keeps failing.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { pipetCache, versionCheckInterval } from '../cache/pipet-cache.js';
import type { PipetCache } from '../cache/pipet-cache.js';
import { isAssignmentStore } from '../cache/store.js';
import type { AssignmentStore, CacheEntry } from '../cache/store.js';
import { ConfigError } from '../errors.js';
import { isLogger, silentLogger } from '../logger.js';
import { sourceLogger } from '../repeats.js';
import type { Logger } from '../logger.js';
import { CircuitBreaker, circuitBreakerSettings } from './circuit-breaker.js';
import type { CircuitBreakerOptions, CircuitChange, CircuitStatus } from './circuit-breaker.js';
import { fetchGet, getWithRetry } from './pipet-http.js';
import { defaultTransport } from './pipet-transport.js';
import type { PipetTransport } from './pipet-transport.js';
import type { CallControl, HttpGet, HttpOutcome, PipetFetch, RetryPolicy } from './pipet-http.js';
import { cacheParams, identifyQuery, matrixDocumentVersion, parseIdentifyResponse, parseMatrixResponse } from './pipet-wire.js';
import type { IdentifyRequest, IdentifyResult, MatrixDocument, ProctorSource, SourceAssignment } from '../contract.js';

export type { PipetFetch, PipetFetchInit, PipetFetchResponse } from './pipet-http.js';
export type { CircuitBreakerOptions, CircuitChange, CircuitState, CircuitStatus } from './circuit-breaker.js';

/** Options for {@link pipetSource}. */
export interface PipetSourceOptions {
  /** Pipet's base URL, e.g. `http://pipet.internal:8080` (http or https; a trailing slash is ignored). */
  readonly apiRoot: string | URL;
  /**
   * The HTTP client (django's `get_http`): any WHATWG fetch, e.g. `globalThis.fetch` or node-fetch's default
   * export, to add headers (authentication), a proxy or instrumentation. Without it the source calls Pipet
   * through an undici `Pool` for its origin: measured on loopback (`bench/pipet-transport.bench.mjs`), the
   * global fetch costs the app about 3× its CPU per call, `node:http` with a keep-alive agent about 1.4×.
   * @default an undici Pool (`pool.request`)
   */
  readonly fetch?: PipetFetch;
  /** Time limit of one attempt (connect, headers and body), in ms. @default 250 */
  readonly timeoutMs?: number;
  /** Attempts in total, retried on network errors and timeouts only (after `retryDelayMs`). @default 4 */
  readonly attempts?: number;
  /**
   * Nominal wait before the first retry, in ms; each later retry waits twice as long, and every wait is
   * jittered to 50–100 % of it (25 ms: 12–25, 25–50, 50–100 ms). Short enough that a connection reset on a
   * reused socket costs little, long enough that a refusing Pipet is not hammered 4 times in a millisecond.
   * A retry whose wait would end past the deadline is not made.
   * @default 25
   */
  readonly retryDelayMs?: number;
  /**
   * Overall limit of one identify or matrix call, all attempts included, in ms. The last attempt is
   * shortened to fit; no attempt starts after it.
   * @default timeoutMs * attempts (1000 with the defaults)
   */
  readonly deadlineMs?: number;
  /** Where failures are logged (one line per failed request). @default silentLogger */
  readonly logger?: Logger;
  /**
   * Cache assignments in this store, e.g. `memoryStore({ max: 10_000 })`. Without it every identify calls
   * Pipet and a Pipet failure falls back to unassigned.
   * @default undefined (no cache)
   */
  readonly cache?: AssignmentStore;
  /**
   * With a cache: how long a matrix version confirmed by Pipet is trusted, in ms. Cache hits are served
   * without calling Pipet only within this time; after it the next request calls Pipet, which re-confirms
   * the version (so a new matrix is noticed at most this late).
   * @default 300000
   */
  readonly versionCheckIntervalMs?: number;
  /**
   * The circuit breaker: after `failureThreshold` failed attempts in a row (10) it opens, and calls are
   * answered at once (cached assignment if any, else unassigned) without calling Pipet; after
   * `probeDelayMs` (1 s, doubling up to `maxProbeDelayMs`, 30 s, jittered) one call at a time probes Pipet
   * with a single attempt, and its success closes the breaker. Each change is logged once (warn) and given
   * to `onStateChange`; {@link PipetSource.status} reports the state. `false` turns it off.
   * @default {}
   */
  readonly circuitBreaker?: CircuitBreakerOptions | false;
}

/** What {@link PipetSource.status} reports: the circuit breaker's state (always `closed` when it is off). */
export type PipetSourceStatus = CircuitStatus;

/** The Pipet source. */
export interface PipetSource extends ProctorSource {
  readonly kind: 'pipet';
  /** The normalized API root (no trailing slash). */
  readonly apiRoot: string;
  /**
   * The circuit breaker's state: `closed`, `open` or `half-open`, failed attempts in a row, since when,
   * when the next probe is allowed, and the last error. For health checks and metrics.
   * @example
   * app.get('/healthz', (req, res) => res.json({ pipet: source.status().state }));
   */
  status(): PipetSourceStatus;
}

const EMPTY: Readonly<Record<string, SourceAssignment>> = Object.freeze({});

/**
 * Whether an HTTP answer shows a working Pipet, for the circuit breaker: a 5xx, or a 200 whose body is not
 * a usable envelope, does not; any other status is Pipet answering (a 4xx is about the request).
 */
function healthy(status: number, usable: boolean): boolean {
  if (status >= 500) return false;
  return status !== 200 || usable;
}

function positive(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) {
    const what = integer ? 'an integer ≥ 1' : 'a number of milliseconds > 0';
    throw new ConfigError(name, `expected ${what}, got ${String(value)}`);
  }
  return n;
}

function normalizeApiRoot(input: unknown): string {
  if (typeof input !== 'string' && !(input instanceof URL)) {
    throw new ConfigError('apiRoot', `expected an http(s) URL such as 'http://pipet:8080', got ${String(input)}`);
  }
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new ConfigError('apiRoot', `expected an http(s) URL such as 'http://pipet:8080', got ${JSON.stringify(String(input))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('apiRoot', `expected an http or https URL, got ${JSON.stringify(String(input))}`);
  }
  if (url.username !== '' || url.password !== '') {
    // Built-in fetch refuses such URLs, and apiRoot appears in logs; authenticate with a custom `fetch`.
    throw new ConfigError('apiRoot', 'expected a URL without credentials; pass a fetch that adds an Authorization header instead');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError('apiRoot', `expected a base URL without query or fragment, got ${JSON.stringify(String(input))}`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Create a Pipet source.
 *
 * `ready()` resolves once the HTTP client is loaded (undici, loaded in the background from the moment the
 * source is created; at once with a `fetch` of your own); it never rejects and sends nothing: a probe would
 * only delay start-up while every request already copes with Pipet being down.
 * @example
 * const source = pipetSource({ apiRoot: 'http://pipet:8080', cache: memoryStore(), logger });
 */
export function pipetSource(options: PipetSourceOptions): PipetSource {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', `expected an options object with apiRoot, got ${String(options)}`);
  }
  const apiRoot = normalizeApiRoot(options.apiRoot);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigError('fetch', `expected a WHATWG fetch function, got ${String(options.fetch)}`);
  }
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 250, false);
  const attempts = positive('attempts', options.attempts, 4, true);
  const deadlineMs = positive('deadlineMs', options.deadlineMs, timeoutMs * attempts, false);
  const retryDelayMs = options.retryDelayMs ?? 25;
  if (typeof retryDelayMs !== 'number' || !Number.isFinite(retryDelayMs) || retryDelayMs < 0) {
    throw new ConfigError('retryDelayMs', `expected a number of milliseconds ≥ 0, got ${String(options.retryDelayMs)}`);
  }
  const breakerSettings = circuitBreakerSettings(options.circuitBreaker);
  if (options.logger !== undefined && !isLogger(options.logger)) throw new ConfigError('logger', 'expected an object with warn() and error()');
  if (options.cache !== undefined && !isAssignmentStore(options.cache)) {
    throw new ConfigError('cache', `expected an AssignmentStore with get/set/delete, e.g. memoryStore(), got ${String(options.cache)}`);
  }
  // Failures repeat per request while Pipet is down: aggregated. The client hands over its logger when the
  // source has none of its own.
  const logs = sourceLogger(options.logger, silentLogger);
  const logger = logs.logger;
  // Checked even without a cache, so a bad value does not wait for the day a cache is added.
  const versionCheckIntervalMs = versionCheckInterval(options.versionCheckIntervalMs);
  const cache: PipetCache | null = options.cache === undefined ? null : pipetCache({ store: options.cache, logger, versionCheckIntervalMs });
  const transport: PipetTransport | null = options.fetch === undefined ? defaultTransport(apiRoot, logger) : null;

  // With a `fetch` of your own, a keep-alive agent for node-fetch (built-in fetch ignores it): Pipet is
  // called on the request path, so a TCP handshake per call would be pure overhead. Owned by the source so
  // close() can free its sockets.
  const agent = transport !== null ? null : apiRoot.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const get: HttpGet = transport?.get ?? fetchGet(options.fetch as PipetFetch, agent as HttpAgent);
  const inflight = new Set<() => void>();
  const lifetime = new AbortController();
  const policy: RetryPolicy = { get, timeoutMs, deadlineMs, retryDelayMs, inflight, lifetime: lifetime.signal };
  const identifyBase = `${apiRoot}/groups/identify?`;
  const matrixUrl = `${apiRoot}/proctor/matrix`;
  let closed = false;
  /** When the breaker last opened from closed (`Date.now()`), for the "closed again" line. */
  let openedAt = 0;

  function logChange(change: CircuitChange): void {
    if (change.to === 'open' && change.from === 'closed') {
      const nextProbeInMs = (change.nextProbeAt ?? Date.now()) - Date.now();
      logger.warn('proctor: Pipet circuit opened: answering from the cache or unassigned without calling Pipet until a probe succeeds', {
        apiRoot,
        error: change.error,
        consecutiveFailures: change.consecutiveFailures,
        nextProbeInMs,
      });
    } else if (change.to === 'closed') {
      logger.warn('proctor: Pipet circuit closed: Pipet answers again', { apiRoot, openForMs: Date.now() - openedAt });
    } else {
      // Probes come and go every few seconds during an outage: not news.
      logger.debug?.(`proctor: Pipet circuit ${change.from} → ${change.to}`, { apiRoot, error: change.error, nextProbeAt: change.nextProbeAt });
    }
    if (change.from === 'closed') openedAt = Date.now();
  }
  // Turned off, it is still there to count failures for status(), but never opens.
  const breaker = new CircuitBreaker(
    breakerSettings ?? { failureThreshold: Number.POSITIVE_INFINITY, probeDelayMs: 1, maxProbeDelayMs: 1, onStateChange: undefined },
    logChange,
  );

  /**
   * Ask the breaker, then call: `null` when the breaker is open (no call made). A probe makes one attempt;
   * failed attempts are counted as they happen, and the caller reports the HTTP answer with `judge`.
   */
  async function call(url: string): Promise<{ outcome: HttpOutcome; judge: (healthy: boolean, error: string) => void } | null> {
    // Once, at start-up: loading the HTTP client must not eat into the first attempt's time limit.
    if (transport !== null && !transport.loaded) await transport.ready;
    const permit = breaker.acquire();
    if (permit === 'reject') return null;
    const probe = permit === 'probe';
    let reported = false;
    const control: CallControl = {
      attempts: probe ? 1 : attempts,
      mayRetry: () => breaker.closed,
      failed: (error) => {
        reported = true;
        breaker.failure(error, probe);
      },
    };
    const outcome = await getWithRetry(policy, url, control);
    const judge = (healthy: boolean, error: string): void => {
      reported = true;
      if (healthy) breaker.success();
      else breaker.failure(error, probe);
    };
    // A probe that made no attempt (the source closed, no time left) says nothing about Pipet.
    if (probe && !outcome.ok && !reported) breaker.release();
    return { outcome, judge };
  }

  function fallback(error: string): IdentifyResult {
    return { groups: EMPTY, matrixVersion: null, origin: 'fallback', error };
  }

  function fromEntry(entry: CacheEntry, origin: 'cache' | 'stale-cache', error?: string): IdentifyResult {
    return error === undefined
      ? { groups: entry.groups, matrixVersion: entry.matrixVersion, origin }
      : { groups: entry.groups, matrixVersion: entry.matrixVersion, origin, error };
  }

  /** The single log line of a failed identify, then the stale entry or the fallback. */
  function fail(error: string, level: 'warn' | 'error', stale: CacheEntry | null, fields: Record<string, unknown>): IdentifyResult {
    if (stale !== null) {
      // Serving a known-good answer is a degradation, not an outage: warn even for protocol errors.
      logger.warn(`proctor: Pipet identify failed (${error}); serving cached assignments of matrix version ${stale.matrixVersion}`, {
        ...fields,
        storedAt: stale.storedAt,
      });
      return fromEntry(stale, 'stale-cache', error);
    }
    logger[level](`proctor: Pipet identify failed (${error}); every test is unassigned`, fields);
    return fallback(error);
  }

  /** Log fields of a failed call: never identifiers or context (personal data). */
  function logFields(tests: readonly string[], attemptsMade: number, started: number): Record<string, unknown> {
    return { apiRoot, tests: tests.length, attempts: attemptsMade, elapsedMs: Math.round(performance.now() - started) };
  }

  let storeReadiness: Promise<void> | null = null;
  function storeReady(): Promise<void> {
    const store = options.cache;
    if (store?.ready === undefined) return Promise.resolve();
    storeReadiness ??= Promise.resolve()
      .then(() => store.ready?.())
      .catch((error: unknown) => {
        logger.warn('proctor: the Pipet cache store is not answering yet; pages call Pipet until it does', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    return storeReadiness;
  }

  async function identifyOnce(request: IdentifyRequest): Promise<IdentifyResult> {
    const tests: readonly string[] = Array.isArray(request.tests) ? request.tests : [];
    const url = identifyBase + identifyQuery(request);
    const params = cache === null ? '' : cacheParams(url, tests);
    let lookup = cache === null ? null : cache.lookup(params);
    if (lookup instanceof Promise) lookup = await lookup;
    if (lookup !== null && lookup.fresh && lookup.entry !== null) return fromEntry(lookup.entry, 'cache');
    const stale = lookup?.entry ?? null;
    const started = performance.now();
    if (closed) return fail('source closed', 'warn', stale, logFields(tests, 0, started));

    const answer = await call(url);
    if (answer === null) return fail('circuit open', 'warn', stale, logFields(tests, 0, started));
    const { outcome, judge } = answer;
    if (!outcome.ok) return fail(outcome.error, 'warn', stale, logFields(tests, outcome.attempts, started));
    const parsed = parseIdentifyResponse(outcome.status, outcome.body, tests);
    judge(healthy(outcome.status, parsed.ok), parsed.ok ? '' : parsed.error);
    if (!parsed.ok) return fail(parsed.error, parsed.level, stale, logFields(tests, outcome.attempts, started));

    if (parsed.malformed.length > 0) {
      logger.warn('proctor: Pipet returned malformed groups; those tests are unassigned', {
        ...logFields(tests, outcome.attempts, started),
        malformed: parsed.malformed,
      });
    }
    // Without a version the entry could never be validated later (django caches it but never reads it back).
    if (cache !== null && parsed.matrixVersion !== null) cache.save(params, parsed.groups, parsed.matrixVersion);
    return { groups: parsed.groups, matrixVersion: parsed.matrixVersion, origin: 'pipet' };
  }

  return {
    kind: 'pipet',
    apiRoot,

    // The transport's setup, and the cache store's connection (else a new process's first pages would
    // find it still connecting, and call Pipet for answers other processes already cached).
    ready: () => Promise.all([transport?.ready, storeReady()]).then(() => undefined),
    adoptLogger: logs.adopt,
    status: () => breaker.status(),

    async identify(request) {
      try {
        return await identifyOnce(request);
      } catch (error) {
        // Only a bug (or a hostile request object) gets here; the contract is still "never reject".
        const text = error instanceof Error ? error.message : String(error);
        logger.error(`proctor: Pipet identify failed unexpectedly (${text}); every test is unassigned`, { apiRoot });
        return fallback(text);
      }
    },

    async getMatrix(): Promise<MatrixDocument | null> {
      try {
        if (closed) {
          logger.warn('proctor: Pipet matrix unavailable (source closed)', { apiRoot });
          return null;
        }
        const answer = await call(matrixUrl);
        if (answer === null) {
          logger.warn('proctor: Pipet matrix unavailable (circuit open)', { apiRoot, attempts: 0 });
          return null;
        }
        const { outcome, judge } = answer;
        const parsed = outcome.ok ? parseMatrixResponse(outcome.status, outcome.body) : outcome;
        if (outcome.ok) judge(healthy(outcome.status, parsed.ok), parsed.ok ? '' : parsed.error);
        if (!parsed.ok) {
          logger.warn(`proctor: Pipet matrix unavailable (${parsed.error})`, { apiRoot, attempts: outcome.attempts });
          return null;
        }
        const version = matrixDocumentVersion(parsed.matrix);
        // A fresh matrix is as good a version confirmation as an identify answer.
        if (cache !== null && version !== null) cache.observeVersion(version);
        return parsed.matrix;
      } catch (error) {
        logger.error('proctor: Pipet matrix unavailable (unexpected failure)', {
          apiRoot,
          error: error instanceof Error ? error.message : String(error),
        });
        return null;
      }
    },

    async close() {
      closed = true;
      lifetime.abort();
      for (const abort of inflight) abort();
      inflight.clear();
      agent?.destroy();
      logger.flush();
      await transport?.close();
    },
  };
}
