/**
 * The Pipet source's default HTTP client: one undici `Pool` for Pipet's origin, driven through
 * `pool.dispatch` with a handler that collects the body as bytes and decodes it once. Measured on loopback
 * against a fake Pipet (`bench/pipet-transport.bench.mjs`), that costs the app the least CPU per call of the
 * candidates: `pool.request` (which wraps the body in a stream, and takes an AbortSignal, itself ~20 µs)
 * costs ~1.2× as much, `node:http` with a keep-alive Agent ~1.4×, Node's global `fetch` ~3×, undici's
 * `fetch` with a Pool dispatcher ~3.5×.
 *
 * Redirects are not followed (a 3xx is an answer, which the source reports as a failed call); a Pipet
 * behind a redirect needs `fetch: globalThis.fetch`. Bodies over {@link MAX_BODY_BYTES} are refused.
 *
 * undici is loaded when the first source is created, not when `proctor-node` is imported (it takes
 * 100–400 ms to load, and most apps never call Pipet); `ready()` waits for it, and so does a call made
 * before it loaded (outside its attempt's time limit). Should it fail to load, the source uses the global
 * `fetch` and says so once.
 */
import { Agent as HttpAgent } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import type { Logger } from '../logger.js';
import { describeNetworkError, fetchGet, HEADERS } from './pipet-http.js';
import type { Attempt, HttpGet } from './pipet-http.js';

/**
 * The request headers. undici sends no User-Agent of its own, and Pipet configurations commonly read one
 * (`HEADER:User-Agent` for a `UserAgent` context variable, a 400 when it is missing), as the global fetch
 * (`node`) and django-proctor (`python-requests/…`) send.
 */
const POOL_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...HEADERS, 'user-agent': 'proctor-node' });

/** A Pipet answer is a few kB; anything this large is not one (and is not buffered further). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The default transport of one source. */
export interface PipetTransport {
  /** The HTTP client; before {@link ready} settled, a call waits for it. */
  readonly get: HttpGet;
  /** Settles once undici is loaded (or could not be). Never rejects. */
  readonly ready: Promise<void>;
  /** True once {@link ready} settled: calls go out at once. */
  readonly loaded: boolean;
  /** Close the pool's connections (in-flight requests fail). */
  close(): Promise<void>;
}

type UndiciModule = typeof import('undici');

let loading: Promise<UndiciModule | Error> | null = null;

/** `import('undici')`, once per process; an Error when it cannot be loaded. */
function loadUndici(): Promise<UndiciModule | Error> {
  loading ??= import('undici').then(
    (module) => module,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  return loading;
}

const CANCELLED = new Error('aborted');

/** Collects one response. Cancelled before undici started it, it aborts as soon as undici does. */
class GetHandler implements Dispatcher.DispatchHandler {
  #done: ((attempt: Attempt) => void) | null;
  #controller: Dispatcher.DispatchController | null = null;
  #cancelled = false;
  #status = 0;
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(done: (attempt: Attempt) => void) {
    this.#done = done;
  }

  readonly cancel = (): void => {
    this.#cancelled = true;
    this.#controller?.abort(CANCELLED);
  };

  #finish(attempt: Attempt): void {
    const done = this.#done;
    this.#done = null;
    done?.(attempt);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#cancelled) controller.abort(CANCELLED);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.#status = statusCode;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_BODY_BYTES) {
      this.#finish({ ok: false, error: `response body over ${MAX_BODY_BYTES} bytes` });
      controller.abort(CANCELLED);
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    const chunks = this.#chunks;
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    let body = bytes.toString('utf8');
    // As Response.text() does.
    if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
    this.#finish({ ok: true, status: this.#status, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  /** The request failed (or could not be sent). */
  fail(error: unknown): void {
    this.#finish({ ok: false, error: this.#cancelled ? 'aborted' : describeNetworkError(error) });
  }
}

/** {@link HttpGet} over an undici Pool for `origin` (every URL starts with it). */
function poolGet(pool: Pool, origin: string): HttpGet {
  return (url, done) => {
    const handler = new GetHandler(done);
    try {
      pool.dispatch({ method: 'GET', path: url.slice(origin.length), headers: POOL_HEADERS }, handler);
    } catch (error) {
      // A destroyed pool throws at once.
      handler.fail(error);
    }
    return handler.cancel;
  };
}

/** The default transport for `apiRoot` (an http(s) URL without query or credentials). */
export function defaultTransport(apiRoot: string, logger: Logger): PipetTransport {
  const origin = new URL(apiRoot).origin;
  let pool: Pool | null = null;
  let impl: HttpGet | null = null;
  let closed = false;
  let loaded = false;
  const ready = loadUndici().then((undici) => {
    loaded = true;
    if (closed) return;
    if (undici instanceof Error) {
      logger.warn('proctor: could not load undici; the Pipet source uses the global fetch', { error: undici.message });
      impl = fetchGet(globalThis.fetch, new HttpAgent({ keepAlive: true }));
    } else {
      pool = new undici.Pool(origin);
      impl = poolGet(pool, origin);
    }
  });

  const get: HttpGet = (url, done) => {
    if (impl !== null) return impl(url, done);
    let cancel: (() => void) | null = null;
    let cancelled = false;
    void ready.then(() => {
      if (cancelled) return;
      if (impl === null) done({ ok: false, error: 'source closed' });
      else cancel = impl(url, done);
    });
    return () => {
      cancelled = true;
      cancel?.();
    };
  };

  return {
    get,
    ready,
    get loaded() {
      return loaded;
    },
    async close() {
      closed = true;
      impl = null;
      const p = pool;
      pool = null;
      // destroy, not close: in-flight attempts were cancelled already, and close() must not wait on a stall.
      if (p !== null) await p.destroy();
    },
  };
}
