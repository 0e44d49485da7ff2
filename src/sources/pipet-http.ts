/**
 * The HTTP side of the Pipet source: one GET with a per-attempt timeout, retried on network errors and
 * timeouts (django-proctor: `tenacity` `stop_after_attempt(4)`; spec §6.2) after a short jittered backoff,
 * bounded by an overall deadline. HTTP statuses are answers, never retried. Resolves with an outcome; never
 * throws or rejects.
 */
import type { Agent } from 'node:http';

/**
 * The request init the Pipet source passes to `fetch`. Node's built-in fetch and node-fetch both accept it;
 * `agent` is read by node-fetch only (built-in fetch pools connections through undici by itself).
 */
export interface PipetFetchInit {
  readonly method: 'GET';
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly agent: Agent;
}

/** The part of a WHATWG `Response` the Pipet source reads. */
export interface PipetFetchResponse {
  readonly status: number;
  text(): Promise<string>;
}

/**
 * Any WHATWG-style fetch: `globalThis.fetch`, node-fetch's default export, or a test double. It should honour
 * `init.signal`; if it does not, the source still gives up on time (it stops waiting), but the connection
 * is left to the fetch implementation.
 */
export type PipetFetch = (url: string, init: PipetFetchInit) => Promise<PipetFetchResponse>;

/** What one {@link getWithRetry} produced. */
export type HttpOutcome =
  | { readonly ok: true; readonly status: number; readonly body: string; readonly attempts: number }
  | { readonly ok: false; readonly error: string; readonly attempts: number };

/** What one attempt produced: an HTTP answer of any status, or why there was none. */
export type Attempt = { readonly ok: true; readonly status: number; readonly body: string } | { readonly ok: false; readonly error: string };

/**
 * One GET of `url` by some HTTP client: calls `done` once with the answer (body read as text) or the
 * network error, and returns a function that cancels the request (after which `done` may be called with
 * an error, or not at all). Must not throw.
 */
export type HttpGet = (url: string, done: (attempt: Attempt) => void) => () => void;

/** Settings of {@link getWithRetry}, already validated. */
export interface RetryPolicy {
  /** The HTTP client: the default transport's, or {@link fetchGet} over a `fetch` option. */
  readonly get: HttpGet;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  /** Nominal wait before the first retry; doubled for each later one, jittered. */
  readonly retryDelayMs: number;
  /** Cancel functions of the attempts in flight, so that `close()` can abort them. */
  readonly inflight: Set<() => void>;
  /** Aborted when the source closes: no attempt starts after it, and a backoff wait ends at once. */
  readonly lifetime: AbortSignal;
}

/** One call's limits and hooks. */
export interface CallControl {
  /** Attempts in total for this call (1 for a circuit-breaker probe). */
  readonly attempts: number;
  /** Asked before each retry: false stops retrying (the circuit breaker opened meanwhile). */
  readonly mayRetry: () => boolean;
  /** Told about each failed attempt (network error or timeout), as it happens. */
  readonly failed: (error: string) => void;
}

/** The request headers of every call. */
export const HEADERS: Readonly<Record<string, string>> = Object.freeze({ accept: 'application/json' });

/**
 * A readable reason for a network error: undici hides the useful part (`ECONNREFUSED`…) in `cause`. Query
 * strings are cut out because they carry identifiers (personal data) and node-fetch puts the URL in its
 * messages.
 */
export function describeNetworkError(error: unknown): string {
  return redactQueries(rawDescription(error));
}

/** `…/path?query` → `…/path?…` wherever a URL with a query appears in `text`. */
export function redactQueries(text: string): string {
  return text.replace(/(https?:\/\/[^\s?]*)\?[^\s]*?(:?)(?=\s|$)/g, '$1?…$2');
}

