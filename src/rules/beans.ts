/**
 * Java-bean view of JS class instances (spec §3.5): the methods and accessor getters their own classes
 * define. Built-in prototypes (Object, Function, Date...) contribute nothing, and `constructor`, `__proto__`
 * and `prototype` are never exposed, so rules cannot reach JS internals.
 *
 * Node's own classes are written in JavaScript, so "stop at the first native constructor" does not find where
 * they begin: an `http.IncomingMessage` would offer `destroy()`, `pipe()`, `emit()`. An object whose class
 * derives from one of the platform's families ({@link PLATFORM_GLOBALS}, `EventEmitter`) therefore shows
 * rules no methods or getters at all, only its own data fields.
 */
import { EventEmitter } from 'node:events';

/** A method or getter taken from a class prototype. @internal */
export type BeanFunction = (this: unknown, ...args: unknown[]) => unknown;

/** What a class exposes to rules. @internal */
export interface BeanInfo {
  readonly className: string;
  readonly methods: ReadonlyMap<string, BeanFunction>;
  readonly getters: ReadonlyMap<string, BeanFunction>;
}

/** Names that never resolve on anything. @internal */
export const BLOCKED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', 'class']);

const EMPTY: BeanInfo = Object.freeze({ className: 'java.lang.Object', methods: new Map(), getters: new Map() });
const cache = new WeakMap<object, BeanInfo>();
const nativeCache = new WeakMap<object, boolean>();

function isNative(fn: unknown): boolean {
  if (typeof fn !== 'function') return false;
  let known = nativeCache.get(fn);
  if (known === undefined) {
    known = Function.prototype.toString.call(fn).includes('[native code]');
    nativeCache.set(fn, known);
  }
  return known;
}

/**
 * Web-platform classes Node defines in JavaScript (their constructors are not `[native code]`), read from
 * `globalThis` once, when the first class instance is described. With `EventEmitter` (every stream, socket,
 * HTTP message, process, worker), they are the roots of Node's own classes.
 * @internal
 */
export const PLATFORM_GLOBALS: readonly string[] = Object.freeze([
  'AbortController', 'AbortSignal', 'Blob', 'BroadcastChannel', 'Buffer', 'CompressionStream', 'Crypto', 'CryptoKey',
  'DecompressionStream', 'DOMException', 'Event', 'EventTarget', 'File', 'FormData', 'Headers', 'MessageEvent',
  'Performance', 'ReadableStream', 'Request', 'Response', 'SubtleCrypto', 'TextDecoder', 'TextEncoder',
  'TransformStream', 'URL', 'URLSearchParams', 'WritableStream',
]);

let platformRoots: WeakSet<object> | undefined;

function isPlatformRoot(proto: object): boolean {
  if (platformRoots === undefined) {
    platformRoots = new WeakSet<object>([EventEmitter.prototype]);
    for (const name of PLATFORM_GLOBALS) {
      const ctor = (globalThis as Record<string, unknown>)[name];
      const prototype = typeof ctor === 'function' ? (ctor as { prototype?: unknown }).prototype : undefined;
      if (typeof prototype === 'object' && prototype !== null) platformRoots.add(prototype);
    }
  }
  return platformRoots.has(proto);
}

/**
 * The name of the nearest class in the chain: Express's `req` is `Object.create(IncomingMessage.prototype)`
 * and names itself IncomingMessage. A built-in class, or none, is `java.lang.Object`.
 */
function classNameOf(proto: object): string {
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const ctor = Object.getOwnPropertyDescriptor(p, 'constructor')?.value as unknown;
    if (typeof ctor !== 'function') continue;
    return ctor.name !== '' && !isNative(ctor) ? ctor.name : 'java.lang.Object';
  }
  return 'java.lang.Object';
}

function describe(proto: object): BeanInfo {
  const methods = new Map<string, BeanFunction>();
  const getters = new Map<string, BeanFunction>();
  const className = classNameOf(proto);
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    if (isPlatformRoot(p)) return { className, methods, getters };
  }
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const ctor = Object.getOwnPropertyDescriptor(p, 'constructor')?.value as unknown;
    if (isNative(ctor)) break;
    for (const key of Object.getOwnPropertyNames(p)) {
      if (BLOCKED_NAMES.has(key) || methods.has(key) || getters.has(key)) continue;
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d === undefined) continue;
      if (typeof d.get === 'function') getters.set(key, d.get as BeanFunction);
      else if (typeof d.value === 'function') methods.set(key, d.value as BeanFunction);
    }
  }
  return { className, methods, getters };
}

/** Methods and getters of an object's class, cached per prototype. @internal */
export function beanInfo(obj: object): BeanInfo {
  if (typeof obj === 'function') return EMPTY;
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto === null) return EMPTY;
  let info = cache.get(proto);
  if (info === undefined) {
    info = describe(proto);
    cache.set(proto, info);
  }
  return info;
}

/** Java `Introspector.decapitalize`. */
function decapitalize(s: string): string {
  if (s.length === 0) return s;
  const a = s.charAt(0);
  const b = s.charAt(1);
  if (s.length > 1 && a === a.toUpperCase() && a !== a.toLowerCase() && b === b.toUpperCase() && b !== b.toLowerCase()) {
    return s;
  }
  return a.toLowerCase() + s.slice(1);
}

/** Getter method names (`isX`, then `getX`) whose Introspector property name is `property`. @internal */
export function getterNames(property: string): string[] {
  const names: string[] = [];
  const candidates = new Set([property, property.charAt(0).toUpperCase() + property.slice(1)]);
  for (const suffix of candidates) {
    if (suffix !== '' && decapitalize(suffix) === property) names.push(`is${suffix}`, `get${suffix}`);
  }
  return names;
}

const NOT_FOUND: unique symbol = Symbol('not found');

/** Sentinel for a bean property that does not exist. @internal */
export type NotFound = typeof NOT_FOUND;

/** @internal */
export function isNotFound(v: unknown): v is NotFound {
  return v === NOT_FOUND;
}

/**
 * Read a bean property: an own data field, a class getter, or a zero-argument `isX()`/`getX()` method.
 * Returns the not-found sentinel when the class has no such property.
 * @internal
 */
export function readBeanProperty(obj: object, property: string): unknown {
  if (BLOCKED_NAMES.has(property) || typeof obj === 'function') return NOT_FOUND;
  const own = Object.getOwnPropertyDescriptor(obj, property);
  if (own !== undefined && 'value' in own && typeof own.value !== 'function') return own.value as unknown;
  const info = beanInfo(obj);
  const getter = info.getters.get(property);
  if (getter !== undefined) return Reflect.apply(getter, obj, []);
  for (const name of getterNames(property)) {
    const method = info.methods.get(name);
    if (method !== undefined && method.length === 0) return Reflect.apply(method, obj, []);
  }
  return NOT_FOUND;
}
