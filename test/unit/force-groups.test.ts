import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_FORCE_GROUPS,
  applyForcedPayload,
  generateForceGroups,
  parseForceGroups,
  type ForceGroups,
  type ForceGroupsDefaultMode,
} from '../../src/engine/force-groups/index.js';
import { Proctor } from '../../src/engine/proctor.js';
import { stringifyJson } from '../../src/java/json-stringify.js';
import type { Payload } from '../../src/matrix/types.js';
import { readVectors } from '../support/vectors.js';

interface ForceRow {
  readonly forceGroups: string;
  readonly forcePayloadTests: readonly string[];
  readonly parsed: {
    readonly forceGroups: Readonly<Record<string, number>>;
    readonly forcePayloads: Readonly<Record<string, Payload>>;
    readonly defaultMode: ForceGroupsDefaultMode;
  };
  readonly assignment: {
    readonly tests: Readonly<
      Record<string, { readonly bucket: { readonly value: number; readonly payload: Payload | null }; readonly allocation: unknown }>
    >;
  };
}

interface ForceVectors {
  readonly matrix: {
    readonly tests: Readonly<
      Record<string, { readonly buckets: readonly { readonly value: number; readonly payload?: Payload | null }[] }>
    >;
  };
  readonly rows: readonly ForceRow[];
}

const vectors = readVectors<ForceVectors>('force.json');

/** The parsed shape of the vectors, for comparison. */
function plain(fg: ForceGroups): ForceRow['parsed'] {
  return {
    forceGroups: Object.fromEntries(fg.groups),
    forcePayloads: Object.fromEntries(fg.payloads),
    defaultMode: fg.defaultMode,
  };
}

function parse(input: string): ForceRow['parsed'] {
  return plain(parseForceGroups(input));
}

describe('force.json rows: parsed', () => {
  const rows = vectors.rows.map((r, i) => [i, JSON.stringify(r.forceGroups).slice(0, 80), r] as const);
  it.each(rows)('#%i %s', (_i, _s, row) => {
    const fg = parseForceGroups(row.forceGroups, { forcePayloadTests: new Set(row.forcePayloadTests) });
    expect(plain(fg)).toEqual(row.parsed);
  });
});

describe('spec §4.2 examples and Java quirks', () => {
  it('examples', () => {
    expect(parse('abc1,default_to_fallback')).toEqual({
      forceGroups: { abc: 1 },
      forcePayloads: {},
      defaultMode: 'FALLBACK',
    });
    expect(parse('abc1,abc2').forceGroups).toEqual({ abc: 2 });
    expect(parse('abc1;stringValue:"a,b",def2;doubleValue:0.2')).toEqual({
      forceGroups: { abc: 1, def: 2 },
      forcePayloads: { abc: { stringValue: 'a,b' }, def: { doubleValue: 0.2 } },
      defaultMode: 'NONE',
    });
    expect(parse('abc-1').forceGroups).toEqual({ abc: -1 });
    expect(parse('mytst12').forceGroups).toEqual({ mytst: 12 });
    expect(parse('ab21').forceGroups).toEqual({ ab: 21 });
    expect(parse('foo-bar1').forceGroups).toEqual({ bar: 1 });
    expect(parse('abc1;stringValue:unquoted').forceGroups).toEqual({});
  });

  it('empty and blank strings give the shared empty value', () => {
    for (const s of ['', ' ', ',', ' , ', '\t\n', '!!!', 'nothing_here']) {
      expect(parseForceGroups(s)).toBe(EMPTY_FORCE_GROUPS);
    }
    expect(plain(EMPTY_FORCE_GROUPS)).toEqual({ forceGroups: {}, forcePayloads: {}, defaultMode: 'NONE' });
  });

  it('a one-character test name is never forced (Java getBucketValueStart), unless the value is negative', () => {
    expect(parse('a1').forceGroups).toEqual({});
    expect(parse('_7').forceGroups).toEqual({});
    expect(parse('12').forceGroups).toEqual({});
    expect(parse('a-1').forceGroups).toEqual({ a: -1 });
    expect(parse('1a1').forceGroups).toEqual({ '1a': 1 });
    expect(parse('ab1-2').forceGroups).toEqual({ ab1: -2 });
  });

  it('only a match followed by "," or the end counts, and the search resumes after it', () => {
    expect(parse('abc1 ').forceGroups).toEqual({});
    expect(parse('abc1x,def2').forceGroups).toEqual({ def: 2 });
    expect(parse('abc1x').forceGroups).toEqual({}); // "abc1" is skipped, then "x" is no group
    expect(parse('xyz abc1').forceGroups).toEqual({ abc: 1 });
    expect(parse('ÄBC12').forceGroups).toEqual({ BC: 12 }); // \w is ASCII
    expect(parse('abc٣').forceGroups).toEqual({});
    expect(parse('abc1,,,def2').forceGroups).toEqual({ abc: 1, def: 2 });
    expect(parse('abc-1-2').forceGroups).toEqual({});
    expect(parse('abc--1').forceGroups).toEqual({});
  });

  it('default-mode tokens: lowercase, exact, last wins', () => {
    expect(parse('DEFAULT_TO_MIN_LIVE').defaultMode).toBe('NONE');
    expect(parse('default_to_min_live,abc1,default_to_fallback').defaultMode).toBe('FALLBACK');
    expect(parse('x,default_to_min_live').defaultMode).toBe('MIN_LIVE');
    expect(parse('default_to_min_live1').forceGroups).toEqual({ default_to_min_live: 1 });
    expect(parse('constructor,__proto__,toString').defaultMode).toBe('NONE');
  });

  it('int32 bounds; leading zeros', () => {
    expect(parse('abc2147483647').forceGroups).toEqual({ abc: 2147483647 });
    expect(parse('abc-2147483648').forceGroups).toEqual({ abc: -2147483648 });
    expect(parse('abc2147483648').forceGroups).toEqual({});
    expect(parse('abc-2147483649').forceGroups).toEqual({});
    expect(parse('abc0000000000000000000000007').forceGroups).toEqual({ abc: 7 });
    expect(Object.is(parse('abc-0').forceGroups.abc, 0)).toBe(true);
  });

  it('later entries win; a payload survives a later entry without one', () => {
    expect(parse('abc1;longValue:5,abc2')).toEqual({
      forceGroups: { abc: 2 },
      forcePayloads: { abc: { longValue: 5 } },
      defaultMode: 'NONE',
    });
    expect(parse('abc1;longValue:5,abc2;longValue:6').forcePayloads).toEqual({ abc: { longValue: 6 } });
    expect(parse('abc1;longValue:5,abc2;longValue:x7').forcePayloads).toEqual({ abc: { longValue: 5 } });
    // An out-of-range group is skipped with its payload.
    expect(parse('abc1;longValue:5,abc9999999999;longValue:6')).toEqual({
      forceGroups: { abc: 1 },
      forcePayloads: { abc: { longValue: 5 } },
      defaultMode: 'NONE',
    });
  });

  it('payloads only for allowed tests; all by default', () => {
    const s = 'abc1;longValue:5,def2;longValue:6';
    expect(Object.keys(parse(s).forcePayloads)).toEqual(['abc', 'def']);
    expect(plain(parseForceGroups(s, { forcePayloadTests: 'all' })).forcePayloads).toEqual(parse(s).forcePayloads);
    const some = plain(parseForceGroups(s, { forcePayloadTests: new Set(['def']) }));
    expect(some.forceGroups).toEqual({ abc: 1, def: 2 });
    expect(some.forcePayloads).toEqual({ def: { longValue: 6 } });
    expect(plain(parseForceGroups(s, { forcePayloadTests: new Set() })).forcePayloads).toEqual({});
  });
});

