/**
 * Java's number parsing and printing, exact to the bit: `Integer.parseInt`-style integers, `Double.valueOf` /
 * `Float.valueOf` (decimal and hexadecimal, correctly rounded, subnormals included), `Double.toString` /
 * `Float.toString`, and the `DecimalFormat("0.0")` (at most 10 fraction digits, HALF_EVEN) that Proctor's
 * matrix serializer uses. The rule language coerces strings and doubles with these (spec §3.4); Pipet's value
 * converters (§5.2) and Jackson output (§1.7, §5.3) use them too.
 */

import { javaDigit, parseJavaInteger as parseJavaBigInteger, javaTrim } from './java-text.js';

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
const HEX_FLOAT = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?|([0-9a-fA-F]*)\.([0-9a-fA-F]+))[pP]([+-]?)(\d+)[fFdD]?$/;

/** `x * 2^k` for any integer k, without overflowing or flushing the intermediate power. */
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

/** An IEEE 754 binary format: significand bits (hidden bit included) and the exponent range of normal values. */
interface BinaryFormat {
  readonly precision: number;
  readonly minExponent: number;
  readonly maxExponent: number;
}

const DOUBLE: BinaryFormat = { precision: 53, minExponent: -1022, maxExponent: 1023 };
const FLOAT: BinaryFormat = { precision: 24, minExponent: -126, maxExponent: 127 };

/** Java reads the hex exponent with `Integer.parseInt`; beyond int it gives up on the value, not the syntax. */
const INT_MAX = 2147483647;

/**
 * A hexadecimal floating-point literal, correctly rounded (half-even) to `format`, subnormals included, as
 * Java's `FloatingDecimal.parseHexString` does. A zero significand gives a signed zero whatever the exponent;
 * an exponent beyond int range gives a signed infinity (positive exponent) or zero (negative); otherwise the
 * exponent is applied exactly, however many digits the significand has.
 */
function parseHexFloat(match: RegExpExecArray, format: BinaryFormat): number {
  const negative = match[1] === '-';
  const intDigits = match[2] ?? match[3] ?? '';
  const fracDigits = match[4] ?? '';
  const exponentNegative = match[5] === '-';
  const exponentDigits = match[6] ?? '0';
  let mantissa = BigInt(`0x0${intDigits}${fracDigits}`);
  if (mantissa === 0n) return negative ? -0 : 0;
  const magnitude = Number(exponentDigits);
  if (magnitude > INT_MAX) {
    if (exponentNegative) return negative ? -0 : 0;
    return negative ? -Infinity : Infinity;
  }
  // value = mantissa * 2^e2, exactly (both terms are far inside the safe integers).
  let e2 = (exponentNegative ? -magnitude : magnitude) - 4 * fracDigits.length;
  const length = bitLength(mantissa);
  const top = length - 1 + e2; // exponent of the leading bit
  if (top > format.maxExponent) return negative ? -Infinity : Infinity;
  // Significant bits the format keeps at this magnitude (fewer for subnormals).
  const keep = top >= format.minExponent ? format.precision : format.precision - (format.minExponent - top);
  const smallest = 2 ** (format.minExponent - format.precision + 1);
  if (keep <= 0) {
    // Below half the smallest subnormal rounds to zero; exactly half rounds to even (zero); above rounds up.
    if (keep < 0) return negative ? -0 : 0;
    const half = 1n << BigInt(length - 1);
    const up = mantissa > half;
    return up ? (negative ? -smallest : smallest) : negative ? -0 : 0;
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
  // Rounding up can carry into a new top bit; past the largest finite value that is infinity.
  if (bitLength(mantissa) - 1 + e2 > format.maxExponent) return negative ? -Infinity : Infinity;
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
  const body = decimalBody(s);
  if (body !== null) return body.endsWith('NaN') ? NaN : Number(body); // JS reads decimals correctly rounded
  const hex = HEX_FLOAT.exec(s);
  return hex === null ? null : parseHexFloat(hex, DOUBLE);
}

/** A trimmed decimal literal without its `d`/`f` suffix, or null when `s` is not one. */
function decimalBody(s: string): string | null {
  if (!DECIMAL_FLOAT.test(s)) return null;
  const last = s.charCodeAt(s.length - 1);
  // Strip the type suffix; `NaN`/`Infinity` never carry one (the regex refuses it).
  return last === 100 || last === 68 || last === 102 || last === 70 ? s.slice(0, -1) : s;
}

/**
 * Java `Float.valueOf(s)`: the same syntax, correctly rounded to float precision in one step. Rounding the
 * nearest double again would go wrong where that double lands exactly halfway between two floats while the
 * decimal itself does not (`1.0000000596046448` is just above such a tie, so Java reads `Math.nextUp(1f)`).
 */
export function parseJavaFloat(input: string): number | null {
  const s = javaTrim(input);
  const body = decimalBody(s);
  if (body === null) {
    const hex = HEX_FLOAT.exec(s);
    return hex === null ? null : parseHexFloat(hex, FLOAT);
  }
  if (body.endsWith('NaN')) return NaN;
  const d = Number(body);
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(d)) return f;
  // Float ties are doubles, and rounding to double is monotonic: unless d is itself a tie, the decimal lies
  // strictly between the same two ties as d and rounds to the same float.
  const abs = Math.abs(d);
  const below = Math.abs(f) < abs ? Math.abs(f) : floatStep(Math.abs(f), -1);
  const above = floatStep(below, 1); // 2^128 past Float.MAX_VALUE
  if ((below + above) / 2 !== abs) return f;
  const side = compareDecimal(abs, body);
  if (side === 0) return f; // an exact tie: Math.fround already rounded half-even
  const magnitude = side < 0 ? (above === 2 ** 128 ? Infinity : above) : below;
  return d < 0 ? -magnitude : magnitude;
}

