/**
 * `explain`: why one user gets (or does not get) a bucket in one test, step by step, with the values the
 * engine computed (rule verdicts, hash, cutoffs, chosen range). Pure; the CLI formats it.
 *
 * The explanation is a record of the engine's own run, not a re-run: assignment runs once with a
 * {@link ScanHook} that notes each rule verdict (and each allocation the unitless scan skips), so the
 * allocation explained is by construction the one the engine chose.
 */
import type { CompiledAllocation } from '../matrix/compiled.js';
import type { Proctor } from './proctor.js';
import type { DetermineInput } from './proctor.js';
import { identifierOf, isIncognito, observeAssignment, TEST_RULE } from './determine.js';
import type { ScanHook } from './determine.js';
import { hashKey as testHashKey, pickRangeIndex } from '../hashing/hash.js';
import type { TestGroup } from './types.js';

export type RuleVerdict = { readonly value: boolean } | { readonly error: string };

export interface AllocationExplanation {
  readonly index: number;
  readonly id: string;
  readonly rule: string | null;
  /** Absent when the engine did not evaluate this rule: it was skipped, or the scan ended before it. */
  readonly verdict?: RuleVerdict;
  /**
   * Set when the unitless scan passed over this allocation without evaluating its rule: the identifier is
   * invalid and the rule does not use `missingExperimentalUnit` (spec §2.4).
   */
  readonly skipped?: true;
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
  /** Absent when the engine did not evaluate the test rule (test skipped or forced, `dependsOn` not met). */
  readonly testRule?: { readonly rule: string | null; readonly verdict: RuleVerdict };
  /** Every allocation of the test, in scan order, with what the engine's scan did with it. */
  readonly allocations?: readonly AllocationExplanation[];
  /** Index of the allocation whose rule matched (absent when the scan did not run or nothing matched). */
  readonly matchedAllocation?: number;
  readonly hash?: number;
  /** The matched allocation's ranges. */
  readonly ranges?: readonly RangeExplanation[];
  /** The range the bucket came from (by hash, or by random draw for RANDOM tests). */
  readonly chosenRange?: number;
  /** What `determineTestGroups` returned for this test (null = unassigned). */
  readonly result: TestGroup | null;
  /** One line per step, in words. */
  readonly steps: readonly string[];
}

/** What the engine's scan reported about the explained test. */
interface Observed {
  readonly verdicts: Map<number, RuleVerdict>;
  readonly skipped: Set<number>;
  invalidIdentifier: boolean;
}

function observe(testName: string): { observed: Observed; hook: ScanHook } {
  const observed: Observed = { verdicts: new Map(), skipped: new Set(), invalidIdentifier: false };
  const hook: ScanHook = {
    verdict(test, index, verdict, error) {
      if (test.name !== testName) return;
      observed.verdicts.set(
        index,
        verdict === null ? { error: error instanceof Error ? error.message : String(error) } : { value: verdict },
      );
    },
    skipped(test, index) {
      if (test.name === testName) observed.skipped.add(index);
    },
    invalidIdentifier(test) {
      if (test.name === testName) observed.invalidIdentifier = true;
    },
  };
  return { observed, hook };
}

function shown(verdict: RuleVerdict, onError = ''): string {
  return 'error' in verdict ? `error: ${verdict.error}${onError}` : String(verdict.value);
}

function describeAllocation(allocation: CompiledAllocation): string {
  const id = allocation.allocation.id;
  return `Allocation ${allocation.index}${id ? ` (${id})` : ''} rule ${allocation.allocation.rule ?? '(none)'}`;
}

