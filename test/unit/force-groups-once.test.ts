// A request's force string is parsed once: not again for each test a lazy proc reads, for its logging
// string, or for `explain` after the run it explains.
import { describe, expect, it, vi } from 'vitest';

const parses = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/engine/force-groups/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/engine/force-groups/index.js')>();
  return {
    ...original,
    parseForceGroups: (...args: Parameters<typeof original.parseForceGroups>) => {
      parses.count++;
      return original.parseForceGroups(...args);
    },
  };
});

const { createProctor, localSource } = await import('../../src/index.js');
const { explainAssignment, Proctor } = await import('../../src/engine/index.js');
const exampleMatrix = (await import('../../examples/matrix.json', { with: { type: 'json' } })).default;

describe('force groups parsed once', () => {
  it('a lazy proc reading four tests and its logging string parses the force string once', () => {
    const client = createProctor({
      source: localSource({ matrix: exampleMatrix }),
      tests: ['buttoncolortst', 'buttontexttst', 'newfeaturerollout', 'countryalgotst'],
      lazy: true,
      logger: { warn: () => undefined, error: () => undefined },
    });
    parses.count = 0;
    const proc = client.procForRequest({ identifiers: { USER: 'pa5xq0lz4n80' }, context: { loggedIn: true, country: 'US' }, forceGroups: 'buttoncolortst2,buttontexttst1' });
    expect(proc.buttoncolortst.group).toBe('green');
    expect(proc.buttontexttst.group).toBe('join');
    expect(proc.newfeaturerollout.group).toBe('active');
    expect(proc.countryalgotst.value).toBe(-1);
    expect(proc.toLoggingString()).toContain('buttoncolortst2');
    expect(parses.count).toBe(1);
  });

  it('explain parses once for the run and its explanation; another string is parsed anew', () => {
    const proctor = Proctor.fromMatrix(exampleMatrix);
    parses.count = 0;
    const explanation = explainAssignment(proctor, 'buttoncolortst', { identifiers: { USER: 'u' }, forceGroups: 'buttoncolortst1' });
    expect(explanation.steps.join('\n')).toContain('Forced by prforceGroups to 1');
    expect(parses.count).toBe(1);
    expect(proctor.parseForceGroups('buttoncolortst1')).toBe(proctor.parseForceGroups('buttoncolortst1'));
    proctor.parseForceGroups('buttoncolortst2');
    expect(parses.count).toBe(2);
  });

  it('an empty string is nothing forced, before and after another string', async () => {
    const { EMPTY_FORCE_GROUPS } = await import('../../src/engine/index.js');
    const proctor = Proctor.fromMatrix(exampleMatrix);
    expect(proctor.parseForceGroups('')).toBe(EMPTY_FORCE_GROUPS);
    expect(proctor.parseForceGroups('buttoncolortst2').groups.get('buttoncolortst')).toBe(2);
    expect(proctor.parseForceGroups('')).toBe(EMPTY_FORCE_GROUPS);
    expect(proctor.parseForceGroups(null)).toBe(EMPTY_FORCE_GROUPS);
  });
});
