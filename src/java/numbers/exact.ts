/**
 * Exact views of IEEE 754 values shared by Java's floating-point parsing and printing: a double's exact binary
 * value, exact comparison with a decimal, and stepping between floats.
 */

/** Scratch space for reading a float's bits. */
const FLOAT_BITS = new DataView(new ArrayBuffer(4));

/**
 * Java `Math.nextUp`/`Math.nextDown` for a non-negative float `x` (`step` 1 or -1), except that up from
 * `Float.MAX_VALUE` is 2^128 (the rounding boundary) rather than infinity.
 */
export function floatStep(x: number, step: 1 | -1): number {
  if (x === 3.4028234663852886e38 && step === 1) return 2 ** 128;
  FLOAT_BITS.setFloat32(0, x);
  FLOAT_BITS.setUint32(0, FLOAT_BITS.getUint32(0) + step);
  return FLOAT_BITS.getFloat32(0);
}

/** Whether a float's significand is even (its last bit is 0); `x` must be on the float grid. */
export function floatSignificandIsEven(x: number): boolean {
  FLOAT_BITS.setFloat32(0, x);
  return (FLOAT_BITS.getUint32(0) & 1) === 0;
}

/** The exact binary value of a positive finite double: `mantissa * 2^exponent`. */
export function exactBinary(x: number): { mantissa: bigint; exponent: number } {
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
export function compareExact(x: number, digits: string, point: number): number {
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
