import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatJavaDecimal,
  javaDoubleToString,
  javaFloatToString,
  javaTrim,
  parseJavaDouble,
  parseJavaFloat,
  parseJavaInteger,
} from '../../src/server/java-numbers.js';

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

describe('parseJavaDouble (Java Double.valueOf)', () => {
  it.each([
    ['1', 1],
    ['1e3', 1000],
    ['1E+3', 1000],
    ['1.5e-2', 0.015],
    ['.5', 0.5],
    ['5.', 5],
    ['+2.5', 2.5],
    ['-2.5', -2.5],
    ['  3.25\t\n', 3.25], // String.trim: everything ≤ U+0020
    ['1d', 1],
    ['1D', 1],
    ['2.5f', 2.5],
    ['2.5F', 2.5],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['+Infinity', Infinity],
    ['1e400', Infinity],
    ['1e-400', 0],
    ['0x1.8p1', 3],
    ['0X1P+3d', 8],
    ['0x.8p1', 1],
    ['0x10p0', 16],
    ['-0x1p-2', -0.25],
    ['0x1p-1074', 5e-324],
    ['0x1p-1075', 0], // exactly half the smallest subnormal rounds to even (zero)
    ['0x1.0000000000001p-1075', 5e-324],
    ['0x1.fffffffffffff7p1023', 1.7976931348623157e308],
    ['0x1.fffffffffffff8p1023', Infinity],
    ['0x1.00000000000008p0', 1], // half-even: tie rounds to the even mantissa
    ['0x1.00000000000018p0', 1.0000000000000004],
  ] as const)('%j → %s', (input, expected) => {
    expect(parseJavaDouble(input)).toBe(expected);
  });

  it('accepts NaN with or without a sign', () => {
    expect(parseJavaDouble('NaN')).toBeNaN();
    expect(parseJavaDouble('-NaN')).toBeNaN();
    expect(parseJavaDouble(' +NaN ')).toBeNaN();
  });

  it.each(['', ' ', '.', 'e5', '1e', '1e+', '--1', '1..2', '1_0', 'nan', 'inf', 'Infinityd', 'NaNf', '0x1p', '0x1.8', '0x', '1,5', '١', '1 2', '\u00a01'])(
    '%j is a NumberFormatException',
    (input) => {
      expect(parseJavaDouble(input)).toBeNull();
    },
  );

  it('rejects a long run of digits with a bad tail in one pass (no regex backtracking per split)', () => {
    expect(parseJavaDouble(`${'1'.repeat(65_536)}x`)).toBeNull();
    expect(parseJavaDouble(`${'1'.repeat(65_536)}.5`)).toBe(Number(`${'1'.repeat(65_536)}.5`));
  });

  it('reads back every finite double from its JS and Java text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        if (!Object.is(x, -0)) expect(parseJavaDouble(String(x))).toBe(x); // String(-0) is "0"
        expect(parseJavaDouble(javaDoubleToString(x))).toBe(x);
      }),
    );
  });

  it('Float.valueOf rounds to float precision', () => {
    expect(parseJavaFloat('0.1')).toBe(Math.fround(0.1));
    expect(parseJavaFloat('1e39')).toBe(Infinity);
    expect(parseJavaFloat('x')).toBeNull();
  });
});

describe('javaTrim', () => {
  it('strips chars ≤ U+0020 only', () => {
    expect(javaTrim('\u0000\t a \u001f')).toBe('a');
    expect(javaTrim('\u00a0a\u00a0')).toBe('\u00a0a\u00a0');
  });
});

describe('javaDoubleToString / javaFloatToString', () => {
  it.each([
    [1, '1.0'],
    [-1, '-1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.1, '0.1'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1234567.5, '1234567.5'],
    [1e7, '1.0E7'],
    [1.5e10, '1.5E10'],
    [123456789.123, '1.23456789123E8'],
    [1 / 3, '0.3333333333333333'],
    [5e-324, '4.9E-324'],
    [Number.MAX_VALUE, '1.7976931348623157E308'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('Double.toString(%s) = %s', (x, expected) => {
    expect(javaDoubleToString(x)).toBe(expected);
  });

  it.each([
    ['0.1', '0.1'],
    ['1e10', '1.0E10'],
    ['12345678', '1.2345678E7'],
    ['100', '100.0'],
    ['3.4028235e38', '3.4028235E38'],
    ['1.4e-45', '1.4E-45'],
  ])('Float.toString(%s) = %s', (input, expected) => {
    expect(javaFloatToString(parseJavaFloat(input) as number)).toBe(expected);
  });
});

describe('formatJavaDecimal (DecimalFormat("0.0"), 10 fraction digits, HALF_EVEN)', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [0.5, '0.5'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333'],
    [2 / 3, '0.6666666667'],
    [1e-12, '0.0'],
    [1e-10, '0.0000000001'],
    [0.30000000000000004, '0.3'],
    [0.99999999999, '1.0'], // the carry reaches the integer part
    [123456789.123, '123456789.123'],
    [1e20, '100000000000000000000.0'],
    [-0.25, '-0.25'],
    [-1e-12, '-0.0'], // DecimalFormat keeps the sign of a negative value that rounds to zero
    [0.3333333432674408, '0.3333333433'], // 1/3f, a range length in Java's integration test
    // Exact binary ties at the 11th fraction digit: HALF_EVEN looks at the 10th digit.
    [1 / 2048, '0.0004882812'], // 0.00048828125 → 2 is even: down
    [3 / 2048, '0.0014648438'], // 0.00146484375 → 7 is odd: up
    [5 / 2048, '0.0024414062'], // 0.00244140625
    [7 / 2048, '0.0034179688'], // 0.00341796875
  ])('%s → %s', (x, expected) => {
    expect(formatJavaDecimal(x)).toBe(expected);
  });

  it('settles a tie in the shortest digits with the exact value (JDK 8+)', () => {
    // The shortest digits of 1.5e-10 end in a 5 at the 11th place, but the double is just below 1.5e-10.
    expect(formatJavaDecimal(1.5e-10)).toBe('0.0000000001');
    expect(formatJavaDecimal(0.99999999995)).toBe('0.9999999999');
  });

  it('is within half a unit of the 10th fraction digit and never longer', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        const text = formatJavaDecimal(x);
        expect(text).toMatch(/^-?\d+\.\d{1,10}$/);
        expect(Math.abs(Number(text) - x)).toBeLessThanOrEqual(0.5e-10 + Math.abs(x) * 1e-15);
      }),
    );
  });
});
