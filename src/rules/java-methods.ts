/**
 * The Java methods EL 2.2 rules may call on built-in values (`country.toLowerCase()`, `list.size()`,
 * `map.containsKey('a')`): a fixed allow-list per Java type, with Java semantics. Nothing from `Object`
 * (`toString`, `hashCode`, `getClass`) is exposed.
 */
import {
  coerceToInt,
  coerceToString,
  elEquals,
  isJavaMap,
  javaEquals,
  mapEntries,
  mapGet,
  mapHas,
  mapSize,
  setContains,
} from './coerce.js';
import { elError, runtimeError } from './el-failure.js';
import { isBlank, javaCompareStrings, javaEqualsIgnoreCase, javaStrip, javaTrim } from '../java/text.js';
import { javaMatches, javaSplit } from '../java/regex/index.js';
import { ReleaseVersion } from './release-version.js';
import { JavaChar, JavaEnum, MATCH_PRECISION, isJavaStringArray, javaInt, javaStringArray } from './values.js';

/** A Java method body: receiver and already-evaluated arguments. @internal */
export type JavaMethod = (self: never, args: readonly unknown[]) => unknown;

type Table = Readonly<Record<string, (self: never, args: readonly unknown[]) => unknown>>;

function npe(): never {
  throw runtimeError('java.lang.NullPointerException', 'null argument');
}

/** A `CharSequence` parameter: Tomcat passes null through (NPE in the method) and cannot convert non-Strings. */
function charSequence(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return npe();
  throw elError(`Cannot convert [${coerceToString(v)}] to [interface java.lang.CharSequence]`);
}

function bounds(message: string): never {
  throw runtimeError('java.lang.StringIndexOutOfBoundsException', message);
}

function regex<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw runtimeError('java.util.regex.PatternSyntaxException', (error as Error).message);
  }
}

function indexOf(s: string, needle: unknown, from: number): number {
  if (typeof needle === 'number' || typeof needle === 'bigint') {
    const cp = coerceToInt(needle);
    if (cp < 0 || cp > 0x10ffff) return -1;
    return s.indexOf(String.fromCodePoint(cp), Math.max(0, from));
  }
  return s.indexOf(coerceToString(needle), Math.max(0, from));
}

const STRING: Table = {
  'length/0': (s: string) => s.length,
  'isEmpty/0': (s: string) => s.length === 0,
  'isBlank/0': (s: string) => isBlank(s),
  'toLowerCase/0': (s: string) => s.toLowerCase(),
  'toUpperCase/0': (s: string) => s.toUpperCase(),
  'trim/0': (s: string) => javaTrim(s),
  'strip/0': (s: string) => javaStrip(s),
  'indexOf/1': (s: string, [a]) => indexOf(s, a, 0),
  'indexOf/2': (s: string, [a, b]) => indexOf(s, a, coerceToInt(b)),
  'lastIndexOf/1': (s: string, [a]) => s.lastIndexOf(coerceToString(a)),
  'contains/1': (s: string, [a]) => s.includes(charSequence(a)),
  'startsWith/1': (s: string, [a]) => s.startsWith(coerceToString(a)),
  'startsWith/2': (s: string, [a, b]) => {
    const offset = coerceToInt(b);
    return offset >= 0 && s.startsWith(coerceToString(a), offset);
  },
  'endsWith/1': (s: string, [a]) => s.endsWith(coerceToString(a)),
  'equals/1': (s: string, [a]) => a === s,
  'equalsIgnoreCase/1': (s: string, [a]) => a !== null && javaEqualsIgnoreCase(s, coerceToString(a)),
  'compareTo/1': (s: string, [a]) => javaCompareStrings(s, coerceToString(a)),
  'compareToIgnoreCase/1': (s: string, [a]) =>
    javaCompareStrings(s.toUpperCase().toLowerCase(), coerceToString(a).toUpperCase().toLowerCase()),
  'charAt/1': (s: string, [a]) => {
    const i = coerceToInt(a);
    if (i < 0 || i >= s.length) bounds(`index ${i}, length ${s.length}`);
    return new JavaChar(s.charAt(i));
  },
  'substring/1': (s: string, [a]) => {
    const begin = coerceToInt(a);
    if (begin < 0 || begin > s.length) bounds(`begin ${begin}, end ${s.length}, length ${s.length}`);
    return s.slice(begin);
  },
  'substring/2': (s: string, [a, b]) => {
    const begin = coerceToInt(a);
    const end = coerceToInt(b);
    if (begin < 0 || end > s.length || begin > end) bounds(`begin ${begin}, end ${end}, length ${s.length}`);
    return s.slice(begin, end);
  },
  'concat/1': (s: string, [a]) => s + coerceToString(a),
  'replace/2': (s: string, [a, b]) => s.split(charSequence(a)).join(charSequence(b)),
  'matches/1': (s: string, [a]) => regex(() => javaMatches(s, coerceToString(a))),
  'split/1': (s: string, [a]) => regex(() => javaStringArray(javaSplit(s, coerceToString(a)))),
};

