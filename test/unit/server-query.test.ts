import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitTests } from '../../src/server/identify.js';
import { parseQuery, QueryError } from '../../src/server/query.js';

function params(query: string | null): Record<string, string> {
  const result = parseQuery(query);
  if (result instanceof QueryError) throw new Error(result.message);
  return Object.fromEntries(result);
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

  it.each(['a=%FF', 'a=%E0%A4%A', 'a=%', 'a=%4', 'a=%zz', '%FF=1', 'a=%C0%80', 'a=%ED%A0%80'])('reports %s as malformed', (query) => {
    expect(parseQuery(query)).toBeInstanceOf(QueryError);
  });

  it('never throws, and every parameter it returns round-trips through encodeURIComponent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (query) => {
        const result = parseQuery(query);
        if (result instanceof QueryError) return;
        for (const [name, value] of result) {
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
