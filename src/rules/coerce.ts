/**
 * Tomcat 7 `ELSupport` coercions on the port's value model (spec §3.4, §3.8): equality, ordering, boolean,
 * number and string coercion, and the Java `equals`/`toString` they fall back on.
 */
import { beanInfo } from './beans.js';
import { cannotConvert, elError, runtimeError } from './el-failure.js';
import { doubleToInt, doubleToLong, javaDoubleToString, longToInt, parseJavaDouble, parseJavaInt, parseJavaLong } from '../java/numbers/index.js';
import type { Long } from '../java/numbers/index.js';
import { javaCompareStrings, parseJavaBoolean } from '../java/text.js';
import { ReleaseVersion } from './release-version.js';
import { ENUM_TYPES, JavaChar, JavaDouble, JavaEnum, JavaInt, isDouble, isJavaStringArray, isLong, isLongOp, isPlainObject } from './values.js';

/** Java class name of a rule value, for messages. @internal */
export function javaTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'java.lang.Boolean';
    case 'string':
      return 'java.lang.String';
    case 'bigint':
      return 'java.lang.Long';
    case 'number':
      return Number.isInteger(v) ? 'java.lang.Long' : 'java.lang.Double';
    case 'function':
      return 'java.lang.Object';
    default:
      break;
  }
  if (v instanceof JavaDouble) return 'java.lang.Double';
  if (v instanceof JavaInt) return v.javaType;
  if (v instanceof JavaChar) return 'java.lang.Character';
  if (v instanceof JavaEnum) return v.type;
  if (v instanceof ReleaseVersion) return 'com.indeed.util.core.ReleaseVersion';
  if (isJavaStringArray(v)) return '[Ljava.lang.String;';
  if (Array.isArray(v)) return 'java.util.ArrayList';
  if (v instanceof Map) return 'java.util.HashMap';
  if (v instanceof Set) return 'java.util.HashSet';
  if (isPlainObject(v)) return 'java.util.LinkedHashMap';
  return beanInfo(v as object).className;
}

/** `class java.lang.String` as printed by `Class.toString`. @internal */
export function javaClass(v: unknown): string {
  return `class ${javaTypeName(v)}`;
}

/** True for values the rule language treats as Java Maps. @internal */
export function isJavaMap(v: unknown): v is Map<unknown, unknown> | Record<string, unknown> {
  return v instanceof Map || isPlainObject(v);
}

/** Entries of a Java Map value. @internal */
export function mapEntries(m: Map<unknown, unknown> | Record<string, unknown>): [unknown, unknown][] {
  return m instanceof Map ? [...m.entries()] : Object.keys(m).map((k) => [k, m[k]]);
}

/** `Map.size()`. @internal */
export function mapSize(m: Map<unknown, unknown> | Record<string, unknown>): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/** A boxed number as the JS Map key an application would have used. */
function mapKey(key: unknown): unknown {
  return key instanceof JavaDouble || key instanceof JavaInt ? key.value : key;
}

/** `Map.get(key)` with Java key equality: a plain object only has String keys. @internal */
export function mapGet(m: Map<unknown, unknown> | Record<string, unknown>, key: unknown): unknown {
  if (m instanceof Map) {
    const k = mapKey(key);
    const v = m.get(k);
    return v === undefined ? null : v;
  }
  if (typeof key !== 'string' || !Object.hasOwn(m, key)) return null;
  const v = m[key];
  return v === undefined ? null : v;
}

/** `Map.containsKey(key)`. @internal */
export function mapHas(m: Map<unknown, unknown> | Record<string, unknown>, key: unknown): boolean {
  if (m instanceof Map) return m.has(mapKey(key));
  return typeof key === 'string' && Object.hasOwn(m, key);
}

const identities = new WeakMap<object, string>();
let nextIdentity = 0x1b6d3586;

function identityHash(o: object): string {
  let id = identities.get(o);
  if (id === undefined) {
    id = (nextIdentity++).toString(16);
    identities.set(o, id);
  }
  return id;
}

/** Java `String.valueOf(v)` (`Object.toString`): lists as `[a, b]`, maps as `{k=v}`, null as `null`. @internal */
export function javaToString(v: unknown, seen: readonly object[] = []): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'number':
      return Number.isInteger(v) ? String(v) : javaDoubleToString(v);
    case 'function':
      return `java.lang.Object@${identityHash(v)}`;
    default:
      break;
  }
  const o = v as object;
  if (o instanceof JavaDouble) return javaDoubleToString(o.value);
  if (o instanceof JavaInt) return String(o.value);
  if (o instanceof JavaChar) return o.value;
  if (o instanceof JavaEnum) return o.name;
  if (o instanceof ReleaseVersion) return o.toString();
  if (isJavaStringArray(o)) return `[Ljava.lang.String;@${identityHash(o)}`;
  const inner = [...seen, o];
  const show = (x: unknown, self: string): string => (x === o ? self : javaToString(x, inner));
  if (Array.isArray(o)) return `[${o.map((x: unknown) => show(x, '(this Collection)')).join(', ')}]`;
  if (o instanceof Set) return `[${[...o].map((x: unknown) => show(x, '(this Collection)')).join(', ')}]`;
  if (isJavaMap(o)) {
    return `{${mapEntries(o)
      .map(([k, x]) => `${show(k, '(this Map)')}=${show(x, '(this Map)')}`)
      .join(', ')}}`;
  }
  const info = beanInfo(o);
  const toString = info.methods.get('toString');
  if (toString !== undefined && !seen.includes(o)) return String(Reflect.apply(toString, o, []));
  return `${info.className}@${identityHash(o)}`;
}

