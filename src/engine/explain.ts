/**
 * `explain`: why one user gets (or does not get) a bucket in one test, step by step, with the values the
 * engine computed (rule verdicts, hash, cutoffs, chosen range). Pure; the CLI formats it.
 */
import type { CompiledTest } from '../matrix/compiled.js';
import type { Proctor } from './proctor.js';
import type { DetermineInput } from './proctor.js';
import { hashKey as testHashKey, pickRangeIndex } from './hash.js';
import type { TestGroup } from './types.js';

export type RuleVerdict = { readonly value: boolean } | { readonly error: string };

export interface AllocationExplanation {
  readonly index: number;
  readonly id: string;
  readonly rule: string | null;
  /** Absent when the scan stopped before this allocation. */
  readonly verdict?: RuleVerdict;
}

export interface RangeExplanation {
  readonly bucketValue: number;
  readonly bucketName: string;
  readonly length: number;
  /** Hash values up to and including this cutoff fall in this range (the last range has none). */
  readonly upperCutoff: number | null;
}

export interface Explanation {
  readonly test: string;
  readonly found: boolean;
  readonly testType?: string;
  readonly salt?: string | null;
  /** The string hashed with the identifier (spec §2.6). */
  readonly hashKey?: string;
  readonly identifier?: string | null;
  readonly dependsOn?: { readonly testName: string; readonly bucketValue: number; readonly parentValue: number | null };
  readonly testRule?: { readonly rule: string | null; readonly verdict: RuleVerdict };
  readonly allocations?: readonly AllocationExplanation[];
  readonly hash?: number;
  readonly ranges?: readonly RangeExplanation[];
  readonly chosenRange?: number;
  /** What `determineTestGroups` returned for this test (null = unassigned). */
  readonly result: TestGroup | null;
  /** One line per step, in words. */
  readonly steps: readonly string[];
}

function verdict(rule: CompiledTest['rule'], constants: Readonly<Record<string, unknown>>, context: Record<string, unknown>): RuleVerdict {
  try {
    return { value: rule.evaluate({ constants, context }) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Explain one test for one user. */
export function explainAssignment(proctor: Proctor, testName: string, input: DetermineInput): Explanation {
  const result = proctor.determineTestGroups({ ...input, tests: [testName] }).groups[testName] ?? null;
  const test = proctor.loadResult.matrix.tests.get(testName);
  const steps: string[] = [];
  if (test === undefined) {
    const rejection = proctor.loadResult.errors.get(testName);
    steps.push(
      rejection ? `Test ${testName} was not loaded: ${rejection.message}` : `Test ${testName} is not in the matrix.`,
    );
    return { test: testName, found: false, result: null, steps };
  }
  const def = test.definition;
  const hashKey = testHashKey(testName, def.salt);
  const identifier = def.testType === 'RANDOM' ? null : (input.identifiers[def.testType] ?? null);
  const context: Record<string, unknown> = { ...(input.context ?? {}), missingExperimentalUnit: false };
  steps.push(`Test ${testName}: type ${def.testType}, salt ${JSON.stringify(def.salt)}, hashed key "${hashKey}".`);
  if (def.testType === 'RANDOM') steps.push('RANDOM test: the bucket is drawn at random when random is enabled.');
  else if (identifier === null) steps.push(`No ${def.testType} identifier given: the test is skipped.`);
  else steps.push(`${def.testType} identifier: ${JSON.stringify(identifier)}.`);

  let dependsOn: Explanation['dependsOn'];
  if (def.dependsOn) {
    const parentValue =
      proctor.determineTestGroups({ ...input, tests: [def.dependsOn.testName] }).groups[def.dependsOn.testName]?.value ?? null;
    dependsOn = { ...def.dependsOn, parentValue };
    steps.push(
      `Depends on ${def.dependsOn.testName} = ${def.dependsOn.bucketValue}; the parent is ${parentValue ?? 'unassigned'}: ${parentValue === def.dependsOn.bucketValue ? 'satisfied' : 'not satisfied'}.`,
    );
  }
  const testRule = { rule: def.rule, verdict: verdict(test.rule, def.constants, context) };
  steps.push(`Test rule ${def.rule === null ? '(none)' : def.rule} → ${'error' in testRule.verdict ? `error: ${testRule.verdict.error}` : String(testRule.verdict.value)}.`);

  const allocations: AllocationExplanation[] = [];
  let matched: number | undefined;
  for (const allocation of test.allocations) {
    const v = verdict(allocation.rule, def.constants, context);
    allocations.push({ index: allocation.index, id: allocation.allocation.id, rule: allocation.allocation.rule, verdict: v });
    const shown = 'error' in v ? `error: ${v.error} (scan stops)` : String(v.value);
    steps.push(`Allocation ${allocation.index}${allocation.allocation.id ? ` (${allocation.allocation.id})` : ''} rule ${allocation.allocation.rule ?? '(none)'} → ${shown}.`);
    if ('error' in v) break;
    if (v.value) {
      matched = allocation.index;
      break;
    }
  }
  if (matched === undefined) steps.push('No allocation matched.');

  let hash: number | undefined;
  let ranges: RangeExplanation[] | undefined;
  let chosenRange: number | undefined;
  const allocation = matched === undefined ? undefined : test.allocations.find((a) => a.index === matched);
  if (allocation !== undefined) {
    ranges = allocation.allocation.ranges.map((r, i) => ({
      bucketValue: r.bucketValue,
      bucketName: allocation.rangeBuckets[i]?.name ?? '?',
      length: r.length,
      upperCutoff: allocation.cutoffs[i] ?? null,
    }));
    if (identifier !== null) {
      hash = test.hash(identifier);
      const chosen = pickRangeIndex(allocation.cutoffs, hash);
      chosenRange = chosen;
      steps.push(`MD5 hash of key + identifier → int32 ${hash}.`);
      steps.push(
        `Cutoffs [${allocation.cutoffs.join(', ')}]: ${hash} falls in range ${chosen} (bucket ${ranges[chosen]?.bucketName} = ${ranges[chosen]?.bucketValue}).`,
      );
    }
  }
  steps.push(
    result === null
      ? 'Result: unassigned (the app uses its fallback).'
      : `Result: ${result.name} (${result.value})${result.allocation === null ? ', forced' : ''}.`,
  );
  return {
    test: testName,
    found: true,
    testType: def.testType,
    salt: def.salt,
    hashKey,
    identifier,
    ...(dependsOn ? { dependsOn } : {}),
    testRule,
    allocations,
    ...(hash !== undefined ? { hash } : {}),
    ...(ranges ? { ranges } : {}),
    ...(chosenRange !== undefined ? { chosenRange } : {}),
    result,
    steps,
  };
}
