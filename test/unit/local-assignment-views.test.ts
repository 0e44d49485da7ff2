/**
 * The local source's shortcut for the proc (`IdentifyResult.assignmentAt`): the proc's view of each test,
 * shared per bucket, must be the very object the general path (`lookupAt` → `toGroupAssignment`) gives,
 * for assigned, unassigned, forced and payload-forced tests alike.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localSource } from '../../src/sources/local.js';
import { toGroupAssignment, UNASSIGNED } from '../../src/assignment.js';
import { createProctor } from '../../src/proc/client.js';

const matrix = JSON.parse(readFileSync(new URL('../../examples/matrix.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const tests = Object.freeze([...Object.keys((matrix as { tests: object }).tests), 'nosuchtst']);

describe('local source: assignmentAt agrees with lookupAt', () => {
  const source = localSource({ matrix });
  const inputs = [
    ...Array.from({ length: 200 }, (_, i) => ({ identifiers: { USER: `user${i}`, ACCOUNT: String(i) }, context: { country: i % 2 ? 'US' : 'DE', loggedIn: i % 3 === 0 }, forceGroups: null })),
    { identifiers: {}, context: {}, forceGroups: null },
    { identifiers: { USER: 'forced' }, context: {}, forceGroups: tests.map((t) => `${t}1`).join(',') },
    { identifiers: { USER: 'forced' }, context: {}, forceGroups: `${tests[0]}0;stringValue:"forced payload"` },
  ];

  it.each(inputs.map((input, i) => [i, input] as const))('request %i', (_i, input) => {
    const result = source.sync.identifySync({ tests, ...input });
    expect(result.assignmentAt).toBeTypeOf('function');
    tests.forEach((test, i) => {
      const general = toGroupAssignment(result.lookupAt?.(i) ?? null);
      expect(result.assignmentAt?.(i), test).toBe(general);
    });
    // The unknown test is unassigned through both.
    expect(result.assignmentAt?.(tests.length - 1)).toBe(UNASSIGNED);
  });

  it('a proc built on it reads the same as one built on the general path', () => {
    const fast = createProctor({ source, tests });
    const lazy = createProctor({ source, tests, lazy: true });
    for (const input of inputs) {
      expect(fast.procForRequest(input).toJSON()).toEqual(lazy.procForRequest(input).toJSON());
      expect(String(fast.procForRequest(input))).toBe(String(lazy.procForRequest(input)));
    }
  });
});
