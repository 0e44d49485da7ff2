import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSource } from '../../src/index.js';
import type { ExposureEvent, Logger, ProctorSource } from '../../src/index.js';
import { proctor } from '../../src/express/index.js';
import exampleMatrix from '../../examples/matrix.json' with { type: 'json' };

const TESTS = ['buttoncolortst', 'newfeaturerollout', 'countryalgotst'];

function asyncLocal(): ProctorSource {
  // The local source without its synchronous side, as a remote source would behave.
  const local = localSource({ matrix: exampleMatrix });
  return { kind: 'slow', ready: () => local.ready(), identify: (r) => new Promise((ok) => setTimeout(() => ok(local.sync.identifySync(r)), 20)), getMatrix: () => local.getMatrix(), close: () => local.close() };
}

type ExpressFactory = typeof express5;

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as ExpressFactory],
])('%s middleware on a real port', (_name, express) => {
  let server: Server;
  let base: string;
  const logs: string[] = [];
  const exposures: ExposureEvent[] = [];
  const logger: Logger = { warn: (m) => logs.push(m), error: (m) => logs.push(m) };

  beforeAll(async () => {
    const app = express();
    app.engine('txt', (_file: string, locals: object, cb: (e: unknown, s?: string) => void) => {
      const proc = (locals as Record<string, unknown>).proc as Record<string, { group: string | null }>;
      cb(null, `color=${proc.buttoncolortst?.group} feature=${proc.newfeaturerollout?.group} unknown=${String(proc.nosuchtst)}`);
    });
    app.set('view engine', 'txt');
    app.set('views', fileURLToPath(new URL('../fixtures/express-views', import.meta.url)));
    const common = {
      tests: TESTS,
      getIdentifiers: (req: { headers: Record<string, unknown> }) => {
        if (req.headers['x-break'] === 'ids') throw new Error('identifier store down');
        return { USER: String(req.headers['x-user'] ?? 'pa5xq0lz4n80') };
      },
      getContext: () => ({ country: 'US', loggedIn: true, userAgent: { mobileDevice: false } }),
      isPrivileged: (req: { headers: Record<string, unknown> }) => {
        if (req.headers['x-break'] === 'priv') throw new Error('no user yet');
        return req.headers['x-staff'] === '1';
      },
      logger,
      onExposure: (e: ExposureEvent) => exposures.push(e),
    };
    app.use('/eager', proctor({ ...common, source: localSource({ matrix: exampleMatrix }) }));
    app.use('/lazy', proctor({ ...common, source: asyncLocal(), lazy: true }));
    app.use('/remote', proctor({ ...common, source: asyncLocal() }));
    for (const prefix of ['/eager', '/lazy', '/remote']) {
      app.get(`${prefix}/page`, (_req, res) => res.render('page', { fileIgnored: true }));
      app.get(`${prefix}/json`, (req, res) => {
        const proc = (req as unknown as { proc: { toJSON(): unknown; toString(): string; loaded: boolean } }).proc;
        if (!proc.loaded) return void res.json({ loaded: false });
        res.json({ groups: proc.toJSON(), string: String(proc) });
      });
    }
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('sets req.proc and autoinjects proc into res.render (eager, lazy and asynchronous sources)', async () => {
    for (const prefix of ['/eager', '/lazy', '/remote']) {
      const res = await fetch(`${base}${prefix}/page`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('color=control feature=active unknown=undefined');
    }
    const json = (await (await fetch(`${base}/eager/json`)).json()) as { string: string };
    expect(json.string).toBe('buttoncolortst0,newfeaturerollout0');
    expect(await (await fetch(`${base}/remote/json`)).json()).toMatchObject({ string: 'buttoncolortst0,newfeaturerollout0' });
  });

  it('privileged: the query wins and sets a session cookie; the cookie works later; empty clears it', async () => {
    const res = await fetch(`${base}/eager/page?prforceGroups=buttoncolortst2`, { headers: { 'x-staff': '1' } });
    expect(await res.text()).toContain('color=green');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toBe('prforceGroups=buttoncolortst2; Path=/; HttpOnly; SameSite=Lax');
    const again = await fetch(`${base}/eager/page`, { headers: { 'x-staff': '1', cookie: 'prforceGroups=buttoncolortst2' } });
    expect(await again.text()).toContain('color=green');
    const cleared = await fetch(`${base}/eager/page?prforceGroups=`, { headers: { 'x-staff': '1', cookie: 'prforceGroups=buttoncolortst2' } });
    expect(await cleared.text()).toContain('color=control');
    expect(cleared.headers.get('set-cookie')).toMatch(/^prforceGroups=; .*Max-Age=0/);
  });

  it("reads django's raw and Java's quoted, URL-encoded cookie forms", async () => {
    for (const cookie of ['prforceGroups="buttoncolortst1\\054newfeaturerollout-1"', 'prforceGroups="buttoncolortst1%2Cnewfeaturerollout-1"']) {
      const text = await (await fetch(`${base}/eager/page`, { headers: { 'x-staff': '1', cookie } })).text();
      expect(text).toBe('color=blue feature=inactive unknown=undefined');
    }
  });

  it('ignores force groups for everyone else, query and cookie alike', async () => {
    const res = await fetch(`${base}/eager/page?prforceGroups=buttoncolortst2`, { headers: { cookie: 'prforceGroups=buttoncolortst2' } });
    expect(await res.text()).toContain('color=control');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('never breaks the page: throwing hooks become unassigned groups and a log line', async () => {
    logs.length = 0;
    const a = await fetch(`${base}/eager/page?prforceGroups=buttoncolortst2`, { headers: { 'x-break': 'priv' } });
    expect(a.status).toBe(200);
    expect(await a.text()).toContain('color=control');
    const b = await fetch(`${base}/eager/page`, { headers: { 'x-break': 'ids' } });
    expect(b.status).toBe(200);
    expect(await b.text()).toBe('color=null feature=null unknown=undefined');
    expect(logs).toEqual([
      'proctor: isPrivileged threw; treating the request as not privileged',
      'proctor: could not resolve identifiers/context; every test is unassigned for this request',
    ]);
  });

  it('reports the tests the page read, once, when the response finishes', async () => {
    exposures.length = 0;
    await (await fetch(`${base}/lazy/page`, { headers: { 'x-user': 'exposure-user' } })).text();
    await new Promise((r) => setTimeout(r, 20));
    expect(exposures.map((e) => e.tests)).toEqual([['buttoncolortst', 'newfeaturerollout']]);
  });
});

describe('first load', () => {
  it('requests that arrive while the matrix is still loading wait for it', async () => {
    const { createServer } = await import('node:http');
    // A matrix server that answers slowly, so the page request arrives before the first load is done.
    const slow = createServer((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(exampleMatrix)), 300);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const matrixUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/matrix.json`;
    const app = express5();
    app.use(proctor({ source: localSource({ matrix: matrixUrl, reloadIntervalMs: 0 }), tests: TESTS, getIdentifiers: () => ({ USER: 'pa5xq0lz4n80' }) }));
    app.get('/', (req, res) => res.send(String((req as unknown as { proc: unknown }).proc)));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const text = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
    await new Promise((r) => server.close(r));
    await new Promise((r) => slow.close(r));
    expect(text).toBe('buttoncolortst0');
  });
});
