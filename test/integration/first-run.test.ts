// What a new user meets first: readiness, loud misconfiguration, cookies without a parser, local requests,
// a plain node:http server. Real files, real Express apps on real ports.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ConfigError, createProctor, localSource, SourceError } from '../../src/index.js';
import type { Logger } from '../../src/index.js';
import { isLocalRequest, isLoopbackAddress, proctor, readCookie, trackingCookie } from '../../src/express/index.js';
import exampleMatrix from '../../examples/matrix.json' with { type: 'json' };
import { listen } from '../support/listen.js';

const dir = mkdtempSync(path.join(tmpdir(), 'proctor-first-run-'));
const matrixFile = path.join(dir, 'proctor-tests-matrix.json');
writeFileSync(matrixFile, JSON.stringify(exampleMatrix));

function recorder(): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  return { lines, logger: { warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`), info: (m) => lines.push(`INFO ${m}`) } };
}

describe('createProctor before the first load', () => {
  it('procFor right after createProctor waits for the matrix file, then assigns', async () => {
    const client = createProctor({ source: localSource({ matrix: matrixFile }), tests: ['buttoncolortst'] });
    const proc = await client.procFor({ identifiers: { USER: 'pa5xq0lz4n80' } });
    expect(proc.buttoncolortst.group).toBe('control');
    await client.close();
  });

  it('ready() rejects with where and why; procFor still answers, unassigned; one log line through the client logger', async () => {
    const { lines, logger } = recorder();
    const missing = path.join(dir, 'nope.json');
    const client = createProctor({ source: localSource({ matrix: missing }), tests: ['buttoncolortst'], logger });
    const error = await client.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String((error as Error).message)).toBe(`could not load the test matrix from ${missing}: ENOENT: no such file or directory, stat '${missing}'`);
    const proc = await client.procFor({ identifiers: { USER: 'u' } });
    expect(proc.buttoncolortst.group).toBeNull();
    expect(lines).toEqual([`ERROR proctor: could not load the test matrix from ${missing}; every test is unassigned until it loads`]);
    await client.close();
  });

  it('configured tests missing from the matrix: one warning naming them; strict makes ready() reject', async () => {
    const { lines, logger } = recorder();
    const tests = ['buttoncolortst', 'buttoncolrtst', 'nosuchtst'];
    const client = createProctor({ source: localSource({ matrix: matrixFile }), tests, logger });
    await client.ready();
    await client.ready();
    await client.procFor({ identifiers: { USER: 'u' } });
    const warnings = lines.filter((l) => l.startsWith('WARN'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^WARN proctor: configured tests "buttoncolrtst", "nosuchtst" not in the test matrix \(it has \d+: buttoncolortst, .*\); they read as unassigned$/);
    const strict = createProctor({ source: localSource({ matrix: matrixFile }), tests, strict: true });
    const error = await strict.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^tests: configured tests "buttoncolrtst", "nosuchtst" not in the test matrix/);
    await client.close();
    await strict.close();
  });
});

describe('the middleware on a real Express app', () => {
  it('reads the identifier cookie without a cookie parser, and trackingCookie gives a first-time visitor a stable id', async () => {
    const app = express();
    app.use(trackingCookie());
    const mw = proctor({
      source: localSource({ matrix: matrixFile }),
      tests: ['buttoncolortst'],
      getIdentifiers: (req) => ({ USER: readCookie(req, 'tk') }),
    });
    app.use(mw);
    app.get('/', (req, res) => res.json({ tk: readCookie(req, 'tk') ?? null, group: req.proc.buttoncolortst?.group }));
    await mw.ready();
    const server = await listen(app);
    try {
      const first = await fetch(`${server.base}/`);
      const setCookie = first.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^tk=[0-9a-f-]{36}; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/);
      const body = (await first.json()) as { tk: string; group: string | null };
      expect(setCookie).toContain(`tk=${body.tk}`);
      expect(body.group).not.toBeNull(); // assigned on the very first visit
      const again = await fetch(`${server.base}/`, { headers: { cookie: `other=1; tk=${body.tk}` } });
      expect(again.headers.get('set-cookie')).toBeNull();
      expect(await again.json()).toEqual(body); // the same id, the same group
      const known = await fetch(`${server.base}/`, { headers: { cookie: 'tk=pa5xq0lz4n80' } });
      expect(await known.json()).toEqual({ tk: 'pa5xq0lz4n80', group: 'control' });
    } finally {
      await server.close();
      await mw.client.close();
    }
  });

  it('isLocalRequest lets ?prforceGroups= from this machine force a group on the default dual-stack listener', async () => {
    const app = express();
    const mw = proctor({
      source: localSource({ matrix: matrixFile }),
      tests: ['buttoncolortst'],
      getIdentifiers: () => ({ USER: 'pa5xq0lz4n80' }),
      isPrivileged: isLocalRequest,
    });
    app.use(mw);
    app.get('/', (req, res) => res.json({ ip: req.ip, group: req.proc.buttoncolortst?.group }));
    // app.listen(port) without a host: Node's dual-stack listener, as `app.listen(3000)` in the README.
    const server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const plain = (await (await fetch(`http://localhost:${port}/`)).json()) as { ip: string; group: string };
      expect(['::ffff:127.0.0.1', '::1']).toContain(plain.ip);
      expect(plain.group).toBe('control');
      const forced = await (await fetch(`http://localhost:${port}/?prforceGroups=buttoncolortst2`)).json();
      expect(forced).toMatchObject({ group: 'green' });
      const v4 = await (await fetch(`http://127.0.0.1:${port}/?prforceGroups=buttoncolortst1`)).json();
      expect(v4).toMatchObject({ ip: '::ffff:127.0.0.1', group: 'blue' });
      // Through a proxy on this machine: not local.
      const proxied = await (await fetch(`http://127.0.0.1:${port}/?prforceGroups=buttoncolortst1`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).json();
      expect(proxied).toMatchObject({ group: 'control' });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await mw.client.close();
    }
  });

  it('hands its logger to the source, aggregates repeated rule errors, and waits for the first load', async () => {
    const { lines, logger } = recorder();
    const app = express();
    const mw = proctor({
      source: localSource({ matrix: matrixFile }),
      tests: ['newfeaturerollout'],
      getIdentifiers: (req) => ({ USER: String(req.headers['x-user']) }),
      // no context: the rule `${loggedIn}` fails on every request
      logger,
    });
    app.use(mw);
    app.get('/', (req, res) => res.send(String(req.proc.newfeaturerollout?.group)));
    const server = await listen(app);
    try {
      for (let i = 0; i < 30; i++) expect(await (await fetch(`${server.base}/`, { headers: { 'x-user': `u${i}` } })).text()).toBe('null');
      const ruleErrors = lines.filter((l) => l.includes('rule error in test newfeaturerollout'));
      expect(ruleErrors).toHaveLength(1);
      expect(lines[0]).toMatch(/^INFO proctor: loaded test matrix version .* from .*proctor-tests-matrix\.json$/);
    } finally {
      await server.close();
      await mw.client.close();
    }
  });
});

