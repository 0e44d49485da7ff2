/**
 * The shared table (engines-table.ts) through Nunjucks, Handlebars and EJS: first with each engine's own
 * render call and `{ proc }` data, then through real Express 5 and Express 4 apps on port 0 with the proctor
 * middleware (an eager local source and a lazy asynchronous one), read back with cheerio.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import * as cheerio from 'cheerio';
import ejs from 'ejs';
import express5 from 'express';
import express4 from 'express4';
import { create as createExpressHandlebars } from 'express-handlebars';
import Handlebars from 'handlebars';
import nunjucks from 'nunjucks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProctor, localSource, procOf } from '../../src/index.js';
import type { ProctorSource } from '../../src/index.js';
import { proctor } from '../../src/express/index.js';
import { proctorData, registerProctor as registerEjs } from '../../src/templating/ejs.js';
import { registerProctor as registerHandlebars } from '../../src/templating/handlebars.js';
import { registerProctor as registerNunjucks } from '../../src/templating/nunjucks.js';
import { MATRIX, SCRIPT_DATA, TESTS, rows } from './engines-table.js';
import type { Row, ScriptChecks } from './engines-table.js';
import { listen } from '../support/listen.js';
import type { Running } from '../support/listen.js';

type Check = Exclude<Row['expect'], string>;

function onlyScript(html: string): string {
  // Exactly one element: a payload that closed it early would leave a second `<script` or `</script`.
  expect(html.match(/<script/gi)).toHaveLength(1);
  expect(html.match(/<\/script/gi)).toHaveLength(1);
  expect(html).not.toContain('<!--');
  return html;
}

function expected(tests: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(tests.map((t) => [t, SCRIPT_DATA[t]]));
}

const checks: ScriptChecks = {
  globalScript(tests, name = 'proc'): Check {
    return (el, html) => {
      onlyScript(html);
      const script = el.find('script');
      expect(script.attr('type')).toBeUndefined();
      const body = script.html() ?? '';
      expect(body.startsWith(`var ${name}=`)).toBe(true);
      const sandbox: Record<string, unknown> = {};
      vm.runInNewContext(body, sandbox);
      expect(sandbox[name]).toEqual(expected(tests));
      expect(Object.keys(sandbox[name] as object)).toEqual([...tests]);
    };
  },
  jsonIsland(tests, id): Check {
    return (el, html) => {
      onlyScript(html);
      const script = el.find(`script#${id}`);
      expect(script.attr('type')).toBe('application/json');
      expect(JSON.parse(script.html() ?? '')).toEqual(expected(tests));
    };
  },
};

const ROWS = rows(checks);

function assertRow(row: Row, el: ReturnType<cheerio.CheerioAPI>, html: string): void {
  if (typeof row.expect === 'string') expect(el.text(), row.intent).toBe(row.expect);
  else row.expect(el, html);
}

type EngineName = 'nunjucks' | 'handlebars' | 'ejs';
const ENGINES: EngineName[] = ['nunjucks', 'handlebars', 'ejs'];

// Both template views: the plain snapshot (reads not tracked, the default without onExposure) and the
// tracking Proxy.
describe.each([false, true])('the shared table, rendered directly by each engine with { proc } (trackTemplateReads: %s)', async (trackTemplateReads) => {
  const client = createProctor({ source: localSource({ matrix: MATRIX }), tests: TESTS, trackTemplateReads });
  await client.ready();
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }));
  const hbs = registerHandlebars(Handlebars.create());
  const render: Record<EngineName, (tpl: string, data: { proc: unknown }) => string> = {
    nunjucks: (tpl, data) => env.renderString(tpl, data),
    handlebars: (tpl, data) => hbs.compile(tpl)(data),
    ejs: (tpl, data) => ejs.render(tpl, proctorData(data)),
  };

  describe.each(ENGINES)('%s', (engine) => {
    it.each(ROWS.map((row) => [row.intent, row] as const))('%s', (_intent, row) => {
      const proc = client.procForRequest({ identifiers: { USER: 'u1' }, forceGroups: row.forced ? 'buttoncolortst2' : null });
      const html = render[engine](row[engine], { proc: proc.templateView() });
      const $ = cheerio.load(`<div id="out">${html}</div>`, null, false);
      assertRow(row, $('#out'), html);
    });
  });

  it.each(ENGINES)('%s: the helpers also accept the full proc (req.proc), and count reads as exposures', (engine) => {
    const proc = client.procForRequest({ identifiers: { USER: 'u1' } });
    const tpl = {
      nunjucks: `{% proctor 'buttoncolortst', 'blue' %}Y{% endproctor %}{{ procPayload('countryalgotst', 0, 2) }}{{ procScript('newfeaturerollout') }}`,
      handlebars: `{{#proctor 'buttoncolortst' 'blue'}}Y{{/proctor}}{{procPayload 'countryalgotst' 0 2}}{{{procScript 'newfeaturerollout'}}}`,
      ejs: `<% if (proctor('buttoncolortst', 'blue')) { %>Y<% } %><%= procPayload('countryalgotst', 0, 2) %><%- procScript('newfeaturerollout') %>`,
    }[engine];
    const html = render[engine](tpl, { proc });
    expect(html).toBe('Y5<script>var proc={"newfeaturerollout":{"group":"active","value":0,"payload":null}};</script>');
    expect(proc.exposures()).toEqual(['buttoncolortst', 'countryalgotst', 'newfeaturerollout']);
    // A view reads the same proc.
    const again = client.procForRequest({ identifiers: { USER: 'u1' } });
    render[engine](tpl, { proc: again.templateView() });
    expect(procOf(again.templateView())?.exposures()).toEqual(['buttoncolortst', 'countryalgotst', 'newfeaturerollout']);
  });

  it.each(ENGINES)('%s: without any proc, the helpers take the fallback / else branch and procScript defines an empty object', (engine) => {
    const tpl = {
      nunjucks: `{% proctor 'buttoncolortst', 'blue' %}Y{% else %}N{% endproctor %}{{ procPayload('buttoncolortst', 'F') }}{{ procScript() }}`,
      handlebars: `{{#proctor 'buttoncolortst' 'blue'}}Y{{else}}N{{/proctor}}{{procPayload 'buttoncolortst' 'F'}}{{procScript}}`,
      ejs: `<% if (proctor('buttoncolortst', 'blue')) { %>Y<% } else { %>N<% } %><%= procPayload('buttoncolortst', 'F') %><%- procScript() %>`,
    }[engine];
    expect(render[engine](tpl, { proc: undefined })).toBe('NF<script>var proc={};</script>');
  });
});

function asyncSource(): ProctorSource {
  // The local source without its synchronous side, as a remote (Pipet) source behaves.
  const local = localSource({ matrix: MATRIX });
  return {
    kind: 'slow',
    ready: () => local.ready(),
    identify: (r) => new Promise((ok) => setTimeout(() => ok(local.sync.identifySync(r)), 5)),
    getMatrix: () => local.getMatrix(),
    close: () => local.close(),
  };
}

type ExpressFactory = typeof express5;

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as ExpressFactory],
])('the shared table through %s and res.render', (_name, express) => {
  const servers: Running[] = [];
  const bases = new Map<EngineName, string>();
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-engines-'));
  const ext: Record<EngineName, string> = { nunjucks: 'njk', handlebars: 'hbs', ejs: 'ejs' };

  beforeAll(async () => {
    for (const engine of ENGINES) {
      const views = path.join(dir, engine);
      const page = (forced: boolean) =>
        ROWS.map((row, i) => ((row.forced === true) === forced ? `<div id="r${i}">${row[engine]}</div>` : '')).join('\n');
      rmSync(views, { recursive: true, force: true });
      mkdirSync(views, { recursive: true });
      writeFileSync(path.join(views, `table.${ext[engine]}`), page(false));
      writeFileSync(path.join(views, `forced.${ext[engine]}`), page(true));

      const app = express();
      app.set('views', views);
      app.set('view engine', ext[engine]);
      if (engine === 'nunjucks') {
        const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(views), { autoescape: true });
        env.express(app);
        registerNunjucks(env);
      } else if (engine === 'handlebars') {
        const hbs = registerHandlebars(createExpressHandlebars({ extname: '.hbs', defaultLayout: false }));
        app.engine('hbs', hbs.engine);
      } else {
        app.engine('ejs', ejs.renderFile);
        registerEjs(app);
      }
      const common = {
        tests: TESTS,
        getIdentifiers: () => ({ USER: 'u1' }),
        isPrivileged: (req: { headers: Record<string, unknown> }) => req.headers['x-staff'] === '1',
      };
      app.use('/eager', proctor({ ...common, source: localSource({ matrix: MATRIX }) }));
      app.use('/async', proctor({ ...common, source: asyncSource(), lazy: true }));
      app.use('/async-eager', proctor({ ...common, source: asyncSource() }));
      app.use('/tracked', proctor({ ...common, source: localSource({ matrix: MATRIX }), trackTemplateReads: true }));
      for (const prefix of ['/eager', '/async', '/async-eager', '/tracked']) {
        app.get(`${prefix}/table`, (_req, res) => res.render('table'));
        app.get(`${prefix}/forced`, (_req, res) => res.render('forced'));
      }
      const server = await listen(app);
      servers.push(server);
      bases.set(engine, server.base);
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each(ENGINES)('%s', (engine) => {
    // Eager local and non-lazy asynchronous sources give templates the plain snapshot view; lazy and
    // tracked ones the tracking view.
    it.each(['/eager', '/async', '/async-eager', '/tracked'])('every row through res.render (%s)', async (prefix) => {
      for (const forced of [false, true]) {
        const res = await fetch(`${bases.get(engine)}${prefix}/${forced ? 'forced?prforceGroups=buttoncolortst2' : 'table'}`, {
          headers: forced ? { 'x-staff': '1' } : {},
        });
        expect(res.status).toBe(200);
        const $ = cheerio.load(await res.text());
        ROWS.forEach((row, i) => {
          if ((row.forced === true) !== forced) return;
          const el = $(`#r${i}`);
          expect(el.length, row.intent).toBe(1);
          assertRow(row, el, el.html() ?? '');
        });
      }
    });

    it('does not let an unprivileged request force groups', async () => {
      const res = await fetch(`${bases.get(engine)}/eager/forced?prforceGroups=buttoncolortst2`);
      const $ = cheerio.load(await res.text());
      const i = ROWS.findIndex((r) => r.forced);
      expect($(`#r${i}`).text()).toBe('blue#2B60DE');
    });
  });
});
