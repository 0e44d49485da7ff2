/**
 * The engine-agnostic semantics behind every template plugin (src/engines/shared.ts): which groups match,
 * what procPayload returns, how template arguments of procScript are read, options and logging.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, createProctor, staticSource } from '../../src/index.js';
import type { Logger, StaticAssignment } from '../../src/index.js';
import { createTemplateHelpers, procPayload, proctorMatches, splitScriptArgs } from '../../src/templating/index.js';

const GROUPS: Record<string, StaticAssignment> = {
  colortst: { name: 'blue', value: 1, payload: { stringValue: '#2B60DE' } },
  inactivetst: { name: 'inactive', value: -1 },
  emptytst: { name: 'control', value: 0, payload: { stringValue: '' } },
  zerotst: { name: 'control', value: 0, payload: { longValue: 0 } },
  arraytst: { name: 'control', value: 0, payload: { stringArray: ['a', 'b'] } },
  holetst: { name: 'control', value: 0, payload: { json: [null, 'x'] } },
  maptst: { name: 'control', value: 0, payload: { map: { title: 'T', n: 0, nil: null } } },
};
const TESTS = [...Object.keys(GROUPS), 'unassignedtst'];

function proc() {
  return createProctor({ source: staticSource({ groups: GROUPS }), tests: TESTS }).procForRequest({ identifiers: {} });
}

describe('proctorMatches', () => {
  const p = proc();
  it.each([
    ['colortst', ['blue'], true],
    ['colortst', ['green', 'blue'], true],
    ['colortst', ['green'], false],
    ['colortst', [1], true],
    ['colortst', ['1'], true],
    ['colortst', ['01'], false],
    ['colortst', [' 1'], false],
    ['colortst', [1.0000001], false],
    ['colortst', ['BLUE'], false],
    ['colortst', [['green', 'blue']], true],
    ['colortst', [[['blue']]], false],
    ['colortst', [null, undefined, {}, true], false],
    ['colortst', [], false],
    ['inactivetst', [-1], true],
    ['inactivetst', ['-1'], true],
    ['inactivetst', ['inactive'], true],
    ['unassignedtst', [null], false],
    ['unassignedtst', ['inactive', -1, 0, 'control'], false],
    ['nosuchtst', ['blue'], false],
    [undefined, ['blue'], false],
  ] as const)('%s in %j → %s', (test, groups, want) => {
    expect(proctorMatches(p.templateView(), test, ...groups)).toBe(want);
    expect(proctorMatches(p, test, ...groups)).toBe(want);
  });

  it('is false without a proc, and counts a read as an exposure', () => {
    expect(proctorMatches(undefined, 'colortst', 'blue')).toBe(false);
    expect(proctorMatches({ colortst: { group: 'blue' } }, 'colortst', 'blue')).toBe(false);
    const q = proc();
    proctorMatches(q.templateView(), 'colortst', 'x');
    expect(q.exposures()).toEqual(['colortst']);
  });
});

describe('procPayload', () => {
  const view = proc().templateView();
  it.each([
    ['colortst', 'F', undefined, '#2B60DE'],
    ['emptytst', 'F', undefined, ''],
    ['zerotst', 'F', undefined, 0],
    ['inactivetst', 'F', undefined, 'F'],
    ['unassignedtst', 'F', undefined, 'F'],
    ['nosuchtst', 'F', undefined, 'F'],
    ['arraytst', 'F', null, ['a', 'b']],
    ['arraytst', 'F', 0, 'a'],
    ['arraytst', 'F', 1, 'b'],
    ['arraytst', 'F', '1', 'b'],
    ['arraytst', 'F', 2, 'F'],
    ['arraytst', 'F', -1, 'F'],
    ['arraytst', 'F', 0.5, 'F'],
    ['arraytst', 'F', '01', 'F'],
    ['arraytst', 'F', '', 'F'],
    ['arraytst', 'F', 'length', 'F'],
    ['holetst', 'F', 0, 'F'],
    ['holetst', 'F', 1, 'x'],
    ['maptst', 'F', 'title', 'T'],
    ['maptst', 'F', 'n', 0],
    ['maptst', 'F', 'nil', 'F'],
    ['maptst', 'F', 'missing', 'F'],
    ['maptst', 'F', 'toString', 'F'],
    ['colortst', 'F', 0, 'F'],
    ['unassignedtst', 'F', 0, 'F'],
  ] as const)('%s (fallback %j, index %j) → %j', (test, fallback, index, want) => {
    expect(procPayload(view, test, fallback, index)).toEqual(want);
  });

  it('has an undefined fallback by default', () => {
    expect(procPayload(view, 'unassignedtst')).toBeUndefined();
    expect(procPayload(null, 'colortst', 'F')).toBe('F');
  });
});

describe('splitScriptArgs', () => {
  it('reads test names, arrays of names and a trailing options object', () => {
    expect(splitScriptArgs([])).toEqual({ tests: [], named: {} });
    expect(splitScriptArgs(['a', ['b', 'c'], undefined, { name: 'x' }])).toEqual({ tests: ['a', 'b', 'c'], named: { name: 'x' } });
    expect(() => splitScriptArgs([{ name: 'x' }, 'a'])).toThrow(/^procScript: expected test names/);
    expect(() => splitScriptArgs([5])).toThrow(ConfigError);
  });
});

describe('createTemplateHelpers', () => {
  it('rejects bad options, naming them', () => {
    expect(() => createTemplateHelpers(null as never)).toThrow(/^options: /);
    expect(() => createTemplateHelpers({ contextKey: 5 as never })).toThrow(/^contextKey: .*got 5/);
    expect(() => createTemplateHelpers({ nonceKey: '' })).toThrow(/^nonceKey: /);
    expect(() => createTemplateHelpers({ script: { id: 'a b' } })).toThrow(/^script\.id: .*"a b"/);
  });

  it('logs each unknown test and a missing proc once', () => {
    const lines: string[] = [];
    const logger: Logger = { warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    const h = createTemplateHelpers({ logger });
    const view = proc().templateView();
    for (let i = 0; i < 3; i++) {
      expect(h.matches(view, 'nosuchtst', ['x'])).toBe(false);
      expect(h.payload(view, 'nosuchtst', 'F', undefined)).toBe('F');
      expect(h.payload(undefined, 'colortst', 'F', undefined)).toBe('F');
    }
    expect(lines).toEqual([
      'proctor: proctor("nosuchtst"): not a configured test; using the fallback / else branch',
      'proctor: procPayload found no proc in the template variable "proc"; using the fallback / else branch',
    ]);
  });

  it('procScript: template options win over defaults, the context nonce applies unless overridden', () => {
    const h = createTemplateHelpers({ script: { name: 'ab' } });
    const view = proc().templateView();
    expect(h.script(view, 'n1', { tests: ['colortst'], named: {} })).toBe(
      '<script nonce="n1">var ab={"colortst":{"group":"blue","value":1,"payload":"#2B60DE"}};</script>',
    );
    expect(h.script(view, 'n1', { tests: ['inactivetst'], named: { name: 'cd', nonce: 'n2' } })).toBe(
      '<script nonce="n2">var cd={"inactivetst":{"group":"inactive","value":-1,"payload":null}};</script>',
    );
    expect(h.script(view, 42, { tests: ['inactivetst'], named: { mode: 'json' } })).toMatch(/^<script type="application\/json" id="proc-data">/);
    expect(() => h.script(view, undefined, { tests: [], named: { nonse: 'x' } })).toThrow(/^nonse: unknown procScript option/);
  });
});
