/**
 * JSON text as Jackson writes it: string literals ({@link jsonString}) and numbers ({@link jsonNumber},
 * {@link jsonDouble}), the one place where a number becomes JSON text. Every writer (the Pipet server's pretty
 * printer, the CLI's lines, the force-groups generator) writes through these; what each does with objects and
 * arrays is its own layout.
 *
 * It also keeps, for values read by `readJson` in `plain` mode, which numbers were Doubles in the JSON text
 * ({@link isJsonDouble}): a whole `120.0` is the JS number `120` like the integer `120`, yet Jackson writes
 * the first back as `120.0`.
 */
import { JavaDouble, JavaInt } from './boxes.js';
import { formatJavaDecimal, INT_MAX, INT_MIN, javaDoubleToString, javaFloatToString } from './numbers/index.js';

/**
 * How a floating-point value is written:
 * - `double`: Jackson's default for a Java `double`, `Double.toString` (`1.0`, `1.0E-4`);
 * - `float`: Jackson's default for a Java `float`, `Float.toString` of the value rounded to float (`0.1`);
 * - `decimal`: Proctor's matrix serializer, `DecimalFormat("0.0")` with at most 10 fraction digits;
 * - `plain`: the shortest digits that read back as the double, in positional notation and always with a
 *   fraction (`1.0E10` is `10000000000.0`), for text whose grammar has no exponent (force-groups payloads).
 */
export type NumberStyle = 'double' | 'float' | 'decimal' | 'plain';

/** A char JSON must escape, or a surrogate (paired ones are let through by `JSON.stringify`). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
// An escaped backslash is matched first so `\\u00ab` (a literal backslash) is never mistaken for an escape.
const HEX_ESCAPES = /\\(?:\\|u[0-9a-f]{4})/g;

function upperHex(escape: string): string {
  return escape.length === 2 ? escape : `\\u${escape.slice(2).toUpperCase()}`;
}

/**
 * A JSON string literal as Jackson's `JsonGenerator.writeString` writes it: `"` and `\` escaped, `\b` `\t` `\n`
 * `\f` `\r` short, other control characters as `\u00XX` with upper-case hex, everything else as is.
 *
 * One difference: a lone surrogate is escaped (`\uD800`) where Jackson writes it raw, since raw it can be
 * neither encoded as UTF-8 (an HTTP body) nor passed to `encodeURIComponent` (a force-groups cookie).
 */
export function jsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`; // most strings: no JSON.stringify call
  const text = JSON.stringify(s);
  return text.includes('\\u') ? text.replace(HEX_ESCAPES, upperHex) : text;
}

/** The shortest digits of a finite double in positional notation, always with a fraction (`9.0`, `-0.0`). */
function plainDouble(d: number): string {
  if (Object.is(d, -0)) return '-0.0';
  let s = String(d);
  const e = s.indexOf('e');
  if (e >= 0) {
    const negative = s.startsWith('-');
    const mantissa = s.slice(negative ? 1 : 0, e);
    const exponent = Number(s.slice(e + 1));
    const dot = mantissa.indexOf('.');
    const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    const point = (dot < 0 ? mantissa.length : dot) + exponent;
    if (point <= 0) s = '0.' + '0'.repeat(-point) + digits;
    else if (point >= digits.length) s = digits + '0'.repeat(point - digits.length);
    else s = digits.slice(0, point) + '.' + digits.slice(point);
    if (negative) s = '-' + s;
  }
  return s.includes('.') ? s : s + '.0';
}

/**
 * A floating-point value as JSON, finite values in `style`; NaN and the infinities as the quoted strings
 * Jackson writes by default (`QUOTE_NON_NUMERIC_NUMBERS`: `"NaN"`, `"-Infinity"`).
 */
export function jsonDouble(value: number, style: NumberStyle = 'double'): string {
  if (!Number.isFinite(value)) return `"${javaDoubleToString(value)}"`;
  switch (style) {
    case 'double':
      return javaDoubleToString(value);
    case 'float':
      return javaFloatToString(value);
    case 'decimal':
      return formatJavaDecimal(value);
    default:
      return plainDouble(value);
  }
}

/** Containers (objects, arrays) → the keys (indices) whose number was a Double in the JSON text. */
const DOUBLE_KEYS = new WeakMap<object, Set<string | number>>();
/** Containers read from JSON text, whose numbers' Java classes are therefore known. */
const FROM_TEXT = new WeakSet<object>();

/**
 * Record that `container`, read by `readJson` in `plain` mode, came from JSON text: its unmarked whole numbers
 * are Integers or Longs (see {@link jsonNumberClass}). The reader does not do it for every container (a
 * WeakSet entry per object would triple its time); callers mark the few whose classes matter.
 */
export function markJsonText(container: object): void {
  FROM_TEXT.add(container);
}

/**
 * The class Jackson gave the number `container[key]` when the container was read from JSON text (`Integer`
 * in the int range, `Long` beyond, `Double` when written with a fraction or exponent); undefined when the
 * container was built by JS code, where only the value is known.
 */
export function jsonNumberClass(container: object, key: string | number): 'Integer' | 'Long' | 'Double' | undefined {
  const value = (container as Record<string | number, unknown>)[key];
  if (typeof value !== 'number' || !FROM_TEXT.has(container)) return undefined;
  if (!Number.isInteger(value) || isJsonDouble(container, key)) return 'Double';
  return value >= INT_MIN && value <= INT_MAX ? 'Integer' : 'Long';
}

/** Record that `container[key]` holds a Java Double (a whole one: `120.0` read as `120`). */
export function markJsonDouble(container: object, key: string | number): void {
  let keys = DOUBLE_KEYS.get(container);
  if (keys === undefined) {
    keys = new Set();
    DOUBLE_KEYS.set(container, keys);
  }
  keys.add(key);
}

/** Forget such a record (the key now holds something else). */
export function unmarkJsonDouble(container: object, key: string | number): void {
  DOUBLE_KEYS.get(container)?.delete(key);
}

/** The keys of `container` holding Java Doubles with whole values, if any. */
export function jsonDoubleKeys(container: object): ReadonlySet<string | number> | undefined {
  return DOUBLE_KEYS.get(container);
}

/** Whether `container[key]` was read from a JSON literal with a fraction or exponent (`120.0`, `1e3`). */
export function isJsonDouble(container: object, key: string | number): boolean {
  return DOUBLE_KEYS.get(container)?.has(key) ?? false;
}

/** A Java number: a JS number (Long when whole, else Double), a bigint (Long), or a box. */
export type JavaNumber = number | bigint | JavaInt | JavaDouble;

/**
 * A number as Jackson writes it: Integer, Long and BigInteger as their digits, a Double in `style` (whole
 * ones too: `120.0`). A JS number is a Long when whole (spec §3.8) unless `double` says the JSON text had it
 * as a Double; beyond ±1e21 a whole JS number is written as a Double, since its digits were never exact.
 */
export function jsonNumber(value: JavaNumber, style: NumberStyle = 'double', double = false): string {
  if (typeof value === 'number') {
    return !double && Number.isInteger(value) && Math.abs(value) < 1e21 ? String(value + 0) : jsonDouble(value, style);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof JavaInt) return String(value.value);
  return jsonDouble(value.value, style);
}
