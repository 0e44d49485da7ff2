// What proctor-node adds to an Express 5 page, and where the time goes (issue 16).
//
// The page (Nunjucks, Handlebars through express-handlebars, EJS): ~5 KB, a list of 20 products, and 10
// configured tests read in the template (`proc.<test>.group` and `.payload`). Servers:
// - `without`: the same app, template and data, `res.locals.proc` a constant object of the same shape;
// - `with`: the proctor middleware on a local source + the engine plugin (no exposure tracking);
// - `exposure`: the same with `onExposure` set (template reads tracked, a 'close' listener per response);
// - `growthbook` (Nunjucks only): GrowthBook 1.8 doing the same 10 assignments, for reference;
// - `steps-with` / `steps-exposure`: `with` / `exposure` with timers around the middleware's steps.
// With BENCH_BASELINE_DIST=<a dist/ folder> (say, a build of an older commit), `with` and `exposure` are
// also run on that build, beside the current one, in the same cycles.
//
// Every server runs in its own process (this file, `--serve`), in production mode, pinned with its peers
// to one CPU; autocannon runs here, pinned to the other (see pin.mjs), 10 connections, 64 users.
// What is measured, per server and per segment of load:
// - the server's CPU per request (process.cpuUsage around the segment): the whole page;
// - in-server timers: `performance.now()` when the request enters the middleware's slot and when the
//   middleware calls `next()`; the median over the segment's requests (see `samples`). The `without`
//   server's slot (one assignment) gives the timers' own cost, which is subtracted.
// The machine is shared and noisy, so the figures are paired: in each cycle every server of a group gets
// one segment, in rotating order, and "added" is `with - without` within the cycle. Reported: the median
// over all cycles (fresh processes every round), with the interquartile range.
//
// `npm run bench` calls benchExpress(); `node bench/express.bench.mjs` runs it alone (after a build).
// One file of ~430 lines on purpose: the server processes run this same file (`--serve`), so the page, the
// matrix, the timers and the parent's protocol with them stay side by side.
// Environment: BENCH_SEGMENT_SECONDS (1), BENCH_CYCLES per round (6), BENCH_ROUNDS (2), BENCH_WARMUP_SECONDS
// (3), BENCH_ENGINES (nunjucks,handlebars,ejs), BENCH_BASELINE_DIST.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { otherCpus, pin, pinnedCpu, pinnedFork } from './pin.mjs';
import { differences, median, quantile, ratios } from './stats.mjs';

const ENGINES = ['nunjucks', 'handlebars', 'ejs'];
const LABEL = { nunjucks: 'Nunjucks', handlebars: 'Handlebars', ejs: 'EJS' };
const TEST_COUNT = 10;
const TESTS = Array.from({ length: TEST_COUNT }, (_, i) => `bench${i}tst`);
const USERS = Array.from({ length: 64 }, (_, i) => `user${(i * 2654435761) >>> 0}`);
const ITEMS = Array.from({ length: 20 }, (_, i) => ({ name: `Product ${i + 1}`, price: (9.99 + i * 3).toFixed(2) }));
const CURRENT_DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** 10 rule-free USER tests with three buckets and string payloads. */
function benchMatrix() {
  const tests = {};
  for (const name of TESTS) {
    tests[name] = {
      testType: 'USER',
      salt: name,
      version: '1',
      buckets: [
        { name: 'inactive', value: -1, payload: { stringValue: 'Sign up' } },
        { name: 'control', value: 0, payload: { stringValue: 'Sign up' } },
        { name: 'test', value: 1, payload: { stringValue: 'Join now' } },
      ],
      allocations: [{ ranges: [{ bucketValue: -1, length: 0.2 }, { bucketValue: 0, length: 0.4 }, { bucketValue: 1, length: 0.4 }] }],
    };
  }
  return { audit: { version: 'bench-1', updated: 0, updatedBy: 'bench' }, tests };
}

