// The Pipet server's /groups/identify (10 rule-free tests, the spec's example configuration with a
// User-Agent context variable) against a bare node:http server that returns a canned response of the same
// size and headers. Same machine, same run, same load generator (autocannon in a worker thread, so the
// client does not share the server's event loop). Target: the Pipet server does >= 70% of the bare rps.
import { createServer } from 'node:http';
import autocannon from 'autocannon';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:28.0) Gecko/20100101 Firefox/28.0';

/** A matrix of `count` rule-free USER tests, three buckets each (one with a payload). */
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

function run(url, requests, durationSeconds) {
  return autocannon({
    url,
    connections: 16,
    pipelining: 1,
    duration: durationSeconds,
    workers: 1,
    headers: { 'user-agent': UA },
    requests,
  });
}

function check(name, result) {
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
}

/** One load run; also measures the server thread's busy time per request (event-loop utilisation). */
async function measure(name, url, requests, durationSeconds) {
  const before = performance.eventLoopUtilization();
  const result = await run(url, requests, durationSeconds);
  const elu = performance.eventLoopUtilization(before);
  check(name, result);
  return { rps: result.requests.average, p99Ms: result.latency.p99, busyUs: (elu.active * 1000) / result.requests.total };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(name, runs) {
  return {
    name,
    rps: Math.round(median(runs.map((r) => r.rps))),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    busyUsPerRequest: Number(median(runs.map((r) => r.busyUs)).toFixed(1)),
  };
}

/**
 * Run the comparison. `proctorModule` is the package entry that exports `createPipetServer` (the root or
 * `proctor-node/server`). The two servers alternate for `rounds` rounds of `durationSeconds` each, so drift
 * on a shared machine hits both; medians are reported.
 *
 * Returns `{ rows: [{ name, rps, p99Ms, busyUsPerRequest }], ratio }`: ratio = median over rounds of
 * pipet rps / bare rps. `busyUsPerRequest` is the server thread's active time per request, which is steadier
 * than rps when the load generator and the server share few cores.
 */
export async function benchServer(proctorModule, { durationSeconds = 5, rounds = 3 } = {}) {
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
  const contentType = sample.headers.get('content-type');
  const bare = createServer((req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': canned.length });
    res.end(canned);
  });
  const bareUrl = await listen(bare);
  try {
    // Warm both up (JIT, UA cache, sockets) before measuring.
    await run(bareUrl, requests, 1);
    await run(pipetUrl, requests, 1);
    const bareRuns = [];
    const pipetRuns = [];
    const ratios = [];
    for (let round = 0; round < rounds; round++) {
      const b = await measure('bare', bareUrl, requests, durationSeconds);
      const p = await measure('pipet', pipetUrl, requests, durationSeconds);
      bareRuns.push(b);
      pipetRuns.push(p);
      ratios.push(p.rps / b.rps);
    }
    const ratio = median(ratios);
    return {
      rows: [
        summarize(`bare node:http, canned ${canned.length}-byte response`, bareRuns),
        { ...summarize('pipet /groups/identify, 10 tests', pipetRuns), ratio },
      ],
      ratio,
    };
  } finally {
    await new Promise((resolve) => bare.close(resolve));
    await pipet.close();
  }
}
