// What proctor-node adds per request on Fastify 5 and Koa 3 (issue 17), against the same app without it,
// measured in the same run. The page: the same Nunjucks template on both frameworks (a list of 20 products
// and the 10 tests of express.bench.mjs read as `proc.<test>.group`); `without` renders it with a constant
// `proc` of the same shape, `with` with the framework adapter on a local source (no exposure tracking).
//
// Every server runs in its own process (this file, `--serve`), pinned with its peers to one CPU; autocannon
// runs here on the other (pin.mjs), 10 connections, 64 users. Per segment: the server's CPU per request
// (process.cpuUsage) and rps. Paired: in each cycle both variants of a framework get one segment, in
// rotating order; "added" is `with - without` within the cycle, the ratio `with / without` likewise.
// Environment: BENCH_SEGMENT_SECONDS (1), BENCH_CYCLES (6), BENCH_ROUNDS (2), BENCH_WARMUP_SECONDS (3),
// BENCH_FRAMEWORKS (fastify,koa).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { otherCpus, pin, pinnedCpu } from './pin.mjs';
import { differences, median, quantile, ratios } from './stats.mjs';
import { benchMatrix, benchTemplates, CONSTANT_PROC, forkBenchServer, ITEMS, loadServer, stopServer, TESTS, USERS } from './express.bench.mjs';

const FRAMEWORKS = ['fastify', 'koa'];
const LABEL = { fastify: 'Fastify 5 + @fastify/view', koa: 'Koa 3 + @ladjs/koa-views' };
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

async function serve(framework, variant, views) {
  const load = (name) => import(pathToFileURL(path.join(DIST, `${name}.js`)).href);
  const { default: nunjucks } = await import('nunjucks');
  const root = await load('index');
  const { registerProctor } = await load('nunjucks');
  const withProctor = variant === 'with';
  const options = {
    source: root.localSource({ matrix: benchMatrix() }),
    tests: TESTS,
    getIdentifiers: (req) => ({ USER: /(?:^|;\s*)tk=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1] }),
    getContext: () => ({ country: 'US', loggedIn: true }),
  };
  let listen;
  if (framework === 'fastify') {
    const { default: Fastify } = await import('fastify');
    const { default: fastifyView } = await import('@fastify/view');
    const app = Fastify();
    await app.register(fastifyView, { engine: { nunjucks }, root: views, options: { autoescape: true, onConfigure: (env) => withProctor && registerProctor(env) } });
    if (withProctor) await app.register((await load('fastify')).proctorPlugin(options));
    else app.addHook('onRequest', (_request, reply, done) => ((reply.locals.proc = CONSTANT_PROC), done()));
    app.get('/', (_request, reply) => reply.view('page.njk', { title: 'Products', items: ITEMS }));
    listen = async () => new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port;
  } else {
    const { default: Koa } = await import('koa');
    const { default: views_ } = await import('@ladjs/koa-views');
    const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(views), { autoescape: true });
    if (withProctor) registerProctor(env);
    const app = new Koa();
    app.use(views_(views, { extension: 'njk', map: { njk: 'nunjucks' }, options: { nunjucksEnv: env } }));
    if (withProctor) {
      const mw = (await load('koa')).proctorKoa(options);
      app.use(mw);
      await mw.ready();
    } else {
      app.use((ctx, next) => ((ctx.state.proc = CONSTANT_PROC), next()));
    }
    app.use((ctx) => ctx.render('page', { title: 'Products', items: ITEMS }));
    listen = () => new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s.address().port)); });
  }
  const port = await listen();
  process.send({ port });
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const usage = process.cpuUsage();
    process.send({ stats: { cpuUs: usage.user + usage.system } });
  });
  process.on('disconnect', () => process.exit(0));
}

function startServer(framework, variant, views, cpu) {
  return forkBenchServer(fileURLToPath(import.meta.url), ['--serve', framework, variant, views], cpu, `${framework}/${variant}`);
}

async function segment(server, seconds) {
  const { result, before, after } = await loadServer(server, seconds);
  // The stats messages are requests too, of no weight; autocannon's count is the page requests.
  return { rps: result.requests.average, cpu: (after.cpuUs - before.cpuUs) / result.requests.total };
}

async function checkPage(framework, variant, url) {
  const html = await (await fetch(url, { headers: { cookie: `tk=${USERS[0]}` } })).text();
  const groups = html.match(/class="g-(control|test|inactive)"/g) ?? [];
  if (groups.length !== TESTS.length || !html.includes('Product 20: $')) throw new Error(`${framework}/${variant}: unexpected page:\n${html}`);
}

const iqr = (xs, digits = 1) => `IQR ${quantile(xs, 0.25).toFixed(digits)}–${quantile(xs, 0.75).toFixed(digits)}`;

/** The rows of `npm run bench`: per framework, CPU per page without, added with proctor-node, rps ratio. */
export async function benchFrameworks(options = {}) {
  const env = process.env;
  const rounds = Number(options.rounds ?? env.BENCH_ROUNDS ?? 2);
  const cycles = Number(options.cycles ?? env.BENCH_CYCLES ?? 6);
  const segmentSeconds = Number(options.segmentSeconds ?? env.BENCH_SEGMENT_SECONDS ?? 1);
  const warmupSeconds = Number(options.warmupSeconds ?? env.BENCH_WARMUP_SECONDS ?? 3);
  const frameworks = (env.BENCH_FRAMEWORKS?.split(',') ?? FRAMEWORKS).filter((f) => FRAMEWORKS.includes(f));
  const views = mkdtempSync(path.join(tmpdir(), 'proctor-frameworks-bench-'));
  writeFileSync(path.join(views, 'page.njk'), benchTemplates()['page.njk']);
  const cpu = pinnedCpu();
  if (cpu !== null) pin(otherCpus(cpu));
  const rows = [{ name: `(paired per cycle: ${rounds} rounds × ${cycles} cycles of ${segmentSeconds} s; medians, IQR over cycles)` }];
  try {
    for (const framework of frameworks) {
      const out = { without: [], with: [] };
      for (let round = 0; round < rounds; round++) {
        const servers = {};
        try {
          for (const v of ['without', 'with']) servers[v] = await startServer(framework, v, views, cpu);
          for (const v of ['without', 'with']) {
            await checkPage(framework, v, servers[v].url);
            await segment(servers[v], warmupSeconds);
          }
          for (let cycle = 0; cycle < cycles; cycle++) {
            const order = (round * cycles + cycle) % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
            for (const v of order) out[v].push(await segment(servers[v], segmentSeconds));
          }
        } finally {
          await Promise.all(Object.values(servers).map(stopServer));
        }
      }
      const cpuOf = (v) => out[v].map((s) => s.cpu);
      const added = differences(cpuOf('with'), cpuOf('without'));
      rows.push({ name: `${LABEL[framework]} (page reading 10 tests): server CPU per page without proctor-node`, us: median(cpuOf('without')), note: iqr(cpuOf('without')) });
      rows.push({ name: `  proctor-node: added CPU per page`, us: median(added), note: iqr(added) });
      rows.push({ name: `  CPU per page, with / without`, ratio: median(ratios(cpuOf('with'), cpuOf('without'))) });
      rows.push({ name: `  throughput, rps with / without`, ratio: median(ratios(out.with.map((s) => s.rps), out.without.map((s) => s.rps))) });
    }
  } finally {
    if (cpu !== null) pin(`0-${cpu}`);
    rmSync(views, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3], process.argv[4], process.argv[5]);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await benchFrameworks()) console.log(row.name, row.us?.toFixed(2) ?? '', row.ratio?.toFixed(3) ?? '', row.note ?? '');
}
