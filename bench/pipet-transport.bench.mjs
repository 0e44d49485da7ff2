// The remote client's HTTP transport: per-call app CPU and latency of one GET /groups/identify (headers +
// JSON body read as text) against a fake Pipet in a child process (pinned to another CPU when possible), for
//   - global fetch (Node's bundled undici),
//   - undici's fetch (npm) with an undici Pool as its dispatcher,
//   - undici Pool.request (npm), the floor the issue sets,
//   - undici pool.dispatch with a handler that collects the body (what the source's default transport does),
//   - node:http with a keep-alive Agent,
// then the Pipet source's whole identify (URL, call, envelope parse) with its default transport and with
// `fetch: globalThis.fetch`, each as a ratio to the bare Pool.request in the same run.
// Batches of 50 sequential calls, interleaved in rotating order; medians of the batches' CPU per call.
// `benchTransport(proctor, { time })`; alone: `node bench/pipet-transport.bench.mjs [dist dir]`.
import { spawn } from 'node:child_process';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { otherCpus, pin, pinnedCpu } from './pin.mjs';
import { REQUEST, SERVER } from './canned-pipet.mjs';
import { median } from './stats.mjs';

const QUERY = '/groups/identify?ctx.country=US&ctx.loggedIn=true&id.USER=pa5xq0lz4n80&test=buttoncolortst,newfeaturerollout,countryalgotst,mobileonly';

async function startServer(cpu) {
  const command = cpu === null ? process.execPath : 'taskset';
  const args = cpu === null ? ['-e', SERVER] : ['-c', String(cpu), process.execPath, '-e', SERVER];
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
  });
  return { origin: `http://127.0.0.1:${port}`, stop: () => child.stdin.end() };
}

/** One batch: per-call latency (ns) and CPU per call (ns). `call` resolves with the body's length. */
async function batch(call, size, latencies, cpu) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < size; i++) {
    const t0 = process.hrtime.bigint();
    if ((await call()) < 100) throw new Error('short body');
    latencies.push(Number(process.hrtime.bigint() - t0));
  }
  const d = process.cpuUsage(c0);
  cpu.push(((d.user + d.system) * 1000) / size);
}

export async function benchTransport(proctor, { time = 1000 } = {}) {
  let undici;
  try {
    undici = await import('undici');
  } catch {
    return [{ name: 'undici not installed: transport comparison skipped', ms: 0 }];
  }
  const cpu = pinnedCpu();
  if (cpu !== null) pin(otherCpus(cpu));
  const server = await startServer(cpu);
  const url = server.origin + QUERY;
  const pool = new undici.Pool(server.origin);
  const fetchPool = new undici.Pool(server.origin);
  const dispatchPool = new undici.Pool(server.origin);
  const agent = new HttpAgent({ keepAlive: true });
  const headers = { accept: 'application/json' };
  const viaDefault = proctor.pipetSource({ apiRoot: server.origin, timeoutMs: 10_000, attempts: 1, circuitBreaker: false });
  const viaFetch = proctor.pipetSource({ apiRoot: server.origin, timeoutMs: 10_000, attempts: 1, circuitBreaker: false, fetch: globalThis.fetch });
  const identify = (source) => async () => {
    const result = await source.identify(REQUEST);
    if (result.origin !== 'pipet') throw new Error(`bench call failed: ${result.error}`);
    return 1000;
  };
  const candidates = [
    ['undici Pool.request (floor)', async () => {
      const { body } = await pool.request({ path: QUERY, method: 'GET', headers });
      return (await body.text()).length;
    }],
    ['undici pool.dispatch, body collected', () =>
      new Promise((resolve, reject) => {
        const chunks = [];
        dispatchPool.dispatch({ path: QUERY, method: 'GET', headers }, {
          onRequestStart: () => undefined,
          onResponseData: (_c, chunk) => chunks.push(chunk),
          onResponseEnd: () => resolve(Buffer.concat(chunks).toString('utf8').length),
          onResponseError: (_c, error) => reject(error),
        });
      })],
    ['global fetch', async () => (await (await fetch(url, { headers })).text()).length],
    ['undici fetch + Pool dispatcher', async () => (await (await undici.fetch(url, { headers, dispatcher: fetchPool })).text()).length],
    ['node:http + keep-alive Agent', () =>
      new Promise((resolve, reject) => {
        const req = httpRequest(url, { agent, headers }, (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text.length));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      })],
    ['pipetSource identify, default transport', identify(viaDefault)],
    ['pipetSource identify, fetch: globalThis.fetch', identify(viaFetch)],
  ];
  const rows = [];
  try {
    for (const [, call] of candidates) for (let i = 0; i < 300; i++) await call();
    const stats = candidates.map(() => ({ latencies: [], cpu: [] }));
    const until = performance.now() + time * candidates.length;
    for (let round = 0; performance.now() < until; round++) {
      // Rotate the order so that no candidate always follows the same one.
      for (let k = 0; k < candidates.length; k++) {
        const i = (k + round) % candidates.length;
        await batch(candidates[i][1], 50, stats[i].latencies, stats[i].cpu);
      }
    }
    const floorCpu = median(stats[0].cpu);
    const floorLatency = median(stats[0].latencies);
    candidates.forEach(([name], i) => {
      rows.push({ name: `${name}: app CPU per call (median of 50-call batches)`, medianNs: median(stats[i].cpu) });
      rows.push({ name: `${name}: latency (median call)`, medianNs: median(stats[i].latencies) });
      if (i > 0) {
        rows.push({ name: `${name} / Pool.request: CPU`, ratio: median(stats[i].cpu) / floorCpu });
        rows.push({ name: `${name} / Pool.request: latency`, ratio: median(stats[i].latencies) / floorLatency });
      }
    });
    const half = (xs) => median(xs.slice(xs.length >> 1)) / median(xs.slice(0, xs.length >> 1));
    rows.push({ name: 'noise: Pool.request CPU, 2nd half / 1st half of the run', ratio: half(stats[0].cpu) });
  } finally {
    await viaDefault.close();
    await viaFetch.close();
    await pool.close();
    await fetchPool.close();
    await dispatchPool.close();
    agent.destroy();
    server.stop();
    // Give this process all the CPUs back: the benches after this one pin by what it may use.
    if (cpu !== null) pin(`0-${cpu}`);
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dist = path.resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname);
  const proctor = await import(pathToFileURL(path.join(dist, 'index.js')).href);
  for (const row of await benchTransport(proctor, { time: Number(process.env.BENCH_TIME_MS ?? 1000) })) {
    console.log(row.name.padEnd(72), row.ratio === undefined ? `${(row.medianNs / 1000).toFixed(1).padStart(8)} µs` : `${row.ratio.toFixed(2).padStart(8)} x`);
  }
  process.exit(0);
}