const FLOAT_BITS = new DataView(new ArrayBuffer(4));

/** The float next to a non-negative float `x`, up (`step` 1) or down (-1); up from Float.MAX_VALUE is 2^128. */
function floatStep(x: number, step: 1 | -1): number {
  if (x === 3.4028234663852886e38 && step === 1) return 2 ** 128;
  FLOAT_BITS.setFloat32(0, x);
  FLOAT_BITS.setUint32(0, FLOAT_BITS.getUint32(0) + step);
  return FLOAT_BITS.getFloat32(0);
}

/** Sign of (exact value of x) − (the unsigned magnitude of a decimal literal body such as `-1.25e3`), x > 0. */
function compareDecimal(x: number, body: string): number {
  const text = body.replace(/^[+-]/, '');
  const e = text.search(/[eE]/);
  const mantissa = e === -1 ? text : text.slice(0, e);
  const exponent = e === -1 ? 0 : Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const intPart = dot === -1 ? mantissa : mantissa.slice(0, dot);
  const fracPart = dot === -1 ? '' : mantissa.slice(dot + 1);
  const all = `${intPart}${fracPart}`;
  const digits = all.replace(/^0+/, '');
  if (digits === '') return 1;
  // value = digits × 10^(exponent − fracPart.length) = digits × 10^(point − digits.length)
  return compareExact(x, digits, exponent - fracPart.length + digits.length);
}

/** Shortest round-trip digits of a positive finite double: `digits` with the point after `point` digits. */
function shortestDigits(x: number): { digits: string; point: number } {
  const text = x.toExponential(); // "d.ddde±n": the shortest digits that read back as x
  const e = text.indexOf('e');
  const mantissa = text.slice(0, e);
  const digits = mantissa.length > 1 ? `${mantissa[0]}${mantissa.slice(2)}` : mantissa;
  return { digits, point: Number(text.slice(e + 1)) + 1 };
}

/**
 * Java prints at least two significant digits (`d.dE`), and among those picks the closest decimal: where the
 * shortest form has one digit, the closest two-digit form can differ for tiny subnormals (`4.9E-324`, not
 * `5.0E-324`).
 */