/** The baseline's `proc`: constant values of the same shape as the template view. */
const CONSTANT_PROC = Object.fromEntries(TESTS.map((t) => [t, { group: 'control', value: 0, payload: 'Sign up' }]));

/** One page per engine, identical markup; `{{ }}` / `<%= %>` reads go through each engine's escaping. */
export function benchTemplates() {
  const page = (out, each, end) =>
    [
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>' + out('title') + '</title></head><body>',
      '<h1>' + out('title') + '</h1><ul class="products">',
      each + '<li>' + out('item.name') + ': $' + out('item.price') + '</li>' + end,
      '</ul><ul class="experiments">',
      ...TESTS.map((t) => `<li class="g-${out(`proc.${t}.group`)}">${out(`proc.${t}.payload`)}</li>`),
      '</ul></body></html>',
    ].join('\n');
  return {
    'page.njk': page((e) => `{{ ${e} }}`, '{% for item in items %}', '{% endfor %}'),
    'page.hbs': page((e) => `{{${e.replace(/^item\./, '')}}}`, '{{#each items}}', '{{/each}}'),
    'page.ejs': page((e) => `<%= ${e} %>`, '<% for (const item of items) { %>', '<% } %>'),
  };
}
export { benchMatrix, CONSTANT_PROC, ITEMS, TESTS, USERS };

/**
 * The reference: GrowthBook 1.8 doing the same job, a scoped instance per request reading the same 10
 * experiments (three variations, 20/40/40) into `res.locals.proc` in the template's shape.
 */
async function growthbookMiddleware() {
  const { GrowthBookClient } = await import('@growthbook/growthbook');
  const BUCKETS = { [-1]: { group: 'inactive', value: -1, payload: 'Sign up' }, 0: { group: 'control', value: 0, payload: 'Sign up' }, 1: { group: 'test', value: 1, payload: 'Join now' } };
  const features = Object.fromEntries(
    TESTS.map((name) => [
      name,
      { defaultValue: -1, rules: [{ key: name, variations: [-1, 0, 1], weights: [0.2, 0.4, 0.4], coverage: 1, hashAttribute: 'id', seed: name, hashVersion: 2 }] },
    ]),
  );
  const client = new GrowthBookClient({});
  client.initSync({ payload: { features } });
  return function growthbook(req, res, next) {
    const scoped = client.createScopedInstance({ attributes: { id: req.trackingId } });
    const proc = {};
    for (const name of TESTS) proc[name] = BUCKETS[scoped.getFeatureValue(name, -1)];
    res.locals.proc = proc;
    next();
  };
}

// ---------------------------------------------------------------------------------------------------------
// Child: one server.

/**
 * In-server timer readings (ms) of each request since the parent last asked, by step. The parent gets their
 * medians: a request during which the process was descheduled (the machine is shared) or collected garbage
 * takes far longer, and would move a mean by more than the effect being measured. The CPU per page, from
 * process.cpuUsage, is the figure that includes garbage collection.
 */
const STEPS = ['slot', 'hooks', 'build', 'determine', 'attach', 'floor', 'timer'];
const CAPACITY = 1 << 18;
const samples = Object.fromEntries(STEPS.map((k) => [k, new Float64Array(CAPACITY)]));
let count = 0;
const pending = Object.fromEntries(STEPS.map((k) => [k, 0]));
/** Per request, from the middleware's slot to the end of `res.end()`: the page's own time in this server. */
const pageTimes = new Float64Array(CAPACITY);
let pages = 0;
const PAGE_START = Symbol('bench.pageStart');

function medianOf(values, n) {
  if (n === 0) return 0;
  const sorted = values.slice(0, n).sort();
  return n % 2 === 1 ? sorted[n >> 1] : (sorted[(n >> 1) - 1] + sorted[n >> 1]) / 2;
}

