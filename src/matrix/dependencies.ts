/** `dependsOn` verification (spec §2.9, §8.3) and the parents-first evaluation order. */
import { TestRejection } from './compile.js';
import type { CompiledTest } from './compiled.js';
import { drain } from './parse.js';

function directProblem(test: CompiledTest, tests: ReadonlyMap<string, CompiledTest>): string | null {
  const dep = test.definition.dependsOn;
  if (dep === null) return null;
  const parent = tests.get(dep.testName);
  if (dep.testName === test.name) return 'depends on itself (circular dependency)';
  if (parent === undefined) return `depends on unknown or invalid test ${JSON.stringify(dep.testName)}`;
  if (parent.definition.testType !== test.definition.testType) {
    return `depends on ${dep.testName} of test type ${parent.definition.testType}, but this test is ${test.definition.testType}`;
  }
  if (dep.bucketValue < 0) return `depends on negative bucket value ${dep.bucketValue} of ${dep.testName}`;
  if (parent.definition.salt === test.definition.salt) {
    return `depends on ${dep.testName} with the same salt ${JSON.stringify(test.definition.salt)}`;
  }
  if (!parent.forceBuckets.has(dep.bucketValue)) return `depends on undefined bucket ${dep.bucketValue} of ${dep.testName}`;
  return null;
}

/** What {@link resolveDependencies} returns. */
export interface ResolvedDependencies {
  tests: Map<string, CompiledTest>;
  order: CompiledTest[];
  rejections: TestRejection[];
}

/**
 * Remove tests with invalid dependencies, transitively (a test whose ancestor is invalid is invalid), and
 * return the survivors in breadth-first order from the roots, so parents are evaluated before children.
 */
export function resolveDependencies(input: ReadonlyMap<string, CompiledTest>): ResolvedDependencies {
  return drain(resolveDependenciesSteps(input));
}

/** Tests handled between two pause points of {@link resolveDependenciesSteps}. */
const STEP = 256;

/** {@link resolveDependencies} in steps: yields every {@link STEP} tests of each pass (see `loadMatrixSteps`). */
export function* resolveDependenciesSteps(input: ReadonlyMap<string, CompiledTest>): Generator<void, ResolvedDependencies> {
  let count = 0;
  const rejected = new Map<string, string>();
  for (const test of input.values()) {
    const problem = directProblem(test, input);
    if (problem !== null) rejected.set(test.name, problem);
    if (++count % STEP === 0) yield;
  }
  // Cycles: walking up from a test revisits a test.
  for (const test of input.values()) {
    if (++count % STEP === 0) yield;
    if (rejected.has(test.name)) continue;
    const seen = new Set<string>([test.name]);
    let cursor = test.definition.dependsOn?.testName;
    while (cursor !== undefined) {
      if (seen.has(cursor)) {
        rejected.set(test.name, 'depends on a test with a circular dependency');
        break;
      }
      seen.add(cursor);
      cursor = input.get(cursor)?.definition.dependsOn?.testName;
    }
  }
  // Ancestors: repeat until nothing changes.
  let changed = true;
  while (changed) {
    changed = false;
    for (const test of input.values()) {
      if (++count % STEP === 0) yield;
      const parentName = test.definition.dependsOn?.testName;
      if (parentName === undefined || rejected.has(test.name) || !rejected.has(parentName)) continue;
      rejected.set(test.name, `depends on unknown or invalid test ${JSON.stringify(parentName)}`);
      changed = true;
    }
  }

  const tests = new Map<string, CompiledTest>();
  for (const [name, test] of input) if (!rejected.has(name)) tests.set(name, test);
  const children = new Map<string, CompiledTest[]>();
  const queue: CompiledTest[] = [];
  for (const test of tests.values()) {
    if (++count % STEP === 0) yield;
    const parent = test.definition.dependsOn?.testName;
    if (parent === undefined) queue.push(test);
    else {
      const siblings = children.get(parent);
      if (siblings === undefined) children.set(parent, [test]);
      else siblings.push(test);
    }
  }
  const order: CompiledTest[] = [];
  for (let i = 0; i < queue.length; i++) {
    if (++count % STEP === 0) yield;
    const test = queue[i];
    if (test === undefined) continue;
    order.push(test);
    const next = children.get(test.name);
    if (next !== undefined) queue.push(...next);
  }
  const rejections = [...rejected].map(([name, message]) => new TestRejection(name, 'dependsOn', message));
  return { tests, order, rejections };
}