function atLeastTwoDigits(x: number, shortest: { digits: string; point: number }): { digits: string; point: number } {
  if (shortest.digits.length !== 1) return shortest;
  const two = x.toPrecision(2);
  if (Number(two) !== x) return shortest;
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

/**
 * Java `Double.toString(x)`: `1.0`, `0.001`, `1.0E7`, `1.0E-4`, `4.9E-324`, `NaN`, `-Infinity`.
 *
 * The digits are those of JDK 19 and later (JDK-4511638): the shortest that read back as x, the closest of
 * those, two where one would do. Older JDKs print more digits for some values, mostly whole numbers between
 * 1e16 and 1e24 (JDK 17: `2.0E23` prints as `1.9999999999999998E23`) and a few subnormals (`1.0E-323` for
 * `9.9E-324`); both read back as the same double.
 */
export function javaDoubleToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  const { digits, point } = atLeastTwoDigits(abs, shortestDigits(abs));
  return javaLayout(x < 0, digits, point);
}

/**
 * Java `Float.toString(f)` for a value already rounded to float precision, with JDK 19+ digits as for
 * {@link javaDoubleToString} (JDK 17 often prints a ninth digit: `1.17549435E-38` for `Float.MIN_NORMAL`).
 */
export function javaFloatToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const { digits, point } = floatDigits(Math.fround(Math.abs(x)));
  return javaLayout(x < 0, digits, point);
}

/** A float's exact value and its rounding interval, as integers in units of 2^-150 (half the least float). */
const FLOAT_UNIT = 150;

function floatUnits(x: number): bigint {
  const { mantissa, exponent } = exactBinary(x);
  const shift = exponent + FLOAT_UNIT;
  return shift >= 0 ? mantissa << BigInt(shift) : mantissa >> BigInt(-shift); // exact: x is on the float grid
}

/**
 * The digits `Float.toString` (JDK 19+) prints for a positive float: among the decimals that read back as x
 * (its round-to-nearest-even interval, ends included when x's significand is even), those of the fewest digits,
 * or of two digits when one would do; of those the closest to x, ties to the even digit. JavaScript has no
 * float printer, so this works on exact integers.
 */
function floatDigits(x: number): { digits: string; point: number } {
  FLOAT_BITS.setFloat32(0, x);
  const inclusive = (FLOAT_BITS.getUint32(0) & 1) === 0;
  const value = floatUnits(x);
  const low = (floatUnits(floatStep(x, -1)) + value) / 2n; // exact: floats are even in these units
  const high = (value + floatUnits(floatStep(x, 1))) / 2n;
  const scale = 1n << BigInt(FLOAT_UNIT);
  // e: the decimal exponent of x's leading digit (10^e <= x < 10^(e+1)).
  let e = Number(x.toExponential().split('e')[1]);
  if (compareExact(x, '1', e + 1) < 0) e -= 1;
  // Grids of 10^q from two digits on (a one-digit decimal is on the two-digit grid too): on the coarsest grid
  // that has decimals in the interval, the one or two around x. With q < 0, everything is compared × 10^-q.
  for (let length = 2; ; length++) {
    const q = e - length + 1;
    const up = q < 0 ? 10n ** BigInt(-q) : 1n;
    const unit = q < 0 ? scale : scale * 10n ** BigInt(q);
    const lower = (value * up) / unit;
    const inside = (s: bigint): boolean => {
      const v = s * unit;
      return inclusive ? v >= low * up && v <= high * up : v > low * up && v < high * up;
    };
    const lowerInside = inside(lower);
    const upperInside = inside(lower + 1n);
    if (!lowerInside && !upperInside) continue;
    let best = lowerInside ? lower : lower + 1n;
    if (lowerInside && upperInside) {
      // The closer one: compare 2x with (lower + upper) × 10^q; a tie goes to the even one.
      const twice = 2n * value * up;
      const middle = (2n * lower + 1n) * unit;
      if (twice > middle || (twice === middle && lower % 2n === 1n)) best = lower + 1n;
    }
    const text = best.toString();
    return { digits: text.replace(/0+$/, ''), point: q + text.length };
  }
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
