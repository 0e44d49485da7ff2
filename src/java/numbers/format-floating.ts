/**
 * Java's floating-point printing, exact to the digit: `Double.toString` / `Float.toString` (JDK 19+ digits) and
 * the `DecimalFormat("0.0")` (at most 10 fraction digits, HALF_EVEN) that Proctor's matrix serializer uses.
 */
import { compareExact, exactBinary, floatSignificandIsEven, floatStep } from './exact.js';

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
  const inclusive = floatSignificandIsEven(x);
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
