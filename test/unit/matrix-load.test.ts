import { describe, expect, it } from 'vitest';
import { MatrixError, SpecificationError } from '../../src/index.js';
import { loadMatrix, parseTestMatrix, Proctor } from '../../src/engine/index.js';

const audit = { version: '3', updated: 1454432430000, updatedBy: 'alice' };
const test = (extra: Record<string, unknown> = {}) => ({
  testType: 'USER',
  salt: 'x',
  buckets: [
    { name: 'control', value: 0 },
    { name: 'test', value: 1 },
  ],
  allocations: [{ ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 1, length: 0.5 }] }],
  ...extra,
});

describe('parseTestMatrix: documents that are not a matrix', () => {
  it.each([
    ['not JSON', '{"audit":', /not valid JSON/, ''],
    ['an array', '[]', /expected a test matrix object/, '(root)'],
    ['no audit', '{"tests":{}}', /"audit" is missing/, 'audit'],
    ['tests not an object', JSON.stringify({ audit, tests: [] }), /tests: expected an object, got \[\]/, 'tests'],
    ['bucket value not an integer', JSON.stringify({ audit, tests: { t: test({ buckets: [{ name: 'a', value: 1.5 }] }) } }), /tests\.t\.buckets\[0\]\.value: expected a 32-bit integer, got 1\.5/, 'tests.t.buckets[0].value'],
    ['two payload types', JSON.stringify({ audit, tests: { t: test({ buckets: [{ name: 'a', value: 0, payload: { stringValue: 'x', longValue: 1 } }] }) } }), /exactly one type/, 'tests.t.buckets[0].payload'],
    ['comments', `{/* c */ "audit": ${JSON.stringify(audit)}}`, /not valid JSON/, ''],
  ])('%s', (_label, text, message, errorPath) => {
    try {
      parseTestMatrix(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MatrixError);
      expect((error as MatrixError).message).toMatch(message);
      expect((error as MatrixError).path).toBe(errorPath);
      expect((error as MatrixError).code).toBe('MATRIX_INVALID');
    }
  });

  it('coerces scalars like Jackson and derives updatedDate in US/Central', () => {
    const m = parseTestMatrix({ audit: { version: 42, updated: 1454432430000 }, tests: { t: test({ version: 7 }), gone: null } });
    expect(m.audit.version).toBe('42');
    expect(m.audit.updatedDate).toBe('2016-02-02T11:00-0600');
    expect(m.tests.t?.version).toBe('7');
    expect(Object.keys(m.tests)).toEqual(['t']);
  });

  it('treats a test named __proto__ as a test, not a prototype', () => {
    const m = loadMatrix(`{"audit":{"version":"1"},"tests":{"__proto__":${JSON.stringify(test())}}}`);
    expect(m.loadedTests).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parseTestMatrix({ audit, tests: {} }).tests)).toBeNull();
  });
});

