// determineTestGroups vs GrowthBook 1.8 (the same experiments, a scoped instance per user) at 10 to 1,000
// tests, a proc reading 10 tests, and compile time of a 1,000-test matrix. Same run, same machine, same
// users, alternating batches (see stats.mjs).
import { GrowthBookClient } from '@growthbook/growthbook';
import { interleaved, median, quantile, ratios } from './stats.mjs';

function users(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(((i * 2654435761) >>> 0).toString(36).padStart(8, 'x') + i.toString(36));
  return out;
}

export function makeMatrix(testCount, withRules) {
  const tests = {};
  for (let i = 0; i < testCount; i++) {
    tests[`bench${i}tst`] = {
      testType: 'USER',
      salt: `bench${i}tst`,
      version: '1',
      rule: withRules ? "${country == 'US' && loggedIn}" : null,
      constants: withRules ? { LANGS: ['en', 'fr', 'de'] } : {},
      buckets: [
        { name: 'inactive', value: -1 },
        { name: 'control', value: 0 },
        { name: 'test', value: 1 },
      ],
      allocations: [
        {
          id: `#A${i}`,
          rule: withRules ? '${proctor:contains(LANGS, lang)}' : null,
          ranges: [
            { bucketValue: -1, length: 0.2 },
            { bucketValue: 0, length: 0.4 },
            { bucketValue: 1, length: 0.4 },
          ],
        },
      ],
    };
  }
  return { audit: { version: '1', updated: 0, updatedBy: 'bench' }, tests };
}

function growthbook(testCount, withConditions) {
  const features = {};
  for (let i = 0; i < testCount; i++) {
    features[`bench${i}`] = {
      defaultValue: -1,
      rules: [
        {
          key: `bench${i}`,
          variations: [-1, 0, 1],
          weights: [0.2, 0.4, 0.4],
          coverage: 1,
          hashAttribute: 'id',
          seed: `bench${i}`,
          hashVersion: 2,
          ...(withConditions ? { condition: { country: 'US', loggedIn: true, lang: { $in: ['en', 'fr', 'de'] } } } : {}),
        },
      ],
    };
  }
  const client = new GrowthBookClient({});
  client.initSync({ payload: { features } });
  return { client, keys: Object.keys(features) };
}

/**
 * `determineTestGroups` against GrowthBook 1.8 at 10 / 50 / 200 / 1,000 tests (issue 16: >= 10x at 50), the
 * same users and reads on both sides, measured in alternating batches; plus 50 tests with a rule on every
 * test, and the compile time of 1,000 tests. Each row: median ns per call over the batches; the ratio row
 * is the median of the per-batch ratios, with its interquartile range.
 */
export async function benchEngine({ Proctor, loadMatrix, createTestHasher }, { time = 1000, counts = [10, 50, 200, 1000] } = {}) {
  const ids = users(1024);
  const rows = [];
  const context = { country: 'US', loggedIn: true, lang: 'en' };
  let sink = 0;
  const cases = [...counts.map((n) => [n, false]), [50, true]];
  for (const [n, withRules] of cases) {
    const proctor = Proctor.fromMatrix(makeMatrix(n, withRules));
    const gb = growthbook(n, withRules);
    const names = Array.from({ length: n }, (_, k) => `bench${k}tst`);
    // The floor: the n hashes of the identifier alone, with the project's hasher (salts as in makeMatrix).
    const hashers = names.map((name) => createTestHasher(name, proctor.loadResult.matrix.tests.get(name)?.definition.salt ?? name));
    const label = `${n.toLocaleString('en-US')} tests${withRules ? ', a rule on every test' : ''}`;
    const samples = interleaved(
      {
        proctor: (i) => {
          const r = proctor.determineTestGroups({ identifiers: { USER: ids[i & 1023] }, context });
          // Read every test, as GrowthBook's side reads every feature.
          for (const name of names) sink += r.get(name)?.value ?? 0;
        },
        growthbook: (i) => {
          const scoped = gb.client.createScopedInstance({ attributes: { id: ids[i & 1023], ...context } });
          for (const key of gb.keys) sink += scoped.getFeatureValue(key, -1);
        },
        floor: (i) => {
          const id = ids[i & 1023];
          for (let k = 0; k < hashers.length; k++) sink += hashers[k](id);
        },
      },
      { batches: Math.max(10, Math.round(time / 40)), batchMs: 10 },
    );
    rows.push({ name: `proctor-node determineTestGroups, ${label}`, medianNs: median(samples.proctor) });
    rows.push({ name: `GrowthBook 1.8 scoped instance (baseline), ${label}`, medianNs: median(samples.growthbook) });
    rows.push({ name: `  ratio GrowthBook / proctor-node, ${label}${n === 50 && !withRules ? ' (target >= 10)' : ''}`, ratio: median(ratios(samples.growthbook, samples.proctor)), note: `IQR ${quantile(ratios(samples.growthbook, samples.proctor), 0.25).toFixed(1)}–${quantile(ratios(samples.growthbook, samples.proctor), 0.75).toFixed(1)}` });
    rows.push({ name: `  the floor: ${n.toLocaleString('en-US')} MD5 hashes of the identifier alone (project hasher)`, medianNs: median(samples.floor) });
    rows.push({ name: `  ratio proctor-node / its floor, ${label}`, ratio: median(ratios(samples.proctor, samples.floor)) });
  }
  if (sink === Number.MIN_VALUE) console.log(sink);
  // Compile 1,000 tests (no rules and with rules), best of 5.
  for (const withRules of [false, true]) {
    const matrix = makeMatrix(1000, withRules);
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      loadMatrix(matrix);
      best = Math.min(best, performance.now() - t0);
    }
    rows.push({ name: `loadMatrix 1,000 tests${withRules ? ' with rules' : ''} (best of 5)`, ms: best });
  }
  return rows;
}

// Creating a `proc` and reading 10 tests (local source) vs a GrowthBook scoped instance reading 10 features.
export async function benchProc({ createProctor, localSource }, { time = 1000 } = {}) {
  const ids = users(1024);
  const tests = Array.from({ length: 10 }, (_, i) => `bench${i}tst`);
  const proctor = createProctor({ source: localSource({ matrix: makeMatrix(10, false) }), tests });
  const lazy = createProctor({ source: localSource({ matrix: makeMatrix(10, false) }), tests, lazy: true });
  const gb = growthbook(10, false);
  let sink = 0;
  const samples = interleaved(
    {
      eager: (i) => {
        const proc = proctor.procForRequest({ identifiers: { USER: ids[i & 1023] } });
        for (const t of tests) sink += proc[t].value ?? 0;
      },
      lazy: (i) => {
        const proc = lazy.procForRequest({ identifiers: { USER: ids[i & 1023] } });
        for (const t of tests) sink += proc[t].value ?? 0;
      },
      growthbook: (i) => {
        const scoped = gb.client.createScopedInstance({ attributes: { id: ids[i & 1023] } });
        for (const key of gb.keys) sink += scoped.getFeatureValue(key, -1);
      },
    },
    { batches: Math.max(10, Math.round(time / 40)), batchMs: 10 },
  );
  if (sink === Number.MIN_VALUE) console.log(sink);
  return [
    { name: 'proctor-node proc (local), read 10 tests', medianNs: median(samples.eager) },
    { name: 'proctor-node proc (local, lazy), read 10 tests', medianNs: median(samples.lazy) },
    { name: 'GrowthBook 1.8 (baseline), read 10 features', medianNs: median(samples.growthbook) },
    { name: '  ratio GrowthBook / proctor-node proc', ratio: median(ratios(samples.growthbook, samples.eager)) },
  ];
}
