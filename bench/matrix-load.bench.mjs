// Loading a large matrix while serving: how long the event loop is held up, measured with
// perf_hooks.monitorEventLoopDelay (1 ms resolution).
//  - "at once": `Proctor.fromMatrix(text)`, one synchronous call (what a reload cost before the loader
//    compiled in slices): the event loop is blocked for the whole load.
//  - "in slices": a `localSource` reading the same file (the loader: stepwise parse + compile, pausing
//    every ~8 ms), what a reload costs now; its max delay is the longest the app's requests wait.
//  - the noise floor: the same wall time spent busy in 1 ms slices that allocate nothing; its max delay is
//    what the machine (other processes, the OS) adds by itself. What the sliced load adds above it is
//    mostly V8's young-generation GC, whose pauses grow with the live objects a load creates.
// Rounds alternate the two (A B B A …); medians of the rounds. Tests are shaped like test/support/big-matrix.ts.
// `benchMatrixLoad(proctor, { sizes, rounds })`; run alone: `node bench/matrix-load.bench.mjs [dist dir]`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { median } from './stats.mjs';

function bigTest(i) {
  return {
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
}

function bigMatrixText(count) {
  const tests = {};
  for (let i = 0; i < count; i++) tests[`t${i}`] = bigTest(i);
  return JSON.stringify({ audit: { version: '1', updated: 1_700_000_000_000, updatedBy: 'bench' }, tests });
}

/** Run `load` with the event-loop delay monitor on: wall ms, and the longest and p99 delay in ms. */
async function measure(load) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // The monitor's first tick only starts its clock (and reset() would restart it): let a few pass first.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const t0 = performance.now();
  await load();
  const ms = performance.now() - t0;
  // One more turn so that a block at the very end is sampled.
  await new Promise((resolve) => setTimeout(resolve, 2));
  histogram.disable();
  return { ms, maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
}

export async function benchMatrixLoad(proctor, { sizes = [5000, 20000], rounds = 3 } = {}) {
  const { Proctor, localSource } = proctor;
  const rows = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-bench-load-'));
  try {
    for (const size of sizes) {
      const text = bigMatrixText(size);
      const file = path.join(dir, `m${size}.json`);
      writeFileSync(file, text);
      const atOnce = [];
      const sliced = [];
      const floor = [];
      const runFloor = async (ms) =>
        floor.push(
          await measure(async () => {
            const until = performance.now() + ms;
            while (performance.now() < until) {
              const slice = performance.now() + 1;
              while (performance.now() < slice);
              await new Promise((resolve) => setImmediate(resolve));
            }
          }),
        );
      const runAtOnce = async () =>
        atOnce.push(
          await measure(async () => {
            if (Proctor.fromMatrix(text).loadResult.loadedTests.length !== size) throw new Error('load lost tests');
          }),
        );
      const runSliced = async () =>
        sliced.push(
          await measure(async () => {
            const source = localSource({ matrix: file, reloadIntervalMs: 0 });
            await source.ready();
            if (source.testNames().length !== size) throw new Error('load lost tests');
            await source.close();
          }),
        );
      for (let r = 0; r < rounds; r++) {
        if (r % 2 === 0) {
          await runAtOnce();
          await runSliced();
        } else {
          await runSliced();
          await runAtOnce();
        }
        await runFloor((sliced.at(-1) ?? { ms: 1000 }).ms);
      }
      const m = (xs, key) => median(xs.map((x) => x[key]));
      const label = `${size.toLocaleString('en-US')} tests (${(text.length / 1e6).toFixed(1)} MB)`;
      rows.push({ name: `load ${label} at once: event loop blocked (max delay)`, ms: m(atOnce, 'maxMs') });
      rows.push({ name: `load ${label} in slices: longest event-loop delay`, ms: m(sliced, 'maxMs') });
      rows.push({ name: `load ${label} in slices: p99 event-loop delay`, ms: m(sliced, 'p99Ms') });
      rows.push({ name: `noise floor (busy in 1 ms slices as long): longest event-loop delay`, ms: m(floor, 'maxMs') });
      rows.push({ name: `noise floor (busy in 1 ms slices as long): p99 event-loop delay`, ms: m(floor, 'p99Ms') });
      rows.push({ name: `load ${label}: wall time at once`, ms: m(atOnce, 'ms') });
      rows.push({ name: `load ${label}: wall time in slices`, ms: m(sliced, 'ms') });
      rows.push({ name: `load ${label}: wall time in slices / at once`, ratio: m(sliced, 'ms') / m(atOnce, 'ms') });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dist = path.resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname);
  const proctor = await import(pathToFileURL(path.join(dist, 'index.js')).href);
  for (const row of await benchMatrixLoad(proctor)) {
    console.log(row.name.padEnd(72), row.ratio === undefined ? `${row.ms.toFixed(1).padStart(8)} ms` : `${row.ratio.toFixed(2).padStart(8)} x`);
  }
}
