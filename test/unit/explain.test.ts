/**
 * `explainAssignment` must describe the scan that decided, not a re-run of its own: the allocation it names
 * and the range it shows are exactly the engine's. Checked on hand-made unitless cases (where an earlier copy
 * of the scan disagreed) and on every row of the Java vectors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { explainCommand } from '../../src/cli/commands.js';
import { explainAssignment, Proctor } from '../../src/engine/index.js';
import type { Explanation, IdentifierValidator, TestGroup } from '../../src/engine/index.js';
import { fromVectorValue } from '../support/vector-values.js';
import { readVectors } from '../support/vectors.js';
import type { AssignCaseInput, AssignMatrixBase } from '../support/vectors.js';

/** The allocation whose rule the explanation reports as true (the scan stops at the first one). */
function chosenAllocation(e: Explanation): number | undefined {
  return e.allocations?.find((a) => a.verdict !== undefined && 'value' in a.verdict && a.verdict.value)?.index;
}

/** What explain claims the user got from the hash/draw: allocation and bucket, or undefined. */
function claimedBucket(e: Explanation): { allocation: number | undefined; value: number; name: string } | undefined {
  if (e.chosenRange === undefined) return undefined;
  const range = e.ranges?.[e.chosenRange];
  return range === undefined ? undefined : { allocation: chosenAllocation(e), value: range.bucketValue, name: range.bucketName };
}

/**
 * Differences between explain and the engine for one test (empty when they agree): explain's result is the
 * engine's, a bucket the engine took from an allocation is the one explain names (allocation, range, bucket),
 * and explain claims no range when the engine did not pick one from an allocation (unassigned, forced, MIN_LIVE).
 */
function disagreements(e: Explanation, engine: TestGroup | null): string[] {
  const problems: string[] = [];
  if (JSON.stringify(e.result) !== JSON.stringify(engine)) problems.push(`result ${JSON.stringify(e.result)} ≠ engine ${JSON.stringify(engine)}`);
  const claimed = claimedBucket(e);
  if (engine?.allocation) {
    const expected = { allocation: engine.allocation.index, value: engine.value, name: engine.name };
    if (JSON.stringify(claimed) !== JSON.stringify(expected)) problems.push(`explain names ${JSON.stringify(claimed)}, engine ${JSON.stringify(expected)}`);
    if (e.matchedAllocation !== engine.allocation.index) problems.push(`matchedAllocation ${e.matchedAllocation} ≠ ${engine.allocation.index}`);
  } else if (claimed !== undefined) {
    problems.push(`explain names ${JSON.stringify(claimed)}, but the engine took no range (${JSON.stringify(engine)})`);
  }
  return problems;
}

const AUDIT = { version: '1', updated: 0, updatedBy: 't' };
const HALVES = [
  { bucketValue: 0, length: 0.5 },
  { bucketValue: 1, length: 0.5 },
];
const BUCKETS = [
  { name: 'control', value: 0 },
  { name: 'test', value: 1 },
];

/**
 * Spec §2.4, unitless variant: with an invalid identifier only allocations whose rule names
 * `missingExperimentalUnit` count; `#A1` is skipped without being evaluated, so `#U1` wins (100% `test`).
 */
const unitlessMatrix = {
  audit: AUDIT,
  tests: {
    unitlesstst: {
      testType: 'USER',
      salt: 'unitlesstst',
      rule: null,
      enableUnitlessAllocations: true,
      containsUnitlessAllocation: true,
      buckets: BUCKETS,
      allocations: [
        { id: '#A1', rule: "${country == 'US'}", ranges: HALVES },
        { id: '#U1', rule: '${missingExperimentalUnit}', ranges: [{ bucketValue: 0, length: 0 }, { bucketValue: 1, length: 1 }] },
        { id: '#B1', rule: null, ranges: HALVES },
      ],
    },
    standardtst: { testType: 'USER', salt: 'standardtst', rule: null, buckets: BUCKETS, allocations: [{ id: '#S1', rule: null, ranges: HALVES }] },
  },
};

