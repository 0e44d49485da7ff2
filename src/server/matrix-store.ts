/**
 * The server's current matrix: a matrix object compiled once, or a file or http(s) URL read and reloaded by
 * the shared {@link MatrixLoader} (the one `localSource` uses), which compiles a new document only when its
 * `audit.version` differs from the loaded one (spec §5.6), never goes back to an older one, compiles a
 * slice at a time, and keeps the last good matrix when a reload fails.
 * This file words the server's log lines and compiles with the server's options.
 */
import { Proctor } from '../engine/proctor.js';
import type { ProctorOptions } from '../engine/proctor.js';
import type { Logger } from '../logger.js';
import type { Audit } from '../matrix/types.js';
import { MatrixLoader, matrixLocation } from '../sources/matrix-loader.js';

/** One successfully loaded matrix. */
export interface LoadedMatrix {
  readonly proctor: Proctor;
  readonly audit: Audit;
  /** `audit.version`. */
  readonly version: string;
}

/** Options of {@link MatrixStore}. */
export interface MatrixStoreOptions {
  /** A file path, an http(s) or `file:` URL, or the matrix object (loaded once). */
  readonly matrix: unknown;
  readonly proctorOptions: ProctorOptions;
  /** Delay between the end of one load attempt and the next, in ms; 0 disables reloading. */
  readonly reloadMs: number;
  /** Abort a matrix download after this many ms. */
  readonly fetchTimeoutMs: number;
  readonly fetch: typeof globalThis.fetch;
  readonly logger: Logger;
}

/** Holds the current matrix and reloads it. */
export class MatrixStore {
  readonly #loader: MatrixLoader<LoadedMatrix> | null;
  readonly #fixed: LoadedMatrix | null;

  /** Throws `ConfigError` for a matrix option that is no location, `MatrixError` for a bad matrix object. */
  constructor(options: MatrixStoreOptions) {
    const { logger, proctorOptions } = options;
    const loadedMatrix = (proctor: Proctor): LoadedMatrix =>
      Object.freeze({ proctor, audit: proctor.loadResult.matrix.audit, version: proctor.matrixVersion });
    // Stepwise: the loader runs it a slice at a time, so a large matrix does not stall the requests served.
    const compile = function* (document: unknown): Generator<void, LoadedMatrix> {
      return loadedMatrix(yield* Proctor.fromMatrixSteps(document, proctorOptions));
    };
    const loaded = (source: string, next: LoadedMatrix, previous: LoadedMatrix | null): void => {
      const result = next.proctor.loadResult;
      for (const rejection of result.errors.values()) {
        logger.warn('pipet: test dropped at load', { test: rejection.testName, reason: String(rejection), version: next.version });
      }
      logger.info?.('pipet: test matrix loaded', {
        source,
        version: next.version,
        previousVersion: previous?.version ?? null,
        tests: result.loadedTests.length,
        dropped: result.errors.size,
      });
    };
    const location = matrixLocation(options.matrix);
    if (location === null) {
      // An in-memory matrix cannot change and cannot be retried: a bad one is a startup error.
      this.#loader = null;
      this.#fixed = loadedMatrix(Proctor.fromMatrix(options.matrix, proctorOptions));
      loaded('matrix object', this.#fixed, null);
      return;
    }
    this.#fixed = null;
    this.#loader = new MatrixLoader<LoadedMatrix>({
      location,
      compile,
      intervalMs: options.reloadMs,
      timeoutMs: options.fetchTimeoutMs,
      fetch: options.fetch,
      loaded: (next, previous) => loaded(location, next, previous),
      failed: ({ reason }, current) => {
        const fields = { source: location, error: reason };
        if (current === null) logger.error('pipet: cannot load the test matrix', fields);
        else logger.warn('pipet: reload failed, keeping the loaded matrix', { ...fields, version: current.version });
      },
      recovered: (version) => logger.info?.('pipet: test matrix reads again', { source: location, version }),
    });
  }

  /** The current matrix, or null while none could be loaded. */
  get current(): LoadedMatrix | null {
    return this.#fixed ?? this.#loader?.current ?? null;
  }

  /** Why the last load attempt failed (null after a success). */
  get lastError(): string | null {
    return this.#loader?.failure?.reason ?? null;
  }

  /** The error of the last failed attempt (null after a success). */
  get lastFailure(): unknown {
    return this.#loader?.failure?.error ?? null;
  }

  /**
   * Check the file or URL now. Attempts never overlap: calls during one share one more attempt after it.
   * Never rejects: a failure is logged (once per distinct reason) and kept in {@link lastError}; the
   * previous matrix stays in service, as it does when the document read is older than it.
   */
  reload(): Promise<void> {
    return this.#loader?.reload() ?? Promise.resolve();
  }

  /** Start reloading every `reloadMs` (after each attempt ends, so attempts never overlap). */
  start(): void {
    this.#loader?.start();
  }

  /** Stop reloading and abort a download in progress. */
  stop(): void {
    this.#loader?.close();
  }
}
