/**
 * Property access and method calls (spec §3.5): Tomcat's resolver chain Array → List → Map → Bean, including
 * the `propertyResolved` flag whose stale value decides whether a null at the root of a chain is an error.
 */
import { BLOCKED_NAMES, beanInfo, isNotFound, readBeanProperty } from './beans.js';
import { coerceToString, isJavaMap, javaToString, javaTypeName, mapGet } from './coerce.js';
import { ElFailure, elError, methodNotFound, numberFormat, propertyNotFound, runtimeError } from './el-failure.js';
import { doubleToInt, longToInt, parseJavaInt } from '../java/numbers/index.js';
import { isBlank } from '../java/text.js';
import { javaMethod } from './java-methods.js';
import { ReleaseVersion } from './release-version.js';
import { JavaChar, JavaDouble, JavaEnum, JavaInt, MATCH_PRECISION, isDouble, isJavaStringArray } from './values.js';

/** Per-evaluation state: the variables and Tomcat's `ELContext.propertyResolved` flag. @internal */
export interface EvalContext {
  readonly constants: Readonly<Record<string, unknown>>;
  readonly context: Readonly<Record<string, unknown>>;
  resolved: boolean;
}

/** ListELResolver/ArrayELResolver `coerce`: the index a property denotes. */
function toIndex(property: unknown): number {
  if (typeof property === 'number') return Number.isInteger(property) ? longToInt(property) : doubleToInt(property);
  if (typeof property === 'bigint') return longToInt(property);
  if (property instanceof JavaDouble) return doubleToInt(property.value);
  if (property instanceof JavaInt) return property.value;
  if (typeof property === 'boolean') return property ? 1 : 0;
  if (property instanceof JavaChar) return property.value.charCodeAt(0);
  if (typeof property === 'string') {
    const i = parseJavaInt(property);
    if (i === null) throw numberFormat(property);
    return i;
  }
  throw runtimeError('java.lang.IllegalArgumentException', javaToString(property));
}

function notFound(base: unknown, name: string): ElFailure {
  return propertyNotFound(`Property [${name}] not found on type [${javaTypeName(base)}]`);
}

/**
 * Calls into application code: their exceptions become `ELException`, as `BeanELResolver` wraps them
 * (`Error reading [name] on type [T]: …`). The message is built only when something throws.
 */
function callApp<T>(verb: 'reading' | 'invoking', name: string, base: unknown, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ElFailure && error.kind === 'el') throw error;
    throw elError(`Error ${verb} [${name}] on type [${javaTypeName(base)}]: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** BeanELResolver `getValue` on anything that is not an array, List or Map. */
function beanValue(base: unknown, property: unknown): unknown {
  const name = coerceToString(property);
  if (BLOCKED_NAMES.has(name)) throw notFound(base, name);
  if (typeof base === 'string') {
    if (name === 'empty') return base.length === 0;
    if (name === 'blank') return isBlank(base);
    throw notFound(base, name);
  }
  if (isDouble(base)) {
    const d = base instanceof JavaDouble ? base.value : (base as number);
    if (name === 'infinite') return d === Infinity || d === -Infinity;
    if (name === 'naN') return Number.isNaN(d);
    throw notFound(base, name);
  }
  if (typeof base !== 'object' || base === null) throw notFound(base, name);
  if (base instanceof Set) {
    if (name === 'empty') return base.size === 0;
    throw notFound(base, name);
  }
  if (base instanceof ReleaseVersion) {
    if (name === 'matchPrecision') return MATCH_PRECISION.get(base.matchPrecision) ?? null;
    throw notFound(base, name);
  }
  // Boxed numbers and Characters have no bean properties (`class` is blocked above).
  if (base instanceof JavaEnum || base instanceof JavaInt || base instanceof JavaChar) throw notFound(base, name);
  const value = callApp('reading', name, base, () =>
    readBeanProperty(base, name),
  );
  if (isNotFound(value)) throw notFound(base, name);
  return value === undefined ? null : value;
}

/** `resolver.getValue(base, property)` for a non-null base; sets the resolved flag. @internal */
export function getProperty(c: EvalContext, base: unknown, property: unknown): unknown {
  c.resolved = true;
  if (Array.isArray(base)) {
    const i = toIndex(property);
    if (i < 0 || i >= base.length) return null;
    const v: unknown = base[i];
    return v === undefined ? null : v;
  }
  if (isJavaMap(base)) return mapGet(base, property);
  return beanValue(base, property);
}

/**
 * `resolver.getType(base, property)` for the boolean type check of a bare property chain: throws what Java
 * throws, and returns `'object'` when Java reports `Object.class` (Lists and Maps), otherwise the value the
 * property has, which must then be a Boolean or null.
 * @internal
 */
export function propertyType(c: EvalContext, base: unknown, property: unknown): { readonly object: true } | { readonly value: unknown } {
  c.resolved = true;
  if (Array.isArray(base)) {
    const i = toIndex(property);
    if (i < 0 || i >= base.length) throw propertyNotFound(`Array index out of range: ${i}`);
    return isJavaStringArray(base) ? { value: '' } : { object: true };
  }
  if (isJavaMap(base)) return { object: true };
  return { value: beanValue(base, property) };
}

/** Values handed to application code: whole Doubles as numbers, enum constants by name. */
export function toAppValue(v: unknown): unknown {
  if (v instanceof JavaDouble || v instanceof JavaInt) return v.value;
  if (v instanceof JavaEnum) return v.name;
  if (v instanceof JavaChar) return v.value;
  return v;
}

/** `resolver.invoke(base, method, args)` (EL 2.2 method call); sets the resolved flag. @internal */
export function invoke(c: EvalContext, base: unknown, method: unknown, args: readonly unknown[]): unknown {
  c.resolved = false;
  if (method === null) return null;
  const name = coerceToString(method);
  const builtin = BLOCKED_NAMES.has(name) ? undefined : javaMethod(base, name, args.length);
  let result: unknown;
  if (builtin !== undefined) {
    result = callApp('invoking', name, base, () =>
      builtin(base as never, args),
    );
  } else {
    const fn =
      typeof base === 'object' && base !== null && !BLOCKED_NAMES.has(name) && !isBuiltinValue(base)
        ? beanInfo(base).methods.get(name)
        : undefined;
    if (fn === undefined) {
      throw methodNotFound(`Method not found: ${javaTypeName(base)}.${name}(${args.map(javaTypeName).join(', ')})`);
    }
    result = callApp('invoking', name, base, () =>
      Reflect.apply(fn, base, args.map(toAppValue)),
    );
  }
  c.resolved = true;
  return result === undefined ? null : result;
}

function isBuiltinValue(v: object): boolean {
  return (
    Array.isArray(v) ||
    isJavaMap(v) ||
    v instanceof Set ||
    v instanceof ReleaseVersion ||
    v instanceof JavaEnum ||
    v instanceof JavaDouble ||
    v instanceof JavaInt ||
    v instanceof JavaChar
  );
}
