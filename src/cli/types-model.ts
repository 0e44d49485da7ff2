/**
 * The tests an application declares, as `proctor-node types` and `check-templates` see them: from a
 * specification (the tests it requires, with their buckets and payload type) or, without one, from a matrix
 * (every test it loads, with the buckets and payload types it has).
 */
import { loadMatrix } from '../matrix/load.js';
import { parseSpecification } from '../matrix/specification.js';
import type { PayloadType } from '../matrix/types.js';
import { payloadType } from '../matrix/types.js';

/** One bucket of a declared test. */
export interface DeclaredBucket {
  readonly name: string;
  readonly value: number;
}

/** The payload a declared test's buckets carry. */
export interface DeclaredPayload {
  /** The payload types seen (a specification declares one; a matrix may mix them). */
  readonly types: readonly PayloadType[];
  /** For a `map` payload declared in a specification: key → payload type of its value. */
  readonly schema?: Readonly<Record<string, PayloadType>>;
}

/** One test, as a specification or matrix declares it. */
export interface DeclaredTest {
  readonly name: string;
  readonly description: string | null;
  /** Its buckets by ascending value; null when the specification lists none (any name). */
  readonly buckets: readonly DeclaredBucket[] | null;
  /** Its payload; null when the test has none. */
  readonly payload: DeclaredPayload | null;
}

/** What a specification or matrix declares. */
export interface Declared {
  /** `specification` or `matrix`, for messages ("not in the matrix"). */
  readonly kind: 'specification' | 'matrix';
  /** Sorted by name. */
  readonly tests: readonly DeclaredTest[];
  /** Tests the matrix holds but could not load (dropped, with the reason), for warnings. */
  readonly dropped: readonly string[];
}

function byName<T extends { readonly name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The tests of a specification (JSON text). Throws `SpecificationError`. */
export function fromSpecification(text: string): Declared {
  const spec = parseSpecification(text);
  const tests: DeclaredTest[] = Object.entries(spec.tests).map(([name, test]) => {
    const entries = Object.entries(test.buckets);
    return {
      name,
      description: test.description ?? null,
      buckets: entries.length === 0 ? null : entries.map(([bucket, value]) => ({ name: bucket, value })).sort((a, b) => a.value - b.value),
      payload: test.payload === undefined ? null : { types: [test.payload.type], ...(test.payload.schema ? { schema: test.payload.schema } : {}) },
    };
  });
  return { kind: 'specification', tests: tests.sort(byName), dropped: [] };
}

/** The tests a matrix (JSON text) loads, as the local source would. Throws `MatrixError`. */
export function fromMatrix(text: string): Declared {
  const result = loadMatrix(text);
  const tests: DeclaredTest[] = [];
  for (const name of result.loadedTests) {
    const definition = result.matrix.tests.get(name)?.definition;
    if (definition === undefined) continue;
    const buckets: DeclaredBucket[] = [];
    const seen = new Set<string>();
    const types = new Set<PayloadType>();
    for (const bucket of definition.buckets) {
      if (!seen.has(bucket.name)) buckets.push({ name: bucket.name, value: bucket.value });
      seen.add(bucket.name);
      const type = payloadType(bucket.payload);
      if (type !== null) types.add(type);
    }
    tests.push({
      name,
      description: definition.description,
      buckets: buckets.sort((a, b) => a.value - b.value),
      payload: types.size === 0 ? null : { types: [...types] },
    });
  }
  return { kind: 'matrix', tests, dropped: [...result.errors.values()].map((rejection) => String(rejection)) };
}
