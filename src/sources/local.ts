/**
 * The local source: a test matrix evaluated in-process by the engine. The matrix comes from an object, a
 * file or an http(s) URL; files and URLs are polled and reloaded when `audit.version` changes. A reload that
 * fails keeps the last good matrix and logs why.
 */
import { readFile, stat } from 'node:fs/promises';
import { Proctor } from '../engine/proctor.js';
import type { ProctorOptions } from '../engine/proctor.js';
import type { ProctorResult } from '../engine/result.js';
import type { TestGroup } from '../engine/types.js';
import { ConfigError, SourceError } from '../errors.js';
import { isLogger, silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { sourceLogger } from '../repeats.js';
import type { IdentifyRequest, IdentifyResult, MatrixDocument, ProctorSource, SourceAssignment, SyncIdentify } from './types.js';

/** Options for {@link localSource}. */
export interface LocalSourceOptions extends Omit<ProctorOptions, 'logger'> {
  /** The matrix: a parsed object, a file path, or an `http(s)://` URL. */
  readonly matrix: string | URL | Record<string, unknown>;
  /** How often a file or URL is checked for a new version, in ms; 0 disables polling. @default 10000 */
  readonly reloadIntervalMs?: number;
  /** WHATWG fetch used for URL matrices. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Where reloads and rule errors are logged. @default silentLogger */
  readonly logger?: Logger;
}

/** A local source also exposes the engine, for tools and debug pages. */
export interface LocalSource extends ProctorSource {
  readonly kind: 'local';
  readonly sync: SyncIdentify;
  /** The engine for the current matrix (null until the first load). */
  current(): Proctor | null;
  /** Check the file/URL now (what the poller does). Resolves when done; never rejects. */
  reload(): Promise<void>;
}

const EMPTY: Readonly<Record<string, SourceAssignment>> = Object.freeze({});

/** The engine's assignments are built once per range, so their source form is too (no per-request copies). */
const sourceForms = new WeakMap<TestGroup, SourceAssignment>();
function sourceForm(g: TestGroup, proctor: Proctor, test: string): SourceAssignment {
  let form = sourceForms.get(g);
  if (form === undefined) {
    const version = proctor.loadResult.matrix.tests.get(test)?.definition.version ?? null;
    // Not frozen: the proc caches its view of this answer in a hidden slot (properties are readonly by type).
    form = { name: g.name, value: g.value, payload: g.payload, allocationId: g.allocation?.id ?? null, version };
    sourceForms.set(g, form);
  }
  return form;
}

/** A local answer: `groups` is built only when someone iterates; the proc reads single tests via `lookup`. */
class LocalResult implements IdentifyResult {
  readonly origin = 'local' as const;
  readonly matrixVersion: string;
  readonly #result: ProctorResult;
  readonly #proctor: Proctor;
  #groups: Record<string, SourceAssignment> | undefined;

  readonly #tests: readonly string[];

  constructor(result: ProctorResult, proctor: Proctor, tests: readonly string[]) {
    this.#result = result;
    this.#proctor = proctor;
    this.#tests = tests;
    this.matrixVersion = result.matrixVersion;
  }

  lookupAt(index: number): SourceAssignment | undefined {
    const g = this.#result.getAt(index);
    return g === undefined ? undefined : sourceForm(g, this.#proctor, this.#tests[index] ?? '');
  }

  get groups(): Readonly<Record<string, SourceAssignment>> {
    if (this.#groups === undefined) {
      const groups: Record<string, SourceAssignment> = {};
      for (const { name } of this.#result.entries()) groups[name] = this.lookup(name) as SourceAssignment;
      this.#groups = groups;
    }
    return this.#groups;
  }

  lookup(name: string): SourceAssignment | undefined {
    const g = this.#result.get(name);
    return g === undefined ? undefined : sourceForm(g, this.#proctor, name);
  }

  toLoggingString(): string {
    return this.#result.toLoggingString();
  }
}

function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Thrown by a read that got nothing new (same mtime, HTTP 304). */
const UNCHANGED = Symbol('unchanged');

/**
 * Create a local source.
 *
 * A file or URL is read at once; `ready()` resolves when it loaded and rejects with a {@link SourceError}
 * naming the path and the reason when it could not, so `await source.ready()` at start-up fails fast.
 * Requests before that first read wait for it. Reloads run one at a time, the next one `reloadIntervalMs`
 * after the previous ended; a failed read or parse is retried on the next poll and keeps the matrix in
 * use. A failure is logged once (and again when its reason changes), not on every poll.
 * @example
 * const source = localSource({ matrix: './proctor-tests-matrix.json', reloadIntervalMs: 30_000 });
 * await source.ready();
 */
export function localSource(options: LocalSourceOptions): LocalSource {
  if (options === null || typeof options !== 'object') throw new ConfigError('options', 'expected { matrix: … }');
  const interval = options.reloadIntervalMs ?? 10_000;
  if (!Number.isFinite(interval) || interval < 0) {
    throw new ConfigError('reloadIntervalMs', `expected a number of milliseconds ≥ 0, got ${String(options.reloadIntervalMs)}`);
  }
  const { matrix: input, reloadIntervalMs: _interval, fetch: fetchOption, logger: ownLogger, ...engineOptions } = options;
  if (ownLogger !== undefined && !isLogger(ownLogger)) throw new ConfigError('logger', 'expected an object with warn() and error()');
  // The middleware or client hands its logger over when the source has none of its own (`adoptLogger`).
  // Rule errors repeat per request, so they are aggregated.
  const logs = sourceLogger(ownLogger, silentLogger);
  const logger = logs.logger;
  const proctorOptions: ProctorOptions = { ...engineOptions, logger };
  let proctor: Proctor | null = null;
  let lastMtime = -1;
  let etag: string | null = null;
  let lastModified: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  /** The reason the last read failed (logged once per distinct reason), or null after a good read. */
  let failure: string | null = null;
  let firstError: SourceError | null = null;

  if (input === null || input === undefined || (typeof input !== 'string' && typeof input !== 'object')) {
    throw new ConfigError('matrix', `expected a matrix object, a file path or an http(s) URL, got ${String(input)}`);
  }
  const location = typeof input === 'string' || input instanceof URL ? String(input) : null;
  const fetchFn = fetchOption ?? globalThis.fetch;

  function reportDropped(next: Proctor): void {
    for (const rejection of next.loadResult.errors.values()) logger.warn(`proctor: test dropped: ${String(rejection)}`);
  }

  if (location === null) {
    proctor = Proctor.fromMatrix(input as Record<string, unknown>, proctorOptions);
    const loaded = proctor;
    // After the caller had a chance to hand over its logger (createProctor does so at once).
    queueMicrotask(() => reportDropped(loaded));
  } else if (location.trim() === '') {
    throw new ConfigError('matrix', 'expected a matrix object, a file path or an http(s) URL, got ""');
  }

  /** The matrix text, or UNCHANGED. Throws with a message that says where and why. */
  async function read(where: string): Promise<{ text: string; commit: () => void } | typeof UNCHANGED> {
    if (isUrl(where)) {
      const headers: Record<string, string> = {};
      if (proctor !== null && etag) headers['if-none-match'] = etag;
      if (proctor !== null && lastModified) headers['if-modified-since'] = lastModified;
      const response = await fetchFn(where, { headers, signal: AbortSignal.timeout(Math.max(1000, Math.min(interval || 10_000, 30_000))) });
      if (response.status === 304) return UNCHANGED;
      if (!response.ok) throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      const text = await response.text();
      const tag = response.headers.get('etag');
      const modified = response.headers.get('last-modified');
      return {
        text,
        commit: () => {
          etag = tag;
          lastModified = modified;
        },
      };
    }
    const info = await stat(where);
    if (info.mtimeMs === lastMtime) return UNCHANGED;
    const text = await readFile(where, 'utf8');
    // Recorded only once the text parsed: a file caught mid-write is read again on the next poll.
    return { text, commit: () => (lastMtime = info.mtimeMs) };
  }

  function fail(where: string, error: unknown): void {
    const reason = messageOf(error);
    if (proctor === null) {
      firstError = new SourceError(`could not load the test matrix from ${where}: ${reason}`, where, { cause: error });
      if (failure !== reason) logger.error(`proctor: could not load the test matrix from ${where}; every test is unassigned until it loads`, { error: reason });
    } else if (failure !== reason) {
      logger.error(`proctor: reloading the test matrix from ${where} failed; still using version ${proctor.matrixVersion}`, {
        version: proctor.matrixVersion,
        error: reason,
      });
    }
    failure = reason;
  }

  async function load(where: string): Promise<void> {
    let got;
    try {
      got = await read(where);
      if (got === UNCHANGED) return;
    } catch (error) {
      fail(where, error);
      return;
    }
    let next: Proctor;
    try {
      next = Proctor.fromMatrix(got.text, proctorOptions);
    } catch (error) {
      fail(where, error);
      return;
    }
    got.commit();
    if (failure !== null && proctor !== null) logger.info?.(`proctor: the test matrix at ${where} reads again`, { version: next.matrixVersion });
    failure = null;
    firstError = null;
    if (proctor !== null && next.matrixVersion === proctor.matrixVersion) return;
    reportDropped(next);
    const previous = proctor?.matrixVersion ?? null;
    logger.info?.(
      previous === null ? `proctor: loaded test matrix version ${next.matrixVersion} from ${where}` : `proctor: test matrix version ${next.matrixVersion} replaces ${previous}`,
      { tests: next.loadResult.loadedTests.length },
    );
    proctor = next;
  }

  // One read at a time; the next poll is scheduled when the previous read ended, so reads never overlap
  // and never finish out of order.
  let inFlight: Promise<void> | null = null;
  function reload(): Promise<void> {
    if (location === null || closed) return Promise.resolve();
    if (inFlight === null) {
      inFlight = load(location).finally(() => {
        inFlight = null;
      });
    }
    return inFlight;
  }

  function poll(): void {
    if (closed || location === null || interval <= 0) return;
    timer = setTimeout(() => {
      void reload().then(poll);
    }, interval);
    timer.unref();
  }

  const first = reload();
  void first.then(poll);

  function ready(): Promise<void> {
    return first.then(() => {
      // A matrix is in use (maybe loaded by a later poll): ready. Otherwise the reason it is not.
      if (proctor === null && firstError !== null) throw firstError;
    });
  }

  const sync: SyncIdentify = {
    identifySync(request: IdentifyRequest): IdentifyResult {
      if (proctor === null) return { groups: EMPTY, matrixVersion: null, origin: 'fallback', error: 'matrix not loaded yet' };
      if (request.tests.length === 0) return { groups: EMPTY, matrixVersion: proctor.matrixVersion, origin: 'local', toLoggingString: () => '' };
      return new LocalResult(
        proctor.determineTestGroups({
          identifiers: request.identifiers,
          context: request.context,
          forceGroups: request.forceGroups,
          tests: request.tests,
        }),
        proctor,
        request.tests,
      );
    },
  };

  return {
    kind: 'local',
    sync,
    current: () => proctor,
    reload,
    ready,
    adoptLogger: logs.adopt,
    testNames: () => proctor?.loadResult.loadedTests ?? null,
    identify: (request) => Promise.resolve(sync.identifySync(request)),
    getMatrix(): Promise<MatrixDocument | null> {
      if (proctor === null) return Promise.resolve(null);
      const tests: Record<string, unknown> = {};
      for (const [name, test] of proctor.loadResult.matrix.tests) tests[name] = test.definition;
      return Promise.resolve({ audit: proctor.loadResult.matrix.audit as unknown as Record<string, unknown>, tests });
    },
    close(): Promise<void> {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      logger.flush();
      return Promise.resolve();
    },
  };
}
