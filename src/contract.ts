/**
 * The one interface every assignment source implements (local matrix, Pipet, static). The `proc` object and
 * the adapters see only this. A source never throws or rejects on the request path: failures come back as
 * an {@link IdentifyResult} with `error` set and the documented fallback groups.
 */
import type { Logger } from './logger.js';
import type { Payload } from './matrix/types.js';
import type { GroupAssignment } from './assignment.js';

/** What the app asks for one user. */
export interface IdentifyRequest {
  /** The app's configured tests, in configured order. */
  readonly tests: readonly string[];
  /** Identifier per test type / Pipet source key, e.g. `{ USER: 'u123' }`. */
  readonly identifiers: Readonly<Record<string, string>>;
  /** Rule context, e.g. `{ country: 'US', loggedIn: true }`. */
  readonly context: Readonly<Record<string, unknown>>;
  /** The `prforceGroups` string of a privileged request, else null. */
  readonly forceGroups: string | null;
}

/** One test's assignment as a source reports it (payload in the matrix shape). */
export interface SourceAssignment {
  readonly name: string;
  readonly value: number;
  readonly payload: Payload | null;
  /** The allocation id (`#A1`), `''` when it has none, null when forced or unknown (Pipet). */
  readonly allocationId: string | null;
  /** The test definition's version, when the source knows it. */
  readonly version: string | null;
}

/** Where an answer came from; `fallback` means every test is unassigned because the source failed. */
export type AssignmentOrigin = 'local' | 'pipet' | 'cache' | 'stale-cache' | 'static' | 'fallback';

/** A source's answer for one request. */
export interface IdentifyResult {
  /** Assigned tests only; absent = unassigned. */
  readonly groups: Readonly<Record<string, SourceAssignment>>;
  /** One test's assignment without building `groups` (sources that can, do). */
  readonly lookup?: (test: string) => SourceAssignment | undefined;
  /** The assignment of the `index`-th test of `IdentifyRequest.tests` (sources that can, do). */
  readonly lookupAt?: (index: number) => SourceAssignment | undefined;
  /**
   * The `proc`'s view of the `index`-th test of `IdentifyRequest.tests` (`UNASSIGNED` when it has no
   * bucket), for sources whose answers are shared objects built once per bucket (local): the proc reads it
   * without building or caching anything per request. Must agree with {@link lookupAt}.
   */
  readonly assignmentAt?: (index: number) => GroupAssignment;
  /** `audit.version` of the matrix behind the answer, when known. */
  readonly matrixVersion: string | null;
  readonly origin: AssignmentOrigin;
  /** Why the source fell back (already logged once by the source). */
  readonly error?: string;
  /** Java's `toLoggingString()` when the source can compute it (local); otherwise the proc derives one. */
  readonly toLoggingString?: () => string;
}

/** Sources that can answer synchronously (local, static) also implement this. */
export interface SyncIdentify {
  /** Same contract as {@link ProctorSource.identify}, synchronously. */
  identifySync(request: IdentifyRequest): IdentifyResult;
}

/** The matrix as served to debug pages (`/proctor/matrix` shape). */
export interface MatrixDocument {
  readonly audit: Readonly<Record<string, unknown>>;
  readonly tests: Readonly<Record<string, unknown>>;
}

/** Where assignments come from. */
export interface ProctorSource {
  /** A short name for logs: `local`, `pipet`, `static`. */
  readonly kind: string;
  /** Present when the source can answer synchronously (enables lazy per-test evaluation). */
  readonly sync?: SyncIdentify;
  /**
   * Resolves once the source can answer (first matrix loaded). Rejects with a `SourceError` saying why when
   * its first load failed (sources with nothing to load resolve at once).
   */
  ready(): Promise<void>;
  /** Use this logger unless the source was created with its own (the client calls it at setup). */
  adoptLogger?(logger: Logger): void;
  /** The tests the source can assign (a local matrix's loaded tests), or null when it cannot tell. */
  testNames?(): readonly string[] | null;
  /**
   * Call `listener` with the `audit.version` of each test matrix the source puts in service from now on (a
   * reload with a new version, or a first load that had failed); returns a function that stops the calls.
   * Sources that cannot tell (Pipet) leave it out.
   */
  onMatrixChange?(listener: (version: string) => void): () => void;
  /** Assign one user. Never rejects: failures resolve with `origin: 'fallback'` and `error`. */
  identify(request: IdentifyRequest): Promise<IdentifyResult>;
  /** The test matrix for debug pages, or null when unavailable. Never rejects. */
  getMatrix(): Promise<MatrixDocument | null>;
  /** Stop timers and close connections. */
  close(): Promise<void>;
}
