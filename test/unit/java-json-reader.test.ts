/**
 * The Java floor's JSON: `readJson` reads numbers as Jackson's untyped deserializer does (`UntypedObjectDeserializer`
 * with default features: an int literal is an Integer when it fits an int, else a Long, else a BigInteger; a
 * literal with a fraction or exponent is a Double), accepts comments only when asked (`ALLOW_COMMENTS`), and
 * otherwise accepts exactly what `JSON.parse` accepts; `stringifyJson` writes `JSON.stringify`'s text with
 * Jackson's numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JavaDouble, JavaInt, javaInt } from '../../src/java/boxes.js';
import { isJsonDouble, jsonNumber } from '../../src/java/json.js';
import { JsonSyntaxError, readJson, toJavaNumbers } from '../../src/java/json-reader.js';
import { stringifyJson } from '../../src/java/json-stringify.js';

describe('readJson, java numbers (Jackson into Object)', () => {
  const java = (text: string): unknown => readJson(text, { numbers: 'java' });

  it.each([
    ['1', javaInt(1)],
    ['-0', javaInt(0)],
    ['2147483647', javaInt(2147483647)],
    ['-2147483648', javaInt(-2147483648)],
    ['2147483648', 2147483648],
    ['-2147483649', -2147483649],
    ['9007199254740993', 9007199254740993n],
    ['9223372036854775807', 9223372036854775807n],
    ['123456789012345678901234567890', 123456789012345678901234567890n],
    ['1.5', 1.5],
    ['120.0', new JavaDouble(120)],
    ['1e3', new JavaDouble(1000)],
    ['1E-2', 0.01],
    ['-0.0', new JavaDouble(-0)],
    ['1e400', Infinity],
  ] as const)('%s → %o', (text, expected) => {
    expect(java(text)).toEqual(expected);
  });

  it('types numbers inside objects and arrays', () => {
    expect(java('{"a": [1, 2.0, "3"], "b": {"c": 3000000000}}')).toEqual({
      a: [javaInt(1), new JavaDouble(2), '3'],
      b: { c: 3000000000 },
    });
  });
});

describe('readJson, plain numbers with the Doubles marked', () => {
  it('gives what JSON.parse gives, and marks each whole Double on its container', () => {
    const text = '{"price": 120.0, "count": 120, "list": [1, 1.0, 1e2, 2.5], "n": {"x": -0.0}}';
    const doc = readJson(text) as { list: unknown[]; n: object };
    expect(doc).toEqual(JSON.parse(text));
    expect(isJsonDouble(doc, 'price')).toBe(true);
    expect(isJsonDouble(doc, 'count')).toBe(false);
    expect([0, 1, 2, 3].map((i) => isJsonDouble(doc.list, i))).toEqual([false, true, true, false]);
    expect(isJsonDouble(doc.n, 'x')).toBe(true);
    expect(Object.is((doc.n as { x: number }).x, -0)).toBe(true);
  });

  it('keeps the last of repeated keys, with its own type', () => {
    const doc = readJson('{"a": 1.0, "a": 1}') as object;
    expect(doc).toEqual({ a: 1 });
    expect(isJsonDouble(doc, 'a')).toBe(false);
  });

  it('makes __proto__ an own key, as JSON.parse does', () => {
    const doc = readJson('{"__proto__": {"polluted": 1.0}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.keys(doc)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads deep nesting without recursion', () => {
    const depth = 200_000;
    const doc = readJson(`${'['.repeat(depth)}1.0${']'.repeat(depth)}`);
    let v: unknown = doc;
    for (let i = 0; i < depth; i++) v = (v as unknown[])[0];
    expect(v).toBe(1);
  });

  it('converts to java numbers by the marks (toJavaNumbers)', () => {
    const doc = readJson('{"a": 1, "b": 1.0, "c": [2.5, 3e0], "d": 5000000000}');
    expect(toJavaNumbers(doc)).toEqual({ a: javaInt(1), b: new JavaDouble(1), c: [2.5, new JavaDouble(3)], d: 5000000000 });
  });

  it('accepts and rejects exactly what JSON.parse does (property)', () => {
    const jsonText = fc.json();
    const mutated = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ' ', ',', '}', ']', '"', '0', '-', '.', 'e', '\\', '/', '\t', '\u000b', 'nul'))
      .map(([t, at, insert]) => t.slice(0, at % (t.length + 1)) + insert + t.slice(at % (t.length + 1)));
    fc.assert(
      fc.property(fc.oneof(jsonText, mutated, fc.string()), (text) => {
        let expected: unknown;
        let ok = true;
        try {
          expected = JSON.parse(text);
        } catch {
          ok = false;
        }
        if (!ok) {
          expect(() => readJson(text)).toThrow(JsonSyntaxError);
          return;
        }
        // The one difference: Jackson reads the int literal -0 as 0 (JSON.stringify writes both as 0).
        expect(JSON.stringify(readJson(text))).toBe(JSON.stringify(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('names the line and column of a syntax error', () => {
    expect(() => readJson('{\n  "a": 01\n}')).toThrow(/leading zeros are not allowed, found "1" at line 2, column 9/);
    expect(() => readJson('{"a": 1} x')).toThrow(/expected the end of the document/);
    expect(() => readJson('')).toThrow(/expected a JSON value, found the end of the text/);
  });
});

describe('readJson with comments (Jackson ALLOW_COMMENTS)', () => {
  const text = `// the app's specification
  {
    /* required tests */ "tests": { "a": 1 }, // one
    "x": [1, /* two */ 2]
  }
  /* trailing */`;

  it('skips // and /* */ comments wherever whitespace may be', () => {
    expect(readJson(text, { comments: true })).toEqual({ tests: { a: 1 }, x: [1, 2] });
  });

  it('refuses them without the option, and refuses an unterminated one or a lone slash with it', () => {
    expect(() => readJson(text)).toThrow(JsonSyntaxError);
    expect(() => readJson('{"a": 1} /* open', { comments: true })).toThrow(/unterminated \/\* comment/);
    expect(() => readJson('{"a": / 1}', { comments: true })).toThrow(/expected '\/\/' or '\/\*'/);
    expect(() => readJson('{"a": 1} # yaml', { comments: true })).toThrow(JsonSyntaxError);
  });

  it('keeps comment-like text inside strings', () => {
    expect(readJson('{"url": "http://x/*y*/"}', { comments: true })).toEqual({ url: 'http://x/*y*/' });
  });
});

describe('jsonNumber and stringifyJson', () => {
  it('writes Longs and Integers as digits, Doubles as Double.toString does', () => {
    expect(jsonNumber(120)).toBe('120');
    expect(jsonNumber(120, 'double', true)).toBe('120.0');
    expect(jsonNumber(new JavaDouble(1000))).toBe('1000.0');
    expect(jsonNumber(new JavaDouble(1e10))).toBe('1.0E10');
    expect(jsonNumber(new JavaInt(7))).toBe('7');
    expect(jsonNumber(9223372036854775807n)).toBe('9223372036854775807');
    expect(jsonNumber(0.1)).toBe('0.1');
    expect(jsonNumber(1e21)).toBe('1.0E21');
  });

  it('is JSON.stringify for plain values, at every indent (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), (value, indent) => {
        // JSON.stringify writes -0 as 0 and floats in JS's format; jsonNumber writes Java's: compare parsed.
        expect(JSON.parse(stringifyJson(value, indent))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
    expect(stringifyJson({ a: [1, 'x', null, true], b: {}, c: [] }, 2)).toBe(JSON.stringify({ a: [1, 'x', null, true], b: {}, c: [] }, null, 2));
    expect(stringifyJson({ u: undefined, f: () => 1, d: new Date(0) })).toBe(JSON.stringify({ u: undefined, f: () => 1, d: new Date(0) }));
  });

  it('writes the Doubles of values read from JSON text as Jackson does', () => {
    const text = '{"price":120.0,"count":120,"big":1e3,"list":[1.0,2]}';
    expect(stringifyJson(readJson(text))).toBe('{"price":120.0,"count":120,"big":1000.0,"list":[1.0,2]}');
    expect(stringifyJson({ n: 5n, d: new JavaDouble(2), i: javaInt(2), nan: NaN })).toBe('{"n":5,"d":2.0,"i":2,"nan":"NaN"}');
  });

  it('refuses cycles as JSON.stringify does', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => stringifyJson(a)).toThrow(TypeError);
  });
});
