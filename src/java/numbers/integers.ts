/**
 * Java's integral types: their bounds (the one place in `src/` that writes them; a test holds every other file
 * to importing them), the primitive casts of JLS §5.1.3, and radix-10 parsing (`Integer.parseInt`,
 * `Long.parseLong` and the `Byte`/`Short` variants).
 *
 * A Java `long` is carried as a JS `number` while it is a safe integer and as a `bigint` beyond ±2^53
 * ({@link Long}), so the common case stays a plain number and no digit is ever lost.
 */
import { javaDigit } from '../text.js';

/** Java `Integer.MIN_VALUE`. */
export const INT_MIN = -2147483648;
/** Java `Integer.MAX_VALUE`. */
export const INT_MAX = 2147483647;
/** Java `Long.MIN_VALUE`, exactly. */
export const LONG_MIN = -(2n ** 63n);
/** Java `Long.MAX_VALUE`, exactly. */
export const LONG_MAX = 2n ** 63n - 1n;
/** `(double) Long.MIN_VALUE`: -2^63, exactly. */
export const LONG_MIN_AS_DOUBLE = -(2 ** 63);
/** `(double) Long.MAX_VALUE`: 2^63, since `Long.MAX_VALUE` rounds up to it. */
export const LONG_MAX_AS_DOUBLE = 2 ** 63;

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Ranges of Java's integral boxes. */
export const JAVA_INTEGER_RANGES = Object.freeze({
  byte: [-128n, 127n],
  short: [-32768n, 32767n],
  int: [BigInt(INT_MIN), BigInt(INT_MAX)],
  long: [LONG_MIN, LONG_MAX],
} as const);

/** One of Java's integral types. */
export type JavaIntegerType = keyof typeof JAVA_INTEGER_RANGES;

/** The same ranges as numbers, for the fast path of {@link parseJavaInteger}. */
const NUMBER_RANGES: Readonly<Record<JavaIntegerType, readonly [number, number]>> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  int: [INT_MIN, INT_MAX],
  long: [Number(LONG_MIN), Number(LONG_MAX)],
};

/** A Java `long` value: a JS number while it is a safe integer, a bigint beyond. */
export type Long = number | bigint;

/** Whether `n` is a value of Java's `int` (a whole number within `Integer.MIN_VALUE`..`MAX_VALUE`). */
export function isJavaInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= INT_MIN && n <= INT_MAX;
}

/** A bigint `long` in the {@link Long} representation: a number when it is a safe integer. */
export function normalizeLong(b: bigint): Long {
  return b >= SAFE_MIN && b <= SAFE_MAX ? Number(b) : b;
}

/**
 * Java's `(int) d` for a `double` (JLS §5.1.3): truncation toward zero, NaN → 0, out-of-range values saturate
 * (JS's `| 0` would wrap), and never `-0`.
 */
export function doubleToInt(d: number): number {
  if (Number.isNaN(d)) return 0;
  if (d >= INT_MAX) return INT_MAX;
  if (d <= INT_MIN) return INT_MIN;
  return Math.trunc(d) + 0;
}

/** Java's `(long) d` for a `double` (JLS §5.1.3): truncation toward zero, NaN → 0, saturating, never `-0`. */
export function doubleToLong(d: number): Long {
  if (Number.isNaN(d)) return 0;
  const t = Math.trunc(d);
  if (Number.isSafeInteger(t)) return t + 0;
  if (t >= LONG_MAX_AS_DOUBLE) return LONG_MAX;
  if (t <= LONG_MIN_AS_DOUBLE) return LONG_MIN;
  return BigInt(t);
}

/** Java's `(int) l` for a `long` (JLS §5.1.3): the low 32 bits, as two's complement. */
export function longToInt(l: Long): number {
  if (typeof l === 'number' && l >= INT_MIN && l <= INT_MAX) return l + 0;
  return Number(BigInt.asIntN(32, BigInt(l)));
}

/**
 * Java `Byte/Short/Integer/Long.valueOf(s)` and `parseX(s)` (radix 10): an optional single `+`/`-`, then at
 * least one digit (`Character.digit`: any Unicode decimal digit, one UTF-16 unit each), nothing else (no
 * spaces), within the type's range. Returns `null` where Java throws `NumberFormatException`; `-0` reads as 0.
 * Longs beyond ±2^53 come back as `bigint` so no digit is lost.
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
    const [min, max] = NUMBER_RANGES[type];
    if (signed < min || signed > max) return null;
    return signed + 0; // never -0
  }
  const [min, max] = JAVA_INTEGER_RANGES[type];
  const limit = max + 1n;
  let value = 0n;
  for (; i < length; i++) {
    const d = javaDigit(s.charCodeAt(i));
    if (d < 0) return null;
    value = value * 10n + BigInt(d);
    if (value > limit) return null; // keeps a long run of digits from growing the bigint
  }
  if (negative) value = -value;
  return value < min || value > max ? null : normalizeLong(value);
}

/** Java `Integer.parseInt(s)` (radix 10), as {@link parseJavaInteger} with `int`; null where Java throws. */
export function parseJavaInt(s: string): number | null {
  return parseJavaInteger(s, 'int') as number | null;
}

/** Java `Long.parseLong(s)` (radix 10), as {@link parseJavaInteger} with `long`; null where Java throws. */
export function parseJavaLong(s: string): Long | null {
  return parseJavaInteger(s, 'long');
}