describe('loadMatrix: invalid tests are dropped with field and value, the rest load', () => {
  it.each([
    ['unknown bucket', test({ allocations: [{ ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 5, length: 0.5 }] }] }), 'tests.t.allocations[0].ranges[1].bucketValue: refers to unknown bucket value 5'],
    ['sum', test({ allocations: [{ ranges: [{ bucketValue: 0, length: 0.4 }, { bucketValue: 1, length: 0.5 }] }] }), 'tests.t.allocations[0].ranges: lengths must add up to 1 (±0.0001): 0.4 + 0.5 = 0.9'],
    ['no allocations', test({ allocations: [] }), 'tests.t.allocations: no allocations specified'],
    ['test type', test({ testType: 'user' }), 'tests.t.testType: unknown test type "user"'],
    ['empty non-last rule', test({ allocations: [{ rule: '${}', ranges: [{ bucketValue: 0, length: 1 }] }, { ranges: [{ bucketValue: 1, length: 1 }] }] }), 'tests.t.allocations[0].rule: every allocation but the last needs a rule, got "${}"'],
    ['partial payloads', test({ buckets: [{ name: 'a', value: 0, payload: { stringValue: 'x' } }, { name: 'b', value: 1 }] }), 'tests.t.buckets[1].payload: either every bucket has a payload or none does'],
    ['mixed payloads', test({ buckets: [{ name: 'a', value: 0, payload: { stringValue: 'x' } }, { name: 'b', value: 1, payload: { longValue: 1 } }] }), 'tests.t.buckets[1].payload: payload type longValue differs from the test\'s payload type stringValue'],
  ])('%s', (_label, bad, message) => {
    const result = loadMatrix({ audit, tests: { t: bad, ok: test({ salt: 'ok' }) } });
    expect(result.loadedTests).toEqual(['ok']);
    expect(String(result.errors.get('t'))).toContain(message);
  });

  it('rejects dependencies Java rejects, transitively', () => {
    const result = loadMatrix({
      audit,
      tests: {
        parent: test({ salt: 'p' }),
        child: test({ salt: 'c', dependsOn: { testName: 'parent', bucketValue: 1 } }),
        samesalt: test({ salt: 'p', dependsOn: { testName: 'parent', bucketValue: 1 } }),
        orphan: test({ salt: 'o', dependsOn: { testName: 'nope', bucketValue: 1 } }),
        grandorphan: test({ salt: 'g', dependsOn: { testName: 'orphan', bucketValue: 1 } }),
        a: test({ salt: 'a', dependsOn: { testName: 'b', bucketValue: 1 } }),
        b: test({ salt: 'b', dependsOn: { testName: 'a', bucketValue: 1 } }),
      },
    });
    expect(result.loadedTests).toEqual(['child', 'parent']);
    expect([...result.errors.keys()].sort()).toEqual(['a', 'b', 'grandorphan', 'orphan', 'samesalt']);
    expect(result.matrix.order.map((t) => t.name)).toEqual(['parent', 'child']);
  });

  it('rejects a bad specification at setup with the path', () => {
    expect(() => loadMatrix({ audit, tests: {} }, { specification: { tests: { t: { fallbackValue: 'x' } } } })).toThrow(
      SpecificationError,
    );
    expect(() => Proctor.fromMatrix({ audit, tests: {} }, { identifierValidator: 'strict' as 'noop' })).toThrow(
      /identifierValidator: expected 'noop', 'noEmpty' or a function, got "strict"/,
    );
  });
});

