/**
 * One matrix loader for everything that reads a test matrix from a file or an http(s) URL: `localSource` and
 * the Pipet server. It reads, parses (`matrix/parse.ts`), skips a document whose `audit.version` is the one in
 * service (as Pipet's `AbstractProctorLoader` does, spec §5.6), compiles with the caller's `compile`, and
 * keeps the last good value when any of that fails. Reads run one at a time; polling schedules the next one
 * `intervalMs` after the previous ended. A file is read again only when its stat changed, a URL is asked
 * with `If-None-Match` / `If-Modified-Since`; that bookkeeping is recorded only after a read that parsed and
 * compiled, so a file caught mid-write or a bad download is retried on the next poll. The caller words the
 * logs: the loader reports through `loaded`, `failed` (once per distinct reason) and `recovered`.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { describeValue, parseTestMatrix } from '../matrix/parse.js';
import type { TestMatrix } from '../matrix/types.js';

/** Why a read, parse or compile failed. */
export interface LoadFailure {
  /** What was thrown. */
  readonly error: unknown;
  /** One line: the error's message, followed by its cause's when that adds something. */
  readonly reason: string;
}

/** What the loader tells its owner. Exceptions thrown by these are ignored. */
export interface MatrixLoaderEvents<T> {
  /** A new version is in service; `previous` is null for the first one. */
  readonly loaded?: (next: T, previous: T | null) => void;
  /**
   * A read, parse or compile failed; `current` stays in service (null: nothing loaded yet). Called once per
   * distinct reason: the same failure on the next polls is not reported again.
   */
  readonly failed?: (failure: LoadFailure, current: T | null) => void;
  /**
   * A read succeeded again after a reported failure while a matrix was in service; `version` is the one
   * read (when it is new, `loaded` follows).
   */
  readonly recovered?: (version: string) => void;
}

/** Options of {@link MatrixLoader}. */
export interface MatrixLoaderOptions<T> extends MatrixLoaderEvents<T> {
  /** A file path or an `http(s)://` URL (see {@link matrixLocation}). */
  readonly location: string;
  /** Turns a parsed matrix into what is served; throws to refuse it (the last good value stays). */
  readonly compile: (matrix: TestMatrix) => T;
  /** Delay between the end of one read and the next once {@link MatrixLoader.start} was called; 0: no polling. @default 0 */
  readonly intervalMs?: number;
  /** Abort a download (headers and body) after this many ms. @default 30000 */
  readonly timeoutMs?: number;
  /** WHATWG fetch for URLs. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** What a read returns when the source has not changed (same file stat, HTTP 304). */
const UNCHANGED = Symbol('unchanged');

/**
 * A file whose change time is this close to the read may be written again within the same timestamp tick
 * (coarse kernel clocks, FAT's 2 s mtime) without its stat changing, so its stat is not trusted: it is read
 * again on the next poll (only parsed then: the version is unchanged). Git calls this the "racy" case.
 */
const RACY_MS = 3000;

/** True for an `http://` or `https://` location. */
export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * Where a matrix option points: a file path or an http(s) URL as a string, or null for a matrix object
 * (the caller compiles it once). A `file:` URL becomes its path. Throws {@link ConfigError} for anything else.
 */
export function matrixLocation(matrix: unknown): string | null {
  const expected = 'expected a file path, an http(s) URL or a matrix object, got';
  if (matrix instanceof URL) {
    if (matrix.protocol === 'file:') return fileURLToPath(matrix);
    if (matrix.protocol !== 'http:' && matrix.protocol !== 'https:') {
      throw new ConfigError('matrix', `expected an http(s) URL or a file: URL, got ${describeValue(matrix.href)}`);
    }
    return matrix.href;
  }
  if (typeof matrix === 'string') {
    if (matrix.trim() === '') throw new ConfigError('matrix', `${expected} ""`);
    return matrix;
  }
  if (typeof matrix !== 'object' || matrix === null || Array.isArray(matrix)) {
    throw new ConfigError('matrix', `${expected} ${matrix === undefined ? 'undefined' : describeValue(matrix)}`);
  }
  return null;
}

/** The error's message, and its cause's when the message does not already say it (`fetch failed: ECONNREFUSED …`). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : '';
  return cause !== '' && !error.message.includes(cause) ? `${error.message}: ${cause}` : error.message;
}

interface Read {
  readonly text: string;
  /** Record the file stat or the validators of this read: called only once it parsed and compiled. */
  readonly commit: () => void;
}

/** Holds the value compiled from a matrix file or URL, and reloads it. */
export class MatrixLoader<T> {
  /** The file path or URL. */
  readonly location: string;
  readonly #options: MatrixLoaderOptions<T>;
  readonly #fetch: typeof globalThis.fetch;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #current: T | null = null;
  #version: string | null = null;
  #failure: LoadFailure | null = null;
  /** File stat of the value in service, when it may be trusted. */
  #stamp: string | null = null;
  #etag: string | null = null;
  #lastModified: string | null = null;
  #inFlight: Promise<void> | null = null;
  #polling = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #abort: AbortController | null = null;
  #closed = false;

