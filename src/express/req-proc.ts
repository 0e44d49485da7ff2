/**
 * How the middleware gives a request its `req.proc` without changing the request object's shape.
 *
 * Express (4 and 5) moves every request onto its app's prototype with `Object.setPrototypeOf`, and V8 then
 * gives that request a hidden class of its own, outside any transition tree: adding one property to it
 * copies the whole descriptor list (~35 entries) into a new hidden class, about 2 µs per request here, and
 * leaves more garbage behind. So on such requests `req.proc` is an accessor on Express's request prototype,
 * and the value sits in the request's `res.locals`, a per-request dictionary Express creates (adding a
 * key there is a plain hash insert), under a symbol: templates never see it, and it survives
 * `res.locals = { ...res.locals, … }`.
 *
 * Everything else keeps an own property: plain `node:http` requests (their hidden classes are shared, so
 * adding `proc` is cheap), requests without `res.locals`, and requests on which something else already
 * defines `proc`. In every case `req.proc` reads the request's proc, `'proc' in req` is true, and
 * `req.proc = value` works: the setter turns `proc` into an ordinary own, writable, enumerable property.
 */
import { IncomingMessage } from 'node:http';

/** The key of the proc in `res.locals` (enumerable: copies of `res.locals` keep it). */
const SLOT: unique symbol = Symbol('proctor-node.req.proc');
/** Set in `res.locals` when the request got an own `proc` (assigned), which hides the accessor. */
const SHADOWED: unique symbol = Symbol('proctor-node.req.proc.own');

/** The request as this module sees it (`res` is Express's back-link to the response). */
interface ProcRequest {
  proc?: unknown;
  readonly res?: unknown;
}

type Locals = Record<PropertyKey, unknown>;

function localsOf(req: ProcRequest): Locals | undefined {
  const locals = (req.res as { locals?: unknown } | undefined)?.locals;
  return typeof locals === 'object' && locals !== null ? (locals as Locals) : undefined;
}

function getProc(this: ProcRequest): unknown {
  return localsOf(this)?.[SLOT];
}

function setProc(this: ProcRequest, value: unknown): void {
  Object.defineProperty(this, 'proc', { value, writable: true, enumerable: true, configurable: true });
  const locals = localsOf(this);
  if (locals !== undefined) locals[SHADOWED] = true;
}

/** Whether requests with this prototype are served by the accessor, decided once per prototype. */
const servedByAccessor = new WeakMap<object, boolean>();
let lastPrototype: object | null = null;
let lastServed = false;

/**
 * The object to hold the accessor: the last prototype before Node's `IncomingMessage.prototype` (Express's
 * own `request`, shared by every app and sub-app of that Express copy, so `req.proc` still reads after the
 * request leaves a mounted sub-app). Null for prototypes that are Node's or `Object.prototype`'s own.
 */
function holderOf(prototype: object): object | null {
  let holder: object | null = null;
  for (let p: object | null = prototype; p !== null && p !== IncomingMessage.prototype && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    holder = p;
  }
  return holder;
}

function decide(prototype: object, req: ProcRequest, locals: Locals): boolean {
  const holder = holderOf(prototype);
  // The accessor finds the value through `req.res.locals`: Express's requests have that link.
  if (holder === null || localsOf(req) !== locals) return false;
  // Someone else's `proc` on the chain (an app's own accessor, say) wins: then the request gets an own property.
  for (let p: object | null = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const own = Object.getOwnPropertyDescriptor(p, 'proc');
    if (own !== undefined) return own.get === getProc;
  }
  Object.defineProperty(holder, 'proc', { get: getProc, set: setProc, enumerable: false, configurable: true });
  return true;
}

/**
 * Make `proc` the value of `req.proc`, given the response's `res.locals` (undefined outside Express).
 * Reads nothing of the request but its prototype. Never throws for the requests the middleware accepts.
 */
export function attachProc(req: ProcRequest, locals: Record<string, unknown> | undefined, proc: unknown): void {
  if (typeof locals === 'object' && locals !== null) {
    const prototype = Object.getPrototypeOf(req) as object | null;
    if (prototype !== null) {
      if (prototype !== lastPrototype) {
        let served = servedByAccessor.get(prototype);
        if (served === undefined) {
          served = decide(prototype, req, locals as Locals);
          servedByAccessor.set(prototype, served);
          // A `proc` assigned before the accessor existed is an own property: mark it like the setter does.
          if (served && Object.hasOwn(req, 'proc')) (locals as Locals)[SHADOWED] = true;
        }
        lastPrototype = prototype;
        lastServed = served;
      }
      // An own `proc` (assigned earlier on this request) hides the accessor: assign that one instead.
      if (lastServed && (locals as Locals)[SHADOWED] !== true) {
        (locals as Locals)[SLOT] = proc;
        return;
      }
    }
  }
  req.proc = proc;
}
