/**
 * The `proc` object: one per request, `proc.<test>` for every configured test (django-proctor's
 * `ProctorGroups`). Reading a test that is not configured throws a clear error in JS code; templates get a
 * lenient view (`templateView`, see template-view.ts) that yields the engine's usual `undefined`.
 *
 * Each configuration gets its own prototype chain, built once: the instance (its state under a symbol) →
 * one getter per test → the methods → a Proxy that only sees lookups nothing else answered: unknown names.
 * So reading `proc.buttoncolortst` is a plain prototype getter and `proc.templateView()` a plain method
 * call; no trap runs on the request path.
 */
import type { IdentifyRequest, IdentifyResult } from '../contract.js';
import type { GroupAssignment } from '../assignment.js';
import { groupEntry, ProcAccessError, ProcState, STATE } from './state.js';
import type { ProcOptions, ProcSettings } from './state.js';
import { procOf as viewProcOf, viewFactories } from './template-view.js';
import type { TestNames, TestSet } from '../register.js';
import type { AssignmentOf } from './typed.js';

export { ProcAccessError } from './state.js';
export type { ExposureEvent } from './state.js';

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


/** Keys libraries probe on any object (promises, inspectors, test matchers, React…); never test names. */
const PROBES = new Set(['then', 'catch', 'finally', 'toJSON', 'inspect', 'constructor', 'asymmetricMatch', 'nodeType', 'tagName', '$$typeof', 'length', 'prototype', 'valueOf', 'toPrimitive', '__esModule', 'default']);

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
    return state.read(i, test);
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
    stateOf(this).flushExposure();
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
/** The methods as non-enumerable properties (a `for…in` over a proc lists its tests). */
const methodDescriptors = Object.fromEntries(
  Object.entries(Object.getOwnPropertyDescriptors(methods)).map(([key, descriptor]) => [key, { ...descriptor, enumerable: false }]),
);

/** The full `proc` behind a template view (helpers use it for `get`, `load`, exposures). */
export function procOf(view: unknown): ProctorGroups<string> | undefined {
  return viewProcOf<ProctorGroups<string>>(view);
}

/** Builds `proc` objects for one configuration (see the chain in the header). */
export function procFactory<T extends string>(
  tests: readonly T[],
  options: ProcOptions,
): (request: IdentifyRequest, preloaded?: IdentifyResult) => ProctorGroups<T> {
  const configured = tests.join(', ');
  // Lookups that reach it found nothing above: Object.prototype's members, probes, or a name that is not a test.
  const base = {};
  const guard = new Proxy(base, {
    get(target, key, receiver: object) {
      if (key in target) return Reflect.get(target, key, receiver);
      if (typeof key === 'symbol' || PROBES.has(key)) return undefined;
      throw new ProcAccessError(`proc.${key}: test "${key}" is not configured; configured tests: ${configured || '(none)'}`);
    },
  });
  const methodsOfConfiguration = Object.create(guard, methodDescriptors) as object;
  // A class, not Object.create + assignment: its field is defined on the instance, where an assignment would
  // walk the prototype chain into the guard Proxy (twice as slow per request).
  class Proc {
    readonly [STATE]: ProcState;
    constructor(state: ProcState) {
      this[STATE] = state;
    }
  }
  Object.setPrototypeOf(Proc.prototype, methodsOfConfiguration);
  const proto = Proc.prototype;
  tests.forEach((test, i) => {
    // A test named like a method (`load`, `toString`) stays reachable through proc.get(name) only.
    if (test in methods) {
      options.logger.warn(`proctor: test "${test}" has the name of a proc method; read it with proc.get('${test}')`);
      return;
    }
    Object.defineProperty(proto, test, {
      get(this: { [STATE]: ProcState }) {
        return this[STATE].read(i, test);
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
  return (request, preloaded) => new Proc(new ProcState(tests, request, settings, preloaded ?? null)) as unknown as ProctorGroups<T>;
}
