/**
 * The template views of one configuration (what `proc.templateView()` and `res.locals.proc` are). Both have
 * the tests as own, enumerable properties (so Handlebars' prototype-access rules allow `proc.test.group`; a
 * `GroupAssignment`'s fields are own data properties too), unknown names read as `undefined`, writes are
 * refused, and `toString()` is the group string, as in django templates.
 *
 * - The snapshot (a frozen object of the request's assignments) is what a loaded proc gets when template
 *   reads are not tracked: templates read it like any data.
 * - The tracking view (a Proxy) records each read as an exposure, and serves procs that are still to be
 *   loaded (lazy ones: each read computes its test).
 */
import type { GroupAssignment } from '../assignment.js';
import { PROC, STATE } from './state.js';
import type { ProcSettings, ProcState, ViewFactory } from './state.js';

/** What a view needs of its proc: the group string and the JSON form. */
interface ViewedProc {
  toString(): string;
  toJSON(): unknown;
}

/** Both views of a configuration, from its tests' configured indexes. */
export function viewFactories(index: ReadonlyMap<string, number>): Pick<ProcSettings, 'view' | 'snapshot'> {
  // The configured tests but those that would shadow toString/toJSON.
  const names = new Map([...index].filter(([t]) => t !== 'toString' && t !== 'toJSON'));
  return { view: trackingViewFactory(names), snapshot: snapshotFactory(names) };
}

/**
 * A snapshot view: the tests as own data properties (added per configuration by {@link snapshotFactory}),
 * the proc behind it in a private field (invisible to keys, spreads, JSON, templates and test matchers).
 */
class Snapshot {
  readonly #proc: ViewedProc;
  constructor(proc: ViewedProc) {
    this.#proc = proc;
  }
  /** The proc behind the view, under the same key the tracking view answers (see {@link procOf}). */
  get [PROC](): ViewedProc {
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

/** Makes one configuration's snapshots: a proc and its state in, the frozen view out. */
type SnapshotMaker = new (proc: ViewedProc, state: ProcState) => object;

/**
 * The snapshot class of one configuration: a subclass of {@link Snapshot} whose constructor assigns each
 * test by name, in configured order, then freezes the view. The code is generated once per configuration
 * (the names written as JSON string literals), so V8 sees ten plain named stores, which it compiles to the
 * fast in-object writes of one shared shape: about a quarter of a loop of keyed stores, per request. Where
 * code generation from strings is disallowed (`--disallow-code-generation-from-strings`, a CSP), the same
 * class is built with the loop.
 */
function snapshotClass(keys: readonly string[], indexes: readonly number[]): SnapshotMaker {
  const Maker = generatedSnapshotClass(keys, indexes);
  // Nothing from Object.prototype and no `constructor` (as on the tracking view).
  Reflect.deleteProperty(Maker.prototype, 'constructor');
  return Maker;
}

function generatedSnapshotClass(keys: readonly string[], indexes: readonly number[]): SnapshotMaker {
  // `__proto__` would set the prototype through an assignment: it is defined as a property instead.
  const store = (key: string, k: number): string =>
    key === '__proto__'
      ? `Object.defineProperty(this, '__proto__', { value: state.assignmentAt(${indexes[k] as number}), enumerable: true, writable: true, configurable: true });`
      : `this[${JSON.stringify(key)}] = state.assignmentAt(${indexes[k] as number});`;
  try {
    const body = `return class extends Snapshot { constructor(proc, state) { super(proc); ${keys.map(store).join(' ')} Object.freeze(this); } };`;
    // eslint-disable-next-line no-new-func -- generated once per configuration from JSON string literals (see above)
    return new Function('Snapshot', body)(Snapshot) as SnapshotMaker;
  } catch {
    return class extends Snapshot {
      constructor(proc: ViewedProc, state: ProcState) {
        super(proc);
        const view = this as unknown as Record<string, GroupAssignment>;
        for (let k = 0; k < keys.length; k++) {
          const key = keys[k] as string;
          const value = state.assignmentAt(indexes[k] as number);
          if (key === '__proto__') Object.defineProperty(view, key, { value, enumerable: true, writable: true, configurable: true });
          else view[key] = value;
        }
        Object.freeze(this);
      }
    };
  }
}

function snapshotFactory(names: ReadonlyMap<string, number>): ViewFactory {
  // Same keys in the same order every time, so every snapshot of this configuration shares one shape.
  const Maker = snapshotClass([...names.keys()], [...names.values()]);
  return (proc, state) => new Maker(proc as ViewedProc, state);
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
  proc: ViewedProc;
}

function trackingViewFactory(names: ReadonlyMap<string, number>): ViewFactory {
  // Shared by every request's view and never reachable for writes (the traps below refuse them). Its values
  // are never read: `get` answers for every name. Configurable, so the traps may answer per request.
  const target = Object.create(null) as Record<string, undefined>;
  for (const name of names.keys()) target[name] = undefined;
  const traps: ThisType<ViewHandler> & ProxyHandler<object> = {
    get(_target, key) {
      if (typeof key === 'string') {
        const i = names.get(key);
        if (i !== undefined) return this.state.read(i, key);
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
    handler.proc = proc as ViewedProc;
    return new Proxy(target, handler);
  };
}

/** The full `proc` behind a template view, or the proc itself (helpers use it for `get`, `load`, exposures). */
export function procOf<P>(view: unknown): P | undefined {
  if (view === null || typeof view !== 'object') return undefined;
  const inner = (view as { [PROC]?: P })[PROC];
  if (inner !== undefined) return inner;
  return STATE in view ? (view as P) : undefined;
}
