/**
 * Pure assignment (spec §2.2–§2.10): given a compiled matrix and one user's identifiers and context, decide
 * each test's bucket exactly as Java Proctor's `determineTestGroups` does. Never throws for any input: rule
 * errors leave the test unassigned and are reported through `onRuleError`.
 */
import type { CompiledAllocation, CompiledMatrix, CompiledTest } from '../matrix/compiled.js';
import type { Payload } from '../matrix/types.js';
import type { RuleScope } from '../rules/index.js';
import { LONG_MIN } from '../java/numbers/index.js';
import { parseJavaBoolean } from '../java/text.js';
import { applyForcedPayload } from './force-groups/index.js';
import type { ForceGroups } from './force-groups/index.js';
import { pickRangeIndex } from '../hashing/hash.js';
import type { IdentifierValidator, Identifiers, PayloadProperty, TestGroup } from './types.js';
import { selection } from './selection.js';
import type { Selection } from './selection.js';

export type { ReportedTest, Selection } from './selection.js';

/**
 * Everything one assignment needs but the force groups, which come parsed beside it (so the caller's own
 * input object can be passed as it is, with its `forceGroups` string unread).
 */
export interface AssignmentInput {
  readonly identifiers?: Identifiers | undefined;
  readonly context?: Readonly<Record<string, unknown>> | undefined;
  /** Only these tests (and, transitively, their parents). Empty or absent = all tests. */
  readonly tests?: readonly string[] | undefined;
  /** Whether RANDOM tests are evaluated. @default false */
  readonly randomEnabled?: boolean | undefined;
}

/** Engine settings fixed per Proctor instance. */
export interface EngineOptions {
  readonly identifierValidator: IdentifierValidator;
  /** Source of randomness for RANDOM tests, uniform in [0, 1). */
  readonly random: () => number;
  readonly onRuleError: (testName: string, rule: string | null, error: unknown) => void;
}

/**
 * The raw outcome: one slot per evaluated test (see {@link Selection.slots}), undefined when unassigned.
 * Building a keyed object per request is the slowest part of assignment, so callers build one only when
 * asked.
 */
export interface Assignment {
  readonly slots: readonly (TestGroup | undefined)[];
  /** Which tests were evaluated and reported, and where each one's slot is. */
  readonly selection: Selection;
  readonly properties: Readonly<Record<string, PayloadProperty>>;
}

function isValid(validator: IdentifierValidator, type: string, id: string): boolean {
  if (validator === 'noop') return true;
  if (validator === 'noEmpty') return id !== '';
  try {
    return validator(type, id);
  } catch {
    return false;
  }
}

/** The user's identifier of a test type (own properties only), or undefined when there is none. */
export function identifierOf(ids: Identifiers, type: string): string | undefined {
  const raw = Object.hasOwn(ids, type) ? ids[type] : undefined;
  return typeof raw === 'string' ? raw : undefined;
}

/** Spec §2.2 step 4a: `isIncognitoUser`, stringified, equals "true" ignoring case. */
export function isIncognito(context: Readonly<Record<string, unknown>>): boolean {
  if (!Object.hasOwn(context, 'isIncognitoUser')) return false;
  return parseJavaBoolean(String(context.isIncognitoUser));
}

/**
 * Watches what one {@link assign} call decides, rule by rule, so that `explain` reports the scan that
 * decided instead of re-running its own (which can drift from this one). Never set on the request path: see
 * {@link observeAssignment}.
 */
export interface ScanHook {
  /**
   * The engine evaluated a rule of `test`: `index` is the allocation index, or {@link TEST_RULE} for the
   * test rule. `verdict` is the rule's value, or `null` when it threw (`error`), which leaves the test
   * unassigned and stops the scan.
   */
  verdict(test: CompiledTest, index: number, verdict: boolean | null, error: unknown): void;
  /** The unitless scan passed over allocation `index` without evaluating it (invalid identifier, spec §2.4). */
  skipped(test: CompiledTest, index: number): void;
  /** The identifier validator rejected the identifier of `test`'s type (spec §2.2 step 2). */
  invalidIdentifier(test: CompiledTest): void;
}

/** The `index` {@link ScanHook.verdict} gets for the test-level rule. */
export const TEST_RULE = -1;

/** The hook the next {@link assign} call reports to; null on the request path. */
let armedHook: ScanHook | null = null;

