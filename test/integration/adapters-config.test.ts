/**
 * The request layer's setup checks and its never-throwing request path, through the Fastify and Koa
 * adapters on real ports: bad options are a ConfigError naming the option; a hook that throws leaves the
 * request unassigned with one log line, and the page is still served.
 */
import { createServer } from 'node:http';
import Fastify from 'fastify';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createRequestLayer } from '../../src/http/layer.js';
import type { RequestAccess } from '../../src/http/layer.js';
import { proctorPlugin } from '../../src/fastify/index.js';
import { proctorKoa } from '../../src/koa/index.js';
import { staticSource } from '../../src/sources/static.js';
import { listen } from '../support/listen.js';

const source = () => staticSource({ groups: { buttoncolortst: { name: 'green', value: 2 } } });
const NO_ACCESS: RequestAccess<unknown, unknown> = { url: () => '/', cookieHeader: () => undefined, secure: () => false, appendSetCookie: () => undefined };

function recorder(): { lines: string[]; logger: { warn(m: string): void; error(m: string): void } } {
  const lines: string[] = [];
  return { lines, logger: { warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) } };
}

describe('setup checks', () => {
  it('names getIdentifiers, a hook that is not a function, and a forceGroupsParam that is no cookie name', () => {
    expect(() => createRequestLayer({ source: source(), tests: ['buttoncolortst'] } as never, NO_ACCESS)).toThrow(ConfigError);
    expect(() => createRequestLayer({ source: source(), tests: ['buttoncolortst'], getIdentifiers: () => ({}), isPrivileged: 'yes' } as never, NO_ACCESS)).toThrow(/isPrivileged/);
    expect(() => createRequestLayer({ source: source(), tests: ['buttoncolortst'], getIdentifiers: () => ({}), forceGroupsParam: 'force groups' }, NO_ACCESS)).toThrow(/forceGroupsParam.*"force groups"/);
  });

  it('Fastify: debugPages.prefix must be a path', () => {
    expect(() => proctorPlugin({ source: source(), tests: ['buttoncolortst'], getIdentifiers: () => ({}), debugPages: { prefix: 'private' } })).toThrow(/debugPages\.prefix.*"private"/);
    expect(() => proctorPlugin({ source: source(), tests: ['buttoncolortst'], getIdentifiers: () => ({}), debugPages: { prefix: '/private' } })).not.toThrow();
  });
});

describe('a hook that throws', () => {
  it('Fastify: the request is unassigned, one error line, the page served', async () => {
    const { lines, logger } = recorder();
    const app = Fastify();
    await app.register(proctorPlugin({ source: source(), tests: ['buttoncolortst'], getIdentifiers: () => { throw new Error('no session'); }, logger }));
    app.get('/', (request) => ({ group: (request as unknown as { proc: { buttoncolortst: { group: string | null } } }).proc.buttoncolortst.group }));
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`${base}/`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ group: null });
      expect(lines).toEqual([expect.stringMatching(/^error proctor: could not resolve identifiers\/context/)]);
    } finally {
      await app.close();
    }
  });

  it('Koa: the request is unassigned, one error line, the page served; a working hook gets the group', async () => {
    const { lines, logger } = recorder();
    for (const failing of [true, false]) {
      const app = new Koa();
      app.use(proctorKoa({ source: source(), tests: ['buttoncolortst'], getIdentifiers: () => { if (failing) throw new Error('no session'); return { USER: 'u' }; }, logger }));
      app.use((ctx) => { ctx.body = { group: (ctx.state.proc as { buttoncolortst: { group: string | null } }).buttoncolortst.group }; });
      const running = await listen(createServer(app.callback()));
      try {
        const res = await fetch(`${running.base}/`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ group: failing ? null : 'green' });
      } finally {
        await running.close();
      }
    }
    expect(lines).toEqual([expect.stringMatching(/^error proctor: could not resolve identifiers\/context/)]);
  });
});

describe('the force cookie beside other Set-Cookie lines', () => {
  it('Fastify: a cookie set by an earlier hook, the tracking cookie and the force cookie each appear once', async () => {
    const { trackingCookie } = await import('../../src/fastify/index.js');
    const app = Fastify();
    app.addHook('onRequest', (_request, reply, done) => {
      reply.header('set-cookie', 'a=1; Path=/');
      done();
    });
    app.addHook('onRequest', trackingCookie({ generate: () => 'fresh-id' }));
    await app.register(proctorPlugin({ source: source(), tests: ['buttoncolortst'], getIdentifiers: () => ({ USER: 'u' }), isPrivileged: () => true }));
    app.get('/', () => 'ok');
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`${base}/?prforceGroups=buttoncolortst1`);
      expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'tk=fresh-id; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax', 'prforceGroups=buttoncolortst1; Path=/; HttpOnly; SameSite=Lax']);
    } finally {
      await app.close();
    }
  });
});