const LIST: Table = {
  'size/0': (l: unknown[]) => l.length,
  'isEmpty/0': (l: unknown[]) => l.length === 0,
  'contains/1': (l: unknown[], [a]) => l.some((x) => javaEquals(a, x)),
  'indexOf/1': (l: unknown[], [a]) => l.findIndex((x) => javaEquals(a, x)),
  'lastIndexOf/1': (l: unknown[], [a]) => {
    for (let i = l.length - 1; i >= 0; i--) if (javaEquals(a, l[i])) return i;
    return -1;
  },
  'get/1': (l: unknown[], [a]) => {
    const i = coerceToInt(a);
    if (i < 0 || i >= l.length) {
      throw runtimeError('java.lang.IndexOutOfBoundsException', `Index ${i} out of bounds for length ${l.length}`);
    }
    return l[i] ?? null;
  },
  'equals/1': (l: unknown[], [a]) => javaEquals(l, a),
};

type JavaMap = Map<unknown, unknown> | Record<string, unknown>;

const MAP: Table = {
  'size/0': (m: JavaMap) => mapSize(m),
  'isEmpty/0': (m: JavaMap) => mapSize(m) === 0,
  'containsKey/1': (m: JavaMap, [k]) => mapHas(m, k),
  'containsValue/1': (m: JavaMap, [v]) => mapEntries(m).some(([, x]) => javaEquals(v, x)),
  'get/1': (m: JavaMap, [k]) => mapGet(m, k),
  'getOrDefault/2': (m: JavaMap, [k, d]) => (mapHas(m, k) ? mapGet(m, k) : d),
  'equals/1': (m: JavaMap, [a]) => javaEquals(m, a),
};

const SET: Table = {
  'size/0': (s: ReadonlySet<unknown>) => s.size,
  'isEmpty/0': (s: ReadonlySet<unknown>) => s.size === 0,
  'contains/1': (s: ReadonlySet<unknown>, [a]) => setContains(s, a),
  'equals/1': (s: ReadonlySet<unknown>, [a]) => javaEquals(s, a),
};

function releaseVersionArg(v: unknown): ReleaseVersion {
  if (v instanceof ReleaseVersion) return v;
  if (v === null || v === '') return npe();
  throw elError(`Cannot convert [${coerceToString(v)}] to [class com.indeed.util.core.ReleaseVersion]`);
}

const RELEASE_VERSION: Table = {
  'getMatchPrecision/0': (v: ReleaseVersion) => MATCH_PRECISION.get(v.matchPrecision) ?? null,
  'compareTo/1': (v: ReleaseVersion, [a]) => v.compareTo(releaseVersionArg(a)),
  'equals/1': (v: ReleaseVersion, [a]) => v.equals(a),
};

const ENUM: Table = {
  'name/0': (e: JavaEnum) => e.name,
  'ordinal/0': (e: JavaEnum) => e.ordinal,
  'equals/1': (e: JavaEnum, [a]) => e === a,
  'compareTo/1': (e: JavaEnum, [a]) => {
    if (!(a instanceof JavaEnum) || a.type !== e.type) return elEquals(e, a) ? 0 : npe();
    return e.ordinal - a.ordinal;
  },
};

/**
 * The methods whose Java return type is `int`: their results are Integers to EL, which `compareTo` and
 * `equals` keep apart from Longs (`proctor:inRange(s.length(), 1, 9)` fails in Java).
 */
const INT_RESULTS = new Map<Table, readonly string[]>([
  [STRING, ['length/0', 'indexOf/1', 'indexOf/2', 'lastIndexOf/1', 'compareTo/1', 'compareToIgnoreCase/1']],
  [LIST, ['size/0', 'indexOf/1', 'lastIndexOf/1']],
  [MAP, ['size/0']],
  [SET, ['size/0']],
  [RELEASE_VERSION, ['compareTo/1']],
  [ENUM, ['ordinal/0', 'compareTo/1']],
]);

const INT_METHODS = new Map<Table, ReadonlyMap<string, JavaMethod>>(
  [...INT_RESULTS].map(([table, keys]) => [
    table,
    new Map(
      keys.map((key) => {
        const method = table[key] as JavaMethod;
        return [key, (self: never, args: readonly unknown[]) => javaInt(method(self, args) as number)] as const;
      }),
    ),
  ]),
);

/** The allow-listed Java method for a receiver, by name and argument count, or undefined. @internal */
export function javaMethod(self: unknown, name: string, argCount: number): JavaMethod | undefined {
  let table: Table | undefined;
  if (typeof self === 'string') table = STRING;
  else if (self instanceof ReleaseVersion) table = RELEASE_VERSION;
  else if (self instanceof JavaEnum) table = ENUM;
  else if (self instanceof Set) table = SET;
  else if (Array.isArray(self)) table = isJavaStringArray(self) ? undefined : LIST;
  else if (isJavaMap(self)) table = MAP;
  if (table === undefined) return undefined;
  const key = `${name}/${argCount}`;
  if (!Object.hasOwn(table, key)) return undefined;
  return INT_METHODS.get(table)?.get(key) ?? table[key];
}
