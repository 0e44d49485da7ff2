// Several real Node processes (child processes running the built package, `npx tsup` first) share one real
// redis-server through `proctor-node/redis`: one Pipet call per user across the processes, a new matrix
// version seen by one process invalidates the others' entries, and Redis killed mid-run and restarted
// neither fails nor slows a page past the deadline, is logged once per process, and the cache refills.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePipet } from '../support/fake-pipet.js';
import type { FakePipet } from '../support/fake-pipet.js';
import { redisServerMissing, startRedis } from '../support/redis-server.js';
import type { RedisServer } from '../support/redis-server.js';

const worker = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../support/redis-worker.mjs');

interface Page {
  readonly origin: string;
  readonly group: string | null;
  readonly version: string | null;
  readonly ms: number;
}
interface Logs {
  readonly lines: { level: string; message: string }[];
  readonly thrown: number;
}

interface Worker {
  readonly base: string;
  readonly child: ChildProcess;
}

async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, [worker], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

let workerList: readonly Worker[] = [];
/** The `i`th worker process. */
function at(i: number): Worker {
  const w = workerList[i];
  if (w === undefined) throw new Error(`no worker ${i}`);
  return w;
}

async function page(w: Worker, user: string): Promise<Page> {
  const response = await fetch(`${w.base}/page?user=${encodeURIComponent(user)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

async function logs(w: Worker): Promise<Logs> {
  return (await (await fetch(`${w.base}/logs`)).json()) as Logs;
}

async function state(w: Worker): Promise<string> {
  return ((await (await fetch(`${w.base}/status`)).json()) as { state: string }).state;
}

function identifyCalls(pipet: FakePipet, user?: string): number {
  return pipet.requests.filter((r) => r.path === '/groups/identify' && (user === undefined || r.query['id.USER'] === user)).length;
}

/** The group the fake Pipet gives `user` under matrix version `version`. */
function groupOf(user: string, version: string): string {
  const n = [...user].reduce((sum, c) => sum + c.charCodeAt(0), 0) + Number(version);
  return n % 2 === 0 ? 'control' : 'test';
}

describe.skipIf(redisServerMissing !== null)(`several processes sharing a Redis store${redisServerMissing === null ? '' : ` (skipped: ${redisServerMissing})`}`, () => {
  let redis: RedisServer;
  let pipet: FakePipet;
  let version = '1';
  const workers: Worker[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    pipet = await startFakePipet((request) => {
      const name = groupOf(request.query['id.USER'] ?? '', version);
      return { btntst: { name, value: name === 'control' ? 0 : 1, version: '1' } };
    });
    for (let i = 0; i < 3; i++) workers.push(await startWorker({ PIPET_URL: pipet.url, REDIS_URL: redis.url }));
    workerList = workers;
  }, 30_000);

  afterAll(async () => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve();
            w.child.once('exit', () => resolve());
            w.child.kill('SIGTERM');
          }),
      ),
    );
    await pipet?.close();
    await redis?.stop();
  });

  it('calls Pipet once per user across the processes; the others read the shared entry', async () => {
    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    for (const [i, user] of users.entries()) {
      const first = await page(at(i % 3), user);
      expect(first).toMatchObject({ origin: 'pipet', group: groupOf(user, '1'), version: '1' });
    }
    for (const user of users) {
      for (const w of workers) expect(await page(w, user)).toMatchObject({ origin: 'cache', group: groupOf(user, '1') });
    }
    expect(identifyCalls(pipet)).toBe(users.length);
    for (const user of users) expect(identifyCalls(pipet, user), user).toBe(1);

    // A process started now (a restart, a new container) has never asked Pipet: it trusts the version
    // another process confirmed, so it starts warm.
    const late = await startWorker({ PIPET_URL: pipet.url, REDIS_URL: redis.url });
    try {
      for (const user of users) expect(await page(late, user)).toMatchObject({ origin: 'cache', group: groupOf(user, '1') });
      expect(identifyCalls(pipet)).toBe(users.length);
    } finally {
      await new Promise<void>((resolve) => {
        late.child.once('exit', () => resolve());
        late.child.kill('SIGTERM');
      });
    }
  });

  it('a new matrix version seen by one process invalidates the cached entries for all', async () => {
    version = '2';
    pipet.setVersion('2');
    // Process 0 meets the new version on a new user's call and shares it.
    expect(await page(at(0), 'newcomer')).toMatchObject({ origin: 'pipet', version: '2' });
    const before = identifyCalls(pipet, 'user-1');
    // Process 1 has user-1 cached under version 1: stale for everyone now, so Pipet is asked once…
    expect(await page(at(1), 'user-1')).toMatchObject({ origin: 'pipet', version: '2', group: groupOf('user-1', '2') });
    // …and process 2 reads the new entry.
    expect(await page(at(2), 'user-1')).toMatchObject({ origin: 'cache', version: '2', group: groupOf('user-1', '2') });
    expect(identifyCalls(pipet, 'user-1')).toBe(before + 1);
  });

  it('Redis killed mid-run and restarted: pages keep rendering within the deadline, one log line per outage, the cache refills', async () => {
    await redis.kill();
    const outage: Page[] = [];
    const until = Date.now() + 1500;
    let n = 0;
    while (Date.now() < until) {
      // Cached users, and new ones, on every process at once.
      outage.push(...(await Promise.all(workers.map((w, i) => page(w, n % 2 === 0 ? `user-${(n + i) % 12}` : `outage-${n}-${i}`)))));
      n++;
    }
    expect(outage.length).toBeGreaterThan(9);
    for (const p of outage) {
      expect(['pipet', 'cache'], JSON.stringify(p)).toContain(p.origin);
      expect(p.ms, JSON.stringify(p)).toBeLessThan(1000);
    }
    // Open (or probing): Redis is not being asked on every request.
    for (const w of workers) expect(['open', 'half-open']).toContain(await state(w));

    await redis.restart();
    // The breakers probe on their own schedule (0.5–5 s): traffic brings each back.
    const deadline = Date.now() + 15_000;
    for (const w of workers) {
      while ((await state(w)) !== 'closed' && Date.now() < deadline) {
        await page(w, 'probe');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await state(w)).toBe('closed');
    }
    for (const w of workers) {
      const { lines, thrown } = await logs(w);
      expect(thrown).toBe(0);
      expect(lines.filter((l) => l.message.startsWith('proctor: Redis store unavailable'))).toHaveLength(1);
      expect(lines.filter((l) => l.message === 'proctor: Redis store answers again')).toHaveLength(1);
    }
    // The restarted Redis is empty; the first process's call fills it for the others.
    const calls = identifyCalls(pipet, 'after-restart');
    expect(await page(at(0), 'after-restart')).toMatchObject({ origin: 'pipet' });
    expect(await page(at(1), 'after-restart')).toMatchObject({ origin: 'cache' });
    expect(await page(at(2), 'after-restart')).toMatchObject({ origin: 'cache' });
    expect(identifyCalls(pipet, 'after-restart')).toBe(calls + 1);
  }, 30_000);
});
