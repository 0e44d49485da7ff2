// A `tests` filter evaluates only the filter and its parents, in slots numbered within the selection (so a
// request for a few tests of a large matrix allocates a few slots). Whatever the filter, each requested test
// must get exactly what it gets without one: checked on every matrix and case of the Java vectors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Proctor } from '../../src/engine/proctor.js';
import { readVectors } from '../support/vectors.js';
import type { AssignCaseInput, AssignMatrixBase } from '../support/vectors.js';

interface MatrixVectors extends AssignMatrixBase {
  load: { ok: boolean; loadedTests?: string[] };
  cases: { id: string; input: AssignCaseInput }[];
}

const { matrices } = readVectors<{ matrices: MatrixVectors[] }>('assign.json');
const loadable = matrices.filter((m) => m.load.ok && (m.load.loadedTests?.length ?? 0) > 0);

describe('determineTestGroups with a tests filter', () => {
  it('has vector matrices with dependencies to check against', () => {
    expect(loadable.length).toBeGreaterThan(5);
    const text = JSON.stringify(loadable.map((m) => m.matrix ?? m.matrixText));
    expect(text).toContain('dependsOn');
    expect(text).toContain('payloadExperimentConfig');
  });

  it.each(loadable.map((m) => [m.name, m] as const))('%s: each requested test gets what it gets unfiltered', (_name, m) => {
    const proctor = Proctor.fromMatrix(m.matrixText ?? m.matrix, {
      identifierValidator: m.identifierValidator,
      ...(m.specification ? { specification: m.specification as Record<string, unknown> } : {}),
      forcePayloadTests: 'all',
      random: () => 0.5,
    });
    const names = [...(m.load.loadedTests ?? []), 'nosuchtst'];
    const cases = m.cases.slice(0, 6);
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: names.length + 2 }),
        fc.boolean(),
        (c, filter, frozen) => {
          const { tests: _given, forcePayloadTests: _policy, ...input } = c.input;
          const full = proctor.determineTestGroups(input);
          const tests = frozen ? Object.freeze([...filter]) : filter;
          const filtered = proctor.determineTestGroups({ ...input, tests });
          filter.forEach((name, j) => {
            expect(filtered.get(name)).toEqual(full.get(name));
            expect(filtered.getAt(j)).toEqual(full.get(name));
          });
          const requested = new Set(filter);
          expect(filtered.entries().map((e) => e.name)).toEqual(full.entries().map((e) => e.name).filter((n) => requested.has(n)));
          // A parent evaluated for a requested child is not part of the result.
          for (const name of names) if (!requested.has(name)) expect(filtered.get(name)).toBeUndefined();
          // The same frozen list again: the selection kept at hand gives the same answer.
          expect(proctor.determineTestGroups({ ...input, tests }).toLoggingString()).toBe(filtered.toLoggingString());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a filter of a few tests from a large matrix answers them (slots numbered within the selection)', () => {
    const tests: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) {
      tests[`t${i}`] = {
        testType: 'USER',
        salt: `t${i}`,
        version: '1',
        // Every tenth test depends on the one before it being in bucket 1.
        ...(i % 10 === 9 ? { dependsOn: { testName: `t${i - 1}`, bucketValue: 1 } } : {}),
        buckets: [
          { name: 'control', value: 0 },
          { name: 'test', value: 1 },
        ],
        allocations: [{ ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 1, length: 0.5 }] }],
      };
    }
    const proctor = Proctor.fromMatrix({ audit: { version: '1', updated: 0, updatedBy: 'x' }, tests });
    const filter = Object.freeze(['t1999', 't5', 't19', 'nosuchtst', 't5']);
    const seen = new Set<boolean>();
    for (const user of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const full = proctor.determineTestGroups({ identifiers: { USER: user } });
      const filtered = proctor.determineTestGroups({ identifiers: { USER: user }, tests: filter });
      expect(filter.map((_t, j) => filtered.getAt(j))).toEqual(filter.map((t) => full.get(t)));
      expect(Object.keys(filtered.groups)).toEqual(['t19', 't1999', 't5'].filter((t) => full.get(t) !== undefined));
      expect(filtered.get('t1998')).toBeUndefined(); // evaluated as t1999's parent, not reported
      // The dependency itself: t1999 has a bucket exactly when its parent (asked alone) is in bucket 1.
      const parent = proctor.determineTestGroups({ identifiers: { USER: user }, tests: ['t1998'] }).get('t1998');
      expect(filtered.get('t1999') !== undefined).toBe(parent?.value === 1);
      seen.add(parent?.value === 1);
    }
    expect(seen).toEqual(new Set([true, false]));
  });
});