describe('payload grammar (the regex decides whether the element counts at all)', () => {
  it.each([
    ['abc1;longValue:1e3', 'exponents are not in NUM'],
    ['abc1;stringArray:[1 ]', 'no space before ]'],
    ['abc1;stringArray:[ ]', 'no blank array'],
    ['abc1;stringArray:["p",]', 'trailing comma'],
    ['abc1;map:{"a":{"b":1}}', 'no nested maps'],
    ['abc1;map:{"a":[[1]]}', 'no nested arrays'],
    ['abc1;map:{"a":true}', 'no booleans'],
    ['abc1;map:{a:1}', 'keys are quoted'],
    ['abc1;map:{"a":1 }', 'no space before }'],
    ['abc1;stringValue:"a\\\nb"', 'backslash before a line terminator does not escape'],
    ['abc1;stringValue:"a\\\u0085b"', 'U+0085 is a Java line terminator'],
    ['abc1;stringValue:"a\\\u2028b"', 'so is U+2028'],
    ['abc1;stringValue:"open', 'unterminated string'],
    ['abc1;stringValue:"a"x', 'junk after the value'],
    ['abc1;longValue:-', 'a lone minus'],
    ['abc1;longValue:null', 'null is no value'],
    ['abc1;:5', 'an empty type'],
    ['abc1;long Value:5', 'a space in the type'],
  ])('%j voids the element (%s)', (s) => {
    expect(parse(s)).toEqual({ forceGroups: {}, forcePayloads: {}, defaultMode: 'NONE' });
    expect(parse(s + ',def2').forceGroups).toEqual({ def: 2 });
  });

  // Issue 15: a deep payload breaks the JSON writers. The grammar bounds a forced payload's nesting at two (a
  // map of scalars and flat arrays) and `json` is never forced, so no deeper payload gets past the scanner.
  it.each(['map', 'json', 'stringArray', 'longArray'])('a %s payload nested 50,000 levels voids its element, and nothing else', (type) => {
    const n = 50_000;
    for (const [open, close] of [['[', ']'], ['{"a":', '}'], ['{"a":[', ']}']]) {
      const s = `abc1;${type}:${(open as string).repeat(n)}1${(close as string).repeat(n)},de2;map:{"k":[1,2]}`;
      expect(parse(s)).toEqual({ forceGroups: { de: 2 }, forcePayloads: { de: { map: { k: [1, 2] } } }, defaultMode: 'NONE' });
    }
  });

  it.each([
    ['abc1;stringValue:"a\u2028b"', 'a\u2028b'],
    ['abc1;stringValue:"\\\\"', '\\'],
    ['abc1;stringValue:"\\u00e9\\n"', 'é\n'],
    ['abc1;stringValue:"a,b;c:d]"', 'a,b;c:d]'],
    ['abc1;stringValue:"😀"', '😀'],
  ])('%j keeps the string payload', (s, value) => {
    expect(parse(s).forcePayloads).toEqual({ abc: { stringValue: value } });
    expect(parse(s).forceGroups).toEqual({ abc: 1 });
  });
});

