/**
 * Rule function libraries (spec §3.6): `proctor:`/`indeed:` (`ProctorRuleFunctions`), `fn:`
 * (`LegacyTaglibFunctions`) and application namespaces. Arguments are coerced to the Java parameter types
 * first, as Tomcat's `AstFunction` does; anything a function throws becomes "Problems calling function".
 */
import { RuleSyntaxError } from '../errors.js';
import {
  coerceToBoolean,
  coerceToEnum,
  coerceToInt,
  coerceToString,
  compareTo,
  isJavaMap,
  javaEquals,
  javaToString,
  longEquals,
  mapSize,
  setContains,
} from './coerce.js';
import { ElFailure, cannotConvert, elError, runtimeError } from './el-failure.js';
import { javaTrim } from '../java/text.js';
import { javaMatches } from '../java/regex/index.js';
import { ReleaseVersion } from './release-version.js';
import { toAppValue } from './resolvers.js';
import { JavaChar, JavaEnum, JavaInt, MAYBE_BOOL, integralValue, isDouble, isIntegral, isJavaStringArray, javaInt, javaStringArray } from './values.js';

/** Java parameter types the built-ins declare. @internal */
type ParamType =
  | 'Object'
  | 'String'
  | 'int'
  | 'boolean'
  | 'Collection'
  | 'Comparable'
  | 'ReleaseVersion'
  | 'MaybeBool'
  | 'String[]';

/** A callable rule function. @internal */
export interface FunctionDef {
  readonly qualifiedName: string;
  /** Java parameter types; null for application functions (no coercion, no arity check). */
  readonly params: readonly ParamType[] | null;
  /** Java return type as the type check prints it (`boolean` passes); null when only known at run time. */
  readonly returns: string | null;
  readonly impl: (...args: never[]) => unknown;
}

const MAYBE_BOOL_TYPE = 'com.indeed.proctor.common.ProctorRuleFunctions$MaybeBool';
const TRUE = MAYBE_BOOL.get('TRUE');
const FALSE = MAYBE_BOOL.get('FALSE');
const UNKNOWN = MAYBE_BOOL.get('UNKNOWN');

function npe(what: string): never {
  throw runtimeError('java.lang.NullPointerException', what);
}

/** ELSupport `coerceToType` for a parameter: Tomcat's rules, including "" → null for non-String types. */
function coerceParam(v: unknown, type: ParamType): unknown {
  if (type === 'Collection' && Array.isArray(v) && !isJavaStringArray(v)) return v;
  switch (type) {
    case 'Object':
      return v;
    case 'String':
      return coerceToString(v);
    case 'int':
      return coerceToInt(v);
    case 'boolean':
      return coerceToBoolean(v);
    case 'MaybeBool':
      return coerceToEnum(v, MAYBE_BOOL_TYPE);
    default:
      break;
  }
  const ok =
    type === 'Collection'
      ? (Array.isArray(v) && !isJavaStringArray(v)) || v instanceof Set
      : type === 'Comparable'
        ? typeof v === 'string' || typeof v === 'boolean' || isIntegral(v) || isDouble(v) ||
          v instanceof ReleaseVersion || v instanceof JavaEnum || v instanceof JavaChar
        : type === 'ReleaseVersion'
          ? v instanceof ReleaseVersion
          : isJavaStringArray(v);
  if (ok || v === null) return v;
  if (v === '') return null;
  const target = type === 'Collection' || type === 'Comparable' ? `interface java.${type === 'Collection' ? 'util' : 'lang'}.${type}` : type === 'ReleaseVersion' ? 'class com.indeed.util.core.ReleaseVersion' : 'class [Ljava.lang.String;';
  throw cannotConvert(javaToString(v), `class ${javaClassName(v)}`, target);
}

function javaClassName(v: unknown): string {
  if (typeof v === 'string') return 'java.lang.String';
  if (typeof v === 'boolean') return 'java.lang.Boolean';
  if (v instanceof JavaInt) return v.javaType;
  if (isIntegral(v)) return 'java.lang.Long';
  if (isDouble(v)) return 'java.lang.Double';
  if (v instanceof JavaChar) return 'java.lang.Character';
  if (isJavaStringArray(v)) return '[Ljava.lang.String;';
  if (Array.isArray(v)) return 'java.util.ArrayList';
  if (isJavaMap(v)) return 'java.util.LinkedHashMap';
  return 'java.lang.Object';
}

function contains(c: unknown[] | ReadonlySet<unknown> | null, element: unknown): boolean {
  if (c === null) return npe('collection is null');
  if (typeof element === 'string' && Array.isArray(c)) {
    for (let i = 0; i < c.length; i++) if (c[i] === element) return true;
    return false;
  }
  // ProctorRuleFunctions.contains: an integral element (Integer or Long) matches any integral member by value.
  if (isIntegral(element)) {
    const value = integralValue(element);
    for (const x of c) if (isIntegral(x) && longEquals(integralValue(x), value)) return true;
    return false;
  }
  if (c instanceof Set) return setContains(c, element);
  return (c as unknown[]).some((x) => javaEquals(element, x));
}

