/**
 * The `proc` object: one per request, `proc.<test>` for every configured test (django-proctor's
 * `ProctorGroups`). Reading a test that is not configured throws a clear error in JS code; templates get a
 * lenient view (`templateView`) that yields the engine's usual `undefined`.
 *
 * Each configuration gets its own prototype with one getter per test, so reading `proc.buttoncolortst` is a
 * plain prototype getter. Behind it sits a Proxy that only sees lookups nothing else answered: unknown names.
 */
import { ProctorError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IdentifyRequest, IdentifyResult, ProctorSource, SourceAssignment } from '../contract.js';
import { toGroupAssignment } from './group-assignment.js';
import type { GroupAssignment } from './group-assignment.js';
import type { TestNames, TestSet } from '../register.js';
import type { AssignmentOf } from './typed.js';

/** What `onExposure` receives once per request: the tests the request read, in read order. */
export interface ExposureEvent {
  readonly tests: readonly string[];
  readonly groups: Readonly<Record<string, { readonly group: string | null; readonly value: number | null }>>;
  /** `test+value` entries of the exposed, assigned tests with value ≥ 0 (django's format). */
  readonly groupString: string;
  readonly request: IdentifyRequest;
}

/** Methods every `proc` has, whatever its tests. */
export interface ProctorGroupsMethods<T extends string> {
  /** django's group string: `test+value` for assigned tests with value ≥ 0, in configured order. */
  toString(): string;
  /** The entries of {@link toString} as a list. */
  getGroupStringList(): string[];
  /** Java's `toLoggingString()` (allocation ids) when the source knows allocations, else the legacy form. */
  toLoggingString(): string;
  /** `{ test: { group, value, payload } }` for every configured test. Not an exposure. */
  toJSON(): Record<T, { group: string | null; value: number | null; payload: unknown }>;
  /** The assignment of a configured test by name (for names held in variables). Throws for others. */
  get(test: T): GroupAssignment;
  /** Load the assignments (needed once before reading a lazy `proc` fed by an asynchronous source). */
  load(): Promise<this>;
  /** Whether assignments can be read without `await proc.load()`. */
  readonly loaded: boolean;
  /** The configured tests, in order. */
  readonly tests: readonly T[];
  /** The tests read so far in this request, in read order. */
  exposures(): readonly T[];
  /** Report the exposures to `onExposure` (once; later calls report only tests read since). */
  flushExposure(): void;
  /**
   * A view for template engines: plain own properties per test (`{ group, value, payload, payloadType }`),
   * unknown tests read as `undefined`, `String(view)` is the group string. Reading a test is an exposure.
   */
  templateView(): TemplateView<T>;
}

/** What templates see as `proc` (see `templateView`). */
export type TemplateView<T extends string = string> = { readonly [K in T]: GroupAssignment };

/**
 * The `proc` object: `proc.<test>` is a {@link GroupAssignment} for each configured test. `T` is the test
 * names, or their declarations (the `ProctorTests` of a module `proctor-node types` generated), which type
 * each test's group, value and payload.
 */
export type ProctorGroups<T extends TestSet = string> = { readonly [K in TestNames<T>]: AssignmentOf<T, K> } & ProctorGroupsMethods<TestNames<T>>;

/** Thrown when JS code reads a test that is not configured, or a lazy remote `proc` before `load()`. */
export class ProcAccessError extends ProctorError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
    this.name = 'ProcAccessError';
  }
}

const STATE = Symbol('proctor.state');
const PROC = Symbol('proctor.proc');
/** Keys libraries probe on any object (promises, inspectors, test matchers, React…); never test names. */
const PROBES = new Set(['then', 'catch', 'finally', 'toJSON', 'inspect', 'constructor', 'asymmetricMatch', 'nodeType', 'tagName', '$$typeof', 'length', 'prototype', 'valueOf', 'toPrimitive', '__esModule', 'default']);

/** What the client configures for its `proc` objects. */
interface ProcOptions {
  readonly source: ProctorSource;
  readonly lazy: boolean;
  readonly logger: Logger;
  readonly onExposure: ((event: ExposureEvent) => void) | undefined;
  /** Whether reads through the template view count as exposures (see `ProctorClientOptions`). */
  readonly trackTemplateReads: boolean;
}

