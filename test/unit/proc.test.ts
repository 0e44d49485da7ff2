import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { ConfigError, createProctor, localSource, procOf, staticSource } from '../../src/index.js';
import type { ExposureEvent, GroupAssignment, ProctorGroups } from '../../src/index.js';
import type { IdentifyRequest, IdentifyResult, ProctorSource } from '../../src/contract.js';
import exampleMatrix from '../../examples/matrix.json' with { type: 'json' };

const TESTS = ['buttoncolortst', 'newfeaturerollout', 'countryalgotst', 'nosuchtst'] as const;
const USER = { USER: 'pa5xq0lz4n80' };
const CONTEXT = { country: 'US', loggedIn: true, userAgent: { mobileDevice: false } };

function local(lazy = false, onExposure?: (e: ExposureEvent) => void) {
  return createProctor({ source: localSource({ matrix: exampleMatrix }), tests: TESTS, lazy, ...(onExposure ? { onExposure } : {}) });
}

describe('proc: the per-request ProctorGroups', () => {
  it('gives every configured test a GroupAssignment; unassigned = all null; payload unwrapped with its type', async () => {
    const proc = await local().procFor({ identifiers: USER, context: CONTEXT });
    expect(proc.buttoncolortst.toJSON()).toEqual({ group: 'control', value: 0, payload: '#C0C0C0' });
    expect(proc.buttoncolortst.payloadType).toBe('stringValue');
    expect(proc.countryalgotst.toJSON()).toEqual({ group: 'inactive', value: -1, payload: [2, 3, 5] });
    expect(proc.nosuchtst.toJSON()).toEqual({ group: null, value: null, payload: null });
    expect(proc.nosuchtst.assigned).toBe(false);
  });

  it("String(proc) is django's group string: configured order, values >= 0", async () => {
    const proc = await local().procFor({ identifiers: USER, context: CONTEXT });
    expect(String(proc)).toBe('buttoncolortst0,newfeaturerollout0');
    expect(`${proc}`).toBe('buttoncolortst0,newfeaturerollout0');
    expect(proc.getGroupStringList()).toEqual(['buttoncolortst0', 'newfeaturerollout0']);
    expect(proc.toLoggingString()).toBe('#A1:buttoncolortst0,#C1:newfeaturerollout0'); // Java's format: allocation id + test + value
    expect(JSON.parse(JSON.stringify(proc))).toMatchObject({ newfeaturerollout: { group: 'active', value: 0, payload: null } });
  });

  it('throws a clear error for a test that is not configured, naming the configured list', async () => {
    const proc = await local().procFor({ identifiers: USER });
    expect(() => (proc as unknown as Record<string, unknown>).buttoncolrtst).toThrow(
      'proc.buttoncolrtst: test "buttoncolrtst" is not configured; configured tests: buttoncolortst, newfeaturerollout, countryalgotst, nosuchtst',
    );
    expect(() => proc.get('nope' as 'buttoncolortst')).toThrow(/not configured/);
    // Probes by promises, inspectors and test matchers are not test names.
    expect((proc as unknown as Record<string, unknown>).then).toBeUndefined();
    await expect(Promise.resolve(proc)).resolves.toBe(proc);
    // Templates get their engine's usual undefined.
    expect((proc.templateView() as unknown as Record<string, unknown>).buttoncolrtst).toBeUndefined();
    expect(proc.templateView().buttoncolortst.group).toBe('control');
  });

  it('types test names: a typo is a compile error', async () => {
    const proc = await local().procFor({ identifiers: USER });
    expectTypeOf(proc.buttoncolortst).toEqualTypeOf<GroupAssignment>();
    // @ts-expect-error buttoncolrtst is not a configured test
    expect(() => proc.buttoncolrtst).toThrow();
    expectTypeOf(proc).toMatchTypeOf<ProctorGroups<(typeof TESTS)[number]>>();
  });

  it('rejects a single string instead of a list at setup, with the fix in the message', () => {
    expect(() => createProctor({ source: staticSource({ groups: {} }), tests: 'buttoncolortst' as unknown as string[] })).toThrow(ConfigError);
    expect(() => createProctor({ source: staticSource({ groups: {} }), tests: 'buttoncolortst' as unknown as string[] })).toThrow(
      'tests: expected a list of test names, got the string "buttoncolortst"; write tests: ["buttoncolortst"]',
    );
  });

  it('records exposures in read order and reports them once per flush', async () => {
    const events: ExposureEvent[] = [];
    const proc = await local(false, (e) => events.push(e)).procFor({ identifiers: USER, context: CONTEXT });
    void String(proc); // logging is not an exposure
    void proc.toJSON();
    expect(proc.exposures()).toEqual([]);
    void proc.newfeaturerollout.group;
    void proc.buttoncolortst.payload;
    void proc.newfeaturerollout.value;
    proc.flushExposure();
    proc.flushExposure();
    expect(events).toHaveLength(1);
    expect(events[0]?.tests).toEqual(['newfeaturerollout', 'buttoncolortst']);
    expect(events[0]?.groupString).toBe('newfeaturerollout0,buttoncolortst0');
    void proc.nosuchtst.group;
    proc.flushExposure();
    expect(events[1]?.tests).toEqual(['nosuchtst']);
  });

  it('counts a test once, whether read through proc, proc.get() or the template view', async () => {
    const events: ExposureEvent[] = [];
    const proc = await local(false, (e) => events.push(e)).procFor({ identifiers: USER, context: CONTEXT });
    void proc.templateView().countryalgotst.group;
    void proc.countryalgotst.value;
    void proc.get('buttoncolortst').group;
    void proc.templateView().buttoncolortst.payload;
    void proc.buttoncolortst.group;
    proc.flushExposure();
    expect(events.map((e) => e.tests)).toEqual([['countryalgotst', 'buttoncolortst']]);
  });

  // With onExposure the view is the tracking Proxy; without, a loaded proc's view is a plain snapshot. Same contract.
  it.each([
    ['tracking (onExposure set)', true],
    ['snapshot (no onExposure)', false],
  ])('template view, %s: tests are own enumerable keys, views of two requests are independent, writes are refused', async (_name, tracked) => {
    const proctor = tracked ? local(false, () => {}) : local();
    const a = await proctor.procFor({ identifiers: USER, context: CONTEXT });
    const b = await proctor.procFor({ identifiers: { USER: 'another-user-7' }, context: CONTEXT });
    const view = a.templateView() as unknown as Record<string, unknown>;
    expect(Object.keys(view)).toEqual([...TESTS]);
    expect(Object.prototype.hasOwnProperty.call(view, 'buttoncolortst')).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(view, 'buttoncolrtst')).toBe(false);
    expect('countryalgotst' in view).toBe(true);
    expect(a.exposures()).toEqual([]); // listing keys is not reading them
    expect(String(view)).toBe(String(a));
    expect(JSON.parse(JSON.stringify(view))).toEqual(a.toJSON());
    expect(() => {
      view.buttoncolortst = 'blue'; // modules are strict: a refused write throws
    }).toThrow(TypeError);
    expect(() => Object.defineProperty(view, 'x', { value: 1 })).toThrow(TypeError);
    expect(b.templateView().buttoncolortst).toBe(b.buttoncolortst);
    expect(a.templateView()).toBe(view);
    expect(procOf(view)).toBe(a);
    expect(view.buttoncolrtst).toBeUndefined();
    expect((view as { constructor?: unknown }).constructor).toBeUndefined();
    void (view.countryalgotst as { group: unknown }).group;
    expect(a.exposures()).toEqual(tracked ? ['countryalgotst'] : []);
    expect(b.exposures()).toEqual(['buttoncolortst']); // read as b.buttoncolortst above
    expect({ ...view }).toEqual(Object.fromEntries(TESTS.map((t) => [t, a.get(t)])));
    expect(Reflect.ownKeys({ ...view })).toEqual([...TESTS]);
  });

  it('trackTemplateReads: template reads count as exposures when asked, or by default with onExposure; helpers always count', async () => {
    const untracked = await local().procFor({ identifiers: USER, context: CONTEXT });
    void (untracked.templateView().buttoncolortst as GroupAssignment).group;
    void untracked.newfeaturerollout.group;
    expect(untracked.exposures()).toEqual(['newfeaturerollout']);

    const asked = await createProctor({ source: localSource({ matrix: exampleMatrix }), tests: TESTS, trackTemplateReads: true }).procFor({ identifiers: USER });
    void (asked.templateView().buttoncolortst as GroupAssignment).group;
    expect(asked.exposures()).toEqual(['buttoncolortst']);

    const events: ExposureEvent[] = [];
    const quiet = createProctor({ source: localSource({ matrix: exampleMatrix }), tests: TESTS, onExposure: (e) => events.push(e), trackTemplateReads: false });
    const proc = await quiet.procFor({ identifiers: USER });
    void (proc.templateView().buttoncolortst as GroupAssignment).group;
    void proc.get('countryalgotst');
    proc.flushExposure();
    expect(events.map((e) => e.tests)).toEqual([['countryalgotst']]);

    // A lazy proc's view computes each test on first read, so it is the tracking view whatever the option.
    const lazy = createProctor({ source: localSource({ matrix: exampleMatrix }), tests: TESTS, lazy: true }).procForRequest({ identifiers: USER });
    expect((lazy.templateView().buttoncolortst as GroupAssignment).group).toBe('control');
  });

  it('rejects non-boolean lazy / trackTemplateReads and a non-function onExposure at setup, naming the field', () => {
    const source = staticSource({ groups: {} });
    expect(() => createProctor({ source, tests: ['a'], trackTemplateReads: 'yes' as unknown as boolean })).toThrow(ConfigError);
    expect(() => createProctor({ source, tests: ['a'], trackTemplateReads: 'yes' as unknown as boolean })).toThrow(/trackTemplateReads: expected true or false, got "yes"/);
    expect(() => createProctor({ source, tests: ['a'], lazy: 1 as unknown as boolean })).toThrow(/lazy: expected true or false, got 1/);
    expect(() => createProctor({ source, tests: ['a'], onExposure: 'log' as unknown as () => void })).toThrow(/onExposure: expected a function/);
  });

  it('lazy local: nothing is evaluated until read, then only the test read', async () => {
    const source = localSource({ matrix: exampleMatrix });
    const spy = vi.spyOn(source.sync, 'identifySync');
    const proctor = createProctor({ source, tests: TESTS, lazy: true });
    const proc = proctor.procForRequest({ identifiers: USER, context: CONTEXT });
    expect(spy).not.toHaveBeenCalled();
    expect(proc.buttoncolortst.group).toBe('control');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[0].tests).toEqual(['buttoncolortst']);
    void proc.buttoncolortst.value;
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('lazy with an asynchronous source: reading before load() says what to await', async () => {
    let resolve!: (r: IdentifyResult) => void;
    const remote: ProctorSource = {
      kind: 'pipet',
      ready: () => Promise.resolve(),
      identify: () => new Promise((r) => (resolve = r)),
      getMatrix: () => Promise.resolve(null),
      close: () => Promise.resolve(),
    };
    const proc = createProctor({ source: remote, tests: ['buttoncolortst'], lazy: true }).procForRequest({ identifiers: USER });
    expect(proc.loaded).toBe(false);
    expect(() => proc.buttoncolortst).toThrow(/await proc\.load\(\)/);
    const loading = proc.load();
    resolve({ groups: { buttoncolortst: { name: 'blue', value: 1, payload: null, allocationId: null, version: '3' } }, matrixVersion: '9', origin: 'pipet' });
    await loading;
    expect(proc.buttoncolortst.group).toBe('blue');
    expect(proc.toLoggingString()).toBe('buttoncolortst1');
  });

  it('static source: fixed groups for your own tests, by request when needed', async () => {
    const proctor = createProctor({
      source: staticSource({ groups: (r) => (r.identifiers.USER === 'vip' ? { buttoncolortst: { name: 'blue', value: 1, payload: { stringValue: '#00F' } } } : {}) }),
      tests: ['buttoncolortst'],
    });
    expect((await proctor.procFor({ identifiers: { USER: 'vip' } })).buttoncolortst.payload).toBe('#00F');
    expect((await proctor.procFor({ identifiers: { USER: 'x' } })).buttoncolortst.group).toBeNull();
  });

  it('procByAccountId uses the ACCOUNT identifier', async () => {
    const seen: IdentifyRequest[] = [];
    const proctor = createProctor({
      source: staticSource({ groups: (r) => (seen.push(r), {}) }),
      tests: ['acctst'],
    });
    await proctor.procByAccountId(999999);
    expect(seen[0]?.identifiers).toEqual({ ACCOUNT: '999999' });
  });

  it('a test named like a method stays reachable through get()', async () => {
    const proctor = createProctor({ source: staticSource({ groups: { load: { name: 'on', value: 1 } } }), tests: ['load'] });
    const proc = await proctor.procFor({ identifiers: {} });
    expect(typeof proc.load).toBe('function');
    expect(proc.get('load').group).toBe('on');
  });
});

