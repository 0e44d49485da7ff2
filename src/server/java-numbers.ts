/**
 * Java's number parsing and printing, as Pipet's value converters (spec §5.2) and Jackson (§1.7, §5.3) do it:
 * `Integer.parseInt`-style integers, `Double.valueOf`, `Double.toString` / `Float.toString`, and the
 * `DecimalFormat("0.0")` (at most 10 fraction digits, HALF_EVEN) that Proctor's matrix serializer uses.
 */

import { javaDigit, parseJavaInteger as parseJavaBigInteger, javaTrim } from '../rules/java-text.js';

export { javaTrim };

/** Ranges of Java's integral boxes. */
export const JAVA_INTEGER_RANGES = Object.freeze({
  byte: [-128n, 127n],
  short: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  long: [-9223372036854775808n, 9223372036854775807n],
} as const);

/** One of Java's integral types. */
export type JavaIntegerType = keyof typeof JAVA_INTEGER_RANGES;

/**
 * Java `Byte/Short/Integer/Long.valueOf(s)` (radix 10): an optional single `+`/`-`, then at least one digit,
 * nothing else (no spaces), within the type's range. Returns `null` where Java throws
 * `NumberFormatException`. Longs beyond ±2^53 come back as `bigint` so no digit is lost.
 */
export function parseJavaInteger(s: string, type: JavaIntegerType): number | bigint | null {
  const length = s.length;
  if (length === 0) return null;
  let i = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  // Java only looks for a sign when the first char sorts below '0'.
  if (first < 48) {
    if (first === 45) negative = true;
    else if (first !== 43) return null;
    if (length === 1) return null;
    i = 1;
  }
  // 15 digits always fit a double exactly; longer inputs go through BigInt.
  if (length - i <= 15) {
    let value = 0;
    for (; i < length; i++) {
      const d = javaDigit(s.charCodeAt(i));
      if (d < 0) return null;
      value = value * 10 + d;
    }
    const signed = negative ? -value : value;
    const [min, max] = JAVA_INTEGER_RANGES[type];
    if (signed < Number(min) || signed > Number(max)) return null;
    return signed === 0 ? 0 : signed; // never -0
  }
  const [min, max] = JAVA_INTEGER_RANGES[type];
  const big = parseJavaBigInteger(s, min, max);
  if (big === null) return null;
  return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
}

const DECIMAL_FLOAT = /^[+-]?(?:NaN|Infinity|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;
const HEX_FLOAT = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?|([0-9a-fA-F]*)\.([0-9a-fA-F]+))[pP]([+-]?\d+)[fFdD]?$/;

