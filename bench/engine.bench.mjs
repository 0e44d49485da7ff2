// determineTestGroups on a 50-test matrix vs GrowthBook 1.8 (50 experiments, scoped instance per user),
// and compile time of a 1,000-test matrix. Same run, same machine, same users.
import { Bench } from 'tinybench';
import { GrowthBookClient } from '@growthbook/growthbook';

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

export async function benchEngine({ Proctor, loadMatrix }, { time = 1000 } = {}) {
  const ids = users(1024);
  const rows = [];
  for (const withRules of [false, true]) {
    const proctor = Proctor.fromMatrix(makeMatrix(50, withRules));
    const gb = growthbook(50, withRules);
    const context = { country: 'US', loggedIn: true, lang: 'en' };
    let i = 0;
    let sink = 0;
    const bench = new Bench({ time, warmupTime: 200 });
    const label = withRules ? '50 tests with rules' : '50 tests, no rules';
    const names = Array.from({ length: 50 }, (_, k) => `bench${k}tst`);
    bench.add(`proctor-node determineTestGroups, ${label}`, () => {
      const r = proctor.determineTestGroups({ identifiers: { USER: ids[i++ & 1023] }, context });
      // Read every test, as GrowthBook's side reads every feature.
      for (const name of names) sink += r.get(name)?.value ?? 0;
    });
    bench.add(`GrowthBook 1.8 scoped instance, ${label}`, () => {
      const id = ids[i++ & 1023];
      const scoped = gb.client.createScopedInstance({ attributes: { id, ...context } });
      for (const key of gb.keys) sink += scoped.getFeatureValue(key, -1);
    });
    await bench.run();
    const [p, g] = bench.tasks.map((t) => t.result.latency.p50 * 1e6);
    rows.push({ name: `proctor-node determineTestGroups, ${label}`, medianNs: p });
    rows.push({ name: `GrowthBook 1.8 (baseline), ${label}`, medianNs: g });
    rows.push({ name: `  ratio GrowthBook / proctor-node, ${label}`, ratio: g / p });
    if (sink === Number.MIN_VALUE) console.log(sink);
  }
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
  let i = 0;
  let sink = 0;
  const bench = new Bench({ time, warmupTime: 200 });
  bench.add('proctor-node proc (local), read 10 tests', () => {
    const proc = proctor.procForRequest({ identifiers: { USER: ids[i++ & 1023] } });
    for (const t of tests) sink += proc[t].value ?? 0;
  });
  bench.add('proctor-node proc (local, lazy), read 10 tests', () => {
    const proc = lazy.procForRequest({ identifiers: { USER: ids[i++ & 1023] } });
    for (const t of tests) sink += proc[t].value ?? 0;
  });
  bench.add('GrowthBook 1.8 scoped instance, read 10 features', () => {
    const scoped = gb.client.createScopedInstance({ attributes: { id: ids[i++ & 1023] } });
    for (const key of gb.keys) sink += scoped.getFeatureValue(key, -1);
  });
  await bench.run();
  const [p, l, g] = bench.tasks.map((t) => t.result.latency.p50 * 1e6);
  if (sink === Number.MIN_VALUE) console.log(sink);
  return [
    { name: 'proctor-node proc (local), read 10 tests', medianNs: p },
    { name: 'proctor-node proc (local, lazy), read 10 tests', medianNs: l },
    { name: 'GrowthBook 1.8 (baseline), read 10 features', medianNs: g },
    { name: '  ratio GrowthBook / proctor-node proc', ratio: g / p },
  ];
}