describe('explain names the allocation the engine picks (unitless allocations, spec §2.4)', () => {
  const cases: [string, IdentifierValidator, string][] = [
    ['noEmpty, empty identifier', 'noEmpty', ''],
    ['function validator rejecting the identifier', (_type, id) => id.startsWith('ok-'), 'bad-42'],
  ];
  it.each(cases)('%s: the non-unitless allocation is skipped, #U1 wins', (_label, identifierValidator, id) => {
    const proctor = Proctor.fromMatrix(unitlessMatrix, { identifierValidator });
    const input = { identifiers: { USER: id }, context: { country: 'US' } };
    const engine = proctor.determineTestGroups(input).get('unitlesstst') ?? null;
    expect(engine).toMatchObject({ name: 'test', value: 1, allocation: { id: '#U1', index: 1 } });

    const e = explainAssignment(proctor, 'unitlesstst', input);
    expect(disagreements(e, engine)).toEqual([]);
    expect(chosenAllocation(e)).toBe(1);
    expect(e.matchedAllocation).toBe(1);
    expect(e.ranges?.[e.chosenRange ?? -1]).toMatchObject({ bucketName: 'test', bucketValue: 1 });
    expect(e.allocations?.[0]).toMatchObject({ id: '#A1', skipped: true });
    expect(e.allocations?.[0]?.verdict).toBeUndefined();
    expect(e.allocations?.[1]).toMatchObject({ id: '#U1', verdict: { value: true } });
    expect(e.allocations?.[2]?.verdict).toBeUndefined();
    const text = e.steps.join('\n');
    expect(text).toContain('rejected by the identifier validator');
    expect(text).toContain("Allocation 0 (#A1) rule ${country == 'US'} → skipped");
    expect(text).toContain('Allocation 1 (#U1) rule ${missingExperimentalUnit} → true.');
    expect(text).not.toContain("Allocation 0 (#A1) rule ${country == 'US'} → true");
    expect(text).toContain('Result: test (1).');
  });

  it('a valid identifier: missingExperimentalUnit is false and #A1 wins, as in the engine', () => {
    const proctor = Proctor.fromMatrix(unitlessMatrix, { identifierValidator: 'noEmpty' });
    const input = { identifiers: { USER: 'u-1' }, context: { country: 'US' } };
    const engine = proctor.determineTestGroups(input).get('unitlesstst') ?? null;
    expect(engine?.allocation?.id).toBe('#A1');
    const e = explainAssignment(proctor, 'unitlesstst', input);
    expect(disagreements(e, engine)).toEqual([]);
    expect(e.steps.join('\n')).toContain("Allocation 0 (#A1) rule ${country == 'US'} → true.");
  });

  it('a standard test with a rejected identifier: no rule is evaluated and no range is claimed', () => {
    const proctor = Proctor.fromMatrix(unitlessMatrix, { identifierValidator: 'noEmpty' });
    const input = { identifiers: { USER: '' }, context: {} };
    const e = explainAssignment(proctor, 'standardtst', input);
    expect(e.result).toBeNull();
    expect(disagreements(e, proctor.determineTestGroups(input).get('standardtst') ?? null)).toEqual([]);
    expect(e.allocations?.every((a) => a.verdict === undefined)).toBe(true);
    expect(e.hash).toBeUndefined();
    expect(e.steps.join('\n')).toContain('rejected by the identifier validator: the test is skipped');
  });
});

