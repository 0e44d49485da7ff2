/**
 * The server's current matrix: loaded from an object, a file or an http(s) URL, reloaded on a fixed delay
 * like Pipet's `AbstractProctorLoader` (spec §5.6): a new document is only compiled when its `audit.version`
 * differs from the loaded one, and a reload that fails keeps the last good matrix and logs why.
 */
import { readFile } from 'node:fs/promises';
import { Proctor } from '../engine/proctor.js';
import type { ProctorOptions } from '../engine/proctor.js';
import { MatrixError } from '../errors.js';
import { restoreConstantDoubles } from '../matrix/json-doubles.js';
import type { Logger } from '../logger.js';
import type { Audit } from '../matrix/types.js';

/** One successfully loaded matrix. */
export interface LoadedMatrix {
  readonly proctor: Proctor;
  readonly audit: Audit;
  /** `audit.version`. */
  readonly version: string;
}

/** Where the matrix comes from. */
export type MatrixLocation =
  | { readonly kind: 'object'; readonly value: unknown }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string };

/** Options of {@link MatrixStore}. */
export interface MatrixStoreOptions {
  readonly location: MatrixLocation;
  readonly proctorOptions: ProctorOptions;
  /** Delay between the end of one load attempt and the next, in ms; 0 disables reloading. */
  readonly reloadMs: number;
  /** Abort a matrix download after this many ms. */
  readonly fetchTimeoutMs: number;
  readonly fetch: typeof globalThis.fetch;
  readonly logger: Logger;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** `audit.version` as the loader coerces it, read without compiling anything (undefined: let the parser complain). */
function peekVersion(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const audit = (doc as { audit?: unknown }).audit;
  if (typeof audit !== 'object' || audit === null) return undefined;
  const version = (audit as { version?: unknown }).version;
  if (version === undefined || version === null) return '';
  return typeof version === 'string' || typeof version === 'number' || typeof version === 'boolean' ? String(version) : undefined;
}

/** Holds the current matrix and reloads it. */
export class MatrixStore {
  #current: LoadedMatrix | null = null;
  #lastError: string | null = null;
  #lastFailure: unknown = null;
  #running: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #abort: AbortController | null = null;
  #etag: string | null = null;
  #lastModified: string | null = null;
  readonly #options: MatrixStoreOptions;
  readonly #description: string;

  constructor(options: MatrixStoreOptions) {
    this.#options = options;
    const location = options.location;
    this.#description = location.kind === 'object' ? 'matrix object' : location.kind === 'file' ? location.path : location.url;
    // An in-memory matrix cannot change and cannot be retried: a bad one is a startup error.
    if (location.kind === 'object') this.#install(location.value);
  }

  /** The current matrix, or null while none could be loaded. */
  get current(): LoadedMatrix | null {
    return this.#current;
  }

  /** Why the last load attempt failed (null after a success). */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** The error of the last failed attempt (null after a success). */
  get lastFailure(): unknown {
    return this.#lastFailure;
  }

  /**
   * Check the file or URL now. Concurrent calls share one attempt. Never rejects: a failure is logged and
   * kept in {@link lastError}; the previous matrix stays in service.
   */
  reload(): Promise<void> {
    if (this.#options.location.kind === 'object') return Promise.resolve();
    this.#running ??= this.#attempt().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Start reloading every `reloadMs` (after each attempt ends, so attempts never overlap). */
  start(): void {
    if (this.#options.reloadMs <= 0 || this.#options.location.kind === 'object' || this.#stopped) return;
    this.#schedule();
  }

  /** Stop reloading and abort a download in progress. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.reload().then(() => this.#schedule());
    }, this.#options.reloadMs);
    // The HTTP server keeps the process alive; a pending reload alone should not.
    this.#timer.unref?.();
  }

  async #attempt(): Promise<void> {
    const { logger } = this.#options;
    try {
      const text = await this.#read();
      if (text === null) return; // HTTP 304: unchanged
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (error) {
        throw new MatrixError(`matrix is not valid JSON: ${(error as Error).message}`, '', { cause: error });
      }
      restoreConstantDoubles(doc, text);
      this.#install(doc);
      this.#lastError = null;
      this.#lastFailure = null;
    } catch (error) {
      if (this.#stopped && error instanceof Error && error.name === 'AbortError') return;
      this.#lastError = describeError(error);
      this.#lastFailure = error;
      const fields = { source: this.#description, error: this.#lastError };
      if (this.#current === null) logger.error('pipet: cannot load the test matrix', fields);
      else logger.warn('pipet: reload failed, keeping the loaded matrix', { ...fields, version: this.#current.version });
    }
  }

  async #read(): Promise<string | null> {
    const location = this.#options.location;
    if (location.kind === 'file') return readFile(location.path, 'utf8');
    if (location.kind === 'object') return null;
    const controller = new AbortController();
    this.#abort = controller;
    const timeout = setTimeout(() => controller.abort(), this.#options.fetchTimeoutMs);
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      // Conditional requests only make sense while the matrix they describe is the one in service.
      if (this.#current !== null) {
        if (this.#etag !== null) headers['if-none-match'] = this.#etag;
        if (this.#lastModified !== null) headers['if-modified-since'] = this.#lastModified;
      }
      const response = await this.#options.fetch(location.url, { headers, signal: controller.signal });
      if (response.status === 304 && this.#current !== null) return null;
      if (!response.ok) throw new Error(`HTTP ${response.status} from ${location.url}`);
      const text = await response.text();
      this.#etag = response.headers.get('etag');
      this.#lastModified = response.headers.get('last-modified');
      return text;
    } finally {
      clearTimeout(timeout);
      this.#abort = null;
    }
  }

  #install(doc: unknown): void {
    const { logger } = this.#options;
    const version = peekVersion(doc);
    const current = this.#current;
    // Pipet's loader skips a document whose version it already serves, even if other fields changed.
    if (current !== null && version !== undefined && version === current.version) return;
    const proctor = Proctor.fromMatrix(doc, this.#options.proctorOptions);
    const result = proctor.loadResult;
    for (const rejection of result.errors.values()) {
      logger.warn('pipet: test dropped at load', { test: rejection.testName, reason: String(rejection), version: result.matrixVersion });
    }
    this.#current = Object.freeze({ proctor, audit: result.matrix.audit, version: result.matrixVersion });
    logger.info?.('pipet: test matrix loaded', {
      source: this.#description,
      version: result.matrixVersion,
      previousVersion: current?.version ?? null,
      tests: result.loadedTests.length,
      dropped: result.errors.size,
    });
  }
}
