/**
 * procScript: what it includes, its options and their errors, and (property-based) that no payload can end
 * the element or open a comment while the browser still gets exactly the original values.
 */
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, createProctor, localSource, ProcAccessError, staticSource } from '../../src/index.js';
import type { ExposureEvent, Logger, Payload, StaticAssignment } from '../../src/index.js';
import { escapeAttribute, isUsableGlobalName, procScript, procScriptData, serializeForScript } from '../../src/templating/script/index.js';
import { MATRIX } from '../integration/engines-table.js';

function staticProc(groups: Record<string, StaticAssignment>, tests = Object.keys(groups), onExposure?: (e: ExposureEvent) => void) {
  return createProctor({ source: staticSource({ groups }), tests, ...(onExposure ? { onExposure } : {}) }).procForRequest({ identifiers: {} });
}

function withPayload(payload: Payload) {
  return staticProc({ t: { name: 'b', value: 1, payload } });
}

/** The element's parts, asserting the HTML tokenizer would see exactly one element ending at the end. */
function parse(html: string): { open: string; body: string } {
  const close = html.length - '</script>'.length;
  expect(html.slice(close)).toBe('</script>');
  const start = html.indexOf('>') + 1;
  const open = html.slice(0, start);
  const body = html.slice(start, close);
  expect(/<\/script|<!--/i.test(html.slice(0, close))).toBe(false);
  expect(body).not.toMatch(/[<>&\u2028\u2029]/);
  return { open, body };
}

function runGlobal(html: string, name = 'proc'): unknown {
  const sandbox: Record<string, unknown> = {};
  vm.runInNewContext(parse(html).body, sandbox);
  return sandbox[name];
}