describe('explain runs the engine once and reports what it did', () => {
  const depMatrix = {
    audit: AUDIT,
    tests: {
      parenttst: { testType: 'USER', salt: 'parenttst', rule: null, buckets: BUCKETS, allocations: [{ id: '#P', rule: null, ranges: [{ bucketValue: 1, length: 1 }] }] },
      childtst: {
        testType: 'USER',
        salt: 'childtst',
        rule: '${loggedIn}',
        dependsOn: { testName: 'parenttst', bucketValue: 1 },
        buckets: BUCKETS,
        allocations: [{ id: '#C', rule: null, ranges: HALVES }],
      },
    },
  };

  it('one determineTestGroups call, parent included', () => {
    const proctor = Proctor.fromMatrix(depMatrix);
    const spy = vi.spyOn(proctor, 'determineTestGroups');
    const e = explainAssignment(proctor, 'childtst', { identifiers: { USER: 'u1' }, context: { loggedIn: true } });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(e.dependsOn).toEqual({ testName: 'parenttst', bucketValue: 1, parentValue: 1 });
    expect(e.testRule).toEqual({ rule: '${loggedIn}', verdict: { value: true } });
    expect(e.steps.join('\n')).toContain('Depends on parenttst = 1; the parent is 1: satisfied.');
  });

  it('a forced bucket: rules and hash are bypassed, none is shown as deciding', () => {
    const proctor = Proctor.fromMatrix(depMatrix);
    const input = { identifiers: { USER: 'u1' }, context: { loggedIn: false }, forceGroups: 'childtst1' };
    const e = explainAssignment(proctor, 'childtst', input);
    expect(disagreements(e, proctor.determineTestGroups(input).get('childtst') ?? null)).toEqual([]);
    expect(e.result).toMatchObject({ value: 1, allocation: null });
    expect(e.testRule).toBeUndefined();
    expect(e.steps.join('\n')).toContain('Result: test (1), forced.');
  });

  it('a rule that keeps the user out stops the scan there', () => {
    const proctor = Proctor.fromMatrix(depMatrix);
    const e = explainAssignment(proctor, 'childtst', { identifiers: { USER: 'u1' }, context: { loggedIn: false } });
    expect(e.result).toBeNull();
    expect(e.testRule).toEqual({ rule: '${loggedIn}', verdict: { value: false } });
    expect(e.allocations?.every((a) => a.verdict === undefined)).toBe(true);
    expect(e.steps.join('\n')).toContain('Test rule ${loggedIn} → false.');
  });
});

describe('proctor-node explain (command, in process)', () => {
  function runExplain(args: string[]): { code: number; stdout: string } {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = explainCommand(args, { stdin: new PassThrough(), stdout, stderr: new PassThrough() });
    return { code, stdout: out };
  }

  it('with --identifier-validator noEmpty names the unitless allocation the engine picks', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'proctor-explain-')), 'matrix.json');
    writeFileSync(file, JSON.stringify(unitlessMatrix));
    const r = runExplain(['--matrix', file, '--test', 'unitlesstst', '--id', 'USER=', '--ctx', 'country=US', '--identifier-validator', 'noEmpty']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Allocation 1 (#U1) rule ${missingExperimentalUnit} → true.');
    expect(r.stdout).toContain('Result: test (1).');
    const json = JSON.parse(
      runExplain(['--matrix', file, '--test', 'unitlesstst', '--id', 'USER=', '--ctx', 'country=US', '--identifier-validator', 'noEmpty', '--json']).stdout,
    ) as Explanation;
    expect(json.matchedAllocation).toBe(1);
    expect(json.result?.allocation?.id).toBe('#U1');
  });
});

interface VectorCase {
  id: string;
  input: AssignCaseInput;
}
interface VectorMatrix extends AssignMatrixBase {
  load: { ok: boolean; loadedTests?: string[] };
  cases: VectorCase[];
}

describe('explain agrees with the engine on every assign.json row', () => {
  const { matrices } = readVectors<{ matrices: VectorMatrix[] }>('assign.json');
  const loadable = matrices.filter((m) => m.load.ok && m.cases.length > 0 && (m.load.loadedTests?.length ?? 0) > 0);

  it.each(loadable.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const problems: string[] = [];
    let checked = 0;
    for (const c of m.cases) {
      const proctor = Proctor.fromMatrix(m.matrixText ?? m.matrix, {
        identifierValidator: m.identifierValidator,
        ...(m.specification ? { specification: m.specification as Record<string, unknown> } : {}),
        forcePayloadTests: c.input.forcePayloadTests ?? 'all',
        // RANDOM tests draw from this: a fixed value makes the engine's draw the same in both runs.
        random: () => 0.4,
      });
      const input = {
        identifiers: c.input.identifiers,
        context: fromVectorValue(c.input.context) as Record<string, unknown>,
        ...(c.input.forceGroups !== undefined ? { forceGroups: c.input.forceGroups } : {}),
        ...(c.input.randomEnabled !== undefined ? { randomEnabled: c.input.randomEnabled } : {}),
      };
      const engine = proctor.determineTestGroups(input);
      for (const name of proctor.loadResult.loadedTests) {
        const e = explainAssignment(proctor, name, input);
        checked++;
        for (const p of disagreements(e, engine.get(name) ?? null)) problems.push(`${c.id} ${name}: ${p}`);
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
