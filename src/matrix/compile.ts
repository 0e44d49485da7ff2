/**
 * Per-test verification and compilation (spec §8.1): a test either compiles into a {@link CompiledTest}
 * or is rejected with a {@link TestRejection} naming the field and the value. Nothing here throws for a bad
 * test; the loader drops it and reports why.
 */
import { computeCutoffs, createTestHasher } from '../hashing/hash.js';
import { isProctorError } from '../errors.js';
import { compileRule, verifyRule } from '../rules/index.js';
import { LONG_MIN, parseJavaLong } from '../java/numbers/index.js';
import { classify } from '../rules/rule-string.js';
import type { CompiledRule, RuleOptions } from '../rules/index.js';
import type { CompiledAllocation, CompiledTest } from './compiled.js';
import { describeValue } from './parse.js';
import { payloadType } from './types.js';
import type { TestGroup } from './compiled.js';
import type { Payload, Range, TestBucket, TestDefinition } from './types.js';

/** Why a test was not loaded. */
export class TestRejection {
  constructor(
    readonly testName: string,
    readonly field: string,
    readonly message: string,
  ) {}

  toString(): string {
    return `tests.${this.testName}${this.field ? `.${this.field}` : ''}: ${this.message}`;
  }
}

/** What verification needs to know about the application. */
export interface CompileContext {
  readonly testTypes: ReadonlySet<string>;
  readonly ruleOptions: RuleOptions;
  /** Variable → Java type name; when set, rules are checked against it (spec §8.1 step 2). */
  readonly providedContext: Readonly<Record<string, string>> | undefined;
}

const SUM_MIN = 0.9999;
const SUM_MAX = 1.0001;



/** A group outside any allocation (forced, or MIN_LIVE): Java logs it without an allocation id. */
function unallocatedGroup(bucket: TestBucket): TestGroup {
  return Object.freeze({ name: bucket.name, value: bucket.value, payload: bucket.payload ?? null, allocation: null });
}

/**
 * Spec §2.3 `default_to_min_live`: the range with the smallest bucket value among those of non-zero
 * length (the first on a tie), or -1.
 */
function minLiveRange(ranges: readonly Range[]): number {
  let best = -1;
  ranges.forEach((range, i) => {
    if (range.length > 0 && (best < 0 || range.bucketValue < (ranges[best] as Range).bucketValue)) best = i;
  });
  return best;
}

/**
 * Spec §2.10: the priority payload experiments are compared by, read as Java's `Long.parseLong` reads it. A
 * null one is Long.MIN_VALUE; so is one Java cannot read (`''`, `' 5'`, `'0x10'`, beyond a long), where Java
 * would throw out of `determineTestGroups`.
 */
function payloadPriority(def: TestDefinition): bigint {
  const p = def.payloadExperimentConfig?.priority;
  const priority = p == null ? null : parseJavaLong(String(p));
  return priority === null ? LONG_MIN : BigInt(priority);
}

/** Java's check for allocations meant for users without a valid unit (not `!x`, not `x == false`). */
function mentionsMissingUnit(rule: string | null): boolean {
  if (rule === null || !rule.includes('missingExperimentalUnit')) return false;
  return !/!\s*missingExperimentalUnit|missingExperimentalUnit\s*==\s*false/.test(rule);
}

function compileChecked(
  name: string,
  field: string,
  source: string | null,
  def: TestDefinition,
  ctx: CompileContext,
): CompiledRule | TestRejection {
  try {
    const rule = compileRule(source, ctx.ruleOptions);
    const problem = verifyRule(rule, {
      constants: def.constants,
      ...(ctx.providedContext ? { providedContext: ctx.providedContext } : {}),
    });
    return problem === null ? rule : new TestRejection(name, field, `invalid rule ${describeValue(source)}: ${problem}`);
  } catch (error) {
    if (!isProctorError(error)) throw error;
    return new TestRejection(name, field, `invalid rule ${describeValue(source)}: ${error.message}`);
  }
}

function describePayload(payload: Payload | null | undefined): string {
  return payload == null ? 'none' : (payloadType(payload) ?? 'empty payload {}');
}

function checkPayloads(name: string, buckets: readonly TestBucket[]): TestRejection | null {
  const withPayload = buckets.filter((b) => b.payload != null);
  if (withPayload.length === 0) return null;
  const missing = buckets.findIndex((b) => b.payload == null);
  if (missing >= 0) {
    const b = buckets[missing];
    return new TestRejection(
      name,
      `buckets[${missing}].payload`,
      `either every bucket has a payload or none does; bucket ${describeValue(b?.name)} (value ${b?.value}) has none`,
    );
  }
  const first = payloadType(withPayload[0]?.payload);
  for (let i = 0; i < buckets.length; i++) {
    const type = payloadType(buckets[i]?.payload);
    if (type !== first) {
      return new TestRejection(
        name,
        `buckets[${i}].payload`,
        `payload type ${describePayload(buckets[i]?.payload)} differs from the test's payload type ${first ?? 'empty payload {}'}`,
      );
    }
  }
  return null;
}

/** Options of {@link compileTest}. */
export interface CompileTestOptions {
  /**
   * The buckets the matrix declares, when `def` is a required test's consolidated form (spec §8.4: buckets
   * of the specification added, payloads stripped when it declares none). Verification then applies to
   * what the matrix wrote: each range must refer to a declared bucket value, and the payload checks run on
   * the declared buckets. So one compile of the consolidated form rejects exactly what compiling the
   * declared test would, and otherwise yields the test the engine runs.
   */
  readonly declaredBuckets?: readonly TestBucket[];
}