describe('payload values (Jackson semantics): parse failures drop only the payload', () => {
  const payloadOf = (s: string): Payload | undefined => parseForceGroups('abc1;' + s).payloads.get('abc');
  const dropped = (s: string): void => {
    const fg = parseForceGroups('abc1;' + s);
    expect(fg.groups.get('abc'), s).toBe(1);
    expect(fg.payloads.has('abc'), s).toBe(false);
  };

  it('doubleValue', () => {
    expect(payloadOf('doubleValue:9')).toEqual({ doubleValue: 9 });
    expect(payloadOf('doubleValue:-0.5')).toEqual({ doubleValue: -0.5 });
    expect(Object.is(payloadOf('doubleValue:-0.0')?.doubleValue, -0)).toBe(true);
    expect(Object.is(payloadOf('doubleValue:-0')?.doubleValue, 0)).toBe(true); // an int token
    expect(payloadOf('doubleValue:"1.5"')).toEqual({ doubleValue: 1.5 });
    expect(payloadOf('doubleValue:" 2 "')).toEqual({ doubleValue: 2 });
    expect(payloadOf('doubleValue:"1e3"')).toEqual({ doubleValue: 1000 });
    expect(payloadOf('doubleValue:"1.5f"')).toEqual({ doubleValue: 1.5 });
    expect(payloadOf('doubleValue:".5"')).toEqual({ doubleValue: 0.5 });
    expect(payloadOf('doubleValue:"+5."')).toEqual({ doubleValue: 5 });
    expect(payloadOf('doubleValue:"0x1.8p1"')).toEqual({ doubleValue: 3 });
    expect(payloadOf('doubleValue:"0x1p-1074"')).toEqual({ doubleValue: 5e-324 });
    expect(payloadOf('doubleValue:"0x1p-1075"')).toEqual({ doubleValue: 0 });
    expect(payloadOf('doubleValue:"0x1.8p-1075"')).toEqual({ doubleValue: 5e-324 });
    expect(payloadOf('doubleValue:"0x1.fffffffffffff8p1023"')).toEqual({ doubleValue: Infinity });
    expect(payloadOf('doubleValue:"NaN"')?.doubleValue).toBeNaN();
    expect(payloadOf('doubleValue:"-INF"')).toEqual({ doubleValue: -Infinity });
    expect(payloadOf('doubleValue:"+Infinity"')).toEqual({ doubleValue: Infinity });
    expect(payloadOf('doubleValue:" INF "')).toEqual({ doubleValue: Infinity }); // Jackson 2.9 trims first
    expect(payloadOf('doubleValue:"+INF"')).toBeUndefined();
    expect(payloadOf('doubleValue:""')).toEqual({}); // Jackson: null, so an empty payload
    expect(payloadOf('doubleValue:"null"')).toEqual({});
    expect(payloadOf('doubleValue:"1' + '0'.repeat(400) + '"')).toEqual({ doubleValue: Infinity });
    for (const s of ['doubleValue:5.', 'doubleValue:05', 'doubleValue:"abc"', 'doubleValue:"1e"', 'doubleValue:"٣"']) {
      dropped(s);
    }
    dropped('doubleValue:[1.5]');
    dropped('doubleValue:{"a":1}');
  });

  it('longValue', () => {
    expect(payloadOf('longValue:77')).toEqual({ longValue: 77 });
    expect(payloadOf('longValue:2.5')).toEqual({ longValue: 2 });
    expect(payloadOf('longValue:-2.9')).toEqual({ longValue: -2 });
    expect(Object.is(payloadOf('longValue:-0.5')?.longValue, 0)).toBe(true);
    expect(payloadOf('longValue:"7"')).toEqual({ longValue: 7 });
    expect(payloadOf('longValue:" +7 "')).toEqual({ longValue: 7 });
    expect(payloadOf('longValue:"٣٤"')).toEqual({ longValue: 34 }); // Character.digit takes any Unicode digit
    expect(payloadOf('longValue:"-9223372036854775808"')).toEqual({ longValue: -(2 ** 63) });
    expect(payloadOf('longValue:9223372036854775807')).toEqual({ longValue: 2 ** 63 });
    expect(payloadOf('longValue:""')).toEqual({});
    expect(payloadOf('longValue:"   "')).toEqual({});
    for (const s of [
      'longValue:9223372036854775808',
      'longValue:-9223372036854775809',
      'longValue:"9223372036854775808"',
      'longValue:99999999999999999999.0',
      'longValue:"1.5"',
      'longValue:"-"',
      'longValue:"0x10"',
      'longValue:007',
      'longValue:[1]',
    ]) {
      dropped(s);
    }
  });

  it('stringValue', () => {
    expect(payloadOf('stringValue:5')).toEqual({ stringValue: '5' });
    expect(payloadOf('stringValue:-0.50')).toEqual({ stringValue: '-0.50' });
    expect(payloadOf('stringValue:""')).toEqual({ stringValue: '' });
    dropped('stringValue:"a\u0001b"'); // raw control character
    dropped('stringValue:"\\q"'); // unknown escape
    dropped('stringValue:["a"]');
    dropped('stringValue:{"a":"b"}');
  });

  it('arrays', () => {
    expect(payloadOf('stringArray:[1, "a" ,2.0]')).toEqual({ stringArray: ['1', 'a', '2.0'] });
    expect(payloadOf('doubleArray:[1.5,2,"3"]')).toEqual({ doubleArray: [1.5, 2, 3] });
    expect(payloadOf('longArray:[9.5,"8",-1]')).toEqual({ longArray: [9, 8, -1] });
    expect(payloadOf('longArray:[]')).toEqual({ longArray: [] });
    expect(payloadOf('doubleArray:["","null",1]')).toEqual({ doubleArray: [null, null, 1] });
    expect(payloadOf('stringArray:[\t"a"\r\n,\n"b"]')).toEqual({ stringArray: ['a', 'b'] });
    dropped('doubleArray:[1,\u000b2]'); // \x0B is regex whitespace, not JSON whitespace
    dropped('doubleArray:[1,\f2]');
    dropped('stringArray:"a"');
    dropped('longArray:5');
    dropped('longArray:["x"]');
  });

  it('map', () => {
    expect(payloadOf('map:{"a":1,"b":[1,"x"],"c":-0.0,"d":"s","a":2}')).toEqual({
      map: { a: 2, b: [1, 'x'], c: -0, d: 's' },
    });
    const proto = payloadOf('map:{"__proto__":1}');
    expect(Object.keys(proto?.map ?? {})).toEqual(['__proto__']);
    expect(payloadOf('map:{}')).toEqual({ map: {} });
    dropped('map:["a"]');
    dropped('map:"a"');
    dropped('map:5');
  });

  it('unknown types and json are dropped', () => {
    dropped('json:{"a":1}');
    dropped('stringvalue:"x"');
    dropped('Map:{}');
  });
});

