/**
 * Parity across frameworks (issue 17): one matrix, one set of options, one Nunjucks template, served by
 * Express 5, Fastify 5 (+ @fastify/view), Koa 3 (+ @ladjs/koa-views) and plain `node:http` (the Express
 * middleware on a bare server), each on a real port. The same requests (identifiers, context, force groups
 * by query and by cookie, privileged or not) must give byte-identical pages (groups, values, payloads and
 * `procScript` output), the same force cookies, and the same debug pages.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import Fastify from 'fastify';
import fastifyView from '@fastify/view';
import Fastify4 from 'fastify4';
import fastifyView9 from 'fastify-view9';
import Koa from 'koa';
import Koa2 from 'koa2';
import views from '@ladjs/koa-views';
import nunjucks from 'nunjucks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSource } from '../../src/sources/local.js';
import { proctor, proctorDebugPages } from '../../src/express/index.js';
import { proctorPlugin } from '../../src/fastify/index.js';
import { proctorKoa, proctorKoaDebugPages } from '../../src/koa/index.js';
import { readCookie } from '../../src/http/request.js';
import { registerProctor } from '../../src/templating/nunjucks.js';
import { Proctor } from '../../src/engine/proctor.js';
import type { ExposureEvent } from '../../src/proc/proc.js';
import { listen } from '../support/listen.js';
import type { Running } from '../support/listen.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MATRIX = JSON.parse(readFileSync(path.join(ROOT, 'examples/site-matrix.json'), 'utf8')) as Record<string, unknown>;
const TESTS = ['buttoncolortst', 'buttontexttst', 'newfeaturerollout', 'countryalgotst', 'headlinetst'];

const TEMPLATE = `{% for t in tests %}{{ t }}={{ proc[t].group }}:{{ proc[t].value }}:{{ procPayload(t, 'none') | dump }}
{% endfor %}[{% proctor 'buttoncolortst', 'blue', 'green' %}coloured{% else %}grey{% endproctor %}]
{{ procScript('buttoncolortst', 'buttontexttst', 'headlinetst', 'countryalgotst') }}`;

interface Hookable {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}
const header = (req: Hookable, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};
/** The same hooks on every framework: Express's req, Fastify's request and Koa's ctx all have `headers`. */
const hooks = {
  tests: TESTS,
  getIdentifiers: (req: Hookable) => ({ USER: readCookie(req, 'tk') }),
  getContext: (req: Hookable) => ({ country: header(req, 'x-country') ?? 'US', loggedIn: header(req, 'x-logged-in') === 'true' }),
  isPrivileged: (req: Hookable) => header(req, 'x-staff') === 'yes',
  logger: { warn: () => undefined, error: () => undefined },
};

/** Options added to the hooks (exposure reporting, in the last test). */
type Extra = { readonly onExposure?: (event: ExposureEvent) => void };

const viewsDir = mkdtempSync(path.join(tmpdir(), 'proctor-parity-'));
writeFileSync(path.join(viewsDir, 'page.njk'), TEMPLATE);
const env = (): nunjucks.Environment => registerProctor(new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir), { autoescape: true }));

async function expressApp(extra: Extra = {}): Promise<Running> {
  const app = express();
  registerProctor(nunjucks.configure(viewsDir, { autoescape: true, express: app }));
  const mw = proctor({ ...hooks, source: localSource({ matrix: MATRIX }), ...extra });
  app.use(mw);
  app.use('/private', proctorDebugPages(mw));
  app.get('/', (_req, res) => res.render('page.njk', { tests: TESTS }));
  await mw.ready();
  return listen(app);
}

async function nodeHttpApp(extra: Extra = {}): Promise<Running> {
  const e = env();
  const mw = proctor({ ...hooks, source: localSource({ matrix: MATRIX }), ...extra });
  const pages = proctorDebugPages(mw);
  await mw.ready();
  const server = createServer((req: IncomingMessage & { proc?: unknown }, res: ServerResponse) => {
    mw(req, res, () =>
      pages(req, res, () => {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(e.render('page.njk', { tests: TESTS, proc: req.proc }));
      }),
    );
  });
  return listen(server);
}

/** The Fastify app on a given Fastify and `@fastify/view` (5 and its view 12; 4 and its view 9). */
function fastifyOn(make: typeof Fastify, view: typeof fastifyView) {
  return async function fastifyApp(extra: Extra = {}): Promise<Running> {
    const app = make();
    await app.register(view, { engine: { nunjucks }, root: viewsDir, options: { autoescape: true, onConfigure: (e: nunjucks.Environment) => registerProctor(e) } });
    await app.register(proctorPlugin({ ...hooks, source: localSource({ matrix: MATRIX }), ...extra, debugPages: { prefix: '/private' } }));
    app.get('/', (_request, reply) => reply.view('page.njk', { tests: TESTS }));
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    return { base, close: () => app.close() };
  };
}

