// Pure wire-format functions of the Pipet source (no server): properties over arbitrary inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactQueries } from '../../src/sources/pipet-http.js';
import { cacheParams, identifyQuery, parseIdentifyResponse, parseMatrixResponse, wireValue } from '../../src/sources/pipet-wire.js';

const name = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes(','));
const map = fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }), { maxKeys: 5 });

describe('identifyQuery', () => {
  it('round-trips every identifier, context value, the test list and force groups', () => {
    fc.assert(
      fc.property(map, map, fc.array(name, { maxLength: 5 }), fc.option(fc.string({ maxLength: 10 })), (ids, ctx, tests, force) => {
        const query = new URLSearchParams(identifyQuery({ identifiers: ids, context: ctx, tests, forceGroups: force }));
        const expected = new Map<string, string>();
        for (const [k, v] of Object.entries(ctx)) expected.set(`ctx.${k}`, v);
        for (const [k, v] of Object.entries(ids)) expected.set(`id.${k}`, v);
        expected.set('test', tests.join(','));
        if (force !== null && force !== '') expected.set('prforceGroups', force);
        expect(new Map(query)).toEqual(expected);
      }),
    );
  });

  it('does not depend on key order', () => {
    fc.assert(
      fc.property(map, (ctx) => {
        const reversed = Object.fromEntries(Object.entries(ctx).reverse());
        const base = { identifiers: { USER: 'u' }, tests: ['t'], forceGroups: null };
        expect(identifyQuery({ ...base, context: reversed })).toBe(identifyQuery({ ...base, context: ctx }));
      }),
    );
  });

  it('cache params separate test lists that join to the same string', () => {
    expect(cacheParams('u', ['a,b'])).not.toBe(cacheParams('u', ['a', 'b']));
  });
});

describe('wireValue', () => {
  it.each<[unknown, string | null]>([
    ['x', 'x'],
    ['', ''],
    [true, 'true'],
    [false, 'false'],
    [0, '0'],
    [-1.5, '-1.5'],
    [Number.NaN, 'NaN'],
    [12n, '12'],
    [null, null],
    [undefined, null],
    [Symbol('s'), null],
    [() => 1, null],
    [[1, 'a'], '[1,"a"]'],
    [{ a: { b: null } }, '{"a":{"b":null}}'],
    [new Date(0), '1970-01-01T00:00:00.000Z'],
    [new Date(Number.NaN), null],
    [{ big: 1n }, null],
  ])('%o → %o', (value, expected) => {
    expect(wireValue(value)).toBe(expected);
  });

  it('omits cyclic objects instead of throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(wireValue(cyclic)).toBeNull();
  });
});

describe('parseIdentifyResponse', () => {
  it('never throws on any body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (status, body) => {
        const parsed = parseIdentifyResponse(status, body, ['a', 'b']);
        expect(typeof parsed.ok).toBe('boolean');
      }),
    );
  });

  it('keeps payloads in matrix shape and drops empty or unknown ones', () => {
    const body = JSON.stringify({
      data: {
        groups: {
          a: { name: 'x', value: 1, payload: { map: { k: 1 } }, version: 3 },
          b: { name: 'y', value: 0, payload: { UNRECOGNIZED: 1 } },
          c: { name: 'z', value: 2, payload: [] },
        },
        audit: { version: 7 },
      },
      meta: { status: 200 },
    });
    expect(parseIdentifyResponse(200, body, ['c', 'b', 'a'])).toEqual({
      ok: true,
      groups: {
        c: { name: 'z', value: 2, payload: null, allocationId: null, version: null },
        b: { name: 'y', value: 0, payload: null, allocationId: null, version: null },
        a: { name: 'x', value: 1, payload: { map: { k: 1 } }, allocationId: null, version: '3' },
      },
      matrixVersion: '7',
      malformed: [],
    });
  });

  it('does not read inherited properties as groups', () => {
    const body = '{"data":{"groups":{},"audit":{"version":"1"}},"meta":{"status":200}}';
    expect(parseIdentifyResponse(200, body, ['toString', '__proto__'])).toMatchObject({ ok: true, groups: {} });
  });

  it('reports non-200 statuses with meta.error when enveloped', () => {
    expect(parseIdentifyResponse(503, '{"data":{},"meta":{"status":503,"error":"busy"}}', [])).toMatchObject({ ok: false, error: 'HTTP 503: busy' });
    expect(parseIdentifyResponse(502, '<html>', [])).toMatchObject({ ok: false, error: 'HTTP 502' });
    expect(parseIdentifyResponse(200, '{"data":{"groups":[]}}', [])).toMatchObject({ ok: false, error: 'HTTP 200 without data.groups' });
  });
});

describe('parseMatrixResponse', () => {
  it('accepts any object with tests and defaults a missing audit to {}', () => {
    expect(parseMatrixResponse(200, '{"tests":{}}')).toEqual({ ok: true, matrix: { audit: {}, tests: {} } });
    expect(parseMatrixResponse(200, '{"tests":[]}')).toMatchObject({ ok: false });
    expect(parseMatrixResponse(404, '{"meta":{"error":"nope"}}')).toEqual({ ok: false, error: 'HTTP 404: nope' });
  });

  it('refuses a matrix nested deeper than the loader accepts (the show page writes it back out)', () => {
    const payload = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const doc = (depth: number) => `{"audit":{"version":"1"},"tests":{"deep":{"buckets":[{"name":"a","value":0,"payload":{"json":${payload(depth)}}}]}}}`;
    expect(parseMatrixResponse(200, doc(200))).toMatchObject({ ok: true });
    const refused = parseMatrixResponse(200, doc(6000));
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok ? '' : refused.error).toContain('a matrix may nest at most 256 levels');
  });
});

describe('redactQueries', () => {
  it('removes query strings (identifiers) from error messages', () => {
    expect(redactQueries('request to http://h:1/groups/identify?id.USER=bob&test=a failed, reason: x')).toBe(
      'request to http://h:1/groups/identify?… failed, reason: x',
    );
    expect(redactQueries('while trying to fetch https://h/groups/identify?id.USER=bob: aborted')).toBe(
      'while trying to fetch https://h/groups/identify?…: aborted',
    );
    expect(redactQueries('fetch failed')).toBe('fetch failed');
  });
});