/** The options plus what {@link procFactory} derives once per configuration. */
interface ProcSettings extends ProcOptions {
  /** One frozen single-test list per test, so the engine can cache lazy selections. */
  readonly singles: ReadonlyMap<string, readonly string[]>;
  /** Configured index of each test. */
  readonly index: ReadonlyMap<string, number>;
  /** The exposure-recording template view (a Proxy), for tracked reads and for procs not loaded yet. */
  readonly view: (proc: ProctorGroupsMethods<string>, state: ProcState) => object;
  /** The plain template view of a loaded proc whose template reads are not tracked. */
  readonly snapshot: (proc: ProctorGroupsMethods<string>, state: ProcState) => object;
}

function pickAt(result: IdentifyResult, index: number, test: string): SourceAssignment | null {
  if (result.lookupAt) return result.lookupAt(index) ?? null;
  return (result.lookup ? result.lookup(test) : Object.hasOwn(result.groups, test) ? result.groups[test] : undefined) ?? null;
}

class ProcState {
  readonly tests: readonly string[];
  readonly request: IdentifyRequest;
  readonly settings: ProcSettings;
  result: IdentifyResult | null = null;
  /** Lazy local: per-test results. */
  partial: Map<string, SourceAssignment | null> | undefined;
  /** Built on first read, by configured index; a proc is created per request, so nothing is allocated up front. */
  cache: (GroupAssignment | undefined)[] | undefined;
  readonly exposed: string[] = [];
  flushed = 0;
  exposedMask = 0;
  loading: Promise<void> | null = null;
  view: object | undefined;

  constructor(tests: readonly string[], request: IdentifyRequest, settings: ProcSettings) {
    this.tests = tests;
    this.request = request;
    this.settings = settings;
  }