/** ELSupport `coerceToString`: null → `""`, enums by name, everything else `toString`. @internal */
export function coerceToString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return javaToString(v);
}

/** ELSupport `coerceToBoolean`: null/`""` → false, `"true"` in any case → true, other types are an error. @internal */
export function coerceToBoolean(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null) return false;
  if (typeof v === 'string') return parseJavaBoolean(v);
  throw cannotConvert(javaToString(v), javaClass(v), 'class java.lang.Boolean');
}

/** Double value of a Double (JS number or JavaDouble). @internal */
export function doubleValue(v: unknown): number {
  return v instanceof JavaDouble ? v.value : (v as number);
}

/** ELSupport `coerceToNumber(obj, Long.class)`. @internal */
export function coerceToLong(v: unknown): Long {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v === 0 ? 0 : v;
    return doubleToLong(v);
  }
  if (typeof v === 'bigint') return v;
  if (v === null || v === '') return 0;
  if (typeof v === 'string') {
    const parsed = parseJavaLong(v);
    if (parsed === null) throw cannotConvert(v, 'class java.lang.String', 'class java.lang.Long');
    return parsed;
  }
  if (v instanceof JavaInt) return v.value;
  if (v instanceof JavaDouble) return doubleToLong(v.value);
  if (v instanceof JavaChar) return v.value.charCodeAt(0);
  throw cannotConvert(javaToString(v), javaClass(v), 'class java.lang.Long');
}

/** ELSupport `coerceToNumber(obj, Double.class)`. @internal */
export function coerceToDouble(v: unknown): number {
  if (typeof v === 'number') return v === 0 ? 0 : v;
  if (v instanceof JavaDouble || v instanceof JavaInt) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === '') return 0;
  if (typeof v === 'string') {
    const parsed = parseJavaDouble(v);
    if (parsed === null) throw cannotConvert(v, 'class java.lang.String', 'class java.lang.Double');
    return parsed;
  }
  if (v instanceof JavaChar) return v.value.charCodeAt(0);
  throw cannotConvert(javaToString(v), javaClass(v), 'class java.lang.Double');
}

/** ELSupport `coerceToNumber(obj, Integer.class)` (function and method `int` parameters). @internal */
export function coerceToInt(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) ? longToInt(v) : doubleToInt(v);
  if (typeof v === 'bigint') return longToInt(v);
  if (v instanceof JavaInt) return v.value;
  if (v instanceof JavaDouble) return doubleToInt(v.value);
  if (v instanceof JavaChar) return v.value.charCodeAt(0);
  if (v === null || v === '') return 0;
  if (typeof v === 'string') {
    const parsed = parseJavaInt(v);
    if (parsed === null) throw cannotConvert(v, 'class java.lang.String', 'class java.lang.Integer');
    return parsed;
  }
  throw cannotConvert(javaToString(v), javaClass(v), 'class java.lang.Integer');
}

/** ELSupport `coerceToEnum`: null/`""` → null, the constant of that name, else an error. @internal */
export function coerceToEnum(v: unknown, type: string): JavaEnum | null {
  if (v === null || v === '') return null;
  if (v instanceof JavaEnum && v.type === type) return v;
  if (typeof v === 'string') {
    const constant = ENUM_TYPES.get(type)?.get(v);
    if (constant !== undefined) return constant;
  }
  throw cannotConvert(javaToString(v), javaClass(v), `class ${type}`);
}

/** Long equality across number/bigint. @internal */
export function longEquals(a: Long, b: Long): boolean {
  return typeof a === typeof b ? a === b : BigInt(a) === BigInt(b);
}

/** `Double.equals`: NaN equals NaN, 0.0 differs from -0.0. */
function doubleEquals(a: number, b: number): boolean {
  return Object.is(a, b);
}

/** `Double.compare`. @internal */
export function doubleCompare(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  if (a === 0 && b === 0) {
    const az = Object.is(a, -0);
    const bz = Object.is(b, -0);
    return az === bz ? 0 : az ? -1 : 1;
  }
  return 0;
}