describe('outside Express', () => {
  it('works on a plain node:http server: req.proc, the force cookie, no TypeError', async () => {
    const mw = proctor({
      source: localSource({ matrix: matrixFile }),
      tests: ['buttoncolortst'],
      getIdentifiers: (req) => ({ USER: readCookie(req, 'tk') }),
      isPrivileged: isLocalRequest,
    });
    const track = trackingCookie();
    const server = createServer((req, res) => {
      track(req, res, () =>
        mw(req, res, (error?: unknown) => {
          const proc = (req as typeof req & { proc: { buttoncolortst: { group: string | null } } }).proc;
          res.setHeader('content-type', 'text/plain');
          res.end(error ? 'error' : String(proc.buttoncolortst.group));
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${base}/?prforceGroups=buttoncolortst1`);
      expect(await res.text()).toBe('blue');
      const cookies = res.headers.getSetCookie();
      expect(cookies).toHaveLength(2); // the tracking cookie and the force cookie, neither dropped
      expect(cookies[1]).toMatch(/^prforceGroups=buttoncolortst1; Path=\/; HttpOnly; SameSite=Lax$/);
      expect(await (await fetch(`${base}/`, { headers: { cookie: 'tk=pa5xq0lz4n80' } })).text()).toBe('control');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await mw.client.close();
    }
  });
});

describe('request helpers', () => {
  it('isLoopbackAddress covers 127.0.0.0/8, ::1 and IPv4-mapped loopback only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of [undefined, '', '10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '::2', 'localhost', '127.0.0.1.evil']) expect(isLoopbackAddress(a)).toBe(false);
  });

  it('readCookie prefers a parsed req.cookies, decodes, and never throws', () => {
    expect(readCookie({ headers: { cookie: 'a=1; tk=x%20y' } }, 'tk')).toBe('x y');
    expect(readCookie({ headers: { cookie: 'tk="quoted"' } }, 'tk')).toBe('quoted');
    expect(readCookie({ headers: { cookie: 'tk=%E0%A4%A' } }, 'tk')).toBe('%E0%A4%A');
    expect(readCookie({ headers: {}, cookies: { tk: 'parsed' } }, 'tk')).toBe('parsed');
    expect(readCookie({ headers: { cookie: 'tk=header' }, cookies: {} }, 'tk')).toBe('header');
    expect(readCookie({ headers: {}, cookies: {} }, 'toString')).toBeUndefined();
    expect(readCookie({ headers: {} }, 'tk')).toBeUndefined();
  });

  it('trackingCookie and proctor refuse bad options at setup, naming the option', () => {
    expect(() => trackingCookie({ name: 'a b' })).toThrow(/trackingCookie: name must be a cookie name/);
    expect(() => trackingCookie({ maxAgeDays: 0 })).toThrow(/maxAgeDays must be a positive number of days, got 0/);
    const source = localSource({ matrix: exampleMatrix });
    expect(() => proctor({ source, tests: ['x'], getIdentifiers: () => ({}), isPrivileged: true as never })).toThrow('isPrivileged: expected a function (req) => …, got boolean');
    expect(() => proctor({ source, tests: ['x'], getIdentifiers: () => ({}), logger: 'console' as never })).toThrow(/^logger: expected an object with warn\(\) and error\(\)/);
  });
});
