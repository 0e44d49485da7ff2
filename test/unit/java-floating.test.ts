/**
 * Java's floating-point parsing and printing (`src/java/numbers/`), shared by the rule language (string
 * coercion, spec §3.4), force-group payloads (spec §4), Pipet's converters and Jackson output (spec §5.2,
 * §1.7). Expected values are what Java gives; where a case names a Java expression in a comment, that
 * expression was run on JDK 17 and JDK 25 and both agree unless the comment says otherwise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatJavaDecimal, javaDoubleToString, javaFloatToString, parseJavaDouble, parseJavaFloat } from '../../src/java/numbers/index.js';

/** Float neighbours of 1 and the float extremes, as the doubles they are. */
const FLOAT_AFTER_1 = 1 + 2 ** -23; // Math.nextUp(1f)
const FLOAT_MAX = 3.4028234663852886e38; // Float.MAX_VALUE
const FLOAT_MIN = 1.401298464324817e-45; // Float.MIN_VALUE

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

  it.each([
    // Subnormal and boundary hex literals: rounded once, half-even, at the subnormal precision.
    ['0x10p-1078', 5e-324], // Double.valueOf("0x10p-1078") == Double.MIN_VALUE (4.9E-324)
    ['0x1.8p-1075', 5e-324], // Double.valueOf("0x1.8p-1075"): above half of MIN_VALUE, rounds up to it
    ['-0x1p-1076', -0], // Double.valueOf("-0x1p-1076") is -0.0: a quarter of MIN_VALUE rounds to zero
    ['0x0.0000000000001p-1022', 5e-324], // Double.valueOf("0x0.0000000000001p-1022") == Double.MIN_VALUE
    ['0x1.ffffffffffffep-1023', 2.225073858507201e-308], // == Math.nextDown(Double.MIN_NORMAL), exact
    ['0x1.fffffffffffffp-1023', 2.2250738585072014e-308], // tie between the last subnormal and MIN_NORMAL: even
    ['0x1.000000000000080000000000000001p0', 1.0000000000000002], // a bit past the tie: rounds up to nextUp(1.0)
    // Exponents beyond int: Java checks for a zero significand first, then saturates to zero or infinity.
    ['0x0p2147483648', 0], // Double.valueOf("0x0p2147483648") is 0.0
    ['-0x1p2147483648', -Infinity], // Double.valueOf("-0x1p2147483648")
    ['-0x1p-2147483649', -0], // Double.valueOf("-0x1p-2147483649") is -0.0
    ['\t0x1p0\n', 1], // Double.valueOf("\t0x1p0\n"): trimmed like decimals
    // Decimal edges.
    ['4.9E-324', 5e-324], // Double.valueOf("4.9E-324") == Double.MIN_VALUE
    ['2.4703282292062328e-324', 5e-324], // just above half of MIN_VALUE
    ['2.4703282292062327e-324', 0], // just below it
    ['2.2250738585072011e-308', 2.225073858507201e-308], // the largest subnormal
    ['1.7976931348623157E308', Number.MAX_VALUE], // Double.valueOf("1.7976931348623157E308") == Double.MAX_VALUE
    ['1.7976931348623159e308', Infinity], // past MAX_VALUE + ulp/2
    ['1.0E7', 1e7],
    ['1.0E-3', 0.001],
    ['1.e5', 100000], // Double.valueOf("1.e5")
    ['1e5f', 100000], // Double.valueOf("1e5f"): the suffix follows the exponent
    ['-0.0', -0], // Double.valueOf("-0.0") is -0.0
    ['-0', -0],
    ['-1e-400', -0], // Double.valueOf("-1e-400") underflows to -0.0
    ['-0x0p0', -0],
  ] as const)('edge %j → %s', (input, expected) => {
    expect(parseJavaDouble(input)).toBe(expected);
  });

  it('reads hex exponents exactly, however many digits the significand has', () => {
    // Double.valueOf("0x1" + "0".repeat(30000) + "p-120000") is 1.0
    expect(parseJavaDouble(`0x1${'0'.repeat(30000)}p-120000`)).toBe(1);
    // Double.valueOf("0x0." + "0".repeat(30000) + "1p2147483647") is Infinity
    expect(parseJavaDouble(`0x0.${'0'.repeat(30000)}1p2147483647`)).toBe(Infinity);
    // Double.valueOf("0x1" + "0".repeat(30000) + "p-2147483648") is 0.0
    expect(parseJavaDouble(`0x1${'0'.repeat(30000)}p-2147483648`)).toBe(0);
  });

  it('reads back every subnormal from its Java text', () => {
    for (const k of [1, 2, 3, 7, 14, 1000, 2 ** 51, 2 ** 52 - 1]) {
      const x = k * 5e-324;
      expect(parseJavaDouble(javaDoubleToString(x))).toBe(x);
      expect(parseJavaDouble(javaDoubleToString(-x))).toBe(-x);
    }
    fc.assert(
      fc.property(fc.double({ min: -2.2250738585072014e-308, max: 2.2250738585072014e-308, noNaN: true }), (x) => {
        expect(parseJavaDouble(javaDoubleToString(x))).toBe(x);
      }),
    );
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

  it.each(['InfinityD', '1.5dd', '0x.p1', '0x1_0p0', '0x1p1.5', '１', '0x１p0', '1e5 f'])(
    '%j is a NumberFormatException too',
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

  it.each([
    // Decimals whose nearest double is exactly halfway between two floats: Java rounds the decimal itself once.
    ['1.00000005960464477539062500000000001', FLOAT_AFTER_1], // Float.valueOf(s) == Math.nextUp(1f)
    ['1.0000000596046448', FLOAT_AFTER_1], // Float.valueOf("1.0000000596046448") == Math.nextUp(1f)
    ['1.000000059604644775390625', 1], // the exact tie: half-even, Float.valueOf(s) == 1f
    ['1.0000001788139343', FLOAT_AFTER_1], // below the tie 1 + 3·2^-24: Float.valueOf(s) == Math.nextUp(1f)
    ['1.00000017881393432617187499999999999', FLOAT_AFTER_1],
    ['3.4028235677973366e38', FLOAT_MAX], // Float.valueOf("3.4028235677973366e38") == Float.MAX_VALUE
    ['3.40282356779733661637539395458142568448e38', Infinity], // exactly MAX_VALUE + ulp/2 (2^128 - 2^103): even
    ['3.4028235677973366163753939545814256844e38', FLOAT_MAX], // just below it
    ['7.0064923216240854e-46', FLOAT_MIN], // Float.valueOf("7.0064923216240854e-46") == Float.MIN_VALUE
    ['-7.0064923216240854e-46', -FLOAT_MIN],
    ['7.0064923216240853e-46', 0], // Float.valueOf("7.0064923216240853e-46") is 0.0
    // Hex literals round straight to float precision too.
    ['0x1.00000100000001p0', FLOAT_AFTER_1], // Float.valueOf("0x1.00000100000001p0") == Math.nextUp(1f)
    ['0x1.000001p0', 1], // the exact tie: half-even
    ['0x1.fffffefp127', FLOAT_MAX], // Float.valueOf("0x1.fffffefp127") == Float.MAX_VALUE
    ['0x1.ffffffp127', Infinity],
    ['0x1.8p-150', FLOAT_MIN], // Float.valueOf("0x1.8p-150") == Float.MIN_VALUE
    ['0x1p-150', 0], // half of Float.MIN_VALUE: half-even to 0.0
    ['-0.0', -0],
  ] as const)('Float.valueOf(%j) → %s', (input, expected) => {
    expect(parseJavaFloat(input)).toBe(expected);
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
    // Subnormals print at least two digits, the closest two (Double.toString(k * Double.MIN_VALUE)).
    [-5e-324, '-4.9E-324'], // Double.toString(-Double.MIN_VALUE)
    [3 * 5e-324, '1.5E-323'],
    [14 * 5e-324, '6.9E-323'], // not 7.0E-323
    [2.225073858507201e-308, '2.225073858507201E-308'], // Math.nextDown(Double.MIN_NORMAL)
    [2.2250738585072014e-308, '2.2250738585072014E-308'], // Double.MIN_NORMAL
    [1.1125369292536007e-308, '1.1125369292536007E-308'], // Double.longBitsToDouble(0x0008000000000000L)
    [-Number.MAX_VALUE, '-1.7976931348623157E308'],
    // The plain/scientific thresholds: plain for 10^-3 <= |x| < 10^7.
    [9999999.999999998, '9999999.999999998'], // Math.nextDown(1.0E7)
    [-1e7, '-1.0E7'],
    [-0.001, '-0.001'],
    [0.0009999999999999998, '9.999999999999998E-4'], // Math.nextDown(1.0E-3)
    [100, '100.0'],
    [1e21, '1.0E21'],
    [1e-5, '1.0E-5'],
  ])('Double.toString(%s) = %s', (x, expected) => {
    expect(javaDoubleToString(x)).toBe(expected);
  });

  it('follows the JDK 19+ Double.toString where older JDKs print other digits', () => {
    // JDK 19 (JDK-4511638) made Double.toString pick the shortest, closest digits. JDK 17 prints
    // Double.toString(2 * Double.MIN_VALUE) as 1.0E-323 and Double.toString(2.0E23) as 1.9999999999999998E23.
    expect(javaDoubleToString(2 * 5e-324)).toBe('9.9E-324'); // JDK 25
    expect(javaDoubleToString(2e23)).toBe('2.0E23'); // JDK 25
  });

  it.each([
    ['0.1', '0.1'],
    ['1e10', '1.0E10'],
    ['12345678', '1.2345678E7'],
    ['100', '100.0'],
    ['3.4028235e38', '3.4028235E38'],
    ['1.4e-45', '1.4E-45'],
    // Two equally close shortest candidates: the even digit (Float.toString(3010799.25f) = "3010799.2").
    ['3010799.25', '3010799.2'],
    ['3010799.75', '3010799.8'],
    ['276298.125', '276298.12'],
    ['2.8e-45', '2.8E-45'], // Float.toString(2 * Float.MIN_VALUE)
    ['-0.0', '-0.0'],
    ['1e7', '1.0E7'],
    ['0.001', '0.001'],
    ['0.0009999999', '9.999999E-4'], // Float.toString(Math.nextDown(0.001f))
    ['1.0000001', '1.0000001'], // Float.toString(Math.nextUp(1f))
  ])('Float.toString(%s) = %s', (input, expected) => {
    expect(javaFloatToString(parseJavaFloat(input) as number)).toBe(expected);
  });

  it('follows the JDK 19+ Float.toString where older JDKs print other digits', () => {
    // JDK 17: Float.toString(Float.MIN_NORMAL) = "1.17549435E-38", Float.toString(8.589934592E9f) = "8.5899346E9".
    expect(javaFloatToString(2 ** -126)).toBe('1.1754944E-38'); // JDK 25
    expect(javaFloatToString(2 ** 33)).toBe('8.589935E9'); // JDK 25
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