describe('loadMatrix: a required test is verified as the matrix declares it, then loaded consolidated', () => {
  const spec = (extra: Record<string, unknown> = {}) => ({
    tests: { t: { buckets: { control: 0, test: 1, extra: 2 }, fallbackValue: -1, ...extra } },
    dynamicFilters: [],
  });

  it('rejects a range that refers to a bucket only the specification declares', () => {
    const bad = test({ allocations: [{ ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 2, length: 0.5 }] }] });
    const result = loadMatrix({ audit, tests: { t: bad } }, { specification: spec() });
    expect(String(result.testErrors.get('t'))).toContain('tests.t.allocations[0].ranges[1].bucketValue: refers to unknown bucket value 2');
    expect(result.matrix.tests.get('t')?.definition.testType).toBe('RANDOM'); // the fallback stands in
  });

  it('checks payloads on the declared buckets, though consolidation strips them without a payload spec', () => {
    const bad = test({ buckets: [{ name: 'control', value: 0, payload: { stringValue: 'x' } }, { name: 'test', value: 1 }] });
    const result = loadMatrix({ audit, tests: { t: bad } }, { specification: spec() });
    expect(String(result.testErrors.get('t'))).toContain('tests.t.buckets[1].payload: either every bucket has a payload or none does');
  });

  it('reports a verification error before a specification mismatch', () => {
    const bad = test({ testType: 'user', allocations: [{ ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 1, length: 0.5 }] }] });
    const result = loadMatrix({ audit, tests: { t: bad } }, { specification: spec({ buckets: { control: 0 } }) });
    expect(String(result.testErrors.get('t'))).toContain('tests.t.testType: unknown test type "user"');
    const mismatch = loadMatrix({ audit, tests: { t: test() } }, { specification: spec({ buckets: { control: 0 } }) });
    expect(String(mismatch.testErrors.get('t'))).toContain('does not contain bucket values: 1');
  });

  it('loads the consolidated test: specification buckets can be forced, undeclared payloads are stripped', () => {
    const withPayloads = test({
      buckets: [
        { name: 'control', value: 0, payload: { stringValue: 'a' } },
        { name: 'test', value: 1, payload: { stringValue: 'b' } },
      ],
    });
    // A one-letter test name cannot be forced (Java reads no test in `t2`), hence `ab`.
    const proctor = Proctor.fromMatrix(
      { audit, tests: { ab: withPayloads } },
      { specification: { tests: { ab: spec().tests.t }, dynamicFilters: [] } },
    );
    expect(proctor.loadResult.errors.size).toBe(0);
    const loaded = proctor.loadResult.matrix.tests.get('ab');
    expect(loaded?.definition.buckets.map((b) => [b.name, b.value, b.payload])).toEqual([
      ['control', 0, null],
      ['test', 1, null],
      ['extra', 2, null],
    ]);
    expect(loaded?.allocations[0]?.rangeGroups.map((g) => g.payload)).toEqual([null, null]);
    const forced = proctor.determineTestGroups({ identifiers: { USER: 'u' }, forceGroups: 'ab2' }).get('ab');
    expect(forced).toEqual({ name: 'extra', value: 2, payload: null, allocation: null });
  });
});

describe('determineTestGroups never throws', () => {
  const proctor = Proctor.fromMatrix({ audit, tests: { t: test(), r: test({ salt: 'r', rule: '${a.b.c > 1}' }) } });
  it.each([
    ['lone surrogates', { USER: '\ud800x\udfff' }],
    ['1 MB id', { USER: 'x'.repeat(1 << 20) }],
    ['empty id', { USER: '' }],
    ['non-string id', { USER: 5 as unknown as string }],
  ])('%s', (_label, identifiers) => {
    expect(() =>
      proctor.determineTestGroups({ identifiers, context: { a: { b: Symbol('x') } }, forceGroups: '\u0000t1;map:{' }),
    ).not.toThrow();
  });
});

describe('matrix text: whole decimals in constants are Java Doubles', () => {
  // Java reads "DBLS": [1.5, 2.0] as a List of Doubles, so contains(DBLS, 2.0) holds and contains(DBLS, 2)
  // does not; JSON.parse alone would make 2.0 the Long 2.
  const text = (constants: string) => `{
    "audit": { "version": "1", "updated": 0, "updatedBy": "t" },
    "tests": {
      "dbltst": {
        "testType": "USER", "salt": "dbltst", "constants": ${constants},
        "buckets": [{ "name": "off", "value": 0 }, { "name": "on", "value": 1 }],
        "allocations": [
          { "id": "#A1", "rule": "\${proctor:contains(DBLS, 2.0) && !proctor:contains(DBLS, 2) && ONE == 1 && TXT == '2.0'}", "ranges": [{ "bucketValue": 1, "length": 1.0 }] },
          { "id": "#A2", "ranges": [{ "bucketValue": 0, "length": 1.0 }] }
        ]
      }
    }
  }`;
  const assigned = (matrix: unknown) => Proctor.fromMatrix(matrix).determineTestGroups({ identifiers: { USER: 'u1' } }).get('dbltst')?.name;

  it('reads them as Doubles from text, leaves other numbers, strings and other fields alone', () => {
    const source = text('{ "DBLS": [1.5, 2.0], "ONE": 1, "TXT": "2.0", "__proto__": { "x": 1e0 } }');
    expect(assigned(source)).toBe('on');
    const loaded = loadMatrix(source);
    const constants = loaded.matrix.tests.get('dbltst')?.definition.constants as Record<string, unknown>;
    expect(Object.hasOwn(constants, '__proto__')).toBe(true);
    expect(JSON.parse(JSON.stringify(constants))).toEqual(JSON.parse('{ "DBLS": [1.5, 2], "ONE": 1, "TXT": "2.0", "__proto__": { "x": 1 } }'));
    // The ranges' 1.0 is still a plain number.
    expect(loaded.matrix.tests.get('dbltst')?.definition.allocations[0]?.ranges[0]?.length).toBe(1);
  });

  it('an already-parsed matrix cannot tell 2.0 from 2 (spec §3.8): there 2.0 is the Long 2', () => {
    expect(assigned(JSON.parse(text('{ "DBLS": [1.5, 2.0], "ONE": 1, "TXT": "2.0" }')))).toBe('off');
  });
});

