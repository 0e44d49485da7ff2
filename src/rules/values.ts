/**
 * The value model the evaluator works on (spec §3.8): JS values plus small wrappers for Java values JS cannot
 * tell apart from others.
 *
 * - A JS `number` is a Long when `Number.isInteger`, else a Double; a `bigint` is a Long.
 * - {@link JavaDouble} (from the Java floor) marks a Double whose value is whole (`2.0`, `-0.0`), produced by
 *   EL literals, arithmetic, JSON constants and verification dummies, so `2.0 == '2.0'` and `-0.0 == 0` behave
 *   as in Java.
 * - {@link JavaInt} (from the Java floor) is an Integer, Short or Byte: JSON integers in the int range, `int`
 *   results of Java methods, Pipet's `int` context values. EL coerces it like a Long in operators, but
 *   `compareTo` and `equals` keep it apart from a Long, as Java does.
 * - {@link JavaChar} is a Character, {@link JavaEnum} a constant of a Java enum (`MaybeBool.TRUE`).
 * - A String[] (Java array, as returned by `fn:split`) is a frozen array carrying a private brand.
 */
import { JavaDouble, JavaInt } from '../java/boxes.js';

export { JavaDouble, JavaInt, javaByte, javaDouble, javaInt, javaShort } from '../java/boxes.js';
export type { JavaIntType } from '../java/boxes.js';

/** A Java `Character` (one UTF-16 unit): compares and computes as its code, prints as itself. */
export class JavaChar {
  /** @internal */
  constructor(readonly value: string) {
    Object.freeze(this);
  }
}

/**
 * A Java `char`/`Character` for rule contexts. A one-character JS string is a String to the rule language
 * (`'a' == 97` fails); wrap it with this when the application passes a Java char (`chr == 97` holds).
 */
export function javaChar(c: string): JavaChar {
  if (c.length !== 1) throw new RangeError(`A Java char is one UTF-16 unit, got ${JSON.stringify(c)}`);
  return new JavaChar(c);
}

/** One constant of a Java enum type. @internal */
export class JavaEnum {
  constructor(
    readonly type: string,
    readonly name: string,
    readonly ordinal: number,
  ) {
    Object.freeze(this);
  }
}

/** Every enum type rules can meet, by Java class name. @internal */
export const ENUM_TYPES = new Map<string, ReadonlyMap<string, JavaEnum>>();

function enumType(type: string, names: readonly string[]): ReadonlyMap<string, JavaEnum> {
  const constants = new Map(names.map((name, i) => [name, new JavaEnum(type, name, i)]));
  ENUM_TYPES.set(type, constants);
  return constants;
}

/** `ProctorRuleFunctions.MaybeBool`. @internal */
export const MAYBE_BOOL = enumType('com.indeed.proctor.common.ProctorRuleFunctions$MaybeBool', [
  'TRUE',
  'FALSE',
  'UNKNOWN',
]);
/** `ReleaseVersion.MatchPrecision`. @internal */
export const MATCH_PRECISION = enumType('com.indeed.util.core.ReleaseVersion$MatchPrecision', [
  'MAJOR',
  'MINOR',
  'PATCH',
  'BUILD',
]);

const STRING_ARRAYS = new WeakSet<readonly string[]>();

/**
 * A Java `String[]` for rule contexts (what `fn:split` returns and `fn:join` accepts). A plain JS array is a
 * `List` to the rule language; wrap values with this when the application passes a Java array.
 */
export function javaStringArray(values: Iterable<string>): readonly string[] {
  const array = Object.freeze(Array.from(values, String));
  STRING_ARRAYS.add(array);
  return array;
}

/** True for arrays made by {@link javaStringArray}. */
export function isJavaStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && STRING_ARRAYS.has(value);
}

/** A Java whole-valued Double from a JS number. @internal */
export function double(value: number): number | JavaDouble {
  return Number.isInteger(value) ? new JavaDouble(value) : value;
}

/** True when the value is a Java Double (or Float). @internal */
export function isDouble(v: unknown): boolean {
  return (typeof v === 'number' && !Number.isInteger(v)) || v instanceof JavaDouble;
}

/** True when the value is a Java `Long` (a whole JS number or a bigint). @internal */
export function isLong(v: unknown): v is number | bigint {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

/** True for Java's integral numbers: Long, Integer, Short, Byte. @internal */
export function isIntegral(v: unknown): v is number | bigint | JavaInt {
  return isLong(v) || v instanceof JavaInt;
}

/** The `long` value of an integral number. @internal */
export function integralValue(v: number | bigint | JavaInt): number | bigint {
  return v instanceof JavaInt ? v.value : v;
}

/** True for the operands ELSupport's `isLongOp` accepts: integral numbers and Characters. @internal */
export function isLongOp(v: unknown): boolean {
  return isIntegral(v) || v instanceof JavaChar;
}

/** True for plain objects (`{}`, `Object.create(null)`), which are Java Maps. @internal */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