describe('procScript', () => {
  const groups: Record<string, StaticAssignment> = {
    buttoncolortst: { name: 'blue', value: 1, payload: { stringValue: '#2B60DE' } },
    countryalgotst: { name: 'control', value: 0, payload: { longArray: [2, 3, 5] } },
    newfeaturerollout: { name: 'active', value: 0 },
  };

  it('defines var proc with every configured test by default, in configured order, unassigned as nulls', () => {
    const proc = staticProc(groups, ['newfeaturerollout', 'buttoncolortst', 'unassignedtst', 'countryalgotst']);
    const html = procScript(proc);
    expect(html).toBe(
      '<script>var proc={"newfeaturerollout":{"group":"active","value":0,"payload":null},"buttoncolortst":{"group":"blue","value":1,"payload":"#2B60DE"},' +
        '"unassignedtst":{"group":null,"value":null,"payload":null},"countryalgotst":{"group":"control","value":0,"payload":[2,3,5]}};</script>',
    );
  });

  it('includes only the named configured tests, in the given order; skips and logs the others', () => {
    const warn = vi.fn();
    const logger: Logger = { warn, error: vi.fn() };
    const proc = staticProc(groups, ['buttoncolortst', 'countryalgotst']);
    // newfeaturerollout has an assignment in the source but is not configured: never shown.
    expect(runGlobal(procScript(proc, { tests: ['countryalgotst', 'newfeaturerollout', 'buttoncolortst'], logger }))).toEqual({
      countryalgotst: { group: 'control', value: 0, payload: [2, 3, 5] },
      buttoncolortst: { group: 'blue', value: 1, payload: '#2B60DE' },
    });
    expect(warn).toHaveBeenCalledWith('proctor: procScript skips "newfeaturerollout": not a configured test');
    expect(procScript(proc, { tests: [] })).toBe('<script>var proc={};</script>');
  });

  it('never includes the matrix: only group, value and payload of configured tests', async () => {
    const client = createProctor({ source: localSource({ matrix: MATRIX }), tests: ['buttoncolortst'] });
    await client.ready();
    const html = procScript(client.procForRequest({ identifiers: { USER: 'u1' } }));
    expect(html).toBe('<script>var proc={"buttoncolortst":{"group":"blue","value":1,"payload":"#2B60DE"}};</script>');
  });

  it('counts as an exposure, through the proc or its template view', () => {
    const events: ExposureEvent[] = [];
    const proc = staticProc(groups, Object.keys(groups), (e) => events.push(e));
    procScript(proc.templateView(), { tests: ['countryalgotst'] });
    expect(proc.exposures()).toEqual(['countryalgotst']);
    procScript(proc);
    expect(proc.exposures()).toEqual(['countryalgotst', 'buttoncolortst', 'newfeaturerollout']);
    proc.flushExposure();
    expect(events[0]?.groupString).toBe('countryalgotst0,buttoncolortst1,newfeaturerollout0');
  });

  it('gives an empty object and a log line without a proc', () => {
    const warn = vi.fn();
    expect(procScript(undefined, { logger: { warn, error: vi.fn() } })).toBe('<script>var proc={};</script>');
    expect(procScript({ buttoncolortst: { group: 'blue' } })).toBe('<script>var proc={};</script>');
    expect(warn).toHaveBeenCalledOnce();
  });

  it('throws for a lazy proc of an asynchronous source that was not loaded (a bug in the caller)', async () => {
    const source = staticSource({ groups });
    const client = createProctor({ source: { ...source, sync: undefined } as never, tests: ['buttoncolortst'], lazy: true });
    const proc = client.procForRequest({ identifiers: {} });
    expect(() => procScript(proc)).toThrow(ProcAccessError);
    await proc.load();
    expect(runGlobal(procScript(proc))).toEqual({ buttoncolortst: { group: 'blue', value: 1, payload: '#2B60DE' } });
  });

  it('takes another global name (any identifier) and a nonce (attribute-escaped; empty means none)', () => {
    const proc = staticProc(groups, ['buttoncolortst']);
    expect(procScript(proc, { name: 'ab_Groups$' })).toMatch(/^<script>var ab_Groups\$=\{/);
    expect(runGlobal(procScript(proc, { name: 'ünïcødé' }), 'ünïcødé')).toEqual({ buttoncolortst: { group: 'blue', value: 1, payload: '#2B60DE' } });
    expect(procScript(proc, { nonce: `a"b'c<d>&` })).toMatch(/^<script nonce="a&quot;b&#39;c&lt;d&gt;&amp;">var proc=/);
    expect(procScript(proc, { nonce: '' })).toMatch(/^<script>var proc=/);
  });

  it('writes a JSON island in json mode (id configurable and escaped)', () => {
    const proc = staticProc(groups, ['buttoncolortst']);
    expect(procScript(proc, { mode: 'json' })).toBe(
      '<script type="application/json" id="proc-data">{"buttoncolortst":{"group":"blue","value":1,"payload":"#2B60DE"}}</script>',
    );
    const html = procScript(proc, { mode: 'json', id: 'a"><b', nonce: 'n' });
    expect(html.startsWith('<script type="application/json" id="a&quot;&gt;&lt;b" nonce="n">')).toBe(true);
    expect(JSON.parse(parse(html).body)).toEqual({ buttoncolortst: { group: 'blue', value: 1, payload: '#2B60DE' } });
  });

  it.each([
    [{ name: 'class' }, 'name', '"class"'],
    [{ name: 'let' }, 'name', '"let"'],
    [{ name: 'undefined' }, 'name', '"undefined"'],
    [{ name: 'location' }, 'name', '"location"'],
    [{ name: '1abc' }, 'name', '"1abc"'],
    [{ name: 'a-b' }, 'name', '"a-b"'],
    [{ name: '' }, 'name', '""'],
    [{ name: 'x=1;alert(1)//' }, 'name', '"x=1;alert(1)//"'],
    [{ name: 'a\\u0062' }, 'name', '"a\\\\u0062"'],
    [{ mode: 'module' }, 'mode', '"module"'],
    [{ id: '' }, 'id', '""'],
    [{ id: 'a b' }, 'id', '"a b"'],
    [{ nonce: 5 }, 'nonce', '5'],
    [{ tests: 'buttoncolortst' }, 'tests', '"buttoncolortst"'],
  ])('rejects %j with a ConfigError naming the option and the value', (options, option, shown) => {
    const proc = staticProc(groups);
    let error: unknown;
    try {
      procScript(proc, options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(option);
    expect((error as ConfigError).message).toContain(shown);
  });

  it('keeps -0, JSON payloads with a __proto__ key, and nested values exact', () => {
    expect(Object.is((runGlobal(procScript(withPayload({ doubleValue: -0 }))) as { t: { payload: number } }).t.payload, -0)).toBe(true);
    const json: unknown = JSON.parse('{"__proto__":{"polluted":true},"a":[1,{"__proto__":2}],"b":null,"c":"</script>"}');
    const fromScript = (runGlobal(procScript(withPayload({ json }))) as { t: { payload: unknown } }).t.payload;
    expect(Object.hasOwn(fromScript as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(fromScript)).not.toEqual({ polluted: true });
    expect(JSON.stringify(fromScript)).toBe(JSON.stringify(json));
    const island = JSON.parse(parse(procScript(withPayload({ json }), { mode: 'json' })).body) as { t: { payload: unknown } };
    expect(JSON.stringify(island.t.payload)).toBe(JSON.stringify(json));
  });
});

describe('procScriptData', () => {
  it('is the plain object procScript serialises', () => {
    const proc = staticProc({ a: { name: 'x', value: 2, payload: { stringArray: ['p'] } } }, ['a', 'b']);
    expect(procScriptData(proc)).toEqual({ a: { group: 'x', value: 2, payload: ['p'] }, b: { group: null, value: null, payload: null } });
    expect(procScriptData(proc, ['b'])).toEqual({ b: { group: null, value: null, payload: null } });
  });
});

describe('serializeForScript and escapeAttribute', () => {
  it('escapes the five unsafe characters and writes non-JSON values like JSON.stringify', () => {
    expect(serializeForScript('<>&\u2028\u2029')).toBe('"\\u003c\\u003e\\u0026\\u2028\\u2029"');
    expect(serializeForScript([1, NaN, Infinity, undefined, () => 1, true, null])).toBe('[1,null,null,null,null,true,null]');
    expect(serializeForScript({ a: undefined, b: 1, c: () => 1 })).toBe('{"b":1}');
    expect(serializeForScript({ toJSON: () => 'x' })).toBe('"x"');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(serializeForScript(cycle)).toBe('{"a":1,"self":null}');
    const ownProto: unknown = JSON.parse('{"__proto__":1}');
    expect(serializeForScript(ownProto, 'js')).toBe('{["__proto__"]:1}');
    expect(serializeForScript(ownProto, 'json')).toBe('{"__proto__":1}');
  });

  it('escapes attribute values', () => {
    expect(escapeAttribute(`&"'<>x`)).toBe('&amp;&quot;&#39;&lt;&gt;x');
  });

  it('accepts identifiers and rejects reserved or special names', () => {
    for (const ok of ['proc', '_', '$', 'a1', 'π', 'ab$_9']) expect(isUsableGlobalName(ok)).toBe(true);
    for (const bad of ['', '1', 'a.b', 'a b', 'if', 'yield', 'eval', 'NaN', 'name', 'top', 5, null]) expect(isUsableGlobalName(bad)).toBe(false);
  });
});

describe('procScript, property-based: no payload escapes the element; the browser gets exact values', () => {
  const fragment = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom('</script>', '</SCRIPT ', '</scrIpt', '<!--', '-->', '<script>', '\u2028', '\u2029', '"', "'", '\\', '&', '<', '>', '`', '${', '\u0000', '\r\n', '</'),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  );
  const evilString = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));

  it('arbitrary payload strings and string arrays, in both modes', () => {
    fc.assert(
      fc.property(evilString, fc.array(evilString, { maxLength: 4 }), fc.constantFrom('global', 'json'), (text, list, mode) => {
        const proc = staticProc({
          s: { name: 'b', value: 1, payload: { stringValue: text } },
          a: { name: 'c', value: 2, payload: { stringArray: list } },
        });
        const html = procScript(proc, { mode: mode as 'global' | 'json' });
        const want = { s: { group: 'b', value: 1, payload: text }, a: { group: 'c', value: 2, payload: list } };
        if (mode === 'global') {
          expect(runGlobal(html)).toEqual(want);
        } else {
          expect(JSON.parse(parse(html).body)).toEqual(want);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('arbitrary JSON payloads (objects with any keys) round-trip in both modes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const proc = withPayload({ json });
        const fromGlobal = (runGlobal(procScript(proc)) as { t: { payload: unknown } }).t.payload;
        const fromIsland = (JSON.parse(parse(procScript(proc, { mode: 'json' })).body) as { t: { payload: unknown } }).t.payload;
        expect(JSON.stringify(fromGlobal)).toBe(JSON.stringify(json));
        expect(fromIsland).toEqual(json);
      }),
      { numRuns: 300 },
    );
  });

  it('the serialiser alone, on any string, in both forms', () => {
    fc.assert(
      fc.property(evilString, (text) => {
        const js = serializeForScript(text, 'js');
        expect(js).not.toMatch(/[<>&\u2028\u2029]/);
        expect(vm.runInNewContext(`(${js})`)).toBe(text);
        expect(JSON.parse(serializeForScript(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
