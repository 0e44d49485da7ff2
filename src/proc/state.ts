/**
 * What one `proc` holds: the request, the source's answer (or, for a lazy local proc, its per-test answers),
 * the assignments built so far and the exposures recorded. The `proc` object and its template views are
 * thin fronts over this state; the settings they share are built once per configuration.
 */
import { ProctorError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IdentifyRequest, IdentifyResult, ProctorSource, SourceAssignment } from '../contract.js';
import { toGroupAssignment } from '../assignment.js';
import type { GroupAssignment } from '../assignment.js';

/** What `onExposure` receives once per request: the tests the request read, in read order. */
export interface ExposureEvent {
  readonly tests: readonly string[];
  readonly groups: Readonly<Record<string, { readonly group: string | null; readonly value: number | null }>>;
  /** `test+value` entries of the exposed, assigned tests with value ≥ 0 (django's format). */
  readonly groupString: string;
  readonly request: IdentifyRequest;
}

/** Thrown when JS code reads a test that is not configured, or a lazy remote `proc` before `load()`. */
export class ProcAccessError extends ProctorError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
    this.name = 'ProcAccessError';
  }
}

/** The key of a proc's state on the proc (a symbol: invisible to Object.keys, JSON and templates). */
export const STATE = Symbol('proctor.state');
/** The key under which a template view answers with its proc (see `procOf`). */
export const PROC = Symbol('proctor.proc');

/** What the client configures for its `proc` objects. */
export interface ProcOptions {
  readonly source: ProctorSource;
  readonly lazy: boolean;
  readonly logger: Logger;
  readonly onExposure: ((event: ExposureEvent) => void) | undefined;
  /** Whether reads through the template view count as exposures (see `ProctorClientOptions`). */
  readonly trackTemplateReads: boolean;
}

/** A template view maker: the proc's methods object and its state in, the view out. */
export type ViewFactory = (proc: object, state: ProcState) => object;

/** The options plus what `procFactory` derives once per configuration. */
export interface ProcSettings extends ProcOptions {
  /** One frozen single-test list per test, so the engine can cache lazy selections. */
  readonly singles: ReadonlyMap<string, readonly string[]>;
  /** Configured index of each test. */
  readonly index: ReadonlyMap<string, number>;
  /** The exposure-recording template view (a Proxy), for tracked reads and for procs not loaded yet. */
  readonly view: ViewFactory;
  /** The plain template view of a loaded proc whose template reads are not tracked. */
  readonly snapshot: ViewFactory;
}

function pickAt(result: IdentifyResult, index: number, test: string): SourceAssignment | null {
  if (result.lookupAt) return result.lookupAt(index) ?? null;
  return (result.lookup ? result.lookup(test) : Object.hasOwn(result.groups, test) ? result.groups[test] : undefined) ?? null;
}

/** django's group-string entry, `test+value`, for an assigned test with a value ≥ 0; else null. */
export function groupEntry(test: string, raw: SourceAssignment | null): string | null {
  return raw !== null && raw.value >= 0 ? `${test}${raw.value}` : null;
}

const NO_EXPOSURES: readonly string[] = Object.freeze([]);

/** One request's state. Created per request, so nothing is allocated here before it is needed. */
export class ProcState {
  readonly tests: readonly string[];
  readonly request: IdentifyRequest;
  readonly settings: ProcSettings;
  result: IdentifyResult | null = null;
  /** Lazy local: per-test results. */
  partial: Map<string, SourceAssignment | null> | undefined = undefined;
  /** Built on first read, by configured index. */
  cache: (GroupAssignment | undefined)[] | undefined = undefined;
  /** The tests read, in read order (the shared empty list until the first read). */
  exposed: readonly string[] = NO_EXPOSURES;
  flushed = 0;
  exposedMask = 0;
  loading: Promise<void> | null = null;
  view: object | undefined = undefined;

  constructor(tests: readonly string[], request: IdentifyRequest, settings: ProcSettings, result: IdentifyResult | null) {
    this.tests = tests;
    this.request = request;
    this.settings = settings;
    this.result = result;
  }

