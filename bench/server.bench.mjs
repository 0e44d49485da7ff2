// The Pipet server's /groups/identify (10 rule-free tests, the spec's example configuration with a
// User-Agent context variable) against a bare node:http server that returns a canned response of the same
// size and headers. Same machine, same run, same requests. The load generator (autocannon) runs in a child
// process (this file, forked), so the servers' CPU time per request can be read with process.cpuUsage().
// With `taskset` and >= 2 CPUs, this process (both servers) runs on the last CPU and the load generator on
// the others (see pin.mjs); each server is warmed up for 3 s, then measured in alternating order.
// Target: the Pipet server does >= 70% of the bare server's requests per second.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { otherCpus, pin, pinnedCpu, pinnedFork } from './pin.mjs';
import { median } from './stats.mjs';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:28.0) Gecko/20100101 Firefox/28.0';
const LOAD_ENV = 'PROCTOR_SERVER_BENCH_LOAD';

// Child mode: run one autocannon load and report the result to the parent.
if (process.env[LOAD_ENV] !== undefined && process.send !== undefined) {
  const { url, durationSeconds, connections, requests } = JSON.parse(process.env[LOAD_ENV]);
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url, connections, pipelining: 1, duration: durationSeconds, headers: { 'user-agent': UA }, requests });
  process.send(
    {
      rps: result.requests.average,
      total: result.requests.total,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    },
    () => process.exit(0),
  );
}

/** A matrix of `count` rule-free USER tests, three buckets each with a payload. */
export function makeServerMatrix(count) {
  const tests = {};
  for (let i = 0; i < count; i++) {
    tests[`bench${i}tst`] = {
      testType: 'USER',
      salt: `bench${i}tst`,
      version: '1',
      buckets: [
        { name: 'inactive', value: -1, payload: { stringValue: 'off' } },
        { name: 'control', value: 0, payload: { stringValue: 'grey' } },
        { name: 'test', value: 1, payload: { stringValue: 'blue' } },
      ],
      allocations: [
        {
          id: `#A${i}`,
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

const CONFIG = {
  context: {
    country: { source: 'QUERY', type: 'String' },
    loggedIn: { source: 'QUERY', type: 'boolean', defaultValue: false },
    userAgent: { source: 'HEADER', sourceKey: 'User-Agent', type: 'UserAgent' },
  },
  identifiers: { USER: { source: 'QUERY' } },
};

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

/** One load run against a server living in this process; returns rps, p99 and this process's CPU per request. */
function load(url, requests, durationSeconds, connections, loadCpus) {
  return new Promise((resolve, reject) => {
    const cpuBefore = process.cpuUsage();
    const child = fork(fileURLToPath(import.meta.url), [], {
      ...pinnedFork(loadCpus),
      env: { ...process.env, [LOAD_ENV]: JSON.stringify({ url, durationSeconds, connections, requests }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('error', reject);
    child.once('message', (result) => {
      const cpu = process.cpuUsage(cpuBefore);
      if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
        reject(new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts`));
        return;
      }
      resolve({ rps: result.rps, p99Ms: result.p99Ms, cpuUs: (cpu.user + cpu.system) / result.total });
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with code ${code}`));
    });
  });
}

function summary(runs) {
  return { rps: median(runs.map((r) => r.rps)), p99Ms: median(runs.map((r) => r.p99Ms)), ms: median(runs.map((r) => r.cpuUs)), unit: 'µs CPU/req' };
}

/**
 * Run the comparison.
 * @param {{ createPipetServer: Function }} proctorModule the package entry exporting `createPipetServer`
 *   (`proctor-node/server`, i.e. `dist/server.js`).
 * @param {{ durationSeconds?: number, connections?: number, rounds?: number }} [options] seconds per measurement
 *   (default 5), autocannon connections (default 16), measurements per server, alternating (default 3).
 * @returns {Promise<Array<{ name: string, rps?: number, p99Ms?: number, ms?: number, unit?: string, ratio?: number }>>}
 *   the bare row, the Pipet row with `ratio` = Pipet rps / bare rps (medians over rounds), and a row whose
 *   `ratio` compares server CPU per request (bare / Pipet), steadier than rps on a busy machine.
 */
export async function benchServer(proctorModule, { durationSeconds = 5, connections = 16, rounds = 3 } = {}) {
  const { createPipetServer } = proctorModule;
  if (typeof createPipetServer !== 'function') throw new Error('benchServer needs a module exporting createPipetServer');
  const pipet = createPipetServer({ matrix: makeServerMatrix(10), config: CONFIG, port: 0, reloadSeconds: 0 });
  const pipetUrl = (await pipet.listen()).url;
  // Different users, so hashing really runs; the same list for both servers keeps the client's work equal.
  const requests = Array.from({ length: 64 }, (_, i) => ({
    method: 'GET',
    path: `/groups/identify?ctx.country=US&ctx.loggedIn=true&id.USER=user${(i * 2654435761) >>> 0}`,
  }));
  const sample = await fetch(`${pipetUrl}${requests[0].path}`, { headers: { 'user-agent': UA } });
  const canned = Buffer.from(await sample.text());
  if (sample.status !== 200 || !canned.includes('"bench9tst"')) throw new Error(`unexpected Pipet response ${sample.status}: ${canned}`);
  const contentType = sample.headers.get('content-type');
  const bare = createServer((req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': canned.length });
    res.end(canned);
  });
  const bareUrl = await listen(bare);
  const cpu = pinnedCpu();
  const loadCpus = cpu === null ? null : otherCpus(cpu);
  if (cpu !== null) pin(String(cpu));
  try {
    // Warm both up (JIT, UA cache, sockets) before measuring.
    await load(bareUrl, requests, 3, connections, loadCpus);
    await load(pipetUrl, requests, 3, connections, loadCpus);
    const runs = { bare: [], pipet: [] };
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so drift on a shared machine hits both servers alike.
      const order = round % 2 === 0 ? ['bare', 'pipet'] : ['pipet', 'bare'];
      for (const which of order) runs[which].push(await load(which === 'bare' ? bareUrl : pipetUrl, requests, durationSeconds, connections, loadCpus));
    }
    const b = summary(runs.bare);
    const p = summary(runs.pipet);
    return [
      { name: `bare node:http, canned ${canned.length}-byte response`, ...b },
      { name: `Pipet /groups/identify, 10 tests (rps ratio; target >= 0.70; ${cpu === null ? 'unpinned' : 'servers pinned to one CPU'})`, ...p, ratio: p.rps / b.rps },
      { name: 'Pipet: capacity ratio from server CPU per request', ratio: b.ms / p.ms },
    ];
  } finally {
    if (cpu !== null) pin(`0-${cpu}`);
    await new Promise((resolve) => bare.close(resolve));
    await pipet.close();
  }
}