describe('specification text is read as Java reads it (comments allowed, spec §1.9)', () => {
  // ProctorUtils.readSpecification reads with Serializers.lenient(), which enables Jackson's ALLOW_COMMENTS;
  // Proctor's demo application ships a specification with a `//` comment. The matrix loader does not.
  const spec = `\uFEFF{
    // the app's tests
    "tests": {
      /* the button colour */ "btntst": { "buckets": { "control": 0, "test": 1 }, "fallbackValue": -1 } // no payload
    },
    "providedContext": { "country": "String" } /* closing */
  }`;

  it('accepts // and /* */ comments and a byte-order mark', () => {
    const result = loadMatrix({ audit, tests: { btntst: test() } }, { specification: spec });
    expect(result.loadedTests).toEqual(['btntst']);
    expect(result.errors.size).toBe(0);
  });

  it('still rejects a specification that is not JSON, naming the place', () => {
    expect(() => loadMatrix({ audit, tests: {} }, { specification: '{"tests": {} /* open' })).toThrow(SpecificationError);
    expect(() => loadMatrix({ audit, tests: {} }, { specification: '{"tests": {}} trailing' })).toThrow(/specification is not valid JSON: expected the end of the document/);
  });
});

describe('payload validators see the payload as Java does', () => {
  // ProctorUtils.checkMapPayloadTypes → evaluatePayloadMapValidator(payload.getMap()): Jackson's Integer and
  // Double; evaluatePayloadValidator: `value` is payload.fetchAValue(), a Double for doubleValue.
  const matrix = (payload: string): string =>
    `{"audit": {"version": "1", "updated": 0, "updatedBy": "t"}, "tests": {"t": {"testType": "USER", "salt": "t",
      "buckets": [{"name": "a", "value": 0, "payload": ${payload}}], "allocations": [{"ranges": [{"bucketValue": 0, "length": 1.0}]}]}}}`;
  const spec = (type: string, validator: string, schema?: Record<string, string>) => ({
    tests: { t: { buckets: { a: 0 }, fallbackValue: -1, payload: { type, validator, ...(schema ? { schema } : {}) } } },
    dynamicFilters: [],
  });

  it('a map value written 2.0 is a Double (2.0 == "2.0"), 2 is an Integer', () => {
    const ok = loadMatrix(matrix('{"map": {"price": 2.0, "n": 2}}'), { specification: spec('map', "${price == '2.0' && n == 2}", { price: 'doubleValue', n: 'longValue' }) });
    expect(ok.errors.size).toBe(0);
    // Long.valueOf("2.0") fails: an integer map value compared with '2.0' is an error.
    const bad = loadMatrix(matrix('{"map": {"price": 2, "n": 2}}'), { specification: spec('map', "${price == '2.0'}", { price: 'doubleValue', n: 'longValue' }) });
    expect(bad.errors.has('t')).toBe(true);
  });

  it('a doubleValue is a Double even when whole', () => {
    expect(loadMatrix(matrix('{"doubleValue": 2}'), { specification: spec('doubleValue', "${value == '2.0'}") }).errors.size).toBe(0);
  });
});
