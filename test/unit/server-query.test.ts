import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitTests } from '../../src/server/identify.js';
import { parseQuery } from '../../src/server/query.js';

function params(query: string | null): Record<string, string> {
  return Object.fromEntries(parseQuery(query));
}

describe('parseQuery (servlet getParameter semantics)', () => {
  it('keeps the first occurrence of each name', () => {
    expect(params('a=1&b=2&a=3')).toEqual({ a: '1', b: '2' });
  });

  it('decodes + and UTF-8 percent-encoding in names and values', () => {
    expect(params('ctx.na%6De=J%C3%BCrgen+M&x=%E2%82%AC')).toEqual({ 'ctx.name': 'Jürgen M', x: '€' });
  });

  it('treats a name without = as an empty value, skips empty names and empty pairs', () => {
    expect(params('a&=x&&b=&c==d&')).toEqual({ a: '', b: '', c: '=d' });
    expect(params(null)).toEqual({});
    expect(params('')).toEqual({});
    expect(params('&&&')).toEqual({});
  });

  it('keeps names such as __proto__ as plain parameters', () => {
    const result = parseQuery('__proto__=x&constructor=y') as ReadonlyMap<string, string>;
    expect(result.get('__proto__')).toBe('x');
    expect([...result.keys()]).toEqual(['__proto__', 'constructor']);
  });

  // Tomcat 9 `Parameters.processParameters`: `UDecoder` throws on a bad escape and the pair is skipped
  // (logged once, "Character decoding failed"); the other pairs still count.
  it.each(['a=%', 'a=%4', 'a=%zz', 'a=%G1', '%4=1', 'a=x%', 'a=%%41', 'a=%E0%A4%A'])('drops the pair %s, keeps the others', (pair) => {
    expect(params(`x=1&${pair}&y=2`)).toEqual({ x: '1', y: '2' });
  });

  it('a dropped pair does not hide a later occurrence of its name', () => {
    expect(params('a=%zz&a=ok')).toEqual({ a: 'ok' });
  });

  // Tomcat 9 `ByteChunk.toString` decodes the bytes with CodingErrorAction.REPLACE: malformed UTF-8 becomes U+FFFD.
  it.each([
    ['a=%FF', '\ufffd'],
    ['a=x%C3', 'x\ufffd'],
    ['a=%C0%80', '\ufffd\ufffd'],
    ['a=%ED%A0%80', '\ufffd\ufffd\ufffd'],
    ['a=%E0%A4', '\ufffd'],
  ])('reads malformed UTF-8 %s with replacement characters', (query, expected) => {
    expect(params(query)).toEqual({ a: expected });
  });

  it('reads raw bytes of the request target as UTF-8 (Node hands them over as latin1)', () => {
    expect(params('a=J\u00c3\u00bcrgen')).toEqual({ a: 'Jürgen' });
  });

  it('never throws, and every parameter it returns round-trips through encodeURIComponent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (query) => {
        for (const [name, value] of parseQuery(query)) {
          expect(typeof name).toBe('string');
          expect(typeof value).toBe('string');
        }
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (dict) => {
        const query = Object.entries(dict)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join('&');
        expect(params(query)).toEqual(Object.fromEntries(Object.entries(dict).filter(([k]) => k !== '')));
      }),
    );
  });
});

describe('splitTests (the test parameter)', () => {
  it('splits on commas, trims Guava whitespace, drops empties', () => {
    expect(splitTests(' a , b,,c ,\u00a0d\u3000,')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitTests('')).toEqual([]);
    expect(splitTests(',')).toEqual([]);
    expect(splitTests('\ufeffa')).toEqual(['\ufeffa']); // U+FEFF is not whitespace to Guava
  });
});
