// Cache-hit cost: a warm identify through the Pipet source with a Redis store (a real redis-server on
// loopback) vs the in-process memory store vs no cache at all (every call goes to a fake Pipet on loopback,
// in a child process), measured in the same run. Batches are interleaved (rotating order each round) so
// drift and noise on the shared machine hit all three alike; medians of per-call latency and of each batch's
// CPU per call are quoted, with ratios to the memory store.
// `benchRedis(proctor, redis)`: `proctor` the built root, `redis` the built `proctor-node/redis`.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { median } from './stats.mjs';

const PIPET = `
const http = require('node:http');
const body = JSON.stringify({ data: { groups: {
  buttoncolortst: { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' }, version: '1' },
  newfeaturerollout: { name: 'active', value: 0, version: '1' } },
  context: {}, audit: { version: '1', updated: 1, updatedDate: '1969-12-31T18:00-0600', updatedBy: 'bench' } }, meta: { status: 200 } });
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

const REQUEST = { tests: ['buttoncolortst', 'newfeaturerollout'], identifiers: { USER: 'pa5xq0lz4n80' }, context: { country: 'US' }, forceGroups: null };

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG';
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

async function startPipet() {
  const child = spawn(process.execPath, ['-e', PIPET], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim()))));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.stdin.end() };
}

async function batch(source, size, expected, latencies, cpu) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < size; i++) {
    const t0 = process.hrtime.bigint();
    const result = await source.identify(REQUEST);
    latencies.push(Number(process.hrtime.bigint() - t0));
    if (result.origin !== expected) throw new Error(`bench call answered from ${result.origin}, expected ${expected}: ${result.error ?? ''}`);
  }
  const d = process.cpuUsage(c0);
  cpu.push(((d.user + d.system) * 1000) / size);
}

export async function benchRedis(proctor, redisModule, { rounds = 15, size = 300 } = {}) {
  if (typeof redisModule.redisStore !== 'function') return [{ name: 'skipped: dist/redis.js not built' }];
  const redis = await startRedis();
  if (redis === null) return [{ name: 'skipped: redis-server is not installed (apt-get install redis-server)' }];
  const pipet = await startPipet();
  const store = redisModule.redisStore({ url: redis.url, timeoutMs: 1000 });
  const cases = [
    { name: 'warm hit, memoryStore', source: proctor.pipetSource({ apiRoot: pipet.url, cache: proctor.memoryStore() }), expected: 'cache' },
    { name: 'warm hit, redisStore (redis-server on loopback)', source: proctor.pipetSource({ apiRoot: pipet.url, cache: store }), expected: 'cache' },
    { name: 'no cache (every call to a fake Pipet on loopback)', source: proctor.pipetSource({ apiRoot: pipet.url }), expected: 'pipet' },
  ];
  try {
    for (const c of cases) {
      c.latencies = [];
      c.cpu = [];
      await c.source.identify(REQUEST); // fills the cache, opens connections
      await batch(c.source, 200, c.expected, [], []); // warm-up
    }
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < cases.length; k++) {
        const c = cases[(round + k) % cases.length];
        await batch(c.source, size, c.expected, c.latencies, c.cpu);
      }
    }
    const memory = median(cases[0].latencies);
    const memoryCpu = median(cases[0].cpu);
    return cases.flatMap((c) => [
      { name: `${c.name}: latency`, medianNs: median(c.latencies), ratio: median(c.latencies) / memory },
      { name: `${c.name}: CPU per call`, medianNs: median(c.cpu), ratio: median(c.cpu) / memoryCpu },
    ]);
  } finally {
    await Promise.all(cases.map((c) => c.source.close?.()));
    await store.close();
    pipet.stop();
    redis.stop();
  }
}
