/**
 * Java `Double.parseDouble` / `Float.parseFloat` (`Double.valueOf` / `Float.valueOf`), exact to the bit: decimal
 * and hexadecimal literals, correctly rounded, subnormals included, `NaN`/`Infinity`, `d`/`f` suffixes.
 */
import { INT_MAX } from './integers.js';
import { compareExact, floatStep } from './exact.js';
import { javaTrim } from '../text.js';

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
  // Java reads the hex exponent with `Integer.parseInt`; beyond int it gives up on the value, not the syntax.
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
 * Java `Double.parseDouble(s)` (and `Double.valueOf(s)`): surrounding chars ≤ U+0020 are ignored; accepts
 * `NaN`, `Infinity` (signed), decimal literals with optional exponent and a trailing `d`/`f`/`D`/`F`, and
 * hexadecimal literals (`0x1.8p1`). Returns `null` where Java throws `NumberFormatException`.
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
 * Java `Float.parseFloat(s)` (and `Float.valueOf(s)`): the same syntax, correctly rounded to float precision in
 * one step. Rounding the nearest double again would go wrong where that double lands exactly halfway between
 * two floats while the decimal itself does not (`1.0000000596046448` is just above such a tie, so Java reads
 * `Math.nextUp(1f)`).
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
