/**
 * Java's integral types (`src/java/numbers/integers.ts`): the bounds, the primitive casts of JLS §5.1.3 and
 * radix-10 parsing (`Integer.parseInt`, `Long.parseLong`, `Byte`/`Short`). Expected values are what Java gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  doubleToInt,
  doubleToLong,
  INT_MAX,
  INT_MIN,
  isJavaInt,
  JAVA_INTEGER_RANGES,
  LONG_MAX,
  LONG_MAX_AS_DOUBLE,
  LONG_MIN,
  LONG_MIN_AS_DOUBLE,
  longToInt,
  normalizeLong,
  parseJavaInt,
  parseJavaInteger,
  parseJavaLong,
} from '../../src/java/numbers/index.js';

describe('bounds', () => {
  it('are Java\'s Integer/Long MIN_VALUE and MAX_VALUE', () => {
    expect(INT_MIN).toBe(-(2 ** 31));
    expect(INT_MAX).toBe(2 ** 31 - 1);
    expect(LONG_MIN).toBe(-(1n << 63n));
    expect(LONG_MAX).toBe((1n << 63n) - 1n);
    expect(LONG_MIN_AS_DOUBLE).toBe(Number(LONG_MIN));
    expect(LONG_MAX_AS_DOUBLE).toBe(Number(LONG_MAX)); // (double) Long.MAX_VALUE rounds up to 2^63
    expect(JAVA_INTEGER_RANGES.int).toEqual([BigInt(INT_MIN), BigInt(INT_MAX)]);
    expect(JAVA_INTEGER_RANGES.long).toEqual([LONG_MIN, LONG_MAX]);
  });

  it('isJavaInt accepts exactly the whole numbers of int range', () => {
    expect(isJavaInt(INT_MIN)).toBe(true);
    expect(isJavaInt(INT_MAX)).toBe(true);
    expect(isJavaInt(INT_MAX + 1)).toBe(false);
    expect(isJavaInt(INT_MIN - 1)).toBe(false);
    expect(isJavaInt(1.5)).toBe(false);
    expect(isJavaInt(NaN)).toBe(false);
    expect(isJavaInt('1')).toBe(false);
    expect(isJavaInt(1n)).toBe(false);
  });

  it('normalizeLong keeps safe integers as numbers and the rest as bigint', () => {
    expect(normalizeLong(9007199254740991n)).toBe(9007199254740991);
    expect(normalizeLong(-9007199254740991n)).toBe(-9007199254740991);
    expect(normalizeLong(9007199254740992n)).toBe(9007199254740992n);
    expect(normalizeLong(LONG_MIN)).toBe(LONG_MIN);
  });
});

describe('casts (JLS §5.1.3)', () => {
  it('(int) double saturates and truncates like Java', () => {
    expect(doubleToInt(NaN)).toBe(0);
    expect(doubleToInt(1e20)).toBe(2147483647);
    expect(doubleToInt(-1e20)).toBe(-2147483648);
    expect(doubleToInt(Infinity)).toBe(2147483647);
    expect(Object.is(doubleToInt(-0.5), 0)).toBe(true);
    expect(doubleToInt(2.9)).toBe(2);
    expect(doubleToInt(-2.9)).toBe(-2);
  });

  it('(long) double saturates and truncates like Java', () => {
    expect(doubleToLong(NaN)).toBe(0);
    expect(Object.is(doubleToLong(-0.5), 0)).toBe(true);
    expect(doubleToLong(-2.9)).toBe(-2);
    expect(doubleToLong(2 ** 60)).toBe(2n ** 60n);
    expect(doubleToLong(1e300)).toBe(LONG_MAX);
    expect(doubleToLong(-Infinity)).toBe(LONG_MIN);
    expect(doubleToLong(2 ** 63)).toBe(LONG_MAX);
    expect(doubleToLong(-(2 ** 63))).toBe(LONG_MIN);
  });

  it('(int) long keeps the low 32 bits', () => {
    expect(longToInt(5)).toBe(5);
    expect(longToInt(2147483648)).toBe(-2147483648);
    expect(longToInt(4294967297)).toBe(1);
    expect(longToInt(-1n)).toBe(-1);
    expect(longToInt(LONG_MAX)).toBe(-1);
    expect(longToInt(LONG_MIN)).toBe(0);
  });

  it('(int) long agrees with BigInt.asIntN on every long', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: LONG_MIN, max: LONG_MAX }), (n) => {
        expect(longToInt(normalizeLong(n))).toBe(Number(BigInt.asIntN(32, n)));
      }),
    );
  });
});

describe('parseJavaInteger (Java X.valueOf, radix 10)', () => {
  it.each([
    ['0', 'int', 0],
    ['-0', 'int', 0],
    ['+5', 'int', 5],
    ['-5', 'int', -5],
    ['007', 'int', 7],
    ['2147483647', 'int', 2147483647],
    ['-2147483648', 'int', -2147483648],
    ['127', 'byte', 127],
    ['-128', 'byte', -128],
    ['32767', 'short', 32767],
    ['-32768', 'short', -32768],
    ['9007199254740991', 'long', 9007199254740991],
    ['９', 'int', 9], // fullwidth digit: Character.digit accepts every Unicode decimal digit
    ['١٢٣', 'int', 123], // Arabic-Indic
  ] as const)('%s as %s → %s', (input, type, expected) => {
    const value = parseJavaInteger(input, type);
    expect(value).toBe(expected);
    expect(Object.is(value, -0)).toBe(false);
  });

  it('returns longs beyond 2^53 as bigint, exactly', () => {
    expect(parseJavaInteger('9223372036854775807', 'long')).toBe(9223372036854775807n);
    expect(parseJavaInteger('-9223372036854775808', 'long')).toBe(-9223372036854775808n);
    expect(parseJavaInteger('9007199254740993', 'long')).toBe(9007199254740993n);
  });

  it.each([
    ['', 'int'],
    ['+', 'int'],
    ['-', 'int'],
    ['+-1', 'int'],
    ['--1', 'int'],
    [' 1', 'int'], // no trimming in Integer.valueOf
    ['1 ', 'int'],
    ['1.0', 'int'],
    ['1e3', 'int'],
    ['0x10', 'int'],
    ['1_000', 'int'],
    ['2147483648', 'int'], // int overflow
    ['-2147483649', 'int'],
    ['99999999999999999999999', 'int'],
    ['128', 'byte'],
    ['-129', 'byte'],
    ['32768', 'short'],
    ['9223372036854775808', 'long'],
    ['-9223372036854775809', 'long'],
    ['NaN', 'long'],
    ['𝟙', 'int'], // a supplementary digit is two chars for Java's char-based parser: refused
  ] as const)('%j as %s is a NumberFormatException', (input, type) => {
    expect(parseJavaInteger(input, type)).toBeNull();
  });

  it('agrees with BigInt on every decimal string in range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const value = parseJavaInteger(n.toString(), 'long');
        expect(BigInt(value as number | bigint)).toBe(n);
      }),
    );
  });
});


describe('parseJavaInt / parseJavaLong (Integer.parseInt, Long.parseLong)', () => {
  it.each([
    ['0', 0],
    ['-0', 0],
    ['+7', 7],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['٣', 3], // Java's Integer.parseInt takes every Unicode decimal digit, as Pipet's UserAgent then does
    ['0000000000000000000000042', 42], // leading zeros never overflow
  ] as const)('Integer.parseInt(%j) → %s', (input, expected) => {
    expect(parseJavaInt(input)).toBe(expected);
  });

  it.each(['', '-', '2147483648', '-2147483649', ' 1', '1L', '0x1', '1.0'])('Integer.parseInt(%j) throws', (input) => {
    expect(parseJavaInt(input)).toBeNull();
  });

  it('Long.parseLong gives safe longs as numbers and the rest as bigint', () => {
    expect(parseJavaLong('123456789012345')).toBe(123456789012345);
    expect(parseJavaLong('-9007199254740991')).toBe(-9007199254740991);
    expect(parseJavaLong('9007199254740993')).toBe(9007199254740993n);
    expect(parseJavaLong('-9223372036854775808')).toBe(LONG_MIN);
    expect(parseJavaLong('9223372036854775808')).toBeNull();
    expect(parseJavaLong('9'.repeat(100_000))).toBeNull(); // refused without building a 100k-digit bigint
  });

  it('Integer.parseInt is Long.parseLong restricted to int range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[+-]?[0-9\u0660-\u0669]{0,22}$/), fc.string()), (s) => {
        const long = parseJavaLong(s);
        const expected = long !== null && long >= INT_MIN && long <= INT_MAX ? Number(long) : null;
        expect(parseJavaInt(s)).toBe(expected);
      }),
    );
  });
});