/**
 * Runs `run` with `hook` watching the first {@link assign} call it makes, e.g. through
 * `Proctor.determineTestGroups` (whose engine options are private), then disarms it. Assignment is
 * synchronous, so no other request can see the hook. With a hook, every test takes the general path (the
 * `direct` short path evaluates nothing to report); it decides the same.
 */
export function observeAssignment<T>(hook: ScanHook, run: () => T): T {
  armedHook = hook;
  try {
    return run();
  } finally {
    armedHook = null;
  }
}

function evaluate(
  test: CompiledTest,
  rule: CompiledAllocation['rule'],
  index: number,
  scope: RuleScope,
  options: EngineOptions,
  hook: ScanHook | null,
): boolean | null {
  let verdict: boolean;
  try {
    verdict = rule.constant ?? rule.evaluate(scope);
  } catch (error) {
    options.onRuleError(test.name, rule.source, error);
    if (hook !== null) hook.verdict(test, index, null, error);
    return null;
  }
  if (hook !== null) hook.verdict(test, index, verdict, undefined);
  return verdict;
}

/** Spec §2.4: dependsOn, test rule, first matching allocation; `null` allocation = none matched. */
function matchAllocation(
  test: CompiledTest,
  scope: RuleScope,
  parent: TestGroup | undefined,
  unitOk: boolean,
  options: EngineOptions,
  hook: ScanHook | null,
): CompiledAllocation | null {
  const dep = test.definition.dependsOn;
  if (dep !== null && parent?.value !== dep.bucketValue) return null;
  if (evaluate(test, test.rule, TEST_RULE, scope, options, hook) !== true) return null;
  const unitless = test.definition.enableUnitlessAllocations;
  for (const allocation of test.allocations) {
    if (unitless && !unitOk && !(test.definition.containsUnitlessAllocation && allocation.mentionsMissingUnit)) {
      if (hook !== null) hook.skipped(test, allocation.index);
      continue;
    }
    const verdict = evaluate(test, allocation.rule, allocation.index, scope, options, hook);
    if (verdict === null) return null; // an error in allocation k stops the scan
    if (verdict) return allocation;
  }
  return null;
}

function randomRange(allocation: CompiledAllocation, random: () => number): number {
  const r = random();
  let current = 0;
  const ranges = allocation.allocation.ranges;
  for (let i = 0; i < ranges.length; i++) {
    current += ranges[i]?.length ?? 0;
    if (r < current) return i;
  }
  return ranges.length - 1;
}

/**
 * The group a forced bucket yields (spec §4.4): the one built at load time, unless a forced payload
 * replaces the bucket's, which takes a new group for this request.
 */
function forcedGroup(group: TestGroup, forced: Payload | undefined): TestGroup {
  if (forced === undefined) return group;
  const payload = applyForcedPayload(group.payload, forced) ?? null;
  return payload === group.payload ? group : { name: group.name, value: group.value, payload, allocation: null };
}

const NO_PROPERTIES: Readonly<Record<string, PayloadProperty>> = Object.freeze({});
const NO_CONSTANTS: Readonly<Record<string, unknown>> = Object.freeze({});
/** The scope of calls whose rules are all constant: never read, so one serves every call. */
const CONSTANT_SCOPE = Object.freeze({ constants: NO_CONSTANTS, context: NO_CONSTANTS });

function collectProperties(selected: Selection, slots: readonly (TestGroup | undefined)[]): Readonly<Record<string, PayloadProperty>> {
  const tests = selected.payloadTests;
  if (tests.length === 0) return NO_PROPERTIES;
  // No prototype: every JSON key is a property, `__proto__` and `toString` included (Java's HashMap).
  const properties = Object.create(null) as Record<string, PayloadProperty>;
  const priorities = new Map<string, bigint>();
  for (let p = 0; p < tests.length; p++) {
    const test = tests[p] as CompiledTest;
    const json = slots[selected.payloadSlots[p] as number]?.payload?.json;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) continue;
    const priority = test.payloadPriority;
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      const stored = properties[key];
      if (stored === undefined || (priorities.get(stored.testName) ?? LONG_MIN) < priority) {
        properties[key] = { value, testName: test.name };
        priorities.set(test.name, priority);
      }
    }
  }
  return properties;
}

const NO_IDENTIFIERS: Identifiers = Object.freeze({});

