/**
 * Large test matrices for load tests: `count` tests shaped like real ones (a rule on the test, four buckets
 * with payloads, two allocations, one of them with a rule, constants on every tenth test), deterministic.
 * The bench (`bench/matrix-load.bench.mjs`) builds the same shape.
 */

/** One generated test definition, named `t<i>`. */
export function bigTest(i: number): Record<string, unknown> {
  const test: Record<string, unknown> = {
    description: `generated test ${i} for load measurements`,
    version: String(1000 + i),
    rule: i % 3 === 0 ? "${country == 'US' || country == 'CA'}" : null,
    constants: i % 10 === 0 ? { LANGS: ['en', 'fr', 'de'], LIMIT: 2.0 } : {},
    salt: `&salt${i % 50}`,
    testType: i % 4 === 0 ? 'ACCOUNT' : 'USER',
    buckets: [
      { name: 'inactive', value: -1, description: 'inactive', payload: { stringValue: `#${(i * 7919).toString(16).padStart(6, '0').slice(0, 6)}` } },
      { name: 'control', value: 0, description: 'control', payload: { stringValue: '#C0C0C0' } },
      { name: 'blue', value: 1, description: 'blue', payload: { stringValue: '#2B60DE' } },
      { name: 'green', value: 2, description: 'green', payload: { stringValue: '#3DFF33' } },
    ],
    allocations: [
      {
        id: `#A${i}`,
        rule: i % 10 === 0 ? '${proctor:contains(LANGS, lang)}' : "${loggedIn && lang == 'en'}",
        ranges: [
          { length: 0.5, bucketValue: 0 },
          { length: 0.25, bucketValue: 1 },
          { length: 0.25, bucketValue: 2 },
        ],
      },
      { id: `#B${i}`, rule: null, ranges: [{ length: 1.0, bucketValue: -1 }] },
    ],
  };
  return test;
}

/** A matrix of `count` tests; `updated` is `audit.updated` (ms since the epoch). */
export function bigMatrix(count: number, version = '1', updated = 1_700_000_000_000): Record<string, unknown> {
  const tests: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) tests[`t${i}`] = bigTest(i);
  return { audit: { version, updated, updatedBy: 'big-matrix' }, tests };
}

/** The same, as the JSON text a file or URL would hold. */
export function bigMatrixText(count: number, version = '1', updated = 1_700_000_000_000): string {
  return JSON.stringify(bigMatrix(count, version, updated));
}
