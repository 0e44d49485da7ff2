import { describe, expect, it } from 'vitest';
import { isProctorError, MatrixError } from '../../src/index.js';
import { loadMatrix, Proctor } from '../../src/engine/index.js';
import type { Payload } from '../../src/index.js';
import { stringifyJson } from '../../src/java/json-stringify.js';
import { fromVectorValue } from '../support/vector-values.js';
import { readVectors } from '../support/vectors.js';
import type { AssignCaseInput, AssignMatrixBase } from '../support/vectors.js';

interface ExpectedGroup {
  bucket: { name: string; value: number; payload: Payload | null };
  allocation: { id: string; name: string; index: number } | null;
  randomNondeterministic?: boolean;
  randomCandidates?: number[];
}
interface Case {
  id: string;
  input: AssignCaseInput;
  expected: { tests: Record<string, ExpectedGroup>; properties: Record<string, { value: unknown; testName: string }> };
}
interface MatrixVectors extends AssignMatrixBase {
  load:
    | { ok: false }
    | {
        ok: true;
        matrixVersion: string;
        loadedTests: string[];
        testErrors: Record<string, string>;
        dynamicTestErrors: Record<string, string>;
        missingTests: string[];
        consolidatedDefinitions: Record<
          string,
          { testType: string; salt: string | null; version: string; buckets: { name: string; value: number; payload: Payload | null }[] }
        >;
      };
  cases: Case[];
}

const { matrices } = readVectors<{ matrices: MatrixVectors[] }>('assign.json');

/**
 * Rows where JavaScript cannot hold the Java value the vector was computed with (spec §3.8: a JS number is
 * a Long when it is integral). Each entry: case id → reason. Keep this short; it is reviewed.
 */
const KNOWN_DIVERGENCES: Record<string, Record<string, string>> = {};

function options(m: MatrixVectors, c?: Case) {
  return {
    identifierValidator: m.identifierValidator,
    ...(m.specification ? { specification: m.specification as Record<string, unknown> } : {}),
    forcePayloadTests: c?.input.forcePayloadTests ?? ('all' as const),
  };
}

describe.each(matrices.map((m) => [m.name, m] as const))('assign.json %s', (_name, m) => {
  // As text, as Java read it: constants are then Integers (`18`) and Doubles (`2.0`) as the JSON wrote them.
  const source = m.matrixText ?? stringifyJson(m.matrix);
  const load = m.load;

  if (!load.ok) {
    it('rejects the document as a whole with a MatrixError', () => {
      expect(() => loadMatrix(source)).toThrow(MatrixError);
      try {
        loadMatrix(source);
      } catch (error) {
        expect(isProctorError(error)).toBe(true);
        expect((error as MatrixError).message.length).toBeGreaterThan(10);
      }
    });
    return;
  }

  it('loads the same tests, drops the same tests and consolidates the same definitions', () => {
    const result = loadMatrix(source, options(m));
    expect(result.matrixVersion).toBe(load.matrixVersion);
    expect(result.loadedTests).toEqual(load.loadedTests);
    expect([...result.errors.keys()].sort()).toEqual(
      Object.keys({ ...load.testErrors, ...load.dynamicTestErrors }).sort(),
    );
    expect([...result.testErrors.keys()].sort()).toEqual(Object.keys(load.testErrors).sort());
    expect([...result.missingTests].sort()).toEqual([...load.missingTests].sort());
    for (const [name, expected] of Object.entries(load.consolidatedDefinitions)) {
      const def = result.matrix.tests.get(name)?.definition;
      expect(def, name).toBeDefined();
      expect({ testType: def?.testType, salt: def?.salt, version: def?.version }, name).toEqual({
        testType: expected.testType,
        salt: expected.salt,
        version: expected.version,
      });
      expect(def?.buckets.map((b) => ({ name: b.name, value: b.value, payload: b.payload ?? null })), name).toEqual(
        expected.buckets,
      );
    }
    for (const rejection of result.errors.values()) {
      expect(String(rejection)).toMatch(new RegExp(`^tests\\.${rejection.testName}`));
    }
  });

  const divergences = KNOWN_DIVERGENCES[m.name] ?? {};
  const cases = m.cases.filter((c) => !(c.id in divergences));
  if (cases.length === 0) return;
  it.each(cases.map((c) => [c.id, c] as const))('case %s', (_id, c) => {
    const proctor = Proctor.fromMatrix(source, options(m, c));
    const result = proctor.determineTestGroups({
      identifiers: c.input.identifiers,
      context: fromVectorValue(c.input.context) as Record<string, unknown>,
      ...(c.input.forceGroups !== undefined ? { forceGroups: c.input.forceGroups } : {}),
      ...(c.input.tests !== undefined ? { tests: c.input.tests } : {}),
      ...(c.input.randomEnabled !== undefined ? { randomEnabled: c.input.randomEnabled } : {}),
    });
    expect(Object.keys(result.groups).sort()).toEqual(Object.keys(c.expected.tests).sort());
    for (const [name, expected] of Object.entries(c.expected.tests)) {
      const group = result.groups[name];
      expect(group?.allocation ?? null, name).toEqual(expected.allocation);
      if (expected.randomNondeterministic) {
        expect(expected.randomCandidates, name).toContain(group?.value);
      } else {
        expect({ name: group?.name, value: group?.value, payload: group?.payload ?? null }, name).toEqual(expected.bucket);
      }
    }
    expect(result.properties).toEqual(c.expected.properties);
  });
});