function rawDescription(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  const cause = error.cause instanceof Error ? error.cause : null;
  const causeCode = cause === null ? null : codeOf(cause);
  let text = error.message;
  if (cause !== null && cause.message !== '' && cause.message !== text) text += `: ${cause.message}`;
  const anyCode = code ?? causeCode;
  if (anyCode !== null && !text.includes(anyCode)) text += ` (${anyCode})`;
  return text;
}

function codeOf(error: Error): string | null {
  const code: unknown = 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : null;
}

/**
 * {@link HttpGet} over a WHATWG-style `fetch` (the `fetch` option): the body is always read, as it is needed
 * for non-200 diagnostics and a drained body frees the socket; the cancel function aborts its signal.
 */
export function fetchGet(fetch: PipetFetch, agent: Agent): HttpGet {
  return (url, done) => {
    const controller = new AbortController();
    const run = async (): Promise<Attempt> => {
      const response = await fetch(url, { method: 'GET', headers: HEADERS, signal: controller.signal, agent });
      const body = await response.text();
      return { ok: true, status: response.status, body };
    };
    run().then(done, (error: unknown) => {
      // After our own abort (timeout or close) the rejection is expected and the attempt already settled.
      done({ ok: false, error: controller.signal.aborted ? 'aborted' : describeNetworkError(error) });
    });
    return () => controller.abort();
  };
}

/**
 * One attempt: headers and body within `budgetMs`. The timer settles the attempt itself instead of
 * trusting the client to honour the cancellation, so a misbehaving fetch cannot stretch the deadline.
 */
function attemptOnce(policy: RetryPolicy, url: string, budgetMs: number): Promise<Attempt> {
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    let cancel: (() => void) | null = null;
    const abort = (): void => cancel?.();
    const finish = (result: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      policy.inflight.delete(abort);
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({ ok: false, error: `timed out after ${budgetMs} ms` });
      abort();
    }, budgetMs);
    policy.inflight.add(abort);
    cancel = policy.get(url, finish);
    // Settled synchronously (a client that failed at once): nothing left to cancel.
    if (settled) cancel();
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The wait before retry number `retry` (1, 2, …): `retryDelayMs · 2^(retry-1)` times a random factor in
 * [0.5, 1), so that the callers of a struggling Pipet do not retry in step.
 */
export function retryDelay(retryDelayMs: number, retry: number): number {
  return retryDelayMs * 2 ** Math.min(retry - 1, 20) * (0.5 + Math.random() / 2);
}

/**
 * GET `url`: up to `control.attempts` attempts of at most `timeoutMs` each, retried on network errors and
 * timeouts after a backoff wait, never running past `deadlineMs` from the start: a retry whose wait would
 * end past the deadline is not made. The first HTTP response of any status ends it. Stops when the source
 * closes or `control.mayRetry()` says no.
 */
export async function getWithRetry(policy: RetryPolicy, url: string, control: CallControl): Promise<HttpOutcome> {
  const deadline = performance.now() + policy.deadlineMs;
  const closed = policy.lifetime;
  let error = 'no attempt made';
  let attempts = 0;
  while (attempts < control.attempts && !closed.aborted) {
    if (attempts > 0) {
      if (!control.mayRetry()) break;
      const wait = retryDelay(policy.retryDelayMs, attempts);
      // Whole milliseconds: setTimeout cannot do better, and a sub-millisecond attempt could not succeed anyway.
      if (Math.floor(deadline - performance.now() - wait) < 1) break;
      await sleep(wait, closed);
      // Asked again: the breaker may have opened during the wait (other calls failing meanwhile).
      if (closed.aborted || !control.mayRetry()) break;
    }
    const remaining = Math.floor(deadline - performance.now());
    if (remaining < 1) break;
    attempts++;
    const result = await attemptOnce(policy, url, Math.min(policy.timeoutMs, remaining));
    if (result.ok) return { ok: true, status: result.status, body: result.body, attempts };
    if (closed.aborted) break;
    error = result.error;
    control.failed(error);
  }
  return { ok: false, error: closed.aborted ? 'source closed' : error, attempts };
}