async function serve(engine, variant, views, dist) {
  const load = (name) => import(pathToFileURL(path.join(dist, `${name}.js`)).href);
  const [{ default: express }, client, engineEntry, proctorExpress] = await Promise.all([import('express'), load('index'), load('engine').catch(() => ({})), load('express')]);
  // The client (root entry) and the engine primitives (proctor-node/engine; in the root before the split).
  const root = { ...client, ...engineEntry };
  const steps = variant.startsWith('steps-');
  const mode = steps ? variant.slice('steps-'.length) : variant;
  const withProctor = mode === 'with' || mode === 'exposure';
  const app = express();
  app.set('views', views);
  app.set('view cache', true);
  if (engine === 'nunjucks') {
    const { default: nunjucks } = await import('nunjucks');
    const env = nunjucks.configure(views, { autoescape: true, express: app });
    if (withProctor) (await load('nunjucks')).registerProctor(env);
    app.set('view engine', 'njk');
  } else if (engine === 'handlebars') {
    const { create } = await import('express-handlebars');
    const hbs = create({ extname: '.hbs', defaultLayout: false });
    if (withProctor) (await load('handlebars')).registerProctor(hbs);
    app.engine('hbs', hbs.engine);
    app.set('view engine', 'hbs');
  } else {
    app.set('view engine', 'ejs');
  }
  app.use(function trackingCookie(req, _res, next) {
    req.trackingId = /(?:^|;\s*)tk=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    next();
  });
  let middleware;
  let exposures = 0;
  if (withProctor) {
    middleware = proctorExpress.proctor({
      source: root.localSource({ matrix: benchMatrix() }),
      tests: TESTS,
      getIdentifiers: (req) => ({ USER: req.trackingId }),
      getContext: () => ({ country: 'US', loggedIn: true }),
      ...(mode === 'exposure' ? { onExposure: (event) => (exposures += event.tests.length) } : {}),
    });
    await middleware.ready();
  } else if (mode === 'growthbook') {
    middleware = await growthbookMiddleware();
  } else {
    middleware = function constantProc(_req, res, next) {
      res.locals.proc = CONSTANT_PROC;
      next();
    };
  }
  const now = () => performance.now();
  let slotStart = 0;
  let buildEnd = 0;
  if (steps) {
    // Timers around the client call the middleware makes and around the engine call inside it. Bench-only
    // wrappers: the totals come from the servers without them.
    const client = middleware.client;
    const procForRequest = client.procForRequest;
    client.procForRequest = function timedProcForRequest(input) {
      const t0 = now();
      pending.hooks = t0 - slotStart;
      const proc = procForRequest.call(this, input);
      buildEnd = now();
      pending.build = buildEnd - t0;
      return proc;
    };
    const determine = root.Proctor.prototype.determineTestGroups;
    root.Proctor.prototype.determineTestGroups = function timedDetermine(input) {
      const t0 = now();
      const result = determine.call(this, input);
      pending.determine = now() - t0;
      return result;
    };
  }
  // The floor beside the steps: the 10 hashes of this request's identifier with the project's hasher.
  const hashers = TESTS.map((t) => root.createTestHasher(t, t));
  let sink = 0;
  // The page timer stops when the page is handed to `res.end` (before the socket write, whose system call
  // varies more than what is measured), in the macrotask that started it: the time of other requests (their
  // I/O callbacks run only after this one's) never falls inside it.
  const end = app.response.end;
  app.response.end = function timedEnd(...args) {
    const start = this.locals?.[PAGE_START];
    if (start !== undefined && pages < CAPACITY) pageTimes[pages++] = now() - start;
    return end.apply(this, args);
  };
  app.use(function timedSlot(req, res, next) {
    // Kept in `res.locals` (a dictionary): a new property on `res` itself would change its hidden class,
    // which costs microseconds per request here (see src/express/req-proc.ts).
    res.locals[PAGE_START] = now();
    const t0 = (slotStart = now());
    middleware(req, res, () => {
      const t1 = now();
      pending.slot = t1 - t0;
      if (steps) {
        pending.attach = t1 - buildEnd;
        const id = req.trackingId;
        const h0 = now();
        for (let k = 0; k < hashers.length; k++) sink += hashers[k](id);
        const h1 = now();
        pending.floor = h1 - h0;
        pending.timer = now() - h1;
      }
      if (count < CAPACITY) {
        for (const key of STEPS) samples[key][count] = pending[key];
        count++;
      }
      next();
    });
  });
  if (withProctor && engine === 'ejs') (await load('ejs')).registerProctor(app);
  app.get('/', (_req, res) => res.render('page', { title: 'Products', items: ITEMS }));
  const server = app.listen(0, '127.0.0.1', (error) => {
    if (error) throw error;
    process.send({ port: server.address().port });
  });
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const usage = process.cpuUsage();
    const medians = Object.fromEntries(STEPS.map((key) => [key, medianOf(samples[key], count)]));
    process.send({ stats: { cpuUs: usage.user + usage.system, n: count, ...medians, page: medianOf(pageTimes, pages), exposures, sink: sink & 1 } });
    count = 0;
    pages = 0;
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------------------
// Parent: load and bookkeeping.

/** Fork `script` as a bench server child pinned to `cpu`; resolves with its URL once it listens. */
export function forkBenchServer(script, args, cpu, label) {
  const child = fork(script, args, {
    ...pinnedFork(cpu),
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${label} server exited with code ${code}`)));
    child.once('message', ({ port }) => resolve({ child, url: `http://127.0.0.1:${port}` }));
  });
}

function startServer(engine, variant, views, cpu, dist) {
  return forkBenchServer(fileURLToPath(import.meta.url), ['--serve', engine, variant, views, dist], cpu, `${engine}/${variant}`);
}

/** The server child's CPU and timer counters, asked over IPC. */
export function statsOf(server) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.stats === undefined) return;
      server.child.off('message', onMessage);
      resolve(message.stats);
    };
    server.child.on('message', onMessage);
    server.child.send('stats');
  });
}

