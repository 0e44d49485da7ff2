// The template side of a page (issue 16: <= 1 µs): what rendering the Express bench's page costs when `proc`
// is the request's template view instead of a constant object of the same shape, per engine, in-process.
// The views are made before each batch (their making is the middleware's cost, measured in-server by
// express.bench.mjs); each render reads the 10 tests' group and payload, through the engine's own lookups
// (Nunjucks' memberLookup, Handlebars' lookupProperty, EJS's plain reads). Alternating batches, paired.
import { createRequire } from 'node:module';
import { benchMatrix, benchTemplates, CONSTANT_PROC, ITEMS, TESTS, USERS } from './express.bench.mjs';
import { differences, interleaved, median, quantile } from './stats.mjs';

const require = createRequire(import.meta.url);

/**
 * The 20 reads of the page alone (each test's group and payload, through each engine's own lookups): the
 * same cost as on the page, measured without the page's other work (and its noise) around it.
 */
function readsOnly(out) {
  return TESTS.map((t) => `<li class="g-${out(`proc.${t}.group`)}">${out(`proc.${t}.payload`)}</li>`).join('\n');
}

/**
 * `render(data) => html` per engine and template (`page`: the Express bench's page; `reads`: its 20 reads
 * of `proc` alone), compiled once, with the plugin registered as the Express bench does.
 */
async function renderers(plugins) {
  const pages = benchTemplates();
  const nunjucks = require('nunjucks');
  const env = new nunjucks.Environment(null, { autoescape: true });
  plugins.nunjucks.registerProctor(env);
  const handlebars = require('handlebars').create();
  plugins.handlebars.registerProctor(handlebars);
  const ejs = require('ejs');
  const compile = {
    nunjucks: (text) => {
      const template = nunjucks.compile(text, env);
      return (data) => template.render(data);
    },
    handlebars: (text) => handlebars.compile(text),
    ejs: (text) => ejs.compile(text),
  };
  const sources = {
    nunjucks: [pages['page.njk'], readsOnly((e) => `{{ ${e} }}`)],
    handlebars: [pages['page.hbs'], readsOnly((e) => `{{${e}}}`)],
    ejs: [pages['page.ejs'], readsOnly((e) => `<%= ${e} %>`)],
  };
  return Object.fromEntries(Object.entries(sources).map(([engine, [page, reads]]) => [engine, { page: compile[engine](page), reads: compile[engine](reads) }]));
}

/**
 * @param {{ root: object, nunjucks: object, handlebars: object, ejs: object }} modules the built package.
 * @returns {Promise<Array<{ name: string, us?: number, note?: string }>>} per engine: the page with constants,
 *   and what the view adds, untracked and with exposure tracking (median of per-batch differences, IQR).
 */
export async function benchTemplateSide(modules, { time = 1000 } = {}) {
  const { createProctor, localSource } = modules.root;
  const compiled = await renderers(modules);
  const plain = createProctor({ source: localSource({ matrix: benchMatrix() }), tests: TESTS });
  const tracked = createProctor({ source: localSource({ matrix: benchMatrix() }), tests: TESTS, onExposure: () => {} });
  await Promise.all([plain.ready(), tracked.ready()]);
  const POOL = 2048;
  const viewsOf = (client) => Array.from({ length: POOL }, (_, i) => client.procForRequest({ identifiers: { USER: USERS[i & 63] } }).templateView());
  const rows = [];
  let sink = 0;
  const iqr = (xs) => `IQR ${quantile(xs, 0.25).toFixed(2)}–${quantile(xs, 0.75).toFixed(2)}`;
  for (const engine of ['nunjucks', 'handlebars', 'ejs']) {
    for (const kind of ['page', 'reads']) {
      const render = compiled[engine][kind];
      const plainViews = viewsOf(plain);
      const trackedViews = viewsOf(tracked);
      const data = (proc) => ({ title: 'Products', items: ITEMS, proc });
      const samples = interleaved(
        {
          constant: () => (sink += render(data(CONSTANT_PROC)).length),
          view: (i) => (sink += render(data(plainViews[i % POOL])).length),
          tracked: (i) => (sink += render(data(trackedViews[i % POOL])).length),
        },
        { batches: Math.max(20, Math.round(time / 15)), batchMs: 8 },
      );
      const added = differences(samples.view, samples.constant).map((ns) => ns / 1000);
      const addedTracked = differences(samples.tracked, samples.constant).map((ns) => ns / 1000);
      const what = kind === 'page' ? 'render the page with constants (baseline)' : "the page's 20 reads of proc alone, with constants (baseline)";
      rows.push({ name: `${engine}: ${what}`, us: median(samples.constant) / 1000 });
      rows.push({ name: `  the template view instead${kind === 'page' ? ' (target <= 1)' : ''}`, us: median(added), note: iqr(added) });
      rows.push({ name: `  the tracking view (exposure tracking) instead`, us: median(addedTracked), note: iqr(addedTracked) });
    }
  }
  if (sink === Number.MIN_VALUE) console.log(sink);
  return rows;
}