describe('proc: the snapshot view of unusual test names', () => {
  const names = ['__proto__', 'con"st', "it's", 'back\\slash', 'line\u2028sep', '0', 'toString', 'buttoncolortst'] as const;
  const check = (proc: ProctorGroups<string>) => {
    const view = proc.templateView() as unknown as Record<string, unknown>;
    // toString stays the group string (it is not a property of the view); every other name is its own key.
    expect(Object.keys(view).sort()).toEqual(names.filter((n) => n !== 'toString').sort());
    expect(Object.getOwnPropertyDescriptor(view, '__proto__')?.value).toBe(proc.get('__proto__'));
    expect(view['con"st']).toBe(proc.get('con"st'));
    expect(view['line\u2028sep']).toBe(proc.get('line\u2028sep'));
    expect(view.buttoncolortst).toBe(proc.get('buttoncolortst'));
    expect(String(view)).toBe(String(proc));
    expect(Object.isFrozen(view)).toBe(true);
  };

  it('every name is an own key holding its assignment, `__proto__` included (the prototype is untouched)', async () => {
    const proctor = createProctor<string>({ source: localSource({ matrix: exampleMatrix }), tests: [...names], logger: { warn: () => {}, error: () => {} } });
    check(await proctor.procFor({ identifiers: USER, context: CONTEXT }));
  });

  // A child process on the build (`npm test` builds first): the flag is per process.
  it('the same where code generation from strings is disallowed', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `
      import { createProctor, localSource } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      import matrix from ${JSON.stringify(new URL('../../examples/matrix.json', import.meta.url).href)} with { type: 'json' };
      let generated = true;
      try { new Function('return 1'); } catch { generated = false; }
      const names = ${JSON.stringify(names)};
      const proctor = createProctor({ source: localSource({ matrix }), tests: names, logger: { warn() {}, error() {} } });
      const proc = await proctor.procFor({ identifiers: { USER: 'pa5xq0lz4n80' }, context: { country: 'US' } });
      const view = proc.templateView();
      console.log(JSON.stringify({ generated, keys: Object.keys(view).sort(), proto: Object.getOwnPropertyDescriptor(view, '__proto__')?.value === proc.get('__proto__'),
        same: names.filter((n) => n !== 'toString').every((n) => view[n] === proc.get(n)), string: String(view) === String(proc), frozen: Object.isFrozen(view) }));
    `;
    const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ generated: false, keys: names.filter((n) => n !== 'toString').sort(), proto: true, same: true, string: true, frozen: true });
  });
});
