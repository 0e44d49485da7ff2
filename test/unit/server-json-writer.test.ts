import { describe, expect, it } from 'vitest';
import { JavaDouble } from '../../src/java/boxes.js';
import { JsonNodeValue, writeJson } from '../../src/server/json-writer.js';
import { errorEnvelope, okEnvelope } from '../../src/server/responses.js';

describe('writeJson (Jackson DefaultPrettyPrinter)', () => {
  it('lays out objects, arrays, empties and nested objects in arrays like Jackson', () => {
    const text = writeJson({ a: 1, b: [1, 2], c: {}, d: [], e: [{ x: 'y' }, { z: null }], f: { g: true } });
    expect(text).toBe(
      [
        '{',
        '  "a" : 1,',
        '  "b" : [ 1, 2 ],',
        '  "c" : { },',
        '  "d" : [ ],',
        '  "e" : [ {',
        '    "x" : "y"',
        '  }, {',
        '    "z" : null',
        '  } ],',
        '  "f" : {',
        '    "g" : true',
        '  }',
        '}',
      ].join('\n'),
    );
    // Whatever the layout, it is JSON.
    expect(JSON.parse(text)).toEqual({ a: 1, b: [1, 2], c: {}, d: [], e: [{ x: 'y' }, { z: null }], f: { g: true } });
  });

  it('writes doubles as Java does: Double.toString by default, DecimalFormat for the matrix', () => {
    const value = { whole: new JavaDouble(1), third: 1 / 3, tiny: 1e-12, long: 5, big: 9007199254740993n };
    expect(writeJson(value)).toBe('{\n  "whole" : 1.0,\n  "third" : 0.3333333333333333,\n  "tiny" : 1.0E-12,\n  "long" : 5,\n  "big" : 9007199254740993\n}');
    expect(writeJson(value, { style: 'decimal' })).toBe('{\n  "whole" : 1.0,\n  "third" : 0.3333333333,\n  "tiny" : 0.0,\n  "long" : 5,\n  "big" : 9007199254740993\n}');
    // JsonNode payloads keep Double.toString even in the matrix.
    expect(writeJson({ json: new JsonNodeValue({ x: 1 / 3 }) }, { style: 'decimal' })).toContain('"x" : 0.3333333333333333');
    expect(writeJson([NaN, new JavaDouble(Infinity)])).toBe('[ "NaN", "Infinity" ]');
  });

  it('indents fragments for a nesting level', () => {
    expect(writeJson({ a: 1 }, { level: 2 })).toBe('{\n      "a" : 1\n    }');
  });

  it('uses toJSON, skips undefined members and escapes keys and strings as Jackson does', () => {
    expect(writeJson({ d: { toJSON: () => 'x' }, u: undefined })).toBe('{\n  "d" : "x"\n}');
    expect(writeJson({ 'k\u0001': 'a\u001fb' })).toBe('{\n  "k\\u0001" : "a\\u001Fb"\n}');
  });
});

describe('envelopes (spec §5.3)', () => {
  it('wraps data with meta.status, pretty-printed', () => {
    expect(okEnvelope({ a: 1 }).body).toBe('{\n  "data" : {\n    "a" : 1\n  },\n  "meta" : {\n    "status" : 200\n  }\n}');
  });

  it('errors carry an empty data object and meta.error', () => {
    const response = errorEnvelope(400, 'Request must have at least one identifier.');
    expect(response.status).toBe(400);
    expect(response.body).toBe(
      '{\n  "data" : { },\n  "meta" : {\n    "status" : 400,\n    "error" : "Request must have at least one identifier."\n  }\n}',
    );
  });
});