/** The Koa app on a given Koa (3, and 2). */
function koaOn(make: typeof Koa) {
  return async function koaApp(extra: Extra = {}): Promise<Running> {
    const app = new make();
    app.use(views(viewsDir, { extension: 'njk', map: { njk: 'nunjucks' }, options: { nunjucksEnv: env() } }));
    const mw = proctorKoa({ ...hooks, source: localSource({ matrix: MATRIX }), ...extra });
    app.use(mw);
    app.use(proctorKoaDebugPages(mw));
    app.use(async (ctx) => {
      if (ctx.path === '/') await ctx.render('page', { tests: TESTS });
    });
    await mw.ready();
    const server: Server = createServer(app.callback());
    return listen(server);
  };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly forceCookies: string[];
}
async function ask(base: string, url: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${base}${url}`, { headers });
  const forceCookies = res.headers.getSetCookie().filter((c) => c.startsWith('prforceGroups='));
  return { status: res.status, body: await res.text(), forceCookies };
}

// Fastify 4 and Koa 2 are the older majors the peer ranges accept (installed under npm aliases).
const FRAMEWORKS = {
  express: expressApp,
  'node:http': nodeHttpApp,
  fastify: fastifyOn(Fastify, fastifyView),
  'fastify 4': fastifyOn(Fastify4 as unknown as typeof Fastify, fastifyView9 as unknown as typeof fastifyView),
  koa: koaOn(Koa),
  'koa 2': koaOn(Koa2 as unknown as typeof Koa),
} as const;
type Name = keyof typeof FRAMEWORKS;

describe('Express, Fastify (5 and 4), Koa (3 and 2) and node:http give the same answers', () => {
  const running = new Map<Name, Running>();
  beforeAll(async () => {
    for (const [name, make] of Object.entries(FRAMEWORKS)) running.set(name as Name, await make());
  });
  afterAll(async () => {
    await Promise.all([...running.values()].map((r) => r.close()));
  });

  const cases: { name: string; url: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < 12; i++) {
    cases.push({ name: `visitor-${i}`, url: '/', headers: { cookie: `tk=visitor-${i}`, 'x-country': i % 3 === 0 ? 'FR' : 'US', 'x-logged-in': String(i % 2 === 0) } });
  }
  cases.push(
    { name: 'no identifier', url: '/', headers: {} },
    { name: 'privileged, force by query', url: '/?prforceGroups=buttoncolortst2,headlinetst1', headers: { cookie: 'tk=u1', 'x-staff': 'yes' } },
    { name: 'privileged, force with payload', url: '/?prforceGroups=buttontexttst2;stringValue:"Go%20now"', headers: { cookie: 'tk=u1', 'x-staff': 'yes' } },
    { name: 'privileged, clear by empty query', url: '/?prforceGroups=', headers: { cookie: 'tk=u1; prforceGroups=buttoncolortst3', 'x-staff': 'yes' } },
    { name: 'privileged, force by cookie', url: '/', headers: { cookie: 'tk=u2; prforceGroups=buttoncolortst3', 'x-staff': 'yes' } },
    { name: 'not privileged: query and cookie ignored', url: '/?prforceGroups=buttoncolortst2', headers: { cookie: 'tk=u2; prforceGroups=buttoncolortst3' } },
    { name: 'debug force page, privileged', url: '/private/proctor/force?prforceGroups=buttoncolortst1', headers: { cookie: 'tk=u3', 'x-staff': 'yes' } },
    { name: 'debug matrix, privileged', url: '/private/proctor/show', headers: { 'x-staff': 'yes' } },
    { name: 'debug page, not privileged', url: '/private/proctor/force', headers: { cookie: 'tk=u3' } },
  );

  it.each(cases)('$name', async ({ url, headers }) => {
    const answers = new Map<Name, Answer>();
    for (const [name, r] of running) answers.set(name, await ask(r.base, url, headers));
    const reference = answers.get('express');
    expect(reference?.status).not.toBe(500);
    for (const [name, answer] of answers) expect({ name, ...answer }).toEqual({ name, ...reference });
  });

  it('the pages carry the engine’s groups (the oracle, not just agreement)', async () => {
    const oracle = Proctor.fromMatrix(JSON.stringify(MATRIX));
    for (const [name, r] of running) {
      const forced = await ask(r.base, '/?prforceGroups=buttoncolortst2', { cookie: 'tk=visitor-7', 'x-staff': 'yes' });
      expect(forced.body, name).toContain('buttoncolortst=green:2:');
      expect(forced.forceCookies, name).toEqual(['prforceGroups=buttoncolortst2; Path=/; HttpOnly; SameSite=Lax']);
      const plain = await ask(r.base, '/', { cookie: 'tk=visitor-7' });
      const want = oracle.determineTestGroups({ identifiers: { USER: 'visitor-7' }, context: { country: 'US', loggedIn: false } }).get('buttoncolortst');
      expect(plain.body, name).toContain(`buttoncolortst=${want?.name ?? ''}:${want?.value ?? ''}:`);
      expect(plain.body, name).toContain('<script');
    }
  });
});

describe('exposure reporting at response end, on every framework', () => {
  it.each(Object.keys(FRAMEWORKS) as Name[])('%s reports the tests the page read, once per request', async (name) => {
    const events: ExposureEvent[] = [];
    const running = await FRAMEWORKS[name]({ onExposure: (event) => events.push(event) });
    try {
      await ask(running.base, '/', { cookie: 'tk=visitor-3' });
      for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(events).toHaveLength(1);
      expect([...(events[0]?.tests ?? [])].sort()).toEqual([...TESTS].sort());
      const oracle = Proctor.fromMatrix(JSON.stringify(MATRIX)).determineTestGroups({ identifiers: { USER: 'visitor-3' }, context: { country: 'US', loggedIn: false } });
      expect(events[0]?.groups.buttoncolortst?.group ?? null).toBe(oracle.get('buttoncolortst')?.name ?? null);
    } finally {
      await running.close();
    }
  });
});
