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

/** The request as this module sees it (`res` is Express's back-link to the response). */
interface ProcRequest {
  proc?: unknown;
  readonly res?: unknown;
}

interface LocalsHolder {
  readonly locals?: Record<PropertyKey, unknown>;
}

function getProc(this: ProcRequest): unknown {
  const res = this.res as LocalsHolder | undefined;
  return res?.locals?.[SLOT];
}

function setProc(this: object, value: unknown): void {
  Object.defineProperty(this, 'proc', { value, writable: true, enumerable: true, configurable: true });
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

function decide(prototype: object): boolean {
  const holder = holderOf(prototype);
  if (holder === null) return false;
  // Someone else's `proc` on the chain (an app's own accessor, say) wins: then the request gets an own property.
  for (let p: object | null = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const own = Object.getOwnPropertyDescriptor(p, 'proc');
    if (own !== undefined) return own.get === getProc;
  }
  Object.defineProperty(holder, 'proc', { get: getProc, set: setProc, enumerable: false, configurable: true });
  return true;
}

/**
 * Make `proc` the value of `req.proc` (and, for exposures, of the response's slot). Never throws for the
 * request objects the middleware accepts.
 */
export function attachProc(req: ProcRequest, res: LocalsHolder, proc: unknown): void {
  const locals = res.locals;
  if (locals !== undefined && locals !== null && req.res === res) {
    const prototype = Object.getPrototypeOf(req) as object | null;
    if (prototype !== null) {
      if (prototype !== lastPrototype) {
        let served = servedByAccessor.get(prototype);
        if (served === undefined) servedByAccessor.set(prototype, (served = decide(prototype)));
        lastPrototype = prototype;
        lastServed = served;
      }
      // An own `proc` (set earlier on this request) would hide the accessor: assign it instead.
      if (lastServed && !Object.hasOwn(req, 'proc')) {
        locals[SLOT] = proc;
        return;
      }
    }
  }
  req.proc = proc;
}