/** Verify one test definition (spec §8.1) and compile it, or say precisely why it cannot load. */
export function compileTest(
  name: string,
  def: TestDefinition,
  ctx: CompileContext,
  options: CompileTestOptions = {},
): CompiledTest | TestRejection {
  if (!ctx.testTypes.has(def.testType)) {
    return new TestRejection(
      name,
      'testType',
      `unknown test type ${describeValue(def.testType)} (registered: ${[...ctx.testTypes].join(', ')})`,
    );
  }
  if (def.allocations.length === 0) return new TestRejection(name, 'allocations', 'no allocations specified');
  const testRule = compileChecked(name, 'rule', def.rule, def, ctx);
  if (testRule instanceof TestRejection) return testRule;

  const lastByValue = new Map<number, TestBucket>();
  const forceBuckets = new Map<number, TestBucket>();
  for (const bucket of def.buckets) {
    lastByValue.set(bucket.value, bucket);
    if (!forceBuckets.has(bucket.value)) forceBuckets.set(bucket.value, bucket);
  }
  const declared = options.declaredBuckets;
  // Consolidation only appends buckets, with values the matrix does not use, so for a declared value
  // `lastByValue` holds the same bucket (payload stripped or not) as it would for the declared test.
  const declaredValues = declared === undefined ? null : new Set(declared.map((b) => b.value));

  const allocations: CompiledAllocation[] = [];
  for (let i = 0; i < def.allocations.length; i++) {
    const allocation = def.allocations[i];
    if (allocation === undefined) continue;
    const field = `allocations[${i}]`;
    if (allocation.ranges.length === 0) {
      return new TestRejection(name, `${field}.ranges`, 'an allocation needs at least one range, adding up to 1');
    }
    const rangeBuckets: TestBucket[] = [];
    let total = 0;
    for (let r = 0; r < allocation.ranges.length; r++) {
      const range = allocation.ranges[r];
      if (range === undefined) continue;
      const bucket = lastByValue.get(range.bucketValue);
      if (bucket === undefined || (declaredValues !== null && !declaredValues.has(range.bucketValue))) {
        return new TestRejection(name, `${field}.ranges[${r}].bucketValue`, `refers to unknown bucket value ${range.bucketValue}`);
      }
      rangeBuckets.push(bucket);
      total += range.length;
    }
    if (!(total >= SUM_MIN && total <= SUM_MAX)) {
      const lengths = allocation.ranges.map((r) => String(r.length)).join(' + ');
      return new TestRejection(name, `${field}.ranges`, `lengths must add up to 1 (±0.0001): ${lengths} = ${total}`);
    }
    if (i < def.allocations.length - 1 && classify(allocation.rule, false) === 'EMPTY') {
      return new TestRejection(
        name,
        `${field}.rule`,
        `every allocation but the last needs a rule, got ${describeValue(allocation.rule)}`,
      );
    }
    const rule = compileChecked(name, `${field}.rule`, allocation.rule, def, ctx);
    if (rule instanceof TestRejection) return rule;
    const unitless = mentionsMissingUnit(allocation.rule);
    const ref = Object.freeze({ id: allocation.id, name: allocation.name, index: i });
    const rangeGroups = rangeBuckets.map((b) =>
      Object.freeze({ name: b.name, value: b.value, payload: b.payload ?? null, allocation: ref }),
    );
    if (def.enableUnitlessAllocations && unitless && !allocation.ranges.some((r) => r.length > SUM_MIN)) {
      return new TestRejection(
        name,
        `${field}.ranges`,
        'an allocation whose rule uses "missingExperimentalUnit" must put one bucket at 100%',
      );
    }
    const minLive = minLiveRange(allocation.ranges);
    allocations.push(
      Object.freeze({
        allocation,
        index: i,
        rule,
        cutoffs: Object.freeze(Array.from(computeCutoffs(allocation.ranges.map((r) => r.length)))),
        rangeBuckets: Object.freeze(rangeBuckets),
        rangeGroups: Object.freeze(rangeGroups),
        mentionsMissingUnit: unitless,
        minLiveGroup: minLive < 0 ? null : unallocatedGroup(rangeBuckets[minLive] as TestBucket),
      }),
    );
  }
  // A consolidated test may hold spec-only buckets without payloads: the matrix's own buckets are checked.
  const payloadProblem = checkPayloads(name, declared ?? def.buckets);
  if (payloadProblem) return payloadProblem;

  // Not frozen yet: the loader sets `slot`/`parentSlot` once the final test set is known.
  return {
    name,
    definition: def,
    rule: testRule,
    allocations: Object.freeze(allocations),
    forceBuckets,
    forcedGroups: new Map(Array.from(forceBuckets, ([value, bucket]) => [value, unallocatedGroup(bucket)])),
    payloadPriority: payloadPriority(def),
    hash: createTestHasher(name, def.salt),
    direct:
      def.testType !== 'RANDOM' &&
      def.dependsOn === null &&
      !def.enableUnitlessAllocations &&
      testRule.constant === true &&
      allocations[0]?.rule.constant === true
        ? allocations[0]
        : null,
    slot: -1,
    parentSlot: -1,
  };
}
