/**
 * One matrix loader for everything that reads a test matrix from a file or an http(s) URL: `localSource` and
 * the Pipet server. It reads, parses (`matrix-text.ts`), skips a document whose `audit.version` is the one in
 * service (as Pipet's `AbstractProctorLoader` does, spec §5.6), refuses one that is older than the one in
 * service ({@link isOlderMatrix}), compiles with the caller's stepwise `compile`, and keeps the last good
 * value when any of that fails. Parsing and compiling run a slice at a time (`slices.ts`), so a large matrix
 * does not hold up the requests being served. Reads run one at a time; polling schedules the next one
 * `intervalMs` after the previous ended. A file is read again only when its stat changed, a URL is asked
 * with `If-None-Match` / `If-Modified-Since`; that bookkeeping is recorded only after a read that parsed and
 * compiled (or was refused as older), so a file caught mid-write or a bad download is retried on the next
 * poll. The caller words the logs: the loader reports through `loaded`, `failed` (once per distinct reason)
 * and `recovered`.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { describeValue, parseTestMatrix } from '../matrix/parse.js';
import type { Audit } from '../matrix/types.js';
import { parseMatrixTextSteps } from './matrix-text.js';
import { runInSlices } from './slices.js';

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
   * A read, parse or compile failed, or the document read is older than the one in service; `current`
   * stays in service (null: nothing loaded yet). Called once per distinct reason: the same failure on the
   * next polls is not reported again.
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
  /**
   * Turns a matrix document (parsed JSON, not yet checked: e.g. `Proctor.fromMatrixSteps`) into what is
   * served, in steps (the loader pauses between them); throws to refuse it (the last good value stays).
   */
  readonly compile: (document: unknown) => Generator<void, T>;
  /** Delay between the end of one read and the next once {@link MatrixLoader.start} was called; 0: no polling. @default 0 */
  readonly intervalMs?: number;
  /**
   * Spread of the polling delay, a fraction in [0, 1): each wait is drawn uniformly from
   * `[intervalMs·(1 − jitter), intervalMs]`, so the processes of a fleet that started together do not poll
   * in step, and none polls later than `intervalMs`. @default 0
   */
  readonly jitter?: number;
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

/**
 * Whether a matrix whose audit is `next` is older than the one in service (`current`), and must not
 * replace it. `audit.version` is a label (a revision number, a git hash…), so the order comes from
 * `audit.updated`, the time the matrix was built: older when both have one (> 0) and `next`'s is earlier.
 * Without timestamps, versions that are both decimal integers (SVN-style revisions) compare as numbers.
 * Anything else has no order: a different version is taken as new, as Pipet does.
 */
export function isOlderMatrix(next: Audit, current: Audit): boolean {
  if (next.updated > 0 && current.updated > 0) return next.updated < current.updated;
  if (next.updated > 0 || current.updated > 0) return false;
  const revision = /^\d{1,30}$/;
  return revision.test(next.version) && revision.test(current.version) && BigInt(next.version) < BigInt(current.version);
}

/**
 * The audit of a parsed matrix document, or the error `parseTestMatrix` would throw first for it (not an
 * object, no or a bad `audit`). The tests are checked by `compile`.
 */
function auditOf(document: unknown): Audit {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return parseTestMatrix(document).audit;
  return parseTestMatrix({ audit: (document as Record<string, unknown>)['audit'] }).audit;
}

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
  readonly #jitter: number;
  readonly #timeoutMs: number;
  #current: T | null = null;
  #audit: Audit | null = null;
  #failure: LoadFailure | null = null;
  /** The reason of the last older document refused (reported once). */
  #refused: string | null = null;
  /** File stat of the value in service, when it may be trusted. */
  #stamp: string | null = null;
  #etag: string | null = null;
  #lastModified: string | null = null;
  #inFlight: Promise<void> | null = null;
  /** One more read, to start when the one in flight ends; shared by every caller until then. */
  #queued: Promise<void> | null = null;
  #polling = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #abort: AbortController | null = null;
  #closed = false;

  constructor(options: MatrixLoaderOptions<T>) {
    this.#options = options;
    this.location = options.location;
    this.#intervalMs = options.intervalMs ?? 0;
    this.#jitter = options.jitter ?? 0;
    if (!Number.isFinite(this.#jitter) || this.#jitter < 0 || this.#jitter >= 1) {
      throw new ConfigError('reloadJitter', `expected a fraction in [0, 1), got ${String(options.jitter)}`);
    }
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
    return this.#audit?.version ?? null;
  }

  /** Why the last read failed; null after a good one. */
  get failure(): LoadFailure | null {
    return this.#failure;
  }

  /**
   * Read the file or URL now, and resolve once what it holds is in service (or refused). One read runs at a
   * time: a call during a read gets one more read after it (which may see a change the running one started
   * too early for), shared by every call until it starts. After {@link close} it does nothing. Never
   * rejects: a failure is reported through `failed` and kept in {@link failure}.
   */
  reload(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#inFlight === null) {
      this.#inFlight = this.#attempt().finally(() => {
        this.#inFlight = null;
      });
      return this.#inFlight;
    }
    this.#queued ??= this.#inFlight.then(() => {
      this.#queued = null;
      return this.reload();
    });
    return this.#queued;
  }

  /** Poll every `intervalMs`: the first time `intervalMs` after the reads in progress (if any) end. */
  start(): void {
    if (this.#polling || this.#closed || this.#intervalMs <= 0) return;
    this.#polling = true;
    const pending = this.#queued ?? this.#inFlight;
    if (pending === null) this.#schedule();
    else void pending.then(() => this.#schedule());
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
    }, Math.round(this.#intervalMs * (1 - this.#jitter * Math.random())));
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
    let compiled: { value: T; audit: Audit } | null = null;
    let read: Read | typeof UNCHANGED;
    try {
      read = await this.#read();
      if (read !== UNCHANGED) {
        const document = await runInSlices(parseMatrixTextSteps(read.text));
        const audit = auditOf(document);
        const current = this.#audit;
        if (this.#current !== null && current !== null && audit.version !== current.version && isOlderMatrix(audit, current)) {
          // Read and understood: not read again until it changes.
          read.commit();
          this.#refuse(audit, current);
          return;
        }
        // Pipet's loader skips a document whose version it already serves, even if other fields changed.
        if (this.#current === null || audit.version !== current?.version) {
          compiled = { value: await runInSlices(this.#options.compile(document)), audit };
        }
        if (this.#closed) return;
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
    if (this.#failure !== null && previous !== null) this.#notify(this.#options.recovered, compiled?.audit.version ?? (this.version as string));
    this.#failure = null;
    if (compiled === null) return;
    this.#refused = null;
    this.#current = compiled.value;
    this.#audit = compiled.audit;
    this.#notify(this.#options.loaded, compiled.value, previous);
  }

  /** Report an older document, once per version read. The value in service stays; so does `failure`. */
  #refuse(older: Audit, current: Audit): void {
    const when = (audit: Audit): string => (audit.updated > 0 ? `, updated ${new Date(audit.updated).toISOString()}` : '');
    const reason = `matrix version ${older.version}${when(older)} is older than version ${current.version}${when(current)} in service; not loaded`;
    if (reason === this.#refused) return;
    this.#refused = reason;
    this.#notify(this.#options.failed, { error: new Error(reason), reason }, this.#current);
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