/** Kill a bench server child; resolves when it has exited. */
export function stopServer(server) {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.child.removeAllListeners('exit');
    server.child.once('exit', () => resolve());
    server.child.kill();
  });
}

const REQUESTS = USERS.map((user) => ({ method: 'GET', path: '/', headers: { cookie: `tk=${user}` } }));

/**
 * Load one server with autocannon for `seconds` (10 connections, the users' pages), between two reads of its
 * counters; throws on any failed request.
 */
export async function loadServer(server, seconds) {
  // Imported here, not at the top: the server processes run this file too and must not load the client.
  const { default: autocannon } = await import('autocannon');
  const before = await statsOf(server);
  const result = await autocannon({ url: server.url, connections: 10, pipelining: 1, duration: seconds, requests: REQUESTS });
  const after = await statsOf(server);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${server.url}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { result, before, after };
}

/** One segment of load on one server: CPU and in-server timers per request (µs), rps. */
async function segment(server, seconds) {
  const { result, before, after } = await loadServer(server, seconds);
  const n = after.n;
  const per = (key) => after[key] * 1000;
  return {
    rps: result.requests.average,
    cpu: (after.cpuUs - before.cpuUs) / n,
    slot: per('slot'),
    hooks: per('hooks'),
    build: per('build'),
    determine: per('determine'),
    attach: per('attach'),
    page: per('page'),
    floor: per('floor'),
    timer: per('timer'),
  };
}

/** Both variants must render the same page, with real groups on the proctor side. */
async function checkPage(engine, variant, url) {
  const html = await (await fetch(url, { headers: { cookie: `tk=${USERS[0]}` } })).text();
  const groups = html.match(/class="g-(control|test|inactive)"/g) ?? [];
  if (groups.length !== TEST_COUNT || !html.includes('Product 20: $')) {
    throw new Error(`${engine}/${variant}: unexpected page (${groups.length} assigned experiments):\n${html}`);
  }
}

/**
 * Cycles of one group of servers (fresh processes every round): per variant, the index-aligned list of
 * segments (segment k of every variant ran in the same cycle).
 */