function inRange(value: unknown, lower: unknown, upper: unknown): boolean {
  if (value === null) return npe('value is null');
  if (compareTo(value, lower === null ? npe('lower bound is null') : lower) < 0) return false;
  return compareTo(upper === null ? npe('upper bound is null') : upper, value) > 0;
}

function versionInRange(version: ReleaseVersion | null, start: string, end: string): boolean {
  const from = ReleaseVersion.parse(start);
  const to = ReleaseVersion.parse(end);
  if (to.matchPrecision !== 'BUILD') {
    throw runtimeError('java.lang.IllegalStateException', `Cannot use wildcard as open upper bound of range: ${end}`);
  }
  return inRange(version, from, to);
}

function maybeAnd(a: JavaEnum | null, b: JavaEnum | null): JavaEnum | undefined {
  if (a === FALSE || b === FALSE) return FALSE;
  return a === TRUE && b === TRUE ? TRUE : UNKNOWN;
}

function maybeOr(a: JavaEnum | null, b: JavaEnum | null): JavaEnum | undefined {
  if (a === TRUE || b === TRUE) return TRUE;
  return a === FALSE && b === FALSE ? FALSE : UNKNOWN;
}

function maybeNot(a: JavaEnum | null): JavaEnum | undefined {
  return a === TRUE ? FALSE : a === FALSE ? TRUE : UNKNOWN;
}

