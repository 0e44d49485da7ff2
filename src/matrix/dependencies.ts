/** `dependsOn` verification (spec §2.9, §8.3) and the parents-first evaluation order. */
import { TestRejection } from './compile.js';
import type { CompiledTest } from './compiled.js';

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

/**
 * Remove tests with invalid dependencies, transitively (a test whose ancestor is invalid is invalid), and
 * return the survivors in breadth-first order from the roots, so parents are evaluated before children.
 */
export function resolveDependencies(input: ReadonlyMap<string, CompiledTest>): {
  tests: Map<string, CompiledTest>;
  order: CompiledTest[];
  rejections: TestRejection[];
} {
  const rejected = new Map<string, string>();
  for (const test of input.values()) {
    const problem = directProblem(test, input);
    if (problem !== null) rejected.set(test.name, problem);
  }
  // Cycles: walking up from a test revisits a test.
  for (const test of input.values()) {
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
    const parent = test.definition.dependsOn?.testName;
    if (parent === undefined) queue.push(test);
    else children.set(parent, [...(children.get(parent) ?? []), test]);
  }
  const order: CompiledTest[] = [];
  for (let i = 0; i < queue.length; i++) {
    const test = queue[i];
    if (test === undefined) continue;
    order.push(test);
    queue.push(...(children.get(test.name) ?? []));
  }
  const rejections = [...rejected].map(([name, message]) => new TestRejection(name, 'dependsOn', message));
  return { tests, order, rejections };
}
