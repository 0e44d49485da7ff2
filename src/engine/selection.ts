/**
 * Which tests one `determineTestGroups` call evaluates and reports, and where each one's answer goes:
 * computed once per matrix and test filter (apps pass the same frozen list on every request), so a request
 * pays for the tests it asks for, not for the size of the matrix.
 */
import type { CompiledMatrix, CompiledTest } from '../matrix/compiled.js';

/** A reported test and its slot in an assignment's slots. */
export interface ReportedTest {
  readonly name: string;
  readonly test: CompiledTest;
  readonly slot: number;
}

/**
 * What one test filter evaluates and reports, computed once per matrix and filter. Without a filter the
 * slots are the matrix's own (`CompiledTest.slot`); with one they are numbered within the selection, so a
 * request for 10 tests of a 2,000-test matrix allocates 10 slots, not 2,000.
 */
export interface Selection {
  /** The tests to evaluate: the filter plus the parents it needs, in dependency order. */
  readonly tests: readonly CompiledTest[];
  /** The slot of `tests[p]`. */
  readonly slots: Int32Array;
  /** The slot of `tests[p]`'s `dependsOn` parent, or -1. */
  readonly parentSlots: Int32Array;
  /** How many slots an assignment has. */
  readonly size: number;
  /** The tests the result reports (the filter's that exist, or all), in Java's order (sorted by name). */
  readonly reported: readonly ReportedTest[];
  /** The slot of each reported test, by name. */
  readonly slotOf: ReadonlyMap<string, number>;
  /** The slot of each filter entry, in filter order (-1: not in the matrix); null without a filter. */
  readonly requestedSlots: Int32Array | null;
  /** The payload experiments among `tests` (spec §2.10), in evaluation order, and their slots. */
  readonly payloadTests: readonly CompiledTest[];
  readonly payloadSlots: Int32Array;
  /** Whether any selected test has a rule that reads variables (else no per-call rule context is built). */
  readonly usesRules: boolean;
}


function readsVariables(test: CompiledTest): boolean {
  return test.rule.constant === undefined || test.allocations.some((a) => a.rule.constant === undefined);
}

/** The selection for `tests` (evaluation order), numbering their slots with `slotOf`. */
function makeSelection(
  matrix: CompiledMatrix,
  tests: readonly CompiledTest[],
  size: number,
  slotOf: (test: CompiledTest, position: number) => number,
  filter: readonly string[] | null,
): Selection {
  const slots = Int32Array.from(tests, slotOf);
  const byName = new Map(tests.map((test, p) => [test.name, slots[p] as number]));
  const parentSlots = Int32Array.from(tests, (test) => {
    const parent = test.definition.dependsOn?.testName;
    return parent === undefined ? -1 : (byName.get(parent) ?? -1);
  });
  const requested = filter === null ? null : new Set(filter);
  const reported = matrix.sorted
    .filter((test) => byName.has(test.name) && (requested === null || requested.has(test.name)))
    .map((test) => ({ name: test.name, test, slot: byName.get(test.name) as number }));
  const payloadTests = tests.filter((test) => matrix.payloadExperiments.includes(test));
  return {
    tests,
    slots,
    parentSlots,
    size,
    reported,
    slotOf: new Map(reported.map((r) => [r.name, r.slot])),
    requestedSlots: filter === null ? null : Int32Array.from(filter, (name) => byName.get(name) ?? -1),
    payloadTests,
    payloadSlots: Int32Array.from(payloadTests, (test) => byName.get(test.name) as number),
    usesRules: tests.some(readsVariables),
  };
}

/**
 * Apps pass the same frozen test list on every request (the `proc` does), so its selection is computed once
 * per matrix and list; the last one used is kept at hand.
 */
const selections = new WeakMap<CompiledMatrix, WeakMap<readonly string[], Selection>>();
const allTests = new WeakMap<CompiledMatrix, Selection>();
let lastMatrix: CompiledMatrix | null = null;
let lastFilter: readonly string[] | undefined;
let lastSelection: Selection | null = null;

export function selection(matrix: CompiledMatrix, filter: readonly string[] | undefined): Selection {
  if (matrix === lastMatrix && filter === lastFilter && lastSelection !== null) return lastSelection;
  if (filter === undefined || filter.length === 0) {
    let all = allTests.get(matrix);
    if (all === undefined) {
      all = makeSelection(matrix, matrix.order, matrix.sorted.length, (test) => test.slot, null);
      allTests.set(matrix, all);
    }
    return remember(matrix, filter, all);
  }
  const cacheable = Object.isFrozen(filter);
  let perMatrix = cacheable ? selections.get(matrix) : undefined;
  const cached = perMatrix?.get(filter);
  if (cached !== undefined) return remember(matrix, filter, cached);
  const tests = selectTests(matrix, filter);
  const result = makeSelection(matrix, tests, tests.length, (_test, position) => position, filter);
  if (!cacheable) return result;
  if (perMatrix === undefined) selections.set(matrix, (perMatrix = new WeakMap()));
  perMatrix.set(filter, result);
  return remember(matrix, filter, result);
}

/** Keep a cacheable selection at hand for the next call with the same matrix and filter. */
function remember(matrix: CompiledMatrix, filter: readonly string[] | undefined, result: Selection): Selection {
  // A filter that is not frozen may change before the next call, so only frozen ones (or none) are kept.
  if (filter === undefined || Object.isFrozen(filter)) {
    lastMatrix = matrix;
    lastFilter = filter;
    lastSelection = result;
  }
  return result;
}

/** Tests to evaluate: the filter plus the parents it needs, in dependency order. */
function selectTests(matrix: CompiledMatrix, filter: readonly string[]): readonly CompiledTest[] {
  const wanted = new Set<string>();
  for (const name of filter) {
    let cursor: string | undefined = name;
    while (cursor !== undefined && !wanted.has(cursor)) {
      const test = matrix.tests.get(cursor);
      if (test === undefined) break;
      wanted.add(cursor);
      cursor = test.definition.dependsOn?.testName;
    }
  }
  return matrix.order.filter((t) => wanted.has(t.name));
}