/** `2^k` for any integer k, without overflowing or flushing the intermediate power. */
function scaleByPowerOfTwo(x: number, k: number): number {
  let result = x;
  let e = k;
  while (e > 1000) {
    result *= 2 ** 1000;
    e -= 1000;
    if (!Number.isFinite(result)) return result;
  }
  while (e < -1000) {
    result *= 2 ** -1000;
    e += 1000;
    if (result === 0) return result;
  }
  return result * 2 ** e;
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** A hexadecimal floating-point literal, correctly rounded (half-even) to a double, subnormals included. */
function parseHexFloat(match: RegExpExecArray): number {
  const negative = match[1] === '-';
  const intDigits = match[2] ?? match[3] ?? '';
  const fracDigits = match[4] ?? '';
  const exponent = Number(match[5]);
  let mantissa = BigInt(`0x0${intDigits}${fracDigits}`);
  if (mantissa === 0n) return negative ? -0 : 0;
  // value = mantissa * 2^e2; clamp absurd exponents, the result is then 0 or Infinity anyway.
  let e2 = Math.max(-100000, Math.min(100000, exponent)) - 4 * fracDigits.length;
  const length = bitLength(mantissa);
  const top = length - 1 + e2; // exponent of the leading bit
  if (top > 1023) return negative ? -Infinity : Infinity;
  // Significant bits a double keeps at this magnitude (fewer for subnormals).
  const keep = top >= -1022 ? 53 : 53 - (-1022 - top);
  if (keep <= 0) {
    // Below half the smallest subnormal rounds to zero; exactly half rounds to even (zero); above rounds up.
    if (keep < 0) return negative ? -0 : 0;
    const half = 1n << BigInt(length - 1);
    const up = mantissa > half;
    return up ? (negative ? -(2 ** -1074) : 2 ** -1074) : negative ? -0 : 0;
  }
  const shift = length - keep;
  if (shift > 0) {
    const big = BigInt(shift);
    const remainder = mantissa & ((1n << big) - 1n);
    mantissa >>= big;
    const half = 1n << (big - 1n);
    if (remainder > half || (remainder === half && (mantissa & 1n) === 1n)) mantissa += 1n;
    e2 += shift;
  }
  const value = scaleByPowerOfTwo(Number(mantissa), e2);
  return negative ? -value : value;
}

/**
 * Java `Double.valueOf(s)`: surrounding chars ≤ U+0020 are ignored; accepts `NaN`, `Infinity` (signed),
 * decimal literals with optional exponent and a trailing `d`/`f`/`D`/`F`, and hexadecimal literals
 * (`0x1.8p1`). Returns `null` where Java throws `NumberFormatException`.
 */
export function parseJavaDouble(input: string): number | null {
  const s = javaTrim(input);
  if (DECIMAL_FLOAT.test(s)) {
    const last = s.charCodeAt(s.length - 1);
    // Strip the type suffix; `NaN`/`Infinity` never carry one (the regex refuses it).
    const body = last === 100 || last === 68 || last === 102 || last === 70 ? s.slice(0, -1) : s;
    if (body.endsWith('NaN')) return NaN;
    return Number(body);
  }
  const hex = HEX_FLOAT.exec(s);
  return hex === null ? null : parseHexFloat(hex);
}

/** Java `Float.valueOf(s)`: the same syntax, rounded to float precision. */
export function parseJavaFloat(input: string): number | null {
  const value = parseJavaDouble(input);
  // Rounding the double to float can differ from Java's direct rounding in rare double-rounding cases.
  return value === null ? null : Math.fround(value);
}

/** Shortest round-trip digits of a positive finite double: `digits` with the point after `point` digits. */
function shortestDigits(x: number): { digits: string; point: number } {
  const text = x.toExponential(); // "d.ddde±n": the shortest digits that read back as x
  const e = text.indexOf('e');
  const mantissa = text.slice(0, e);
  const digits = mantissa.length > 1 ? `${mantissa[0]}${mantissa.slice(2)}` : mantissa;
  return { digits, point: Number(text.slice(e + 1)) + 1 };
}

/** Shortest digits that read back as the same float (Java `Float.toString` precision). */
function shortestFloatDigits(x: number): { digits: string; point: number } {
  for (let p = 1; p < 9; p++) {
    const candidate = Number(x.toPrecision(p));
    if (Math.fround(candidate) === x) return shortestDigits(candidate);
  }
  return shortestDigits(Number(x.toPrecision(9)));
}

/**
 * Java prints at least two significant digits (`d.dE`), and among those picks the closest decimal: where the
 * shortest form has one digit, the closest two-digit form can differ for tiny subnormals (`4.9E-324`, not
 * `5.0E-324`; `1.4E-45` for `Float.MIN_VALUE`).
 */
function atLeastTwoDigits(
  x: number,
  shortest: { digits: string; point: number },
  roundTrips: (candidate: number) => boolean,
): { digits: string; point: number } {
  if (shortest.digits.length !== 1) return shortest;
  const two = x.toPrecision(2);
  if (!roundTrips(Number(two))) return shortest;
  const e = two.indexOf('e');
  const mantissa = e === -1 ? two : two.slice(0, e);
  if (e === -1) return shortest; // plain form: |x| is not tiny, the closest two-digit form ends in 0
  const digits = mantissa.replace('.', '').replace(/0$/, '');
  return { digits, point: Number(two.slice(e + 1)) + 1 };
}

/** Java's `Double.toString` layout for given shortest digits (plain between 1e-3 and 1e7, else `d.dddE±n`). */
function javaLayout(negative: boolean, digits: string, point: number): string {
  const sign = negative ? '-' : '';
  // point - 1 is the decimal exponent: plain notation for 10^-3 <= |x| < 10^7.
  if (point >= -2 && point <= 7) {
    if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const fraction = digits.length > 1 ? digits.slice(1) : '0';
  return `${sign}${digits[0] ?? '0'}.${fraction}E${point - 1}`;
}

/** Java `Double.toString(x)`: `1.0`, `0.001`, `1.0E7`, `1.0E-4`, `NaN`, `-Infinity`. */
export function javaDoubleToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  const { digits, point } = atLeastTwoDigits(abs, shortestDigits(abs), (c) => c === abs);
  return javaLayout(x < 0, digits, point);
}

/** Java `Float.toString(f)` for a value already rounded to float precision. */
export function javaFloatToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  const { digits, point } = atLeastTwoDigits(abs, shortestFloatDigits(abs), (c) => Math.fround(c) === abs);
  return javaLayout(x < 0, digits, point);
}