async function measureGroup(engine, variants, views, { cpu, rounds, cycles, segmentSeconds, warmupSeconds }) {
  const out = Object.fromEntries(variants.map((v) => [v.key, []]));
  for (let round = 0; round < rounds; round++) {
    const servers = {};
    try {
      for (const v of variants) servers[v.key] = await startServer(engine, v.variant, views, cpu, v.dist);
      for (const v of variants) {
        await checkPage(engine, v.key, servers[v.key].url);
        await segment(servers[v.key], warmupSeconds);
      }
      for (let cycle = 0; cycle < cycles; cycle++) {
        const shift = (round * cycles + cycle) % variants.length;
        let order = [...variants.slice(shift), ...variants.slice(0, shift)];
        if (cycle % 2 === 1) order = order.reverse();
        for (const v of order) out[v.key].push(await segment(servers[v.key], segmentSeconds));
      }
    } finally {
      await Promise.all(Object.values(servers).map(stopServer));
    }
  }
  return out;
}

const iqr = (xs, digits = 1) => `IQR ${quantile(xs, 0.25).toFixed(digits)}–${quantile(xs, 0.75).toFixed(digits)}`;
const field = (segments, key) => segments.map((s) => s[key]);

/**
 * Run the page measurements.
 * @param {{ root: object, express: object, nunjucks: object, handlebars: object, ejs: object }} proctorModules
 *   the dist modules the caller loaded (checked to be built; the servers import dist/ themselves).
 * @returns {Promise<Array<{ name: string, us?: number, rps?: number, ratio?: number, note?: string }>>}
 */