function longCompare(a: Long, b: Long): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ELSupport `equals` (the `==` operator), spec §3.4. @internal */
export function elEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'string' && tb === 'string') return false;
  if (a === null || b === null) return false;
  if (isDouble(a) || isDouble(b)) return doubleEquals(coerceToDouble(a), coerceToDouble(b));
  if (isLongOp(a) || isLongOp(b)) return longEquals(coerceToLong(a), coerceToLong(b));
  if (ta === 'boolean' || tb === 'boolean') return coerceToBoolean(a) === coerceToBoolean(b);
  if (a instanceof JavaEnum) return a === coerceToEnum(b, a.type);
  if (b instanceof JavaEnum) return b === coerceToEnum(a, b.type);
  if (ta === 'string' || tb === 'string') return coerceToString(a) === coerceToString(b);
  return javaEquals(a, b);
}

function classCast(a: unknown, b: unknown): never {
  throw runtimeError(
    'java.lang.ClassCastException',
    `class ${javaTypeName(b)} cannot be cast to class ${javaTypeName(a)}`,
  );
}

/** True for values implementing Java `Comparable` among those not handled as numbers or strings. @internal */
export function isComparable(v: unknown): boolean {
  return typeof v === 'boolean' || v instanceof ReleaseVersion || v instanceof JavaEnum || v instanceof JavaChar || v instanceof JavaInt;
}

/**
 * `a.compareTo(b)` for Comparable values; a mismatched type is a ClassCastException, between numbers too:
 * `Integer.compareTo` takes an Integer only, so an Integer meets a Long (an EL literal) with a
 * ClassCastException (spec §3.9, `proctor:inRange`). @internal
 */
export function compareTo(a: unknown, b: unknown): number {
  if (typeof a === 'string') return typeof b === 'string' ? javaCompareStrings(a, b) : classCast(a, b);
  if (typeof a === 'boolean') return typeof b === 'boolean' ? Number(a) - Number(b) : classCast(a, b);
  if (isDouble(a)) return isDouble(b) ? doubleCompare(doubleValue(a), doubleValue(b)) : classCast(a, b);
  if (isLong(a)) return isLong(b) ? longCompare(a, b) : classCast(a, b);
  if (a instanceof JavaInt) {
    return b instanceof JavaInt && b.javaType === a.javaType ? longCompare(a.value, b.value) : classCast(a, b);
  }
  if (a instanceof ReleaseVersion) return b instanceof ReleaseVersion ? a.compareTo(b) : classCast(a, b);
  if (a instanceof JavaChar) {
    return b instanceof JavaChar ? a.value.charCodeAt(0) - b.value.charCodeAt(0) : classCast(a, b);
  }
  if (a instanceof JavaEnum) {
    return b instanceof JavaEnum && b.type === a.type ? a.ordinal - b.ordinal : classCast(a, b);
  }
  return classCast(a, b);
}

/** ELSupport `compare` (the ordering operators), spec §3.4. Both operands are non-null. @internal */
export function elCompare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return javaCompareStrings(a, b);
  if (a === b || elEquals(a, b)) return 0;
  if (isDouble(a) || isDouble(b)) return doubleCompare(coerceToDouble(a), coerceToDouble(b));
  if (isLongOp(a) || isLongOp(b)) return longCompare(coerceToLong(a), coerceToLong(b));
  if (typeof a === 'string' || typeof b === 'string') return javaCompareStrings(coerceToString(a), coerceToString(b));
  if (isComparable(a)) return compareTo(a, b);
  if (isComparable(b)) return -compareTo(b, a);
  throw elError(`Cannot compare [${javaToString(a)}] to [${javaToString(b)}]`);
}

/** Java `Set.contains` with Java equality. @internal */
export function setContains(s: ReadonlySet<unknown>, x: unknown): boolean {
  if (typeof x === 'string' || typeof x === 'boolean' || x === null) return s.has(x);
  for (const y of s) if (javaEquals(x, y)) return true;
  return false;
}

/**
 * Java `Object.equals` (type-strict: a Long never equals a Double, nor an Integer), structural for
 * List/Map/Set. @internal
 */
export function javaEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (isLong(a)) return isLong(b) && longEquals(a, b);
  if (a instanceof JavaInt) return b instanceof JavaInt && b.javaType === a.javaType && b.value === a.value;
  if (isDouble(a)) return isDouble(b) && Object.is(doubleValue(a), doubleValue(b));
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (isJavaStringArray(a) || isJavaStringArray(b)) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x: unknown, i) => javaEquals(x, b[i]));
  }
  if (a instanceof Set) {
    return b instanceof Set && a.size === b.size && [...a].every((x) => setContains(b, x));
  }
  if (isJavaMap(a)) {
    if (!isJavaMap(b) || mapSize(a) !== mapSize(b)) return false;
    return mapEntries(a).every(([k, x]) => mapHas(b, k) && javaEquals(x, mapGet(b, k)));
  }
  if (a instanceof ReleaseVersion) return a.equals(b);
  if (a instanceof JavaChar) return b instanceof JavaChar && a.value === b.value;
  return false;
}

/** The `empty` operator. @internal */
export function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.length === 0;
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Set || v instanceof Map) return v.size === 0;
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return false;
}