  constructor(options: MatrixLoaderOptions<T>) {
    this.#options = options;
    this.location = options.location;
    this.#intervalMs = options.intervalMs ?? 0;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
    if (isUrl(this.location) && typeof this.#fetch !== 'function') throw new ConfigError('fetch', 'no fetch implementation available');
  }

  /** The value in service, or null while none could be loaded. */
  get current(): T | null {
    return this.#current;
  }

  /** `audit.version` of the value in service. */
  get version(): string | null {
    return this.#version;
  }

  /** Why the last read failed; null after a good one. */
  get failure(): LoadFailure | null {
    return this.#failure;
  }

  /**
   * Read the file or URL now. Concurrent calls share one read; after {@link close} it does nothing. Never
   * rejects: a failure is reported through `failed` and kept in {@link failure}.
   */
  reload(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#inFlight ??= this.#attempt().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** Poll every `intervalMs`: the first time `intervalMs` after the read in progress (if any) ends. */
  start(): void {
    if (this.#polling || this.#closed || this.#intervalMs <= 0) return;
    this.#polling = true;
    if (this.#inFlight === null) this.#schedule();
    else void this.#inFlight.then(() => this.#schedule());
  }

  /** Stop polling and abort a download in progress (its failure is not reported). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.reload().then(() => this.#schedule());
    }, this.#intervalMs);
    // A pending poll alone does not keep the process alive.
    this.#timer.unref?.();
  }

  #notify<A extends unknown[]>(callback: ((...args: A) => void) | undefined, ...args: A): void {
    try {
      callback?.(...args);
    } catch {
      // A throwing logger must not stop the loader.
    }
  }

  async #attempt(): Promise<void> {
    let compiled: { value: T; version: string } | null = null;
    try {
      const read = await this.#read();
      if (read !== UNCHANGED) {
        const matrix = parseTestMatrix(read.text);
        const version = matrix.audit.version;
        // Pipet's loader skips a document whose version it already serves, even if other fields changed.
        if (this.#current === null || version !== this.#version) compiled = { value: this.#options.compile(matrix), version };
        read.commit();
      }
    } catch (error) {
      if (this.#closed) return;
      const failure = { error, reason: describeError(error) };
      const repeated = this.#failure?.reason === failure.reason;
      this.#failure = failure;
      if (!repeated) this.#notify(this.#options.failed, failure, this.#current);
      return;
    }
    const previous = this.#current;
    if (this.#failure !== null && previous !== null) this.#notify(this.#options.recovered, compiled?.version ?? (this.#version as string));
    this.#failure = null;
    if (compiled === null) return;
    this.#current = compiled.value;
    this.#version = compiled.version;
    this.#notify(this.#options.loaded, compiled.value, previous);
  }

  /** The matrix text, or UNCHANGED. Throws with a message that says why (and, for a URL, where). */
  #read(): Promise<Read | typeof UNCHANGED> {
    return isUrl(this.location) ? this.#download(this.location) : this.#readFile(this.location);
  }

  async #readFile(path: string): Promise<Read | typeof UNCHANGED> {
    const info = await stat(path);
    const stamp = `${info.mtimeMs}/${info.ctimeMs}/${info.size}/${info.ino}`;
    if (this.#current !== null && stamp === this.#stamp) return UNCHANGED;
    const settled = Date.now() - Math.max(info.mtimeMs, info.ctimeMs) > RACY_MS;
    const text = await readFile(path, 'utf8');
    return { text, commit: () => (this.#stamp = settled ? stamp : null) };
  }

  async #download(url: string): Promise<Read | typeof UNCHANGED> {
    const controller = new AbortController();
    this.#abort = controller;
    const timeout = setTimeout(
      () => controller.abort(new DOMException(`download aborted: no complete answer within ${this.#timeoutMs} ms`, 'TimeoutError')),
      this.#timeoutMs,
    );
    timeout.unref?.();
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      // Conditional requests only make sense while the matrix they describe is the one in service.
      if (this.#current !== null) {
        if (this.#etag !== null) headers['if-none-match'] = this.#etag;
        if (this.#lastModified !== null) headers['if-modified-since'] = this.#lastModified;
      }
      const response = await this.#fetch(url, { headers, signal: controller.signal });
      if (response.status === 304 && this.#current !== null) return UNCHANGED;
      if (!response.ok) throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url}`);
      const text = await response.text();
      const etag = response.headers.get('etag');
      const lastModified = response.headers.get('last-modified');
      return {
        text,
        commit: () => {
          this.#etag = etag;
          this.#lastModified = lastModified;
        },
      };
    } finally {
      clearTimeout(timeout);
      this.#abort = null;
    }
  }
}
