/**
 * The local source: a test matrix evaluated in-process by the engine. The matrix comes from an object, a
 * file or an http(s) URL; files and URLs are polled and reloaded when `audit.version` changes. A reload that
 * fails keeps the last good matrix and logs why.
 */
import { Proctor } from '../engine/proctor.js';
import type { ProctorOptions } from '../engine/proctor.js';
import type { ProctorResult } from '../engine/result.js';
import type { TestGroup } from '../engine/types.js';
import { ConfigError, SourceError } from '../errors.js';
import { isLogger, silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { sourceLogger } from '../repeats.js';
import { MatrixLoader, isUrl, matrixLocation } from './matrix-loader.js';
import { toGroupAssignment, UNASSIGNED } from '../assignment.js';
import type { GroupAssignment } from '../assignment.js';
import type { IdentifyRequest, IdentifyResult, MatrixDocument, ProctorSource, SourceAssignment, SyncIdentify } from '../contract.js';

/**
 * Tells the processes of a fleet about a new matrix version at once (e.g. `redisVersionChannel` from
 * `proctor-node/redis`). Messages are hints: a process that hears a version other than its own reloads
 * (the usual single-flight, forward-only reload); polling stays the fallback for lost messages.
 */
export interface VersionChannel {
  /** Call `listener` with each version announced; returns the function that stops it. */
  subscribe(listener: (version: string) => void): () => void;
  /** Announce a version this process just loaded. Optional: a channel may only listen. */
  publish?(version: string): void;
}

/** Options for {@link localSource}. */
export interface LocalSourceOptions extends Omit<ProctorOptions, 'logger'> {
  /** The matrix: a parsed object, a file path (or `file:` URL), or an `http(s)://` URL. */
  readonly matrix: string | URL | Record<string, unknown>;
  /** How often a file or URL is checked for a new version, in ms; 0 disables polling. @default 10000 */
  readonly reloadIntervalMs?: number;
  /**
   * Spread of the polling delay, a fraction in [0, 1): each wait is drawn from
   * `[reloadIntervalMs·(1 − reloadJitter), reloadIntervalMs]`, so a fleet started together does not poll
   * the matrix URL in step. @default 0.2 for a URL, 0 for a file
   */
  readonly reloadJitter?: number;
  /**
   * Where new versions are announced and heard (e.g. `redisVersionChannel({ url })`): this process
   * publishes each version it loads, and reloads at once when another one announces a version it does
   * not have. Polling continues as the fallback.
   */
  readonly versionChannel?: VersionChannel;
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

/**
 * The proc's view of each bucket, built once (keyed by the engine's group, which is built once per range
 * and matrix version): a proc reads its tests through {@link LocalResult.assignmentAt} with one lookup.
 * The source form keeps the same view in a hidden slot (`toGroupAssignment`), but reaching it through the
 * form took a third longer per template view (measured), so the request path keeps this direct map.
 */
const assignments = new WeakMap<TestGroup, GroupAssignment>();

/** A local answer: `groups` is built only when someone iterates; the proc reads single tests via `assignmentAt`. */
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

  assignmentAt(index: number): GroupAssignment {
    const g = this.#result.getAt(index);
    if (g === undefined) return UNASSIGNED;
    let assignment = assignments.get(g);
    if (assignment === undefined) {
      // The same object `toGroupAssignment` gives for this answer's source form (one view per bucket).
      assignment = toGroupAssignment(sourceForm(g, this.#proctor, this.#tests[index] ?? ''));
      assignments.set(g, assignment);
    }
    return assignment;
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
  const {
    matrix: input,
    reloadIntervalMs: _interval,
    reloadJitter,
    versionChannel,
    fetch: fetchOption,
    logger: ownLogger,
    ...engineOptions
  } = options;
  if (versionChannel !== undefined && (typeof versionChannel !== 'object' || versionChannel === null || typeof versionChannel.subscribe !== 'function')) {
    throw new ConfigError('versionChannel', `expected an object with subscribe(), got ${String(versionChannel)}`);
  }
  if (ownLogger !== undefined && !isLogger(ownLogger)) throw new ConfigError('logger', 'expected an object with warn() and error()');
  // The middleware or client hands its logger over when the source has none of its own (`adoptLogger`).
  // Rule errors repeat per request, so they are aggregated.
  const logs = sourceLogger(ownLogger, silentLogger);
  const logger = logs.logger;
  const proctorOptions: ProctorOptions = { ...engineOptions, logger };
  const location = matrixLocation(input);
  const changeListeners = new Set<(version: string) => void>();

  function reportDropped(next: Proctor): void {
    for (const rejection of next.loadResult.errors.values()) logger.warn(`proctor: test dropped: ${String(rejection)}`);
  }

  // The last version heard on the channel: a version loaded because of it is not announced again.
  let heard: string | null = null;

  /** A file or URL: read now, then polled. */
  function load(where: string): MatrixLoader<Proctor> {
    const loader = new MatrixLoader<Proctor>({
      location: where,
      compile: (document) => Proctor.fromMatrixSteps(document, proctorOptions),
      intervalMs: interval,
      jitter: reloadJitter ?? (isUrl(where) ? 0.2 : 0),
      timeoutMs: Math.max(1000, Math.min(interval || 10_000, 30_000)),
      fetch: fetchOption,
      loaded(next, previous) {
        reportDropped(next);
        for (const listener of changeListeners) {
          try {
            listener(next.matrixVersion);
          } catch (error) {
            logger.error('proctor: a matrix change listener threw', { error: error instanceof Error ? error.message : String(error) });
          }
        }
        if (versionChannel?.publish !== undefined && next.matrixVersion !== heard) {
          try {
            versionChannel.publish(next.matrixVersion);
          } catch {
            // A hint that could not be sent: the others poll.
          }
        }
        logger.info?.(
          previous === null
            ? `proctor: loaded test matrix version ${next.matrixVersion} from ${where}`
            : `proctor: test matrix version ${next.matrixVersion} replaces ${previous.matrixVersion}`,
          { tests: next.loadResult.loadedTests.length },
        );
      },
      failed({ reason }, current) {
        if (current === null) {
          logger.error(`proctor: could not load the test matrix from ${where}; every test is unassigned until it loads`, { error: reason });
        } else {
          logger.error(`proctor: reloading the test matrix from ${where} failed; still using version ${current.matrixVersion}`, {
            version: current.matrixVersion,
            error: reason,
          });
        }
      },
      recovered: (version) => logger.info?.(`proctor: the test matrix at ${where} reads again`, { version }),
    });
    loader.start();
    return loader;
  }

  const loader = location === null ? null : load(location);
  const unsubscribe =
    loader === null || versionChannel === undefined
      ? null
      : versionChannel.subscribe((version) => {
          if (typeof version !== 'string' || version === loader.version) return;
          heard = version;
          void loader.reload();
        });
  const first = loader?.reload() ?? Promise.resolve();
  const fixed = location === null ? Proctor.fromMatrix(input, proctorOptions) : null;
  if (fixed !== null) {
    // After the caller had a chance to hand over its logger (createProctor does so at once).
    queueMicrotask(() => reportDropped(fixed));
  }
  const current = (): Proctor | null => loader?.current ?? fixed;

  function ready(): Promise<void> {
    return first.then(() => {
      // A matrix is in use (maybe loaded by a later poll): ready. Otherwise the reason it is not.
      const failure = loader?.failure;
      if (loader === null || loader.current !== null || failure == null) return;
      throw new SourceError(`could not load the test matrix from ${loader.location}: ${failure.reason}`, loader.location, { cause: failure.error });
    });
  }

  const sync: SyncIdentify = {
    identifySync(request: IdentifyRequest): IdentifyResult {
      const proctor = current();
      if (proctor === null) return { groups: EMPTY, matrixVersion: null, origin: 'fallback', error: 'matrix not loaded yet' };
      if (request.tests.length === 0) return { groups: EMPTY, matrixVersion: proctor.matrixVersion, origin: 'local', toLoggingString: () => '' };
      // The request has the engine input's fields (identifiers, context, forceGroups, tests): passed as it is.
      return new LocalResult(proctor.determineTestGroups(request), proctor, request.tests);
    },
  };

  return {
    kind: 'local',
    sync,
    current,
    reload: () => loader?.reload() ?? Promise.resolve(),
    ready,
    adoptLogger: logs.adopt,
    testNames: () => current()?.loadResult.loadedTests ?? null,
    onMatrixChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    identify: (request) => Promise.resolve(sync.identifySync(request)),
    getMatrix(): Promise<MatrixDocument | null> {
      const proctor = current();
      if (proctor === null) return Promise.resolve(null);
      const tests: Record<string, unknown> = {};
      for (const [name, test] of proctor.loadResult.matrix.tests) tests[name] = test.definition;
      return Promise.resolve({ audit: proctor.loadResult.matrix.audit as unknown as Record<string, unknown>, tests });
    },
    close(): Promise<void> {
      loader?.close();
      unsubscribe?.();
      logger.flush();
      return Promise.resolve();
    },
  };
}
