/**
 * Engine-specific behaviour of the three plugins: registration and its errors, layouts / partials / includes /
 * macros (test/fixtures/views), the CSP nonce from res.locals and from res.render's data, exposures through the
 * middleware, logging.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import * as cheerio from 'cheerio';
import ejs from 'ejs';
import express from 'express';
import { create as createExpressHandlebars } from 'express-handlebars';
import Handlebars from 'handlebars';
import nunjucks from 'nunjucks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createProctor, localSource } from '../../src/index.js';
import type { ExposureEvent } from '../../src/index.js';
import { proctor } from '../../src/express/index.js';
import { proctorData, proctorLocals, registerProctor as registerEjs } from '../../src/templating/ejs.js';
import { proctorHelpers, registerProctor as registerHandlebars } from '../../src/templating/handlebars.js';
import { registerProctor as registerNunjucks } from '../../src/templating/nunjucks.js';
import { recordingLogger } from '../support/fake-pipet.js';
import { EVIL, MATRIX, TESTS } from './engines-table.js';
import { listen } from '../support/listen.js';
import type { Running } from '../support/listen.js';

const VIEWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/views');

async function makeProc(forceGroups: string | null = null) {
  const client = createProctor({ source: localSource({ matrix: MATRIX }), tests: TESTS });
  await client.ready();
  return client.procForRequest({ identifiers: { USER: 'u1' }, forceGroups });
}

describe('layouts, partials, includes and macros through Express 5 res.render', () => {
  type Engine = 'nunjucks' | 'handlebars' | 'ejs';
  const servers: Running[] = [];
  const bases = new Map<Engine, string>();
  const exposures: ExposureEvent[] = [];

  beforeAll(async () => {
    for (const engine of ['nunjucks', 'handlebars', 'ejs'] as const) {
      const app = express();
      const views = path.join(VIEWS, engine);
      app.set('views', views);
      if (engine === 'nunjucks') {
        registerNunjucks(nunjucks.configure(views, { autoescape: true, express: app }));
        app.set('view engine', 'njk');
      } else if (engine === 'handlebars') {
        const hbs = createExpressHandlebars({ extname: '.hbs' });
        registerHandlebars(hbs);
        app.engine('hbs', hbs.engine);
        app.set('view engine', 'hbs');
      } else {
        app.engine('ejs', ejs.renderFile);
        app.set('view engine', 'ejs');
        // Before the proctor middleware on purpose: the functions read res.locals.proc when called.
        registerEjs(app);
      }
      app.use((req, res, next) => {
        if (req.path !== '/render-nonce') res.locals.cspNonce = 'r4nd0m"<';
        next();
      });
      app.use(
        proctor({
          source: localSource({ matrix: MATRIX }),
          tests: TESTS,
          getIdentifiers: () => ({ USER: 'u1' }),
          onExposure: (e) => exposures.push(e),
        }),
      );
      app.get('/', (_req, res) => res.render('page', { title: `${engine} page`, items: ['a', 'b'] }));
      // The nonce as render data only (no res.locals.cspNonce), and as both (render data wins, as in Express's merge).
      app.get('/render-nonce', (_req, res) => res.render('page', { title: 'n', items: ['a'], cspNonce: 'from-render"<' }));
      app.get('/both-nonces', (_req, res) => res.render('page', { title: 'n', items: ['a'], cspNonce: 'from-render' }));
      const server = await listen(app);
      servers.push(server);
      bases.set(engine, server.base);
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it.each(['nunjucks', 'handlebars', 'ejs'] as const)('%s: helpers work in the layout, in partials inside loops and in macros', async (engine) => {
    exposures.length = 0;
    const res = await fetch(`${bases.get(engine)}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const $ = cheerio.load(html);
    expect($('title').text()).toBe(`${engine} page`);
    const buttons = $('button');
    expect(buttons.length).toBe(2);
    buttons.each((i, b) => {
      expect($(b).attr('class')).toBe('btn-blue');
      expect($(b).attr('data-item')).toBe(['a', 'b'][i]);
      expect($(b).text()).toBe(EVIL);
    });
    expect($('#macro').text().trim()).toBe('5-control');
    // procScript in the layout: the nonce from res.locals.cspNonce, escaped; one element; exact values.
    const scripts = $('script');
    expect(scripts.length).toBe(1);
    expect(scripts.attr('nonce')).toBe('r4nd0m"<');
    expect(html).toContain('nonce="r4nd0m&quot;&lt;"');
    const sandbox: Record<string, unknown> = {};
    vm.runInNewContext(scripts.html() ?? '', sandbox);
    expect(sandbox.proc).toEqual({
      buttoncolortst: { group: 'blue', value: 1, payload: '#2B60DE' },
      buttontexttst: { group: 'evil', value: 1, payload: EVIL },
    });
    // The middleware reports what the page read (tag, payload helper, procScript), nothing else.
    await new Promise((r) => setTimeout(r, 20));
    expect(exposures).toHaveLength(1);
    expect([...(exposures[0]?.tests ?? [])].sort()).toEqual(['buttoncolortst', 'buttontexttst', 'countryalgotst']);
  });

  it.each(['nunjucks', 'handlebars', 'ejs'] as const)('%s: procScript takes the nonce from res.render data, over res.locals', async (engine) => {
    for (const [route, nonce] of [['/render-nonce', 'from-render"<'], ['/both-nonces', 'from-render']] as const) {
      const res = await fetch(`${bases.get(engine)}${route}`);
      expect(res.status).toBe(200);
      const $ = cheerio.load(await res.text());
      expect($('script').length, route).toBe(1);
      expect($('script').attr('nonce'), route).toBe(nonce);
      // The proc still comes from res.locals (the render data has none).
      const sandbox: Record<string, unknown> = {};
      vm.runInNewContext($('script').html() ?? '', sandbox);
      expect(Object.keys(sandbox.proc as object), route).toEqual(['buttoncolortst', 'buttontexttst']);
    }
  });
});

describe('Nunjucks plugin', () => {
  it('rejects what is not an environment, naming the option', () => {
    expect(() => registerNunjucks({} as never)).toThrow(ConfigError);
    expect(() => registerNunjucks(null as never)).toThrow(/^env: expected a Nunjucks Environment/);
    const env = new nunjucks.Environment();
    expect(() => registerNunjucks(env, { contextKey: '' })).toThrow(/^contextKey: expected a non-empty template variable name, got ""/);
    expect(() => registerNunjucks(env, { script: { name: 'class' } })).toThrow(/^script\.name: .*got "class"/);
    expect(() => registerNunjucks(env, { script: { mode: 'module' as never } })).toThrow(/^script\.mode: expected 'global' or 'json', got "module"/);
    expect(() => registerNunjucks(env, { script: { nonse: 'x' } as never })).toThrow(/^script\.nonse: unknown procScript option/);
  });

  it('works with env.render(name, { proc }) on template files (extends, include, macro imported with context)', async () => {
    const env = registerNunjucks(new nunjucks.Environment(new nunjucks.FileSystemLoader(path.join(VIEWS, 'nunjucks')), { autoescape: true }));
    const proc = await makeProc('buttoncolortst2');
    const $ = cheerio.load(env.render('page.njk', { proc, title: 't', items: ['x'] }));
    expect($('button.btn-green').text()).toBe(EVIL);
    expect($('#macro').text()).toBe('5-control');
    expect($('script').attr('nonce')).toBeUndefined();
    expect(proc.exposures()).toEqual(['buttoncolortst', 'buttontexttst', 'countryalgotst']);
  });

  it('takes tag arguments as expressions (variables, lists), with whitespace control', async () => {
    const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }));
    const proc = (await makeProc()).templateView();
    const tpl = `{%- proctor test, groups -%} A {%- else -%} B {%- endproctor -%}|{% proctor test, other %}A{% else %}B{% endproctor %}`;
    expect(env.renderString(tpl, { proc, test: 'buttoncolortst', groups: ['green', 'blue'], other: 'control' })).toBe('A|B');
    expect(env.renderString(`{% if proctor('buttoncolortst', 'blue') and not proctor('buttoncolortst', 0) %}ok{% endif %}`, { proc })).toBe('ok');
  });

  it('escapes the body once, with autoescape on and off', async () => {
    const proc = (await makeProc()).templateView();
    const tpl = `{% proctor 'buttoncolortst', 'blue' %}<i>{{ "<b>" }}</i>{% endproctor %}`;
    expect(registerNunjucks(new nunjucks.Environment(null, { autoescape: true })).renderString(tpl, { proc })).toBe('<i>&lt;b&gt;</i>');
    expect(registerNunjucks(new nunjucks.Environment(null, { autoescape: false })).renderString(tpl, { proc })).toBe('<i><b></i>');
  });

  it('reads proc from another variable and the nonce from the configured key; logs each unknown test once', async () => {
    const logger = recordingLogger();
    const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), {
      contextKey: 'ab',
      nonceKey: 'nonce',
      script: { name: 'abGroups' },
      logger,
    });
    const ab = (await makeProc()).templateView();
    const tpl = `{{ procPayload('nosuchtst', 'F') }}{% proctor 'nosuchtst', 'x' %}{% endproctor %}{{ procScript('buttoncolortst') }}`;
    expect(env.renderString(tpl, { ab, nonce: 'n1' })).toBe(
      'F<script nonce="n1">var abGroups={"buttoncolortst":{"group":"blue","value":1,"payload":"#2B60DE"}};</script>',
    );
    env.renderString(tpl, { ab, nonce: 'n1' });
    expect(logger.lines.map((l) => `${l.level} ${l.message}`)).toEqual([
      'warn proctor: procPayload("nosuchtst"): not a configured test; using the fallback / else branch',
    ]);
  });

  it('fails the render for a misspelt procScript option (a template bug), naming it', async () => {
    const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }));
    const proc = (await makeProc()).templateView();
    expect(() => env.renderString(`{{ procScript('buttoncolortst', nonse='x') }}`, { proc })).toThrow(/nonse: unknown procScript option/);
    expect(() => env.renderString(`{{ procScript(name='let') }}`, { proc })).toThrow(/name: .*"let"/);
  });
});

describe('Handlebars plugin', () => {
  it('rejects what is not a Handlebars or express-handlebars instance', () => {
    expect(() => registerHandlebars({} as never)).toThrow(/^hbs: expected a Handlebars or express-handlebars instance/);
    expect(() => proctorHelpers({} as never)).toThrow(ConfigError);
  });

  it('registers on an express-handlebars instance without touching the global Handlebars', () => {
    const hbs = createExpressHandlebars({ helpers: { mine: () => 'm' } });
    registerHandlebars(hbs);
    expect(Object.keys(hbs.helpers).sort()).toEqual(['mine', 'procPayload', 'procScript', 'proctor']);
    expect(Handlebars.helpers.procPayload).toBeUndefined();
  });

  it('works as a helpers object for a single template, in subexpressions and inside #each', async () => {
    const hbs = Handlebars.create();
    const helpers = proctorHelpers(hbs);
    const proc = (await makeProc()).templateView();
    const tpl = hbs.compile(
      `{{#if (proctor 'buttoncolortst' 'blue')}}Y{{/if}}{{#each items}}[{{this}}:{{#proctor 'countryalgotst' 0}}{{procPayload 'countryalgotst' 0 @index}}{{/proctor}}]{{/each}}`,
    );
    expect(tpl({ proc, items: ['a', 'b'] }, { helpers })).toBe('Y[a:2][b:3]');
  });

  it('resolves proc.<test>.group under the default prototype-access rules from the template view', async () => {
    const hbs = registerHandlebars(Handlebars.create());
    const view = (await makeProc()).templateView();
    // No allowProtoPropertiesByDefault: the view's own getters are what make this work.
    expect(hbs.compile('{{proc.buttoncolortst.group}}-{{proc.buttoncolortst.value}}-{{proc.buttoncolortst.payload}}')({ proc: view })).toBe(
      'blue-1-#2B60DE',
    );
    expect(hbs.compile('{{#with proc.countryalgotst}}{{group}}{{/with}}|{{proc.nosuchtst.group}}')({ proc: view })).toBe('control|');
  });
});

describe('EJS plugin', () => {
  it('proctorData copies the data and binds the functions to its proc', async () => {
    const proc = (await makeProc()).templateView();
    const data = { proc, n: 1 };
    const bound = proctorData(data);
    expect(data).toEqual({ proc, n: 1 });
    expect(bound.proctor('buttoncolortst', 'blue')).toBe(true);
    expect(bound.procPayload('countryalgotst', 9, '1')).toBe(3);
    // Called without a receiver (taken into a variable, or EJS's destructuredLocals): the bound data answers.
    const { procScript, proctor: detached } = proctorData({ proc, cspNonce: 'n1' });
    expect(detached('buttoncolortst', 'blue')).toBe(true);
    expect(procScript('newfeaturerollout')).toBe('<script nonce="n1">var proc={"newfeaturerollout":{"group":"active","value":0,"payload":null}};</script>');
    expect(ejs.render(`<%- procScript('newfeaturerollout') %>`, proctorData({ proc, cspNonce: 'n2' }), { strict: true, destructuredLocals: ['procScript'] })).toContain('nonce="n2"');
    expect(() => proctorData(null as never)).toThrow(/^data: expected the render data object/);
    expect(() => registerEjs({} as never)).toThrow(/^app: expected an Express app or router/);
    expect(() => proctorLocals({ nonceKey: '' })).toThrow(ConfigError);
  });

  it('proctorLocals: the same three functions on every request, reading the render data they are called on', async () => {
    const logger = recordingLogger();
    const middleware = proctorLocals({ logger });
    const a = { locals: {} as Record<string, unknown> };
    const b = { locals: {} as Record<string, unknown> };
    let nexts = 0;
    middleware(null, a, () => nexts++);
    middleware(null, b, () => nexts++);
    expect(nexts).toBe(2);
    // Nothing is made per request: the functions are shared, and find the request's proc through `this`.
    for (const name of ['proctor', 'procPayload', 'procScript']) expect(a.locals[name]).toBe(b.locals[name]);
    const blue = (await makeProc()).templateView();
    const forced = (await makeProc('buttoncolortst0')).templateView();
    expect(ejs.render(`<%= proctor('buttoncolortst', 'blue') %>|<%= locals.procPayload('buttoncolortst', 'x') %>`, { ...a.locals, proc: blue })).toBe('true|#2B60DE');
    expect(ejs.render(`<%= proctor('buttoncolortst', 'blue') %>`, { ...b.locals, proc: forced })).toBe('false');
    // Without a receiver (EJS's destructuredLocals) there is no proc to find: the fallback, and one warning.
    const detached = ejs.render(`<%= procPayload('buttoncolortst', 'fallback') %>`, { ...a.locals, proc: blue }, { strict: true, destructuredLocals: ['procPayload'] });
    expect(detached).toBe('fallback');
    expect(logger.lines.map((l) => l.message)).toEqual(['proctor: procPayload found no proc in the template variable "proc"; using the fallback / else branch']);
  });

  it('passes the functions into included partials with ejs.renderFile', async () => {
    const proc = (await makeProc('buttoncolortst2')).templateView();
    const html = await ejs.renderFile(path.join(VIEWS, 'ejs/page.ejs'), proctorData({ proc, title: 't', items: ['x'], cspNonce: 'abc' }));
    const $ = cheerio.load(html);
    expect($('button.btn-green').text()).toBe(EVIL);
    expect($('#macro').text().trim()).toBe('5-control');
    expect($('script').attr('nonce')).toBe('abc');
  });

  it('escapes procScript output written with <%= (use <%-), so a mistake is visible but harmless', async () => {
    const proc = (await makeProc()).templateView();
    const html = ejs.render(`<%= procScript('buttoncolortst') %>`, proctorData({ proc }));
    expect(html.startsWith('&lt;script&gt;var proc=')).toBe(true);
  });
});