/** Spec §2.2: assign every selected test. */
export function assign(matrix: CompiledMatrix, input: AssignmentInput, force: ForceGroups, options: EngineOptions): Assignment {
  const ids = input.identifiers ?? NO_IDENTIFIERS;
  const context = input.context ?? NO_CONSTANTS;
  const randomEnabled = input.randomEnabled === true;
  const incognito = isIncognito(context);
  const selected = selection(matrix, input.tests);
  const tests = selected.tests;
  const positions = selected.slots;
  const hook = armedHook;
  if (hook !== null) armedHook = null; // it watches one call
  // One mutable copy per call, when some rule reads variables: `missingExperimentalUnit` changes per test
  // (spec §2.2 step 4b). Constant rules never look at the scope, so without such rules none is built.
  const ruleContext: Record<string, unknown> | null = selected.usesRules ? Object.assign(Object.create(null) as object, context) : null;
  const scope: { constants: Readonly<Record<string, unknown>>; context: Readonly<Record<string, unknown>> } =
    ruleContext === null ? CONSTANT_SCOPE : { constants: NO_CONSTANTS, context: ruleContext };
  let invalid: Set<string> | undefined;
  if (options.identifierValidator !== 'noop') {
    for (const type of Object.keys(ids)) {
      const id = ids[type];
      if (typeof id === 'string' && !isValid(options.identifierValidator, type, id)) (invalid ??= new Set()).add(type);
    }
  }

  // Nothing forced, no incognito user, every identifier valid: tests with a `direct` allocation need no rules.
  const plain = force.groups.size === 0 && force.defaultMode === 'NONE' && !incognito && invalid === undefined && hook === null;
  // Tests mostly share one identifier type, so the last lookup is kept.
  let lastType: string | null = null;
  let lastId: string | undefined;
  const slots: (TestGroup | undefined)[] = new Array<TestGroup | undefined>(selected.size);
  for (let p = 0; p < tests.length; p++) {
    const test = tests[p] as CompiledTest;
    const slot = positions[p] as number;
    const def = test.definition;
    const direct = test.direct;
    if (plain && direct !== null) {
      if (def.testType !== lastType) {
        lastType = def.testType;
        lastId = identifierOf(ids, lastType);
      }
      // One range (a test rolled out to everyone) takes every hash: no need to compute it.
      if (lastId !== undefined) slots[slot] = direct.rangeGroups[direct.cutoffs.length === 0 ? 0 : pickRangeIndex(direct.cutoffs, test.hash(lastId))];
      continue;
    }
    if (incognito && !def.evaluateForIncognitoUsers) continue;
    const typeInvalid = invalid !== undefined && invalid.has(def.testType);
    if (typeInvalid && hook !== null) hook.invalidIdentifier(test);
    if (ruleContext !== null) {
      ruleContext.missingExperimentalUnit = typeInvalid && def.containsUnitlessAllocation;
      scope.constants = def.constants;
    }

    const isRandom = def.testType === 'RANDOM';
    let id: string | null = null;
    if (isRandom) {
      if (!randomEnabled) continue;
    } else {
      const given = identifierOf(ids, def.testType);
      if (given === undefined) continue;
      if (typeInvalid && !def.enableUnitlessAllocations) continue;
      id = given;
    }

    const forcedValue = force.groups.get(test.name);
    const forced = forcedValue === undefined ? undefined : test.forcedGroups.get(forcedValue);
    if (forced !== undefined) {
      slots[slot] = forcedGroup(forced, force.payloads.get(test.name));
      continue;
    }
    if (force.defaultMode === 'FALLBACK') continue;

    const parentSlot = selected.parentSlots[p] as number;
    const allocation = matchAllocation(test, scope, parentSlot < 0 ? undefined : slots[parentSlot], !typeInvalid, options, hook);
    if (allocation === null) continue;
    if (force.defaultMode === 'MIN_LIVE') {
      if (allocation.minLiveGroup !== null) slots[slot] = allocation.minLiveGroup;
      continue;
    }
    const group =
      id === null
        ? allocation.rangeGroups[randomRange(allocation, options.random)]
        : allocation.rangeGroups[allocation.cutoffs.length === 0 ? 0 : pickRangeIndex(allocation.cutoffs, test.hash(id))];
    if (group !== undefined) slots[slot] = group;
  }

  return { slots, selection: selected, properties: collectProperties(selected, slots) };
}