/** The exact binary value of a positive finite double: `mantissa * 2^exponent`. */
function exactBinary(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  return biased === 0
    ? { mantissa: fraction, exponent: -1074 }
    : { mantissa: fraction | 0x10000000000000n, exponent: biased - 1075 };
}

/** Sign of (exact value of x) − (digits × 10^(point − digits.length)), for x > 0. */
function compareExact(x: number, digits: string, point: number): number {
  const { mantissa, exponent } = exactBinary(x);
  let left = mantissa;
  let right = BigInt(digits);
  if (exponent >= 0) left <<= BigInt(exponent);
  else right <<= BigInt(-exponent);
  const k = point - digits.length;
  if (k >= 0) right *= 10n ** BigInt(k);
  else left *= 10n ** BigInt(-k);
  return left === right ? 0 : left > right ? 1 : -1;
}

/** Adds one unit in the last place to a digit string; may grow it by one digit ("99" → "100"). */
function incrementDigits(digits: string): string {
  const chars = digits.split('');
  let i = chars.length - 1;
  while (i >= 0) {
    if (chars[i] === '9') {
      chars[i] = '0';
      i--;
    } else {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join('');
    }
  }
  return `1${chars.join('')}`;
}

const MAX_FRACTION_DIGITS = 10;

/**
 * Proctor's matrix serializer: `DecimalFormat("0.0")` with at most 10 fraction digits and HALF_EVEN rounding
 * (`1` → `1.0`, `1/3` → `0.3333333333`, `1e-12` → `0.0`). Like the JDK (8+), rounding works on the shortest
 * digits and settles a tie in those digits with the exact binary value. A negative value keeps its sign even
 * when it rounds to zero (`-0.0`), as `DecimalFormat` does.
 */
export function formatJavaDecimal(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  const abs = Math.abs(x);
  let { digits, point } = shortestDigits(abs);
  const keep = point + MAX_FRACTION_DIGITS; // digits up to the 10th fraction digit
  if (keep < digits.length) {
    if (keep < 0) {
      digits = '0';
      point = 1;
    } else {
      const roundDigit = digits.charCodeAt(keep) - 48;
      let up = roundDigit > 5;
      if (roundDigit === 5) {
        if (keep + 1 < digits.length) up = true; // shortest digits never end in 0, so the rest is non-zero
        else {
          const cmp = compareExact(abs, digits, point);
          const previous = keep > 0 ? digits.charCodeAt(keep - 1) - 48 : 0;
          up = cmp > 0 || (cmp === 0 && previous % 2 === 1);
        }
      }
      let kept = digits.slice(0, keep);
      if (kept === '') {
        kept = '0';
        point += 1;
      }
      if (up) {
        const bumped = incrementDigits(kept);
        point += bumped.length - kept.length;
        kept = bumped;
      }
      digits = kept;
    }
  }
  let integer: string;
  let fraction: string;
  if (point <= 0) {
    integer = '0';
    fraction = `${'0'.repeat(-point)}${digits}`;
  } else if (point >= digits.length) {
    integer = `${digits}${'0'.repeat(point - digits.length)}`;
    fraction = '';
  } else {
    integer = digits.slice(0, point);
    fraction = digits.slice(point);
  }
  integer = integer.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  return `${sign}${integer}.${fraction === '' ? '0' : fraction}`;
}
