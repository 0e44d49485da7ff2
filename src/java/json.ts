/**
 * JSON text as Jackson writes it: string literals ({@link jsonString}) and floating-point numbers
 * ({@link jsonDouble}). The Pipet server's pretty printer and the force-groups generator both write through
 * these two; what each does with objects, arrays and whole numbers is its own layout.
 */
import { formatJavaDecimal, javaDoubleToString, javaFloatToString } from './numbers/index.js';

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
