/**
 * Handlebars and EJS on Fastify (`@fastify/view`) and Koa (`@ladjs/koa-views`), on real ports: the page a
 * user gets reads `proc`, the `proctor` block/function, `procPayload` and `procScript` exactly as the same
 * template rendered directly with the request's proc, for several users and with a group forced by a
 * privileged request. (Nunjucks on both frameworks is covered by their example sites.)
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import fastifyView from '@fastify/view';
import Fastify from 'fastify';
import Handlebars from 'handlebars';
import Koa from 'koa';
import views from '@ladjs/koa-views';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProctor, localSource } from '../../src/index.js';
import { proctorPlugin } from '../../src/fastify/index.js';
import { proctorKoa } from '../../src/koa/index.js';
import { proctorData, proctorFunctions, proctorLocals } from '../../src/templating/ejs.js';
import { registerProctor as registerHandlebars } from '../../src/templating/handlebars.js';
import exampleMatrix from '../../examples/matrix.json' with { type: 'json' };

const VIEWS = fileURLToPath(new URL('../fixtures/framework-engines/', import.meta.url));
const TESTS = ['buttoncolortst', 'buttontexttst', 'nosuchtst'] as const;
const quiet = { warn: () => {}, error: () => {} };
const options = {
  tests: TESTS,
  getIdentifiers: (req: { query: Record<string, unknown> }) => ({ USER: typeof req.query.user === 'string' ? req.query.user : undefined }),
  isPrivileged: () => true,
  logger: quiet,
};

type Engine = 'handlebars' | 'ejs';
const FILE: Record<Engine, string> = { handlebars: 'page.hbs', ejs: 'page.ejs' };

/** The same template rendered directly with a proc for `user` (and force string): what every page must equal. */
async function expected(engine: Engine, user: string, force: string | null): Promise<string> {
  const client = createProctor({ source: localSource({ matrix: exampleMatrix }), tests: TESTS, logger: quiet });
  const proc = await client.procFor({ identifiers: { USER: user }, forceGroups: force });
  const text = readFileSync(VIEWS + FILE[engine], 'utf8');
  if (engine === 'handlebars') return registerHandlebars(Handlebars.create()).compile(text)({ proc: proc.templateView(), title: 'T' });
  return ejs.render(text, proctorData({ proc: proc.templateView(), title: 'T' }));
}

async function fastifySite(engine: Engine): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify();
  await app.register(fastifyView, {
    engine: engine === 'handlebars' ? { handlebars: registerHandlebars(Handlebars.create()) } : { ejs },
    root: VIEWS,
  });
  await app.register(proctorPlugin({ source: localSource({ matrix: exampleMatrix }), ...options } as never));
  // EJS's functions travel in the render data: the same middleware Express uses, as a Fastify hook.
  if (engine === 'ejs') app.addHook('preHandler', proctorLocals());
  app.get('/', (_request, reply) => reply.view(FILE[engine], { title: 'T' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`, close: () => app.close() };
}

async function koaSite(engine: Engine): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  // koa-views renders through consolidate with the `handlebars` module's shared instance: the helpers go there.
  if (engine === 'handlebars') registerHandlebars(Handlebars);
  app.use(views(VIEWS, { map: { hbs: 'handlebars', ejs: 'ejs' } }));
  const mw = proctorKoa({ source: localSource({ matrix: exampleMatrix }), ...options } as never);
  app.use(mw);
  // EJS's functions travel in the render data, which koa-views takes from `ctx.state`.
  const functions = proctorFunctions();
  if (engine === 'ejs') {
    app.use((ctx, next) => {
      Object.assign(ctx.state, functions);
      return next();
    });
  }
  app.use((ctx) => ctx.render(FILE[engine], { title: 'T' }));
  await mw.ready();
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each([
  ['Fastify', 'handlebars', fastifySite],
  ['Fastify', 'ejs', fastifySite],
  ['Koa', 'handlebars', koaSite],
  ['Koa', 'ejs', koaSite],
] as const)('%s with %s', (_framework, engine, start) => {
  let site: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    site = await start(engine);
  });
  afterAll(async () => {
    await site?.close();
  });

  const page = async (query: string): Promise<string> => {
    const res = await fetch(site.url + query);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('renders the request’s proc with the helpers, as the template rendered directly with it', async () => {
    const seen = new Set<string>();
    for (const user of ['pa5xq0lz4n80', 'u1', 'u2', 'u3', 'u4', 'u5']) {
      const html = await page(`?user=${user}`);
      expect(html).toBe(await expected(engine, user, null));
      seen.add(/class="([^"]*)"/.exec(html)?.[1] ?? '');
    }
    expect(seen.size).toBeGreaterThan(1); // different users, different groups: the proc is the request's
  });

  it('a privileged force shows on the page, payload included; no user: every test unassigned', async () => {
    const forced = await page(`?user=u1&prforceGroups=${encodeURIComponent('buttoncolortst2,buttontexttst1;stringValue:"Join & win"')}`);
    expect(forced).toBe(await expected(engine, 'u1', 'buttoncolortst2,buttontexttst1;stringValue:"Join & win"'));
    expect(forced).toContain('class="green">colored|Join &amp; win||T</p>');
    const anonymous = await page('');
    expect(anonymous).toContain('<p class="">grey|Sign Up||T</p>');
  });
});