  /** Record a read of the `i`-th configured test; a bit mask spares the list scan for the first 31. */
  exposeAt(i: number, test: string): void {
    if (i >= 0 && i < 31) {
      const bit = 1 << i;
      if ((this.exposedMask & bit) !== 0) return;
      this.exposedMask |= bit;
      this.exposed.push(test);
    } else if (!this.exposed.includes(test)) {
      this.exposed.push(test);
    }
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
    this.cache ??= new Array<GroupAssignment | undefined>(this.tests.length);
    return (this.cache[i] ??= toGroupAssignment(this.raw(i)));
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
}

/** django's group-string entry, `test+value`, for an assigned test with a value ≥ 0; else null. */
function groupEntry(test: string, raw: SourceAssignment | null): string | null {
  return raw !== null && raw.value >= 0 ? `${test}${raw.value}` : null;
}

function stateOf(proc: object): ProcState {
  return (proc as { [STATE]: ProcState })[STATE];
}

const methods: ProctorGroupsMethods<string> & ThisType<ProctorGroupsMethods<string>> = {
  toString(): string {
    return this.getGroupStringList().join(',');
  },
  get(test: string): GroupAssignment {
    const state = stateOf(this);
    const i = state.settings.index.get(test);
    if (i === undefined) {
      throw new ProcAccessError(`proc.get(${JSON.stringify(test)}): test is not configured; configured tests: ${state.tests.join(', ') || '(none)'}`);
    }
    const assignment = state.assignmentAt(i);
    state.exposeAt(i, test);
    return assignment;
  },
  getGroupStringList(): string[] {
    const state = stateOf(this);
    const out: string[] = [];
    state.tests.forEach((test, i) => {
      const entry = groupEntry(test, state.raw(i));
      if (entry !== null) out.push(entry);
    });
    return out;
  },
  toLoggingString(): string {
    const state = stateOf(this);
    const result = state.full();
    if (result?.toLoggingString !== undefined) return result.toLoggingString();
    const out: string[] = [];
    for (const test of [...state.tests].sort()) {
      const raw = state.rawOf(test);
      const entry = groupEntry(test, raw);
      if (entry !== null) out.push(raw?.allocationId ? `${raw.allocationId}:${entry}` : entry);
    }
    return out.join(',');
  },
  toJSON() {
    const state = stateOf(this);
    const out: Record<string, { group: string | null; value: number | null; payload: unknown }> = {};
    state.tests.forEach((test, i) => {
      out[test] = state.assignmentAt(i).toJSON();
    });
    return out;
  },
  async load() {
    await stateOf(this).load();
    return this;
  },
  get loaded(): boolean {
    return stateOf(this).loaded;
  },
  get tests(): readonly string[] {
    return stateOf(this).tests;
  },
  exposures(): readonly string[] {
    return [...stateOf(this).exposed];
  },
  flushExposure(): void {
    const state = stateOf(this);
    const hook = state.settings.onExposure;
    if (hook === undefined || state.flushed >= state.exposed.length) return;
    const tests = state.exposed.slice(state.flushed);
    state.flushed = state.exposed.length;
    const groups: Record<string, { group: string | null; value: number | null }> = {};
    const entries: string[] = [];
    for (const test of tests) {
      const raw = state.rawOf(test);
      groups[test] = { group: raw?.name ?? null, value: raw?.value ?? null };
      const entry = groupEntry(test, raw);
      if (entry !== null) entries.push(entry);
    }
    try {
      hook({ tests, groups, groupString: entries.join(','), request: state.request });
    } catch (error) {
      state.settings.logger.error('proctor: onExposure hook threw', { error: error instanceof Error ? error.message : String(error) });
    }
  },
  templateView() {
    const state = stateOf(this);
    if (state.view === undefined) {
      // A loaded proc whose template reads are not tracked gets plain data: no trap runs when templates read it.
      const { settings } = state;
      state.view = !settings.trackTemplateReads && state.result !== null ? settings.snapshot(this, state) : settings.view(this, state);
    }
    return state.view as TemplateView<string>;
  },
};


/**
 * The template views of one configuration. Both have the tests as own, enumerable properties (so
 * Handlebars' prototype-access rules allow `proc.test.group`; a `GroupAssignment`'s fields are own data
 * properties too), unknown names read as `undefined`, writes are refused, and `toString()` is the group
 * string, as in django templates.
 *
 * - The snapshot (a frozen plain object of the request's assignments) is what a loaded proc gets when
 *   template reads are not tracked: templates read it like any data.
 * - The tracking view (a Proxy) records each read as an exposure, and serves procs that are still to be
 *   loaded (lazy ones: each read computes its test).
 */
function viewFactories(index: ReadonlyMap<string, number>): Pick<ProcSettings, 'view' | 'snapshot'> {
  // The configured tests but those that would shadow toString/toJSON.
  const names = new Map([...index].filter(([t]) => t !== 'toString' && t !== 'toJSON'));
  return { view: trackingViewFactory(names), snapshot: snapshotFactory(names) };
}

/**
 * A snapshot view: the tests as own data properties (added per configuration by {@link snapshotFactory}),
 * the proc behind it in a private field (invisible to keys, spreads, JSON, templates and test matchers).
 */
class Snapshot {
  readonly #proc: ProctorGroupsMethods<string>;
  constructor(proc: ProctorGroupsMethods<string>) {
    this.#proc = proc;
  }
  /** The proc behind the view, under the same key the tracking view answers (see {@link procOf}). */
  get [PROC](): ProctorGroupsMethods<string> {
    return this.#proc;
  }
  toString(): string {
    return this.#proc.toString();
  }
  toJSON(): unknown {
    return this.#proc.toJSON();
  }
}
// Nothing from Object.prototype (`proc.constructor` is undefined, as on the tracking view).
Object.setPrototypeOf(Snapshot.prototype, null);
Reflect.deleteProperty(Snapshot.prototype, 'constructor');

function snapshotFactory(names: ReadonlyMap<string, number>): (proc: ProctorGroupsMethods<string>, state: ProcState) => object {
  const keys = [...names.keys()];
  const indexes = [...names.values()];
  return (proc, state) => {
    // Same keys in the same order every time, so every snapshot of this configuration shares one shape.
    const view = new Snapshot(proc) as unknown as Record<string, unknown>;
    for (let k = 0; k < keys.length; k++) view[keys[k] as string] = state.assignmentAt(indexes[k] as number);
    return Object.freeze(view);
  };
}

/**
 * The tracking view, a Proxy per request: reading a test is an exposure.
 *
 * The Proxy's target is one object per configuration whose own properties are the test names, so the
 * engine answers "is it an own property?" (Handlebars asks before every `proc.x` lookup) without calling
 * into JS. The per-request part is the handler: an object inheriting the traps, holding the request's
 * state; traps run with `this` = that handler.
 */
interface ViewHandler extends ProxyHandler<object> {
  state: ProcState;
  proc: ProctorGroupsMethods<string>;
}

function trackingViewFactory(names: ReadonlyMap<string, number>): (proc: ProctorGroupsMethods<string>, state: ProcState) => object {
  // Shared by every request's view and never reachable for writes (the traps below refuse them). Its values
  // are never read: `get` answers for every name. Configurable, so the traps may answer per request.
  const target = Object.create(null) as Record<string, undefined>;
  for (const name of names.keys()) target[name] = undefined;
  const traps: ThisType<ViewHandler> & ProxyHandler<object> = {
    get(_target, key) {
      if (typeof key === 'string') {
        const i = names.get(key);
        if (i !== undefined) {
          const state = this.state;
          const assignment = state.assignmentAt(i);
          state.exposeAt(i, key);
          return assignment;
        }
        if (key === 'toString') return () => this.proc.toString();
        if (key === 'toJSON') return () => this.proc.toJSON();
        return undefined;
      }
      if (key === STATE) return this.state;
      return key === PROC ? this.proc : undefined;
    },
    set() {
      return false;
    },
    defineProperty() {
      return false;
    },
    deleteProperty() {
      return false;
    },
  };
  return (proc, state) => {
    const handler = Object.create(traps) as ViewHandler;
    handler.state = state;
    handler.proc = proc;
    return new Proxy(target, handler);
  };
}

/** The full `proc` behind a template view (helpers use it for `get`, `load`, exposures). */
export function procOf(view: unknown): ProctorGroups<string> | undefined {
  if (view === null || typeof view !== 'object') return undefined;
  const inner = (view as { [PROC]?: ProctorGroups<string> })[PROC];
  if (inner !== undefined) return inner;
  return STATE in view ? (view as unknown as ProctorGroups<string>) : undefined;
}

/** Builds `proc` objects for one configuration (one prototype with a getter per test). */
export function procFactory<T extends string>(
  tests: readonly T[],
  options: ProcOptions,
): (request: IdentifyRequest, preloaded?: IdentifyResult) => ProctorGroups<T> {
  const configured = tests.join(', ');
  const guard = new Proxy(methods, {
    get(target, key, receiver: object) {
      if (key in target) return Reflect.get(target, key, receiver);
      if (typeof key === 'symbol' || PROBES.has(key)) return undefined;
      throw new ProcAccessError(`proc.${key}: test "${key}" is not configured; configured tests: ${configured || '(none)'}`);
    },
  });
  // A class, not Object.create + assignment: its field is defined on the instance, where an assignment would
  // walk the prototype chain into the guard Proxy (twice as slow per request).
  class Proc {
    readonly [STATE]: ProcState;
    constructor(state: ProcState) {
      this[STATE] = state;
    }
  }
  Object.setPrototypeOf(Proc.prototype, guard);
  const proto = Proc.prototype;
  tests.forEach((test, i) => {
    // A test named like a method (`load`, `toString`) stays reachable through proc.get(name) only.
    if (test in methods) {
      options.logger.warn(`proctor: test "${test}" has the name of a proc method; read it with proc.get('${test}')`);
      return;
    }
    Object.defineProperty(proto, test, {
      get(this: { [STATE]: ProcState }) {
        const state = this[STATE];
        const assignment = state.assignmentAt(i);
        state.exposeAt(i, test);
        return assignment;
      },
      enumerable: true,
    });
  });
  const index = new Map(tests.map((t, i) => [t, i]));
  const settings: ProcSettings = {
    ...options,
    singles: new Map(tests.map((t) => [t, Object.freeze([t])])),
    index,
    ...viewFactories(index),
  };
  return (request, preloaded) => {
    const state = new ProcState(tests, request, settings);
    if (preloaded !== undefined) state.result = preloaded;
    // A symbol key: invisible to Object.keys, JSON and templates.
    return new Proc(state) as unknown as ProctorGroups<T>;
  };
}