export async function benchExpress(proctorModules, options = {}) {
  for (const [key, name] of [['root', 'localSource'], ['express', 'proctor'], ['nunjucks', 'registerProctor'], ['handlebars', 'registerProctor'], ['ejs', 'registerProctor']]) {
    if (typeof proctorModules?.[key]?.[name] !== 'function') throw new Error(`benchExpress: proctorModules.${key}.${name} is missing (run npx tsup first)`);
  }
  const env = process.env;
  const settings = {
    rounds: Number(options.rounds ?? env.BENCH_ROUNDS ?? 2),
    cycles: Number(options.cycles ?? env.BENCH_CYCLES ?? 6),
    segmentSeconds: Number(options.segmentSeconds ?? env.BENCH_SEGMENT_SECONDS ?? 1),
    warmupSeconds: Number(options.warmupSeconds ?? env.BENCH_WARMUP_SECONDS ?? 3),
  };
  const engines = (options.engines ?? env.BENCH_ENGINES?.split(',') ?? ENGINES).filter((e) => ENGINES.includes(e));
  const baselineDist = options.baselineDist ?? env.BENCH_BASELINE_DIST;
  const views = mkdtempSync(path.join(tmpdir(), 'proctor-express-bench-'));
  for (const [file, text] of Object.entries(benchTemplates())) writeFileSync(path.join(views, file), text);
  const cpu = pinnedCpu();
  if (cpu !== null) pin(otherCpus(cpu));
  const run = { ...settings, cpu };
  const how = `${settings.rounds} rounds × ${settings.cycles} cycles of ${settings.segmentSeconds} s, ${cpu === null ? 'unpinned' : 'servers pinned to one CPU'}`;
  const rows = [{ name: `(paired per cycle: ${how}; medians, IQR over cycles)` }];
  const current = (variant) => ({ key: variant, variant, dist: CURRENT_DIST });
  try {
    // Where the time goes: the middleware's steps, in-server, beside the floor.
    const stepGroup = await measureGroup('nunjucks', [current('without'), current('steps-with'), current('steps-exposure')], views, { ...run, rounds: 1 });
    const timerCost = field(stepGroup.without, 'slot');
    for (const mode of ['with', 'exposure']) {
      const s = stepGroup[`steps-${mode}`];
      const title = mode === 'with' ? 'no exposure tracking' : 'exposure tracking';
      const row = (name, key, sub = timerCost) => {
        const xs = sub === null ? field(s, key) : differences(field(s, key), sub);
        return { name: `  ${name}`, us: median(xs), note: iqr(xs, 2) };
      };
      rows.push({ name: `Middleware steps, in-server timers (µs per request, ${title}):` });
      rows.push(row('identifiers, context, privilege (hooks) and the force cookie', 'hooks', null));
      rows.push(row('build the proc (client.procForRequest)', 'build', null));
      rows.push(row('  of which determineTestGroups (assignment)', 'determine', null));
      rows.push(row(`req.proc, the template view, res.locals${mode === 'exposure' ? ', the close listener' : ''}`, 'attach', null));
      rows.push(row('the whole middleware (these timers included, the slot timer subtracted)', 'slot'));
      rows.push(row('the floor: 10 MD5 hashes of the identifier (project hasher)', 'floor', null));
      rows.push(row('  (one timer reading, included in each step above)', 'timer', null));
    }

    for (const engine of engines) {
      const variants = [current('without'), current('with'), current('exposure')];
      if (engine === 'nunjucks' && options.reference !== false) variants.push(current('growthbook'));
      if (baselineDist) variants.push({ key: 'with@baseline', variant: 'with', dist: baselineDist }, { key: 'exposure@baseline', variant: 'exposure', dist: baselineDist });
      const g = await measureGroup(engine, variants, views, run);
      const base = g.without;
      const title = `${LABEL[engine]} (Express 5, page reading 10 tests)`;
      rows.push({ name: `${title}: without proctor-node, in-server page timer`, us: median(field(base, 'page')), note: iqr(field(base, 'page')) });
      rows.push({ name: `  (server CPU per page without proctor-node)`, us: median(field(base, 'cpu')), note: iqr(field(base, 'cpu')) });
      for (const v of variants.slice(1)) {
        const s = g[v.key];
        const label =
          v.key === 'growthbook' ? 'GrowthBook 1.8 instead (reference)' : `${v.variant === 'exposure' ? 'with exposure tracking' : 'proctor-node'}${v.key.endsWith('@baseline') ? ' (baseline build)' : ''}`;
        const page = differences(field(s, 'page'), field(base, 'page'));
        const mw = differences(field(s, 'slot'), field(base, 'slot'));
        const template = differences(page, mw);
        const added = differences(field(s, 'cpu'), field(base, 'cpu'));
        const target = v.key.includes('growthbook') ? '' : ' (target <= 5)';
        rows.push({ name: `  ${label}: added per page, in-server page timer${target}`, us: median(page), note: iqr(page, 2) });
        rows.push({ name: `    middleware, in-server${v.key.includes('growthbook') ? '' : ' (target <= 4)'}`, us: median(mw), note: iqr(mw, 2) });
        rows.push({ name: `    the rest (route, template side, response: page - middleware)`, us: median(template), note: iqr(template, 2) });
        rows.push({ name: `    added CPU per page (process CPU, garbage collection included)`, us: median(added), note: iqr(added) });
        rows.push({ name: `    throughput, rps with / without`, ratio: median(ratios(field(s, 'rps'), field(base, 'rps'))) });
      }
    }
  } finally {
    if (cpu !== null) pin(`0-${cpu}`);
    rmSync(views, { recursive: true, force: true });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------

const direct = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (direct && process.argv[2] === '--serve') {
  await serve(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
} else if (direct) {
  const dist = (name) => import(`../dist/${name}.js`);
  const modules = { root: await dist('index'), express: await dist('express'), nunjucks: await dist('nunjucks'), handlebars: await dist('handlebars'), ejs: await dist('ejs') };
  for (const row of await benchExpress(modules)) {
    const parts = [row.name.padEnd(90)];
    if (row.us !== undefined) parts.push(`${row.us.toFixed(2).padStart(8)} µs`);
    if (row.ratio !== undefined) parts.push(`${row.ratio.toFixed(3).padStart(8)} x`);
    if (row.note !== undefined) parts.push(row.note);
    console.log(parts.join('  '));
  }
}
