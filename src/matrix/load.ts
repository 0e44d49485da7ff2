/**
 * Loading a matrix: parse (structure), verify and compile each test (spec §8.1), apply the application's
 * specification (§8.2, §8.4), then check dependencies (§8.3). Invalid tests are dropped with a reason; only
 * a document that is not a matrix at all throws.
 */
import type { RuleOptions } from '../rules/index.js';
import { compileTest, TestRejection } from './compile.js';
import type { CompileContext } from './compile.js';
import type { CompiledMatrix, CompiledTest } from './compiled.js';
import { resolveDependenciesSteps } from './dependencies.js';
import { drain, parseTestMatrixSteps } from './parse.js';
import {
  checkAgainstSpecification,
  consolidate,
  fallbackDefinition,
  matchesDynamicFilters,
  parseSpecification,
} from './specification.js';
import type { Specification } from './specification.js';
import type { TestMatrix } from './types.js';

/** The test types Proctor registers by default. */
export const DEFAULT_TEST_TYPES: readonly string[] = Object.freeze(['USER', 'ACCOUNT', 'EMAIL', 'RANDOM', 'PAGE', 'COMPANY']);

/** Options for {@link loadMatrix}. */
export interface LoadOptions {
  /**
   * The application's specification (object or JSON text). Without one, every test in the matrix is
   * loaded ("dynamic") and rules are checked for syntax only.
   */
  readonly specification?: Specification | string | Record<string, unknown>;
  /** Extra test types beyond USER, ACCOUNT, EMAIL, RANDOM, PAGE, COMPANY. @default [] */
  readonly testTypes?: readonly string[];
  /** Application rule functions by namespace. */
  readonly functions?: RuleOptions['functions'];
}

/** What loading a matrix produced. */
export interface LoadResult {
  readonly matrix: CompiledMatrix;
  /** `audit.version`. */
  readonly matrixVersion: string;
  /** Names of the loaded tests, sorted. */
  readonly loadedTests: readonly string[];
  /** Why each dropped test was dropped, by test name (required and dynamic tests alike). */
  readonly errors: ReadonlyMap<string, TestRejection>;
  /** Required tests (named in the specification) that were invalid and replaced by their fallback. */
  readonly testErrors: ReadonlyMap<string, TestRejection>;
  /** Required tests missing from the matrix, replaced by their fallback. */
  readonly missingTests: readonly string[];
  /** The specification in effect (without one: every test is dynamic, no required tests). */
  readonly specification: Specification;
}

function isSpecification(value: unknown): value is Specification {
  return typeof value === 'object' && value !== null && Array.isArray((value as Specification).dynamicFilters);
}

/** Load a matrix (JSON text, parsed JSON or a {@link TestMatrix}). Throws `MatrixError` / `SpecificationError`. */
export function loadMatrix(input: string | unknown, options: LoadOptions = {}): LoadResult {
  return drain(loadMatrixSteps(input, options));
}

/**
 * {@link loadMatrix} in steps: yields after each test parsed and each test compiled, so that a caller can
 * spread a large matrix over several turns of the event loop (see `sources/slices.ts`). Same result, same
 * errors.
 */
export function* loadMatrixSteps(input: string | unknown, options: LoadOptions = {}): Generator<void, LoadResult> {
  const matrix: TestMatrix = yield* parseTestMatrixSteps(input);
  const spec: Specification =
    options.specification === undefined
      ? { tests: {}, dynamicFilters: [{ type: 'match_all' }] }
      : isSpecification(options.specification)
        ? options.specification
        : parseSpecification(options.specification);
  const ctx: CompileContext = {
    testTypes: new Set([...DEFAULT_TEST_TYPES, ...(options.testTypes ?? [])]),
    ruleOptions: options.functions ? { functions: options.functions } : {},
    providedContext: spec.providedContext,
  };

  const compiled = new Map<string, CompiledTest>();
  const errors = new Map<string, TestRejection>();
  const testErrors = new Map<string, TestRejection>();
  const missingTests: string[] = [];

  for (const [name, def] of Object.entries(matrix.tests)) {
    const required = Object.hasOwn(spec.tests, name) ? spec.tests[name] : undefined;
    if (required === undefined) {
      if (!matchesDynamicFilters(spec.dynamicFilters, name, def)) continue;
      const result = compileTest(name, def, ctx);
      if (result instanceof TestRejection) errors.set(name, result);
      else compiled.set(name, result);
      yield;
      continue;
    }
    // One compile: the consolidated test, verified against the buckets the matrix declares (so it is
    // rejected for what the declared test would be), then the specification's checks (spec §8.2).
    let result = compileTest(name, consolidate(def, required), ctx, { declaredBuckets: def.buckets });
    if (!(result instanceof TestRejection)) {
      result = checkAgainstSpecification(name, def, required, ctx.ruleOptions) ?? result;
    }
    if (result instanceof TestRejection) {
      errors.set(name, result);
      testErrors.set(name, result);
      result = compileTest(name, fallbackDefinition(name, required), ctx);
    }
    if (!(result instanceof TestRejection)) compiled.set(name, result);
    yield;
  }
  for (const [name, required] of Object.entries(spec.tests)) {
    if (Object.hasOwn(matrix.tests, name)) continue;
    missingTests.push(name);
    const result = compileTest(name, fallbackDefinition(name, required), ctx);
    if (!(result instanceof TestRejection)) compiled.set(name, result);
  }

  const { tests, order, rejections } = yield* resolveDependenciesSteps(compiled);
  for (const rejection of rejections) errors.set(rejection.testName, rejection);

  const sorted = [...tests.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  sorted.forEach((test, slot) => {
    (test as { slot: number }).slot = slot;
  });
  yield;
  for (const test of sorted) {
    const parent = test.definition.dependsOn ? tests.get(test.definition.dependsOn.testName) : undefined;
    (test as { parentSlot: number }).parentSlot = parent?.slot ?? -1;
    Object.freeze(test);
    if (test.slot % 256 === 255) yield;
  }

  return {
    matrix: Object.freeze({
      audit: matrix.audit,
      tests,
      order: Object.freeze(order),
      sorted: Object.freeze(sorted),
      payloadExperiments: Object.freeze(order.filter((t) => t.definition.payloadExperimentConfig !== null)),
    }),
    matrixVersion: matrix.audit.version,
    loadedTests: Object.freeze([...tests.keys()].sort()),
    errors,
    testErrors,
    missingTests: Object.freeze(missingTests),
    specification: spec,
  };
}