/** `java.util.StringTokenizer`: every char of `delimiters` separates tokens; empty tokens are dropped. */
function split(input: string, delimiters: string): readonly string[] {
  if (input === '') return javaStringArray(['']);
  const delims = new Set(Array.from(delimiters));
  const units = [...delims].some((d) => d.length > 1) ? Array.from(input) : input.split('');
  const tokens: string[] = [];
  let current = '';
  for (const ch of units) {
    if (delims.has(ch)) {
      if (current !== '') tokens.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') tokens.push(current);
  return javaStringArray(tokens);
}

function length(v: unknown): number {
  if (v === null) return 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v instanceof Set) return v.size;
  if (isJavaMap(v)) return mapSize(v);
  throw runtimeError(
    'java.lang.IllegalStateException',
    'Don\'t know how to iterate over supplied "items" in &lt;forEach&gt;',
  );
}

function substring(input: string, begin: number, end: number): string {
  if (begin >= input.length) return '';
  const b = Math.max(begin, 0);
  const e = end < 0 || end > input.length ? input.length : end;
  return e < b ? '' : input.slice(b, e);
}

function substringAfter(input: string, sub: string): string {
  if (input === '') return '';
  if (sub === '') return input;
  const i = input.indexOf(sub);
  return i < 0 ? '' : input.slice(i + sub.length);
}

function substringBefore(input: string, sub: string): string {
  if (input === '' || sub === '') return '';
  const i = input.indexOf(sub);
  return i < 0 ? '' : input.slice(0, i);
}

function replace(input: string, before: string, after: string): string {
  if (input === '') return '';
  if (before === '') return input;
  return input.split(before).join(after);
}

function join(array: readonly string[] | null, separator: string): string {
  return array === null ? '' : array.join(separator);
}

function def(
  prefix: string,
  name: string,
  params: readonly ParamType[],
  returns: string,
  impl: (...args: never[]) => unknown,
): [string, FunctionDef] {
  const qualifiedName = `${prefix}:${name}`;
  return [qualifiedName, Object.freeze({ qualifiedName, params, returns, impl })];
}

const STRING = 'class java.lang.String';

function proctorLibrary(prefix: string): [string, FunctionDef][] {
  return [
    def(prefix, 'contains', ['Collection', 'Object'], 'boolean', contains),
    def(prefix, 'matches', ['String', 'String'], 'boolean', javaMatches),
    def(prefix, 'now', [], 'long', () => Date.now()),
    def(prefix, 'version', ['String'], 'class com.indeed.util.core.ReleaseVersion', (s: string) =>
      ReleaseVersion.parse(s),
    ),
    def(prefix, 'inRange', ['Comparable', 'Comparable', 'Comparable'], 'boolean', inRange),
    def(prefix, 'versionInRange', ['ReleaseVersion', 'String', 'String'], 'boolean', versionInRange),
    def(prefix, 'maybeAnd', ['MaybeBool', 'MaybeBool'], `class ${MAYBE_BOOL_TYPE}`, maybeAnd),
    def(prefix, 'maybeOr', ['MaybeBool', 'MaybeBool'], `class ${MAYBE_BOOL_TYPE}`, maybeOr),
    def(prefix, 'maybeNot', ['MaybeBool'], `class ${MAYBE_BOOL_TYPE}`, maybeNot),
    def(prefix, 'toMaybeBool', ['boolean'], `class ${MAYBE_BOOL_TYPE}`, (b: boolean) => (b ? TRUE : FALSE)),
  ];
}

const BUILTINS: ReadonlyMap<string, FunctionDef> = new Map([
  ...proctorLibrary('proctor'),
  ...proctorLibrary('indeed'),
  def('fn', 'toUpperCase', ['String'], STRING, (s: string) => s.toUpperCase()),
  def('fn', 'toLowerCase', ['String'], STRING, (s: string) => s.toLowerCase()),
  // Java `int` results are Integers to EL (`proctor:inRange(fn:length(s), 1, 9)` fails as in Java).
  def('fn', 'indexOf', ['String', 'String'], 'int', (s: string, sub: string) => javaInt(s.indexOf(sub))),
  def('fn', 'contains', ['String', 'String'], 'boolean', (s: string, sub: string) => s.includes(sub)),
  def('fn', 'containsIgnoreCase', ['String', 'String'], 'boolean', (s: string, sub: string) =>
    s.toUpperCase().includes(sub.toUpperCase()),
  ),
  def('fn', 'startsWith', ['String', 'String'], 'boolean', (s: string, sub: string) => s.startsWith(sub)),
  def('fn', 'endsWith', ['String', 'String'], 'boolean', (s: string, sub: string) => s.endsWith(sub)),
  def('fn', 'substring', ['String', 'int', 'int'], STRING, substring),
  def('fn', 'substringAfter', ['String', 'String'], STRING, substringAfter),
  def('fn', 'substringBefore', ['String', 'String'], STRING, substringBefore),
  def('fn', 'trim', ['String'], STRING, (s: string) => javaTrim(s)),
  def('fn', 'replace', ['String', 'String', 'String'], STRING, replace),
  def('fn', 'split', ['String', 'String'], 'class [Ljava.lang.String;', split),
  def('fn', 'length', ['Object'], 'int', (v: unknown) => javaInt(length(v))),
  def('fn', 'join', ['String[]', 'String'], STRING, join),
]);

/** Functions callable from rules, by `prefix:name`. @internal */
export type FunctionTable = ReadonlyMap<string, FunctionDef>;

type AppFunctions = Readonly<Record<string, Readonly<Record<string, (...args: never[]) => unknown>>>>;

const tables = new WeakMap<AppFunctions, FunctionTable>();

/** Built-ins with the application's namespaces merged over them (function by function). @internal */
export function functionTable(app: AppFunctions | undefined): FunctionTable {
  if (app === undefined) return BUILTINS;
  let table = tables.get(app);
  if (table === undefined) {
    const merged = new Map(BUILTINS);
    for (const prefix of Object.keys(app)) {
      const namespace = app[prefix];
      if (namespace === undefined || namespace === null) continue;
      for (const name of Object.keys(namespace)) {
        const impl = namespace[name];
        if (typeof impl !== 'function') continue;
        const qualifiedName = `${prefix}:${name}`;
        merged.set(qualifiedName, Object.freeze({ qualifiedName, params: null, returns: null, impl }));
      }
    }
    table = merged;
    tables.set(app, table);
  }
  return table;
}

/** The compile-time check Tomcat's `ExpressionBuilder` makes for each function call. @internal */
export function checkFunction(table: FunctionTable, rule: string, prefix: string, name: string, argc: number, pos: number): FunctionDef {
  const qualified = `${prefix}:${name}`;
  const fn = table.get(qualified);
  if (fn === undefined) {
    throw new RuleSyntaxError(`Function [${qualified}] not found`, rule, pos, qualified);
  }
  if (fn.params !== null && fn.params.length !== argc) {
    throw new RuleSyntaxError(
      `Function [${qualified}] specifies [${fn.params.length}] params, but [${argc}] were declared`,
      rule,
      pos,
      qualified,
    );
  }
  return fn;
}

function problems(fn: FunctionDef, cause: unknown): ElFailure {
  return elError(`Problems calling function [${fn.qualifiedName}]`, cause);
}

/** Call a function with evaluated arguments, coerced in place (errors are wrapped as Java does). @internal */
export function callFunction(fn: FunctionDef, args: unknown[]): unknown {
  const types = fn.params;
  if (types === null) {
    for (let i = 0; i < args.length; i++) args[i] = toAppValue(args[i]);
  } else {
    try {
      for (let i = 0; i < args.length; i++) args[i] = coerceParam(args[i], types[i] ?? 'Object');
    } catch (error) {
      if (error instanceof ElFailure && error.kind !== 'el') throw error;
      throw problems(fn, error);
    }
  }
  let result: unknown;
  try {
    result = Reflect.apply(fn.impl, undefined, args);
  } catch (error) {
    throw problems(fn, error);
  }
  return result === undefined ? null : result;
}
