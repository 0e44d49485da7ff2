/** Jackson-style JSON text (`src/java/json.ts`): string literals and floating-point numbers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDouble, jsonString } from '../../src/java/json.js';

describe('jsonString (Jackson writeString)', () => {
  it('escapes quotes, backslashes and control characters, with upper-case hex', () => {
    expect(jsonString('a\u001fb"\\\n')).toBe('"a\\u001Fb\\"\\\\\\n"');
    expect(jsonString('\b\t\n\f\r\u0000\u007f')).toBe('"\\b\\t\\n\\f\\r\\u0000\u007f"'); // DEL is not escaped
    expect(jsonString('é😀\u2028')).toBe('"é😀\u2028"');
  });

  it('never mistakes a literal backslash before "u" for an escape', () => {
    expect(jsonString('\\u00ab')).toBe('"\\\\u00ab"');
    expect(jsonString('\\ud800')).toBe('"\\\\ud800"');
  });

  it('escapes lone surrogates with upper-case hex (Jackson writes them raw; UTF-8 and encodeURIComponent cannot)', () => {
    expect(jsonString('\ud800x\udfff')).toBe('"\\uD800x\\uDFFF"');
    expect(jsonString('\ud83d\ude00')).toBe('"\ud83d\ude00"');
    expect(() => encodeURIComponent(jsonString('\ud800'))).not.toThrow();
  });

  it('reads back as the same string, and writes hex escapes in upper case only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const text = jsonString(s);
        expect(JSON.parse(text)).toBe(s);
        expect(text.replace(/\\\\/g, '')).not.toMatch(/\\u[0-9A-F]{0,3}[a-f]/);
      }),
    );
  });
});

describe('jsonDouble', () => {
  it.each([
    [1, 'double', '1.0'],
    [1e-4, 'double', '1.0E-4'],
    [1e7, 'double', '1.0E7'],
    [0.1, 'float', '0.1'],
    [Math.fround(0.1), 'float', '0.1'],
    [1 / 3, 'decimal', '0.3333333333'],
    [1e-12, 'decimal', '0.0'],
    [1e10, 'plain', '10000000000.0'],
    [1e-7, 'plain', '0.0000001'],
    [-0, 'plain', '-0.0'],
    [5e-324, 'plain', `0.${'0'.repeat(323)}5`],
    [123.5, 'plain', '123.5'],
  ] as const)('%s as %s → %s', (value, style, expected) => {
    expect(jsonDouble(value, style)).toBe(expected);
  });

  it('quotes NaN and the infinities in every style, as Jackson does by default', () => {
    for (const style of ['double', 'float', 'decimal', 'plain'] as const) {
      expect([NaN, Infinity, -Infinity].map((d) => jsonDouble(d, style))).toEqual(['"NaN"', '"Infinity"', '"-Infinity"']);
    }
  });

  it('plain reads back as the same double and has no exponent', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const text = jsonDouble(d, 'plain');
        expect(text).toMatch(/^-?[0-9]+\.[0-9]+$/);
        expect(Object.is(Number(text), d)).toBe(true);
      }),
    );
  });
});
