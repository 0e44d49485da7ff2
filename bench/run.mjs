// `npm run bench`: every benchmark with its named baseline, measured in the same run. Never a unit test.
import * as root from '../dist/index.js';
import * as engine from '../dist/engine.js';
import { benchEngine, benchProc } from './engine.bench.mjs';
import { benchTemplateSide } from './template.bench.mjs';
import { benchCacheMemory } from './memory.bench.mjs';

// The benches take one namespace: the client (root) and the engine primitives (proctor-node/engine).
const proctor = { ...root, ...engine };
const time = Number(process.env.BENCH_TIME_MS ?? 1000);
const durationSeconds = Number(process.env.BENCH_HTTP_SECONDS ?? 5);

function print(title, rows) {
  console.log(`\n## ${title}`);
  for (const row of rows ?? []) {
    const parts = [String(row.name).padEnd(72)];
    if (row.medianNs !== undefined) parts.push(`${row.medianNs.toFixed(1).padStart(10)} ns median`);
    if (row.ms !== undefined) parts.push(`${row.ms.toFixed(1).padStart(10)} ${row.unit ?? 'ms'}`);
    if (row.rps !== undefined) parts.push(`${Math.round(row.rps).toString().padStart(10)} req/s`);
    if (row.p99Ms !== undefined) parts.push(`p99 ${row.p99Ms.toFixed(2)} ms`);
    if (row.ratio !== undefined) parts.push(`${row.ratio.toFixed(2).padStart(10)} x`);
    if (row.us !== undefined) parts.push(`${row.us.toFixed(2).padStart(10)} µs`);
    if (row.note !== undefined) parts.push(row.note);
    console.log(parts.join(' '));
  }
}

async function optional(file, exportName, ...args) {
  try {
    const mod = await import(file);
    return await mod[exportName](...args);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

async function importDist(name) {
  try {
    return await import(`../dist/${name}.js`);
  } catch {
    return {};
  }
}

console.log(`proctor-node benchmarks on Node ${process.version} (${process.arch}); BENCH_TIME_MS=${time}, BENCH_HTTP_SECONDS=${durationSeconds}`);
print('Hashing one identifier (spec §2.6)', await optional('./hash.bench.mjs', 'benchHash', proctor, { time }));
print('Rules (EL)', await optional('./rules.bench.mjs', 'benchRules', proctor, { time }));
print('Rule regexes: linear engine (now) vs backtracking (before)', await optional('./regex.bench.mjs', 'benchRegex', { time }));
print('Assignment: determineTestGroups vs GrowthBook 1.8 by test count (alternating batches, paired ratios)', await benchEngine(proctor, { time }));
print('The proc object (10 configured tests)', await benchProc(proctor, { time }));

const local = proctor.localSource({ matrix: JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../examples/matrix.json', import.meta.url), 'utf8')) });
// The same request the Pipet bench sends; `userAgent` is what Pipet would add from the header (mobileonly's rule).
const request = {
  tests: Object.freeze(['buttoncolortst', 'newfeaturerollout', 'countryalgotst', 'mobileonly']),
  identifiers: { USER: 'pa5xq0lz4n80' },
  context: { country: 'US', loggedIn: true, userAgent: { mobileDevice: false } },
  forceGroups: null,
};
print('Pipet client', await optional('./pipet.bench.mjs', 'benchPipet', proctor, { time, baseline: { name: 'local source identify (baseline)', fn: () => local.identify(request) } }));
print('Pipet client transport (vs a bare undici Pool.request)', await optional('./pipet-transport.bench.mjs', 'benchTransport', proctor, { time }));
print('Pipet cache memory', await benchCacheMemory(proctor));
print('Pipet cache hit: Redis vs memory store vs no cache (ratios to the memory store)', await optional('./redis.bench.mjs', 'benchRedis', proctor, await importDist('redis')));
print('Matrix reload while serving (event-loop delay)', await optional('./matrix-load.bench.mjs', 'benchMatrixLoad', proctor));

const server = await importDist('server');
if (server.createPipetServer) print('Pipet-compatible server (autocannon, loopback)', await optional('./server.bench.mjs', 'benchServer', server, { durationSeconds }));
const modules = { root: proctor, express: await importDist('express'), nunjucks: await importDist('nunjucks'), handlebars: await importDist('handlebars'), ejs: await importDist('ejs') };
print('The Express middleware in isolation: µs per request beside the floor (in-process, paired rounds)', [
  ...((await optional('./middleware.bench.mjs', 'benchMiddleware', modules)) ?? []),
  ...((await optional('./middleware.bench.mjs', 'benchMiddleware', modules, { exposure: true })) ?? []),
]);
print('The template side: the page rendered with the template view vs constants (in-process, µs per render)', await benchTemplateSide(modules, { time }));
// Rounds of fresh server groups, cycles of paired segments (see express.bench.mjs for BENCH_* settings).
print('Express page: CPU added per page, the middleware in-server and its steps (autocannon, loopback)', await optional('./express.bench.mjs', 'benchExpress', modules));
print('Fastify and Koa page: CPU added per page by proctor-node vs the same app without it (autocannon, loopback)', await optional('./frameworks.bench.mjs', 'benchFrameworks'));
process.exit(0);