  /** Record a read of the `i`-th configured test; a bit mask spares the list scan for the first 31. */
  exposeAt(i: number, test: string): void {
    if (i >= 0 && i < 31) {
      const bit = 1 << i;
      if ((this.exposedMask & bit) !== 0) return;
      this.exposedMask |= bit;
    } else if (this.exposed.includes(test)) {
      return;
    }
    if (this.exposed === NO_EXPOSURES) this.exposed = [test];
    else (this.exposed as string[]).push(test);
  }

  get loaded(): boolean {
    return this.result !== null || this.settings.source.sync !== undefined;
  }

  /** The source's answer for the `i`-th configured test, computing it if needed (lazy local: just that test). */
  raw(i: number): SourceAssignment | null {
    const test = this.tests[i] as string;
    if (this.result !== null) return pickAt(this.result, i, test);
    const sync = this.settings.source.sync;
    if (sync === undefined) {
      throw new ProcAccessError(
        `proc.${test} was read before its assignments were loaded: this proc is lazy and its source (${this.settings.source.kind}) is asynchronous, so \`await proc.load()\` first (the Express middleware does this before res.render).`,
      );
    }
    if (!this.settings.lazy) {
      this.result = sync.identifySync(this.request);
      return pickAt(this.result, i, test);
    }
    this.partial ??= new Map();
    if (!this.partial.has(test)) {
      const answer = sync.identifySync({ ...this.request, tests: this.settings.singles.get(test) ?? [test] });
      this.partial.set(test, pickAt(answer, 0, test));
    }
    return this.partial.get(test) ?? null;
  }

  /** The assignment of the `i`-th configured test (not an exposure by itself; readers call `exposeAt`). */
  assignmentAt(i: number): GroupAssignment {
    // Sources with shared per-bucket views (local) give them at once: nothing to build or cache here.
    const result = this.result;
    if (result !== null && result.assignmentAt !== undefined) return result.assignmentAt(i);
    const cache = (this.cache ??= new Array<GroupAssignment | undefined>(this.tests.length));
    return (cache[i] ??= toGroupAssignment(this.raw(i)));
  }

  /** Read the `i`-th configured test: its assignment, recorded as an exposure. */
  read(i: number, test: string): GroupAssignment {
    const assignment = this.assignmentAt(i);
    this.exposeAt(i, test);
    return assignment;
  }

  /** The source's answer for a configured test, by name. */
  rawOf(test: string): SourceAssignment | null {
    return this.raw(this.settings.index.get(test) ?? -1);
  }

  /** Full evaluation, for logging strings of a lazy local proc. */
  full(): IdentifyResult | null {
    if (this.result === null && this.settings.source.sync !== undefined) this.result = this.settings.source.sync.identifySync(this.request);
    return this.result;
  }

  async load(): Promise<void> {
    if (this.result !== null || this.settings.source.sync !== undefined) return;
    this.loading ??= this.settings.source.identify(this.request).then((result) => {
      this.result = result;
    });
    await this.loading;
  }

  /** Report the exposures not reported yet to `onExposure` (once each). */
  flushExposure(): void {
    const hook = this.settings.onExposure;
    if (hook === undefined || this.flushed >= this.exposed.length) return;
    const tests = this.exposed.slice(this.flushed);
    this.flushed = this.exposed.length;
    const groups: Record<string, { group: string | null; value: number | null }> = {};
    const entries: string[] = [];
    for (const test of tests) {
      // A read test's assignment is already built (reading built it): no second trip to the source.
      const { group, value } = this.assignmentAt(this.settings.index.get(test) ?? -1);
      groups[test] = { group, value };
      if (value !== null && value >= 0) entries.push(`${test}${value}`);
    }
    try {
      hook({ tests, groups, groupString: entries.join(','), request: this.request });
    } catch (error) {
      this.settings.logger.error('proctor: onExposure hook threw', { error: error instanceof Error ? error.message : String(error) });
    }
  }
}
