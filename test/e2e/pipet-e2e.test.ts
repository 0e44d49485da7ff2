// End to end: `proctor-node serve` as a real process, an Express site using the Pipet source against it.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { createProctor, localSource, memoryStore, pipetSource } from '../../src/index.js';
import type { Logger, ProctorSource } from '../../src/index.js';
import { proctor } from '../../src/express/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli/main.js');
const matrixFile = path.join(root, 'test/fixtures/parity-matrix.json');
const configFile = path.join(root, 'test/fixtures/parity-pipet-config.json');
const matrix = JSON.parse(readFileSync(matrixFile, 'utf8')) as { tests: Record<string, unknown> };
const TESTS = Object.keys(matrix.tests);

interface Pipet {
  url: string;
  port: number;
  child: ChildProcessWithoutNullStreams;
}

const children: ChildProcessWithoutNullStreams[] = [];
const servers: Server[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** Start `proctor-node serve` and wait for the URL it prints. */
function startPipet(port = 0): Promise<Pipet> {
  const child = spawn(process.execPath, [cli, 'serve', '--matrix', matrixFile, '--config', configFile, '--port', String(port)]);
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve({ url: match[0], port: Number(match[1]), child });
    });
    child.on('exit', (code) => reject(new Error(`proctor-node serve exited with ${code}`)));
  });
}

function stop(pipet: Pipet): Promise<void> {
  return new Promise((resolve) => {
    pipet.child.once('exit', () => resolve());
    pipet.child.kill('SIGKILL');
  });
}

interface User {
  identifiers: Record<string, string>;
  context: { country: string; loggedIn: boolean; age: number; lang: string };
}

/** Deterministic users (xorshift), varied enough to reach every rule branch. */
function users(n: number, seed: number): User[] {
  let x = seed;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const countries = ['US', 'CA', 'FR', 'JP', 'UY', ''];
  const langs = ['en', 'fr', 'de', 'ja', ''];
  return Array.from({ length: n }, (_, i) => ({
    identifiers: { USER: `u${i}-${Math.floor(next() * 1e12).toString(36)}`, ...(next() < 0.7 ? { ACCOUNT: String(Math.floor(next() * 1e6)) } : {}) },
    context: {
      country: countries[Math.floor(next() * countries.length)] ?? '',
      loggedIn: next() < 0.5,
      age: Math.floor(next() * 70),
      lang: langs[Math.floor(next() * langs.length)] ?? '',
    },
  }));
}

/** A small site: the proctor middleware on the given source, one page that shows the groups. */
async function site(source: ProctorSource, logger?: Logger): Promise<string> {
  const app = express();
  app.use(
    proctor({
      source,
      tests: TESTS,
      getIdentifiers: (req) => JSON.parse(String(req.headers['x-ids'] ?? '{}')) as Record<string, string>,
      getContext: (req) => JSON.parse(String(req.headers['x-ctx'] ?? '{}')) as Record<string, unknown>,
      ...(logger ? { logger } : {}),
    }),
  );
  app.get('/page', (req, res) => {
    res.json((req as unknown as { proc: { toJSON(): unknown } }).proc.toJSON());
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function page(base: string, user: User): Promise<{ status: number; body: Record<string, { group: string | null; value: number | null; payload: unknown }> }> {
  const res = await fetch(`${base}/page`, { headers: { 'x-ids': JSON.stringify(user.identifiers), 'x-ctx': JSON.stringify(user.context) } });
  return { status: res.status, body: (await res.json()) as Record<string, { group: string | null; value: number | null; payload: unknown }> };
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const local = createProctor({ source: localSource({ matrix }), tests: TESTS });

describe('Pipet source against `proctor-node serve`', () => {
  it('gives 1,000 generated users exactly the groups the local source gives them', async () => {
    const pipet = await startPipet();
    const base = await site(pipetSource({ apiRoot: pipet.url, timeoutMs: 2000, attempts: 2 }));
    const population = users(1000, 0x2545f491);
    const remote = await inBatches(population, 25, (u) => page(base, u));
    let assigned = 0;
    for (let i = 0; i < population.length; i++) {
      const user = population[i] as User;
      const expected = (await local.procFor({ identifiers: user.identifiers, context: user.context })).toJSON();
      expect(remote[i]?.status).toBe(200);
      expect(remote[i]?.body, JSON.stringify(user)).toEqual(expected);
      assigned += Object.values(expected).filter((g) => g.value !== null).length;
    }
    // The population really exercises the matrix: most tests are assigned most of the time.
    expect(assigned).toBeGreaterThan(population.length * 4);
    await stop(pipet);
  }, 120_000);

  it('keeps pages rendering while Pipet is killed, with cached or unassigned groups, and recovers after a restart', async () => {
    let pipet = await startPipet();
    const lines: string[] = [];
    const logger: Logger = { warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    const source = pipetSource({ apiRoot: pipet.url, timeoutMs: 200, attempts: 2, cache: memoryStore(), versionCheckIntervalMs: 0, logger });
    const base = await site(source);
    const known = users(20, 7);
    const before = await inBatches(known, 10, (u) => page(base, u));
    expect(before.every((r) => r.status === 200)).toBe(true);

    await stop(pipet);
    const during = await inBatches(known, 10, (u) => page(base, u));
    const stranger = await page(base, users(1, 99)[0] as User);
    expect(during.map((r) => r.status)).toEqual(known.map(() => 200));
    expect(during.map((r) => r.body)).toEqual(before.map((r) => r.body)); // served from the cache
    expect(stranger.status).toBe(200);
    expect(Object.values(stranger.body).every((g) => g.group === null && g.value === null && g.payload === null)).toBe(true);
    expect(lines.length).toBeGreaterThan(0);

    pipet = await startPipet(pipet.port);
    // The circuit breaker opened during the outage: the first page once a probe is due closes it.
    expect(source.status().state).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (source.status().nextProbeAt ?? 0) - Date.now())));
    const newcomer = users(1, 1234)[0] as User;
    const after = await page(base, newcomer);
    expect(after.body).toEqual((await local.procFor({ identifiers: newcomer.identifiers, context: newcomer.context })).toJSON());
    await stop(pipet);
  }, 60_000);
});
