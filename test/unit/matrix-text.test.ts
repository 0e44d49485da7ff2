// The stepwise matrix text parse (src/sources/matrix-text.ts) gives what JSON.parse gives (plus Java's whole
// decimals in constants, as parseTestMatrix restores them), and the same error for invalid text: checked on
// generated documents, cut into tests whatever their size (splitAbove 0), and on the cases the scan hands
// back to a whole parse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatrixError } from '../../src/errors.js';
import { readMatrixJson } from '../../src/matrix/read-json.js';
import { JavaDouble, JavaInt } from '../../src/rules/values.js';
import { drain, parseTestMatrix } from '../../src/matrix/parse.js';
import { parseMatrixTextSteps } from '../../src/sources/matrix-text.js';
import { bigMatrixText } from '../support/big-matrix.js';

/** What parseTestMatrix works on for a text: the whole text read at once, as Jackson reads it. */
function reference(text: string): unknown {
  return readMatrixJson(text);
}

function split(text: string): unknown {
  return drain(parseMatrixTextSteps(text, 0));
}

/**
 * A canonical form for comparing documents: own keys in order, Java doubles marked, prototypes named.
 * (toStrictEqual compares `.constructor`, which a document with a "constructor" key has as its own.)
 */
function canon(value: unknown): unknown {
  if (value instanceof JavaDouble) return { javaDouble: value.value };
  if (value instanceof JavaInt) return { javaInt: value.value };
  if (typeof value === 'bigint') return { bigint: String(value) };
  if (Array.isArray(value)) return value.map(canon);
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  return {
    proto: proto === Object.prototype ? 'Object' : String(proto),
    entries: Object.keys(value).map((k) => [k, canon((value as Record<string, unknown>)[k])]),
  };
}

function same(actual: unknown, expected: unknown): void {
  expect(canon(actual)).toEqual(canon(expected));
}

/** The error a function throws (its class and message), or 'ok'. */
function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'tests', 'audit', 'a"b', 'x\\y', '\u2028', 'é'));
const test = fc.record({
  testType: fc.constantFrom('USER', 'ACCOUNT'),
  constants: fc.oneof(fc.constant({}), fc.dictionary(key, fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string()))),
  buckets: fc.array(fc.record({ name: fc.string(), value: fc.integer(), payload: fc.jsonValue() }), { maxLength: 3 }),
  extra: fc.jsonValue(),
});
const documentArb = fc.record({
  audit: fc.record({ version: fc.string(), updated: fc.integer() }),
  tests: fc.dictionary(key, fc.oneof(test, fc.constant(null), fc.jsonValue()), { maxKeys: 6 }),
  other: fc.jsonValue(),
});

describe('parseMatrixTextSteps', () => {
  it('gives the same document as reading the whole text, in any layout', () => {
    fc.assert(
      fc.property(documentArb, fc.constantFrom(undefined, 2, '\t', ' \n '), (doc, indent) => {
        const text = JSON.stringify(doc, null, indent);
        same(split(text), reference(text));
      }),
      { numRuns: 300 },
    );
  });

  it('whole decimals in constants become Java doubles, as parseTestMatrix makes them', () => {
    const text = '{"audit":{"version":"1"},"tests":{"a":{"testType":"USER","constants":{"D":[1.5, 2.0], "E": 1e3, "S": "2.0"}}}}';
    same(split(text), reference(text));
    const constants = (split(text) as { tests: { a: { constants: Record<string, unknown> } } }).tests.a.constants;
    expect((constants['D'] as unknown[])[1]).not.toBe(2);
    expect(constants['S']).toBe('2.0');
  });

  it('keeps JSON.parse’s key semantics: __proto__ is a key, the last duplicate wins in the first one’s place', () => {
    const text = '{"audit":{"version":"1"},"tests":{"__proto__":{"testType":"USER"},"a":1,"b":2,"a":3},"x":[{"tests":0}]}';
    const doc = split(text) as { tests: Record<string, unknown> };
    same(doc, reference(text));
    expect(Object.keys(doc.tests)).toEqual(['__proto__', 'a', 'b']);
    expect(Object.getPrototypeOf(doc.tests)).toBe(Object.prototype);
    expect(doc.tests['a']).toBe(3);
  });

  it.each([
    ['two top-level tests', '{"tests":{"a":1},"audit":{},"tests":{"b":2}}'],
    ['tests not an object', '{"audit":{},"tests":[1,2]}'],
    ['no tests', '{"audit":{"version":"1"}}'],
    ['escapes in keys and strings', '{"te\\u0073ts":{"k\\"ey":"v\\\\","q":"\\"}"},"audit":{}}'],
    ['an empty object', '{}'],
    ['not an object', '[1,2]'],
  ])('%s: the same document', (_label, text) => {
    same(split(text), reference(text));
  });

  it.each([
    ['truncated', '{"audit":{"version":"1"},"tests":{"a":{"testType":"USER"'],
    ['a missing comma between tests', '{"audit":{},"tests":{"a":{} "b":{}}}'],
    ['a bad value inside a test', '{"audit":{},"tests":{"a":{"x":tru}}}'],
    ['trailing text', '{"audit":{},"tests":{"a":{}}} x'],
    ['a bad escape in a key', '{"audit":{},"tests":{"\\q":{}}}'],
    ['a comment', '{"audit":{},/* c */"tests":{}}'],
    ['unbalanced brackets', '{"audit":{},"tests":{"a":[}}}'],
    ['empty', ''],
  ])('%s: the MatrixError parseTestMatrix throws', (_label, text) => {
    const expected = outcome(() => parseTestMatrix(text));
    expect(expected).toMatch(/^MatrixError: matrix is not valid JSON: /);
    expect(outcome(() => split(text))).toBe(expected);
  });

  it('any cut of a real matrix: the same document or the same error', () => {
    const text = JSON.stringify(JSON.parse(bigMatrixText(12)), null, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), fc.integer({ min: 0, max: 40 }), (at, drop) => {
        const cut = text.slice(0, at) + text.slice(at + drop);
        let expected: unknown;
        try {
          expected = reference(cut);
        } catch {
          expect(outcome(() => split(cut))).toBe(outcome(() => parseTestMatrix(cut)));
          return;
        }
        same(split(cut), expected);
      }),
      { numRuns: 500 },
    );
  });

  it('a large text pauses many times (after every test)', () => {
    const text = bigMatrixText(300);
    let pauses = 0;
    const steps = parseMatrixTextSteps(text, 1024);
    for (let step = steps.next(); step.done !== true; step = steps.next()) pauses++;
    expect(pauses).toBeGreaterThan(300);
    // Below the threshold: one JSON.parse, no pause.
    const small = parseMatrixTextSteps(text);
    expect(small.next().done).toBe(true);
  });

  it('errors in the document other than JSON syntax are left to parseTestMatrix', () => {
    const text = '{"audit":{"version":{}},"tests":{}}';
    same(split(text), reference(text));
    expect(() => parseTestMatrix(split(text))).toThrowError(MatrixError);
  });
});
