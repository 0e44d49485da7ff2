// The Pipet client's cost on the app server, measured against a fake Pipet on loopback:
//  1. The source given Node's built-in fetch vs node-fetch@3 with a keep-alive agent (the `fetch` option), per
//     identify call: latency and the app process's CPU. The fake runs in a child process, so the CPU
//     measured is the client's alone. Calls are interleaved in batches (A, B, B, A, …) so that drift and
//     noise hit both clients alike. The default transport (an undici Pool) against the other candidates and
//     a bare Pool.request: pipet-transport.bench.mjs.
//  2. A warm-cache identify (memoryStore hit) vs a baseline function given by the caller, if any.
// `benchPipet(proctor, { time, baseline })`: `proctor` is the built package (or any module exporting
// pipetSource and memoryStore); `baseline` is a function, or { name, fn }, run in the same Bench as (2).
import { spawn } from 'node:child_process';
import { Bench } from 'tinybench';
import { REQUEST, SERVER } from './canned-pipet.mjs';
import { median } from './stats.mjs';


async function startServer() {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.stdin.end() };
}

/** One batch of sequential calls: per-call latencies (ns) and the batch's CPU per call (ns). */
async function batch(source, size, latencies, cpu) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < size; i++) {
    const t0 = process.hrtime.bigint();
    const result = await source.identify(REQUEST);
    latencies.push(Number(process.hrtime.bigint() - t0));
    if (result.origin !== 'pipet') throw new Error(`bench call failed: ${result.error}`);
  }
  const d = process.cpuUsage(c0);
  cpu.push(((d.user + d.system) * 1000) / size);
}

/** `concurrency` callers in parallel, `total` calls: wall ms per 1000 calls and CPU ns per call. */
async function concurrent(source, concurrency, total) {
  let left = total;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await source.identify(REQUEST);
    }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const d = process.cpuUsage(c0);
  return { msPer1000: (ms * 1000) / total, cpuNs: ((d.user + d.system) * 1000) / total };
}

export async function benchPipet(proctor, { time = 1000, baseline } = {}) {
  const { pipetSource, memoryStore } = proctor;
  if (typeof pipetSource !== 'function') return [{ name: 'pipet: pipetSource is not exported; skipped', ms: 0 }];
  const rows = [];
  const server = await startServer();
  const clients = [['built-in fetch', globalThis.fetch]];
  try {
    clients.push(['node-fetch', (await import('node-fetch')).default]);
  } catch {
    rows.push({ name: 'node-fetch not installed: comparison skipped', ms: 0 });
  }
  const sources = clients.map(([name, fetch]) => ({ name, source: pipetSource({ apiRoot: server.url, fetch, timeoutMs: 10_000, attempts: 1 }) }));
  // The floor: built-in fetch + JSON.parse with no source around it, to show what the source itself adds.
  const rawUrl = `${server.url}/groups/identify?ctx.country=US&ctx.loggedIn=true&id.USER=pa5xq0lz4n80&test=buttoncolortst,newfeaturerollout,countryalgotst,mobileonly`;
  const floor = {
    name: 'bare built-in fetch + JSON.parse (no source; floor)',
    source: {
      identify: async () => (JSON.parse(await (await fetch(rawUrl)).text()).data ? { origin: 'pipet' } : { origin: 'fallback' }),
      close: async () => undefined,
    },
  };
  try {
    const measured = [...sources, floor];
    // Warm up: connections, JIT.
    for (const { source } of measured) for (let i = 0; i < 300; i++) await source.identify(REQUEST);

    const stats = measured.map(() => ({ latencies: [], cpu: [] }));
    const size = 50;
    const until = performance.now() + time * measured.length;
    for (let round = 0; performance.now() < until; round++) {
      // ABBA order so that no client always runs first.
      const order = round % 2 ? [...measured.keys()].reverse() : [...measured.keys()];
      for (const i of order) await batch(measured[i].source, size, stats[i].latencies, stats[i].cpu);
    }
    measured.forEach(({ name }, i) => {
      const label = i < sources.length ? `pipet identify via ${name}` : name;
      rows.push({ name: `${label}: latency (median call)`, medianNs: median(stats[i].latencies) });
      rows.push({ name: `${label}: app CPU per call (median of ${size}-call batches)`, medianNs: median(stats[i].cpu) });
    });
    if (sources.length === 2) {
      rows.push({ name: 'node-fetch / built-in fetch: latency', ratio: median(stats[1].latencies) / median(stats[0].latencies) });
      rows.push({ name: 'node-fetch / built-in fetch: app CPU per call', ratio: median(stats[1].cpu) / median(stats[0].cpu) });
      // Noise floor: the same client's two halves of the run.
      const half = (xs) => [median(xs.slice(0, xs.length >> 1)), median(xs.slice(xs.length >> 1))];
      const [a, b] = half(stats[0].cpu);
      rows.push({ name: 'noise: built-in fetch CPU, 2nd half / 1st half of the run', ratio: b / a });
    }

    const total = Math.max(500, Math.round(time * 2));
    for (const { name, source } of sources) {
      const r = await concurrent(source, 16, total);
      rows.push({ name: `pipet identify via ${name}, 16 concurrent: wall time per 1000 calls`, ms: r.msPer1000 });
      rows.push({ name: `pipet identify via ${name}, 16 concurrent: app CPU per call (mean)`, medianNs: r.cpuNs });
    }

    if (typeof memoryStore === 'function') {
      const cached = pipetSource({ apiRoot: server.url, cache: memoryStore() });
      sources.push({ name: 'cached', source: cached });
      const first = await cached.identify(REQUEST);
      if ((await cached.identify(REQUEST)).origin !== 'cache') throw new Error(`warm cache missed (${first.origin})`);
      const bench = new Bench({ time, warmupTime: Math.min(200, time) });
      bench.add('pipet identify, warm cache (memoryStore hit)', () => cached.identify(REQUEST));
      const base = typeof baseline === 'function' ? { name: 'baseline', fn: baseline } : baseline;
      if (base) bench.add(base.name, base.fn);
      await bench.run();
      const [warm, other] = bench.tasks.map((t) => t.result?.latency?.p50 ?? Number.NaN);
      rows.push({ name: 'pipet identify, warm cache (memoryStore hit)', medianNs: warm * 1e6 });
      if (base) {
        rows.push({ name: base.name, medianNs: other * 1e6 });
        rows.push({ name: `warm-cache identify / ${base.name}`, ratio: warm / other });
      }
      // The same per call without the harness's per-iteration bookkeeping: batches of awaited calls,
      // alternating with the baseline's batches.
      const batch = async (fn) => {
        const n = 2000;
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await fn();
        return ((performance.now() - t0) * 1e6) / n;
      };
      const hits = [];
      const bases = [];
      for (let b = 0; b < 24; b++) {
        hits.push(await batch(() => cached.identify(REQUEST)));
        if (base) bases.push(await batch(base.fn));
      }
      const settled = (xs) => median(xs.slice(4));
      rows.push({ name: 'pipet identify, warm cache (memoryStore hit), batches of awaited calls (target <= 3000)', medianNs: settled(hits) });
      if (base) rows.push({ name: `${base.name}, batches of awaited calls`, medianNs: settled(bases) });
    }
  } finally {
    for (const { source } of sources) await source.close();
    server.stop();
  }
  return rows;
}