/** Explain one test for one user. Runs assignment once (for the test and its `dependsOn` parent). */
export function explainAssignment(proctor: Proctor, testName: string, input: DetermineInput): Explanation {
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
  const { observed, hook } = observe(testName);
  // The parent is evaluated for `dependsOn` anyway; naming it keeps its result in the one run.
  const filter = def.dependsOn === null ? [testName] : [testName, def.dependsOn.testName];
  const outcome = observeAssignment(hook, () => proctor.determineTestGroups({ ...input, tests: filter }));
  const result = outcome.get(testName) ?? null;

  const force = proctor.parseForceGroups(input.forceGroups); // the value the run above parsed
  const forcedValue = force.groups.get(testName);
  const forced = result !== null && result.allocation === null && forcedValue !== undefined && test.forceBuckets.has(forcedValue);
  const minLive = !forced && force.defaultMode === 'MIN_LIVE';

  const hashKey = testHashKey(testName, def.salt);
  const identifier = def.testType === 'RANDOM' ? null : (identifierOf(input.identifiers, def.testType) ?? null);
  steps.push(`Test ${testName}: type ${def.testType}, salt ${JSON.stringify(def.salt)}, hashed key "${hashKey}".`);
  if (def.testType === 'RANDOM') {
    steps.push('RANDOM test: the bucket is drawn at random when random is enabled.');
    if (input.randomEnabled !== true) steps.push('Random is not enabled: the test is skipped.');
  } else if (identifier === null) {
    steps.push(`No ${def.testType} identifier given: the test is skipped.`);
  } else if (!observed.invalidIdentifier) {
    steps.push(`${def.testType} identifier: ${JSON.stringify(identifier)}.`);
  } else if (!def.enableUnitlessAllocations) {
    steps.push(`${def.testType} identifier: ${JSON.stringify(identifier)}, rejected by the identifier validator: the test is skipped.`);
  } else {
    steps.push(
      `${def.testType} identifier: ${JSON.stringify(identifier)}, rejected by the identifier validator; the test allows unitless allocations, ` +
        `so missingExperimentalUnit is ${String(def.containsUnitlessAllocation)} and only allocations whose rule uses it are tried` +
        `${def.containsUnitlessAllocation ? '' : ' (none: the test does not set containsUnitlessAllocation)'}.`,
    );
  }
  if (isIncognito(input.context ?? {}) && !def.evaluateForIncognitoUsers) {
    steps.push('Incognito user (isIncognitoUser) and the test does not set evaluateForIncognitoUsers: the test is skipped.');
  }
  if (forced) {
    steps.push(`Forced by prforceGroups to ${forcedValue}: the rules, dependsOn and the hash are bypassed.`);
  } else if (force.defaultMode === 'FALLBACK') {
    steps.push('default_to_fallback: a test that is not forced gets no bucket.');
  }

  let dependsOn: Explanation['dependsOn'];
  if (def.dependsOn) {
    const parentValue = outcome.get(def.dependsOn.testName)?.value ?? null;
    dependsOn = { ...def.dependsOn, parentValue };
    steps.push(
      `Depends on ${def.dependsOn.testName} = ${def.dependsOn.bucketValue}; the parent is ${parentValue ?? 'unassigned'}: ${parentValue === def.dependsOn.bucketValue ? 'satisfied' : 'not satisfied'}.`,
    );
  }

  const testRuleVerdict = observed.verdicts.get(TEST_RULE);
  const testRule = testRuleVerdict === undefined ? undefined : { rule: def.rule, verdict: testRuleVerdict };
  steps.push(`Test rule ${def.rule === null ? '(none)' : def.rule} → ${testRuleVerdict === undefined ? 'not evaluated' : shown(testRuleVerdict)}.`);

  const allocations: AllocationExplanation[] = [];
  let matched: CompiledAllocation | undefined;
  for (const allocation of test.allocations) {
    const v = observed.verdicts.get(allocation.index);
    const skipped = observed.skipped.has(allocation.index);
    allocations.push({
      index: allocation.index,
      id: allocation.allocation.id,
      rule: allocation.allocation.rule,
      ...(v !== undefined ? { verdict: v } : {}),
      ...(skipped ? { skipped: true as const } : {}),
    });
    if (skipped) steps.push(`${describeAllocation(allocation)} → skipped: not a unitless allocation, and the identifier is invalid.`);
    if (v === undefined) continue;
    steps.push(`${describeAllocation(allocation)} → ${shown(v, ' (scan stops)')}.`);
    if ('value' in v && v.value) matched = allocation;
  }
  if (testRuleVerdict !== undefined && 'value' in testRuleVerdict && testRuleVerdict.value && matched === undefined) {
    steps.push('No allocation matched.');
  }

  let hash: number | undefined;
  let ranges: RangeExplanation[] | undefined;
  let chosenRange: number | undefined;
  if (matched !== undefined) {
    const allocation = matched;
    ranges = allocation.allocation.ranges.map((r, i) => ({
      bucketValue: r.bucketValue,
      bucketName: allocation.rangeBuckets[i]?.name ?? '?',
      length: r.length,
      upperCutoff: allocation.cutoffs[i] ?? null,
    }));
    if (minLive) {
      steps.push('default_to_min_live: the bucket is the smallest bucket value among the ranges of non-zero length (no hash).');
    } else if (identifier !== null) {
      hash = test.hash(identifier);
      const chosen = pickRangeIndex(allocation.cutoffs, hash);
      chosenRange = chosen;
      steps.push(`MD5 hash of key + identifier → int32 ${hash}.`);
      steps.push(
        `Cutoffs [${allocation.cutoffs.join(', ')}]: ${hash} falls in range ${chosen} (bucket ${ranges[chosen]?.bucketName} = ${ranges[chosen]?.bucketValue}).`,
      );
    } else if (result !== null) {
      // RANDOM: the draw is not reproducible; the engine's result is one of this allocation's range groups.
      const chosen = allocation.rangeGroups.indexOf(result);
      if (chosen >= 0) {
        chosenRange = chosen;
        steps.push(`Random draw → range ${chosen} (bucket ${ranges[chosen]?.bucketName} = ${ranges[chosen]?.bucketValue}).`);
      }
    }
  }
  let how = '';
  if (forced) how = ', forced';
  else if (minLive) how = ', default_to_min_live';
  steps.push(
    result === null ? 'Result: unassigned (the app uses its fallback).' : `Result: ${result.name} (${result.value})${how}.`,
  );
  return {
    test: testName,
    found: true,
    testType: def.testType,
    salt: def.salt,
    hashKey,
    identifier,
    ...(dependsOn ? { dependsOn } : {}),
    ...(testRule ? { testRule } : {}),
    allocations,
    ...(matched !== undefined ? { matchedAllocation: matched.index } : {}),
    ...(hash !== undefined ? { hash } : {}),
    ...(ranges ? { ranges } : {}),
    ...(chosenRange !== undefined ? { chosenRange } : {}),
    result,
    steps,
  };
}
