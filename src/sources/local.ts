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
import { ConfigError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
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

/**
 * Create a local source.
 * @example
 * const source = localSource({ matrix: './proctor-tests-matrix.json', reloadIntervalMs: 30_000 });
 */
export function localSource(options: LocalSourceOptions): LocalSource {
  const logger = options.logger ?? silentLogger;
  const interval = options.reloadIntervalMs ?? 10_000;
  if (!Number.isFinite(interval) || interval < 0) {
    throw new ConfigError('reloadIntervalMs', `expected a number of milliseconds ≥ 0, got ${String(options.reloadIntervalMs)}`);
  }
  const { matrix: input, reloadIntervalMs: _interval, fetch: fetchOption, ...engineOptions } = options;
  const proctorOptions: ProctorOptions = { ...engineOptions, logger };
  let proctor: Proctor | null = null;
  let lastMtime = -1;
  let etag: string | null = null;
  let lastModified: string | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const location = typeof input === 'string' || input instanceof URL ? String(input) : null;
  if (location === null) {
    proctor = Proctor.fromMatrix(input, proctorOptions);
  } else if (location.trim() === '') {
    throw new ConfigError('matrix', 'expected a matrix object, a file path or an http(s) URL, got ""');
  }
  const fetchFn = fetchOption ?? globalThis.fetch;

  function install(text: string, where: string): void {
    let next: Proctor;
    try {
      next = Proctor.fromMatrix(text, proctorOptions);
    } catch (error) {
      logger.error(`proctor: matrix reload from ${where} failed; keeping the last good matrix`, {
        version: proctor?.matrixVersion ?? null,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    if (proctor !== null && next.matrixVersion === proctor.matrixVersion) return;
    for (const rejection of next.loadResult.errors.values()) logger.warn(`proctor: test dropped: ${String(rejection)}`);
    logger.info?.(`proctor: loaded matrix version ${next.matrixVersion} from ${where}`, { tests: next.loadResult.loadedTests.length });
    proctor = next;
  }

  async function reload(): Promise<void> {
    if (location === null || closed) return;
    try {
      if (isUrl(location)) {
        const headers: Record<string, string> = {};
        if (etag) headers['if-none-match'] = etag;
        if (lastModified) headers['if-modified-since'] = lastModified;
        const response = await fetchFn(location, { headers, signal: AbortSignal.timeout(Math.max(1000, Math.min(interval || 10_000, 30_000))) });
        if (response.status === 304) return;
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const text = await response.text();
        etag = response.headers.get('etag');
        lastModified = response.headers.get('last-modified');
        install(text, location);
      } else {
        const info = await stat(location);
        if (info.mtimeMs === lastMtime) return;
        const text = await readFile(location, 'utf8');
        lastMtime = info.mtimeMs;
        install(text, location);
      }
    } catch (error) {
      logger.error(`proctor: cannot read matrix ${location}; keeping the last good matrix`, {
        version: proctor?.matrixVersion ?? null,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const first = reload();
  if (location !== null && interval > 0) {
    timer = setInterval(() => void reload(), interval);
    timer.unref();
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
    ready: () => first,
    identify: (request) => Promise.resolve(sync.identifySync(request)),
    getMatrix(): Promise<MatrixDocument | null> {
      if (proctor === null) return Promise.resolve(null);
      const tests: Record<string, unknown> = {};
      for (const [name, test] of proctor.loadResult.matrix.tests) tests[name] = test.definition;
      return Promise.resolve({ audit: proctor.loadResult.matrix.audit as unknown as Record<string, unknown>, tests });
    },
    close(): Promise<void> {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      return Promise.resolve();
    },
  };
}