describe('applyForcedPayload', () => {
  it('force.json assignments of forced buckets with forced payloads', () => {
    let checked = 0;
    vectors.rows.forEach((row) => {
      const fg = parseForceGroups(row.forceGroups, { forcePayloadTests: new Set(row.forcePayloadTests) });
      for (const [test, value] of fg.groups) {
        const result = row.assignment.tests[test];
        if (result === undefined || result.allocation !== null || result.bucket.value !== value) continue;
        const bucket = vectors.matrix.tests[test]?.buckets.find((b) => b.value === value);
        expect(bucket).toBeDefined();
        const merged = applyForcedPayload(bucket?.payload ?? null, fg.payloads.get(test));
        expect(merged ?? null, `${row.forceGroups} → ${test}`).toEqual(result.bucket.payload);
        if (fg.payloads.has(test)) checked++;
      }
    });
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  const map = { label: 'tst', weight: 2.5, ids: [3], tags: ['b', 'c'], big: 2000000000000, flag: true };

  it('needs the same type; never forces json; keeps null and undefined bucket payloads', () => {
    const string: Payload = { stringValue: 'x' };
    expect(applyForcedPayload(string, { stringValue: 'y' })).toEqual({ stringValue: 'y' });
    expect(applyForcedPayload(string, { longValue: 1 })).toBe(string);
    expect(applyForcedPayload(string, {})).toBe(string);
    expect(applyForcedPayload(string, undefined)).toBe(string);
    expect(applyForcedPayload(null, { stringValue: 'y' })).toBeNull();
    expect(applyForcedPayload(undefined, { stringValue: 'y' })).toBeUndefined();
    const json: Payload = { json: { a: 1 } };
    expect(applyForcedPayload(json, { json: { a: 2 } })).toBe(json);
    expect(applyForcedPayload({ longArray: [1, 2] }, { longArray: [9] })).toEqual({ longArray: [9] });
    expect(applyForcedPayload({ doubleArray: [1] }, { longArray: [9] })).toEqual({ doubleArray: [1] });
    expect(applyForcedPayload({}, {})).toEqual({});
  });

  it('map: per-key rules of validateForcePayloadMap', () => {
    const current: Payload = { map };
    const force = (m: Record<string, unknown>): Payload | null | undefined => applyForcedPayload(current, { map: m });
    expect(force({ label: 'F', weight: 3 })).toEqual({ map: { ...map, label: 'F', weight: 3 } });
    expect(force({ label: 5 })).toEqual({ map: { ...map, label: 5 } }); // anything over a String
    expect(force({ weight: 'heavy' })).toEqual({ map: { ...map, weight: 'heavy' } }); // anything over a Double
    expect(force({ weight: [1, 2] })).toEqual({ map: { ...map, weight: [1, 2] } });
    expect(force({ big: 7 })).toEqual({ map: { ...map, big: 7 } }); // a Long takes an Integer
    expect(force({ big: 2.5 })).toBe(current);
    expect(force({ big: 3000000000 })).toBe(current);
    expect(force({ big: '7' })).toBe(current);
    expect(force({ ids: [4] })).toBe(current); // arrays keep the whole original payload
    expect(force({ label: 'F', tags: ['z'] })).toBe(current);
    expect(force({ flag: false })).toBe(current);
    expect(force({ nokey: 'x' })).toBe(current);
    expect(force({ label: 'F', nokey: 'x' })).toBe(current);
    expect(force({})).toEqual(current);
    expect(force({ toString: 'x' })).toBe(current);
    expect(applyForcedPayload({ map: { a: null } }, { map: { a: 1 } })).toEqual({ map: { a: null } });
    // The input is never modified.
    expect(map.label).toBe('tst');
  });
});

describe('forced map payloads on a matrix read from text: Jackson\'s classes decide', () => {
  // TestChooser.validateForcePayloadMap: a forced value may replace a Double or a String, only an Integer may
  // replace a Long, and nothing replaces an Integer (the whole bucket payload is kept). Jackson read the map
  // from the matrix text: `2` an Integer, `2.0` a Double, 3000000000 a Long.
  const text = `{"audit": {"version": "1", "updated": 0, "updatedBy": "t"}, "tests": {"maptst": {"testType": "USER", "salt": "maptst",
    "buckets": [{"name": "a", "value": 0, "payload": {"map": {"count": 2, "price": 2.0, "big": 3000000000, "label": "x"}}},
                {"name": "b", "value": 1, "payload": {"map": {"count": 3, "price": 3.0, "big": 3000000001, "label": "y"}}}],
    "allocations": [{"id": "#A1", "ranges": [{"bucketValue": 0, "length": 1.0}]}]}}}`;
  const proctor = Proctor.fromMatrix(text, { forcePayloadTests: 'all' });
  const forced = (payload: string): unknown => proctor.determineTestGroups({ identifiers: { USER: 'u' }, forceGroups: `maptst1;map:${payload}` }).get('maptst')?.payload;
  const original = { map: { count: 3, price: 3, big: 3000000001, label: 'y' } };

  it.each([
    ['{"price": 5}', { map: { ...original.map, price: 5 } }],
    ['{"price": "cheap"}', { map: { ...original.map, price: 'cheap' } }],
    ['{"label": 1.5}', { map: { ...original.map, label: 1.5 } }],
    ['{"big": 7}', { map: { ...original.map, big: 7 } }],
    ['{"big": 7.0}', original],
    ['{"count": 4}', original],
    ['{"count": 4, "price": 5}', original],
  ])('%s', (payload, expected) => {
    expect(forced(payload)).toEqual(expected);
  });

  it('the merged map writes its Doubles back as Doubles', () => {
    const payload = forced('{"price": 5.0, "label": 2}') as object;
    expect(stringifyJson(payload)).toBe('{"map":{"count":3,"price":5.0,"big":3000000001,"label":2}}');
    expect(stringifyJson(forced('{"label": "z"}'))).toBe('{"map":{"count":3,"price":3.0,"big":3000000001,"label":"z"}}');
  });
});

describe('generateForceGroups', () => {
  const fg = (
    groups: Record<string, number>,
    payloads: Record<string, Payload> = {},
    defaultMode: ForceGroupsDefaultMode = 'NONE',
  ): ForceGroups => ({
    groups: new Map(Object.entries(groups)),
    payloads: new Map(Object.entries(payloads)),
    defaultMode,
  });

  it('spec §4.3 format', () => {
    expect(generateForceGroups(EMPTY_FORCE_GROUPS)).toBe('');
    expect(generateForceGroups(fg({ abc: 1, def: -2 }, {}, 'FALLBACK'))).toBe('default_to_fallback,abc1,def-2');
    expect(generateForceGroups(fg({}, {}, 'MIN_LIVE'))).toBe('default_to_min_live');
    expect(generateForceGroups(fg({ abc: 1 }, { abc: { stringArray: ['a', 'b'] } }))).toBe(
      'abc1;stringArray:["a","b"]',
    );
    expect(generateForceGroups(fg({ abc: 1 }, { abc: { map: { k: 'v' } } }))).toBe('abc1;map:{"k":"v"}');
    expect(generateForceGroups(parseForceGroups('abc1;stringValue:"a,b",def2;doubleValue:0.2'))).toBe(
      'abc1;stringValue:"a,b",def2;doubleValue:0.2',
    );
  });

  it('numbers and strings in a form both parsers read back', () => {
    const one = (p: Payload): string => generateForceGroups(fg({ t: 1 }, { t: p }));
    expect(one({ doubleValue: 9 })).toBe('t1;doubleValue:9.0');
    expect(one({ doubleValue: -0 })).toBe('t1;doubleValue:-0.0');
    expect(one({ doubleValue: 1e21 })).toBe('t1;doubleValue:1000000000000000000000.0');
    expect(one({ doubleValue: 1.5e-7 })).toBe('t1;doubleValue:0.00000015');
    expect(one({ doubleValue: NaN })).toBe('t1;doubleValue:"NaN"');
    expect(one({ doubleValue: -Infinity })).toBe('t1;doubleValue:"-Infinity"');
    expect(one({ longValue: 2 ** 53 + 2 })).toBe('t1;longValue:9007199254740994');
    expect(one({ longArray: [1, -2] })).toBe('t1;longArray:[1,-2]');
    expect(one({ doubleArray: [1, 2.5] })).toBe('t1;doubleArray:[1.0,2.5]');
    expect(one({ stringValue: 'q"\\\n\u0001\ud800😀é' })).toBe('t1;stringValue:"q\\"\\\\\\n\\u0001\\uD800😀é"');
    expect(one({})).toBe('t1;longValue:""');
    expect(one({ json: { a: 1 } })).toBe('t1');
    expect(one({ map: { a: 1, b: 2.5, c: [1, 'x'], d: -0 } })).toBe('t1;map:{"a":1,"b":2.5,"c":[1,"x"],"d":-0.0}');
    const nulls = parseForceGroups('tt1;doubleArray:["",1]');
    expect(generateForceGroups(nulls)).toBe('tt1;doubleArray:["",1.0]');
    expect(plain(parseForceGroups(generateForceGroups(nulls)))).toEqual(plain(nulls));
  });

  it('never throws on odd hand-built payloads', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const odd = fg({ t: 1 }, { t: { map: { cyclic, n: 10n, u: undefined, f: () => 1 } } });
    expect(() => generateForceGroups(odd)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property tests

/** Characters that matter to the grammar, so random strings hit its corners often. */
const GRAMMAR_CHARS = [
  ...'abz_AZ019-;:,"\\[]{}. \t\u000b\fé',
  'default_to_fallback',
  'default_to_min_live',
  'tst',
  'stringValue:',
  'longValue:',
  'doubleValue:',
  'doubleArray:',
  'longArray:',
  'stringArray:',
  'map:',
  'json:',
  '\\"',
  '\\\\',
  '""',
  '\n',
];
const grammarString = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...GRAMMAR_CHARS), { maxLength }).map((parts) => parts.join(''));

/** A direct translation of Java's regex, for short inputs only (it backtracks exponentially). */
function javaReference(input: string): { groups: Record<string, number>; mode: ForceGroupsDefaultMode } {
  const W = '[A-Za-z0-9_]';
  const S = '[ \\t\\n\\x0B\\f\\r]';
  const NUM = '-?[0-9]+\\.?[0-9]*';
  const STR = '"(?:\\\\[^\\n\\r\\u0085\\u2028\\u2029]|[^"\\\\]+)*"';
  const SN = `${NUM}|${STR}`;
  const ARRAY = `\\[(?:${S}*(?:${SN})(?:${S}*,${S}*(?:${SN}))*)?\\]`;
  const ENTRY = `(?:${STR}${S}*:${S}*)(?:${SN}|${ARRAY})`;
  const MAP = `\\{(?:${S}*${ENTRY}(?:${S}*,${S}*${ENTRY})*)?\\}`;
  const pattern = new RegExp(`${W}+-?[0-9]+(?:;${W}+:(?:${SN}|${ARRAY}|${MAP}))?|[a-z_]+`, 'g');
  const groups: Record<string, number> = {};
  let mode: ForceGroupsDefaultMode = 'NONE';
  for (let m = pattern.exec(input); m !== null; m = pattern.exec(input)) {
    const end = m.index + m[0].length;
    if (end < input.length && input[end] !== ',') continue;
    const group = m[0].split(';')[0] ?? '';
    if (group === 'default_to_fallback') mode = 'FALLBACK';
    if (group === 'default_to_min_live') mode = 'MIN_LIVE';
    let k = group.length - 1;
    while (k >= 0 && /[0-9]/.test(group.charAt(k))) k--;
    if (k === group.length - 1 || k < 1) continue;
    if (group[k] !== '-') k++;
    const value = Number(group.slice(k));
    if (value >= -(2 ** 31) && value < 2 ** 31) groups[group.slice(0, k)] = value + 0;
  }
  return { groups, mode };
}

describe('properties', () => {
  it('agrees with a direct translation of the Java regex on grammar-heavy strings', () => {
    fc.assert(
      fc.property(grammarString(30), (s) => {
        const ref = javaReference(s);
        const got = parseForceGroups(s);
        expect(Object.fromEntries(got.groups)).toEqual(ref.groups);
        expect(got.defaultMode).toBe(ref.mode);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws, for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
          grammarString(200),
        ),
        (s) => {
          expect(() => parseForceGroups(s)).not.toThrow();
          expect(() => generateForceGroups(parseForceGroups(s))).not.toThrow();
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on 100 KB strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 100_000, maxLength: 100_000 }), grammarString(20_000), (a, b) => {
        expect(() => parseForceGroups(a)).not.toThrow();
        expect(() => parseForceGroups(b)).not.toThrow();
      }),
      { numRuns: 5 },
    );
  });

  it('stays linear on adversarial 100 KB inputs', () => {
    const n = 100_000;
    const inputs = [
      'a'.repeat(n),
      '1'.repeat(n),
      'a1;'.repeat(n / 3),
      'a1;x:"'.repeat(n / 6),
      'a1;x:"' + 'a1;x:\\"'.repeat(n / 7),
      'ab1;x:[' + '"ab1;x:[1,",'.repeat(n / 12),
      'ab1;x:{' + '"ab1;x:{\\"":1,'.repeat(n / 15),
      'ab1;doubleValue:"' + '1'.repeat(n) + 'x"',
      'ab1;longValue:"' + '1'.repeat(n) + '"',
      'ab1;longValue:' + '1'.repeat(n),
      'ab1;stringValue:"' + '\\"'.repeat(n / 2),
      'ab1;map:{' + '"k":[1,2],'.repeat(n / 10),
      ('ab1;stringArray:[' + '"x",'.repeat(20)).repeat(n / 100),
    ];
    for (const s of inputs) {
      const start = performance.now();
      parseForceGroups(s);
      expect(performance.now() - start, s.slice(0, 30)).toBeLessThan(1_000);
    }
  });

  it('parse(generate(parse(s))) equals parse(s)', () => {
    fc.assert(
      fc.property(fc.oneof(grammarString(60), fc.string({ unit: 'binary', maxLength: 60 })), (s) => {
        const once = parseForceGroups(s);
        expect(plain(parseForceGroups(generateForceGroups(once)))).toEqual(plain(once));
      }),
      { numRuns: 5000 },
    );
  });

  const name = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9_]{0,8}$/), fc.constantFrom(...'abcxyzABC_'))
    .map(([head, last]) => head + last)
    .filter((n) => n.length > 1);
  const str = fc.string({ unit: 'binary', maxLength: 12 });
  const double = fc.double({ noNaN: false });
  const long = fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 });
  const payload: fc.Arbitrary<Payload> = fc.oneof(
    double.map((doubleValue) => ({ doubleValue })),
    fc.array(double, { maxLength: 4 }).map((doubleArray) => ({ doubleArray })),
    long.map((longValue) => ({ longValue })),
    fc.array(long, { maxLength: 4 }).map((longArray) => ({ longArray })),
    str.map((stringValue) => ({ stringValue })),
    fc.array(str, { maxLength: 4 }).map((stringArray) => ({ stringArray })),
    fc
      .dictionary(
        str,
        fc.oneof(str, long, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.array(fc.oneof(str, long), { maxLength: 3 })),
        { maxKeys: 4 },
      )
      .map((map) => ({ map })),
  );
  const forceGroups: fc.Arbitrary<ForceGroups> = fc
    .tuple(
      fc.array(fc.tuple(name, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.option(payload, { nil: undefined })), {
        maxLength: 6,
      }),
      fc.constantFrom<ForceGroupsDefaultMode>('NONE', 'FALLBACK', 'MIN_LIVE'),
    )
    .map(([entries, defaultMode]) => {
      const groups = new Map<string, number>();
      const payloads = new Map<string, Payload>();
      for (const [n, v, p] of entries) {
        groups.set(n, v + 0);
        if (p !== undefined) payloads.set(n, p);
        else payloads.delete(n);
      }
      return { groups, payloads, defaultMode };
    });

  it('generate then parse gives back valid force groups, and generating again is stable', () => {
    fc.assert(
      fc.property(forceGroups, (fg) => {
        const text = generateForceGroups(fg);
        const back = parseForceGroups(text);
        expect(plain(back)).toEqual(plain(fg));
        expect(generateForceGroups(back)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('immutability', () => {
  it('results cannot be modified through their maps', () => {
    const fg = parseForceGroups('abc1;stringArray:["a"]');
    expect(() => (fg.groups as Map<string, number>).set('x', 1)).toThrow(TypeError);
    expect(() => (EMPTY_FORCE_GROUPS.groups as Map<string, number>).set('x', 1)).toThrow(TypeError);
    expect(() => (EMPTY_FORCE_GROUPS.payloads as Map<string, Payload>).clear()).toThrow(TypeError);
    expect(Object.isFrozen(fg.payloads.get('abc'))).toBe(true);
    expect(Object.isFrozen(fg.payloads.get('abc')?.stringArray)).toBe(true);
  });
});

describe('generation round trips for zero values Java could only read with a sign', () => {
  it.each(['a-0', 'a0-0', 'ab2-0', 'abc0'])('%s', (s) => {
    const once = parseForceGroups(s);
    expect([...once.groups.values()]).toEqual([0]);
    expect(Object.is([...once.groups.values()][0], -0)).toBe(false);
    expect([...parseForceGroups(generateForceGroups(once)).groups]).toEqual([...once.groups]);
  });
});

describe('the engine short path (tests without rules or dependencies, nothing forced)', () => {
  // Forcing one test sends every other test through the general path; their groups must not change.
  const matrix = {
    audit: { version: '1', updated: 0, updatedBy: 'test' },
    tests: Object.fromEntries(
      ['alpha', 'beta', 'gamma', 'delta'].map((name, k) => [
        `${name}tst`,
        {
          testType: k === 3 ? 'ACCOUNT' : 'USER',
          salt: k === 2 ? '&shared' : `${name}tst`,
          version: '1',
          buckets: [
            { name: 'inactive', value: -1 },
            { name: 'control', value: 0 },
            { name: 'test', value: 1 },
          ],
          allocations: [{ ranges: [{ bucketValue: -1, length: 0.1 * (k + 1) }, { bucketValue: 0, length: 0.5 - 0.05 * (k + 1) }, { bucketValue: 1, length: 0.5 - 0.05 * (k + 1) }] }],
        },
      ]),
    ),
  };
  const proctor = Proctor.fromMatrix(matrix);

  it('gives every user the groups the general path gives', () => {
    expect(proctor.loadResult.loadedTests).toHaveLength(4);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), (user, account) => {
        const identifiers = account === undefined ? { USER: user } : { USER: user, ACCOUNT: account };
        const short = proctor.determineTestGroups({ identifiers });
        const general = proctor.determineTestGroups({ identifiers, forceGroups: 'zzznotatest1' });
        const forcedOther = proctor.determineTestGroups({ identifiers, forceGroups: 'alphatst1' });
        for (const name of ['betatst', 'gammatst', 'deltatst']) {
          expect(short.get(name)).toBe(general.get(name));
          expect(short.get(name)).toBe(forcedOther.get(name));
        }
        expect(short.get('alphatst')).toBe(general.get('alphatst'));
        expect(short.get('deltatst') === undefined).toBe(account === undefined);
        expect(short.get('alphatst')).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('forced and default_to_min_live groups are built at load time', () => {
  const ranges = (...pairs: [number, number][]) => pairs.map(([bucketValue, length]) => ({ bucketValue, length }));
  const userTest = (buckets: readonly object[], allocationRanges: [number, number][], extra: object = {}) => ({
    testType: 'USER',
    salt: 'x',
    buckets,
    allocations: [{ id: '#A1', ranges: ranges(...allocationRanges) }],
    ...extra,
  });
  const matrix = {
    audit: { version: '1', updated: 0, updatedBy: 'test' },
    tests: {
      strtst: userTest(
        [
          { name: 'inactive', value: -1, payload: { stringValue: 'off' } },
          { name: 'control', value: 0, payload: { stringValue: 'a' } },
          { name: 'test', value: 1, payload: { stringValue: 'b' } },
        ],
        [[-1, 0], [1, 0.5], [0, 0.5]],
      ),
      maptst: userTest(
        [
          { name: 'control', value: 0, payload: { map: { color: 'red', size: 1.5 } } },
          { name: 'test', value: 1, payload: { map: { color: 'blue', size: 2.5 } } },
        ],
        [[0, 0.5], [1, 0.5]],
      ),
      // Two buckets with value 1: forcing takes the first, ranges (and so MIN_LIVE) the last.
      duptst: userTest(
        [
          { name: 'first', value: 1 },
          { name: 'last', value: 1 },
          { name: 'two', value: 2 },
        ],
        [[2, 0.5], [1, 0.5]],
      ),
      emptytst: userTest([{ name: 'on', value: 1 }], [[1, 1]]),
      // Payload experiments, evaluated in this order: the larger priority wins, compared as Java longs.
      pexlow: userTest([{ name: 'on', value: 1, payload: { json: { color: 'low', own: 1 } } }], [[1, 1]], {
        payloadExperimentConfig: { priority: '9007199254740992', namespaces: [] },
      }),
      pexhigh: userTest([{ name: 'on', value: 1, payload: { json: { color: 'high' } } }], [[1, 1]], {
        payloadExperimentConfig: { priority: '9007199254740993', namespaces: [] },
      }),
      pexnone: userTest([{ name: 'on', value: 1, payload: { json: { color: 'none', shade: 'none' } } }], [[1, 1]], {
        payloadExperimentConfig: { priority: null, namespaces: [] },
      }),
      pexbad: userTest([{ name: 'on', value: 1, payload: { json: { shade: 'bad', tint: 'bad' } } }], [[1, 1]], {
        payloadExperimentConfig: { priority: 'not a long', namespaces: [] },
      }),
    },
  };
  const proctor = Proctor.fromMatrix(matrix);
  const identifiers = { USER: 'u1' };
  const force = (forceGroups: string, user = 'u1') => proctor.determineTestGroups({ identifiers: { USER: user }, forceGroups });

  it('two requests forcing the same bucket get the same frozen group, with the bucket payload', () => {
    expect(proctor.loadResult.errors.size).toBe(0);
    const one = force('strtst1,maptst0').get('strtst');
    const two = force('maptst1,strtst1', 'u2').get('strtst');
    expect(one).toEqual({ name: 'test', value: 1, payload: { stringValue: 'b' }, allocation: null });
    expect(two).toBe(one);
    expect(Object.isFrozen(one)).toBe(true);
    expect(force('maptst0').get('maptst')).toEqual({ name: 'control', value: 0, payload: { map: { color: 'red', size: 1.5 } }, allocation: null });
    expect(force('strtst-1').get('strtst')).toEqual({ name: 'inactive', value: -1, payload: { stringValue: 'off' }, allocation: null });
    expect(force('duptst1').get('duptst')).toEqual({ name: 'first', value: 1, payload: null, allocation: null });
  });

  it('a forced payload applies per request and leaves the shared group alone', () => {
    const plainGroup = force('strtst1').get('strtst');
    const forced = force('strtst1;stringValue:"forced"').get('strtst');
    expect(forced).toEqual({ name: 'test', value: 1, payload: { stringValue: 'forced' }, allocation: null });
    expect(force('strtst1;stringValue:"other"').get('strtst')?.payload).toEqual({ stringValue: 'other' });
    expect(force('strtst1').get('strtst')).toBe(plainGroup);
    expect(plainGroup?.payload).toEqual({ stringValue: 'b' });

    const merged = force('maptst1;map:{"color":"green"}').get('maptst');
    expect(merged).toEqual({ name: 'test', value: 1, payload: { map: { color: 'green', size: 2.5 } }, allocation: null });
    expect(force('maptst1').get('maptst')?.payload).toEqual({ map: { color: 'blue', size: 2.5 } });
    // A forced payload Java ignores (another type, an unknown map key) keeps the bucket's: the shared group.
    expect(force('strtst1;longValue:5').get('strtst')).toBe(plainGroup);
    expect(force('maptst1;map:{"nope":"x"}').get('maptst')).toBe(force('maptst1').get('maptst'));
    // No payload on the bucket: nothing to replace.
    expect(force('duptst2;stringValue:"x"').get('duptst')).toEqual({ name: 'two', value: 2, payload: null, allocation: null });
  });

  it('default_to_min_live gives the smallest live bucket value, without allocation, the same group every time', () => {
    const one = proctor.determineTestGroups({ identifiers, forceGroups: 'default_to_min_live' });
    const two = proctor.determineTestGroups({ identifiers: { USER: 'u2' }, forceGroups: 'default_to_min_live' });
    // strtst: -1 has a zero-length range, so 0 is the smallest live value.
    expect(one.get('strtst')).toEqual({ name: 'control', value: 0, payload: { stringValue: 'a' }, allocation: null });
    expect(one.get('duptst')).toEqual({ name: 'last', value: 1, payload: null, allocation: null });
    expect(one.get('emptytst')).toEqual({ name: 'on', value: 1, payload: null, allocation: null });
    for (const name of ['strtst', 'maptst', 'duptst', 'emptytst']) {
      expect(two.get(name)).toBe(one.get(name));
      expect(Object.isFrozen(one.get(name))).toBe(true);
    }
    // A forced test still gets its forced group.
    const mixed = proctor.determineTestGroups({ identifiers, forceGroups: 'default_to_min_live,strtst1' });
    expect(mixed.get('strtst')).toBe(force('strtst1').get('strtst'));
  });

  it('payload-experiment properties: the larger priority wins, compared exactly; a null or unreadable one is the smallest', () => {
    const { properties } = proctor.determineTestGroups({ identifiers });
    expect(properties).toEqual({
      color: { value: 'high', testName: 'pexhigh' },
      own: { value: 1, testName: 'pexlow' },
      shade: { value: 'none', testName: 'pexnone' }, // a tie at Long.MIN_VALUE keeps the first
      tint: { value: 'bad', testName: 'pexbad' },
    });
    expect(proctor.determineTestGroups({ identifiers: { USER: 'u2' } }).properties).toEqual(properties);
  });

  it("payload-experiment properties: priorities are read as Java's Long.parseLong does; any JSON key is a property", () => {
    const pex = (priority: string | null, json: string) =>
      userTest([{ name: 'on', value: 1, payload: { json: JSON.parse(json) as unknown } }], [[1, 1]], {
        payloadExperimentConfig: { priority, namespaces: [] },
      });
    // Evaluation order is by name here (no dependencies): a1 first, then b2 …; each later one wins only with a
    // larger priority. '', ' 5', '0x10' and a value beyond a long are not longs to Java: the smallest priority.
    const keyed = Proctor.fromMatrix({
      audit: { version: '1', updated: 0, updatedBy: 'test' },
      tests: {
        a1: pex('', '{"empty": "a1", "spaced": "a1", "hex": "a1", "huge": "a1", "plus": "a1"}'),
        b2: pex('-1', '{"empty": "b2"}'),
        c3: pex(' 5', '{"spaced": "c3"}'),
        d4: pex('0x10', '{"hex": "c4"}'),
        e5: pex('9223372036854775808', '{"huge": "e5"}'),
        f6: pex('+7', '{"plus": "f6", "__proto__": "f6", "toString": "f6", "constructor": "f6"}'),
      },
    });
    expect(keyed.loadResult.errors.size).toBe(0);
    const { properties } = keyed.determineTestGroups({ identifiers });
    const values = Object.fromEntries(Object.keys(properties).map((k) => [k, properties[k]?.testName]));
    expect(values).toEqual(JSON.parse('{"empty": "b2", "spaced": "a1", "hex": "a1", "huge": "a1", "plus": "f6", "__proto__": "f6", "toString": "f6", "constructor": "f6"}'));
    expect(Object.hasOwn(properties, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(properties)).toBeNull();
  });
});
