// The Pipet fault suite: an Express 5 app with the middleware and a Pipet source, in front of a real
// misbehaving HTTP server (test/support/fake-pipet.ts), once per fault. For each: every page answers within
// the deadline, the upstream attempts stop at the circuit breaker's threshold, pages answer at once while it
// is open, one probe at a time goes out when one is due, and the breaker closes when Pipet answers again.
// The breaker's clock (Date) is faked, so probes are due without waiting; sockets and timeouts run for real.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import { proctor } from '../../src/express/index.js';
import { pipetSource } from '../../src/sources/pipet.js';
import type { CircuitChange, PipetFetch, PipetSource, PipetSourceOptions } from '../../src/sources/pipet.js';
import { recordingLogger, startFakePipet } from '../support/fake-pipet.js';
import type { FakeBehaviour, FakeGroup, FakePipet } from '../support/fake-pipet.js';
import { trackUnhandledRejections } from '../support/unhandled-rejections.js';

const GROUPS: Record<string, FakeGroup> = {
  buttoncolortst: { name: 'blue', value: 1, version: '1' },
  newfeaturerollout: { name: 'active', value: 0, version: '1' },
};
const TESTS = ['buttoncolortst', 'newfeaturerollout'];
const ASSIGNED = { buttoncolortst: { group: 'blue', value: 1, payload: null }, newfeaturerollout: { group: 'active', value: 0, payload: null } };
const UNASSIGNED = { buttoncolortst: { group: null, value: null, payload: null }, newfeaturerollout: { group: null, value: null, payload: null } };

// 50 ms per attempt, 200 ms per call: the defaults (250 / 1000) scaled down to keep the suite fast.
const TIMEOUT_MS = 50;
const DEADLINE_MS = 200;
const THRESHOLD = 10;
// A page's own cost on a busy 2-core machine, on top of what the source waits.
const SLACK_MS = 150;

const unhandled = trackUnhandledRejections();

let pipet: FakePipet;
let server: Server | null = null;
let base = '';
let source: PipetSource | null = null;

/** Every call of the source's fetch: the upstream attempts, whether or not they reach the server. */
let attempts = 0;
const attemptTimes: number[] = [];
const counting: PipetFetch = (url, init) => {
  attempts++;
  attemptTimes.push(performance.now());
  return globalThis.fetch(url, init);
};

async function app(options: Partial<PipetSourceOptions> = {}) {
  const logger = recordingLogger();
  const changes: (CircuitChange & { at: number })[] = [];
  source = pipetSource({
    apiRoot: pipet.url,
    fetch: counting,
    timeoutMs: TIMEOUT_MS,
    deadlineMs: DEADLINE_MS,
    logger,
    circuitBreaker: { failureThreshold: THRESHOLD, onStateChange: (change) => changes.push({ ...change, at: performance.now() }) },
    ...options,
  });
  const web = express();
  web.use(proctor({ source, tests: TESTS, getIdentifiers: (req) => ({ USER: String(req.headers['x-user'] ?? 'u1') }), logger }));
  web.get('/page', (req, res) => {
    res.json((req as unknown as { proc: { toJSON(): unknown } }).proc.toJSON());
  });
  server = await new Promise<Server>((resolve) => {
    const s = web.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { source, logger, changes };
}

/** One page: its body and how long it took. */
async function page(user = 'u1'): Promise<{ body: unknown; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${base}/page`, { headers: { 'x-user': user } });
  expect(res.status).toBe(200);
  const body: unknown = await res.json();
  return { body, ms: performance.now() - started };
}

/** The breaker's clock forward (Date only). */
function advance(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}

beforeAll(async () => {
  // 1 byte per 100 ms for `slow-body`: the dripping body of the fault report.
  pipet = await startFakePipet(() => GROUPS, { trickleMs: 100 });
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  attempts = 0;
  attemptTimes.length = 0;
});
afterEach(async () => {
  vi.useRealTimers();
  await source?.close();
  source = null;
  if (server !== null) {
    const s = server;
    await new Promise((resolve) => {
      s.close(resolve);
      s.closeAllConnections();
    });
    server = null;
  }
  await pipet.refuseConnections(false);
  pipet.setBehaviour('ok');
  pipet.requests.length = 0;
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled).toEqual([]);
});
afterAll(async () => {
  await pipet.close();
});

type Fault = readonly [name: string, start: (p: FakePipet) => void | Promise<void>, stop: (p: FakePipet) => void | Promise<void>];
const behaviour =
  (b: FakeBehaviour): Fault[1] =>
  (p) =>
    p.setBehaviour(b);
const healthy: Fault[2] = (p) => p.setBehaviour('ok');

const FAULTS: readonly Fault[] = [
  ['stall (no answer)', behaviour('stall'), healthy],
  ['refused connections', (p) => p.refuseConnections(true), (p) => p.refuseConnections(false)],
  ['connection reset on request', behaviour('reset'), healthy],
  ['connection dropped without an answer', behaviour('refuse'), healthy],
  ['reset in the middle of the body', behaviour('reset-mid-body'), healthy],
  ['500 with a JSON envelope', behaviour('error-500-envelope'), healthy],
  ['500 with an HTML page', behaviour('error-500-html'), healthy],
  ['200 with truncated JSON', behaviour('invalid-json'), healthy],
  ['200 without data.groups', behaviour('no-groups'), healthy],
  ['a body dripping 1 byte per 100 ms', behaviour('slow-body'), healthy],
];

describe.each(FAULTS)('Pipet fault: %s', (_name, start, stop) => {
  it('bounded pages and attempts; the breaker opens, probes one at a time, and closes when Pipet is back', async () => {
    const { source: s, logger, changes } = await app();
    expect((await page()).body).toEqual(ASSIGNED);
    expect(attempts).toBe(1);
    attempts = 0;
    await start(pipet);

    // Closed: each page waits at most the deadline, and falls back to unassigned.
    const closedPages: number[] = [];
    while (s.status().state === 'closed' && closedPages.length < 20) {
      const { body, ms } = await page();
      expect(body).toEqual(UNASSIGNED);
      closedPages.push(ms);
    }
    expect(s.status().state).toBe('open');
    expect(Math.max(...closedPages)).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // Retries stop when the breaker opens: exactly the threshold of failed attempts went out.
    expect(attempts).toBe(THRESHOLD);
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['closed→open']);

    // Open: pages answer without calling Pipet and without waiting for it.
    for (let i = 0; i < 5; i++) {
      const { body, ms } = await page();
      expect(body).toEqual(UNASSIGNED);
      expect(ms).toBeLessThan(TIMEOUT_MS);
    }
    expect(attempts).toBe(THRESHOLD);

    // A probe is due: of five concurrent pages, one probes (one attempt), the others answer at once.
    const nextProbeAt = s.status().nextProbeAt ?? 0;
    expect(nextProbeAt - Date.now()).toBeGreaterThanOrEqual(500);
    expect(nextProbeAt - Date.now()).toBeLessThanOrEqual(1000);
    advance(1000);
    const probing = await Promise.all([page(), page(), page(), page(), page()]);
    for (const { body, ms } of probing) {
      expect(body).toEqual(UNASSIGNED);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    expect(attempts).toBe(THRESHOLD + 1);
    expect(s.status().state).toBe('open');
    // The failed probe doubled the wait: 1–2 s now.
    expect((s.status().nextProbeAt ?? 0) - Date.now()).toBeGreaterThanOrEqual(1000);

    // Pipet is back: the next due probe closes the breaker, and that very page gets its groups.
    await stop(pipet);
    advance(2000);
    expect((await page()).body).toEqual(ASSIGNED);
    expect(s.status()).toMatchObject({ state: 'closed', consecutiveFailures: 0, nextProbeAt: null, lastError: null });
    expect((await page()).body).toEqual(ASSIGNED);
    expect(attempts).toBe(THRESHOLD + 3);
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['closed→open', 'open→half-open', 'half-open→open', 'open→half-open', 'half-open→closed']);

    // Logged once each: opened, closed (the per-request fallbacks are aggregated, the probes are debug).
    const circuit = logger.lines.filter((l) => l.message.includes('Pipet circuit'));
    expect(circuit.filter((l) => l.level !== 'debug').map((l) => `${l.level} ${l.message.split(':')[1] ?? ''}`)).toEqual([
      'warn  Pipet circuit opened',
      'warn  Pipet circuit closed',
    ]);
  });
});

describe('a Pipet outage at 20 concurrent users', () => {
  it('stalled Pipet: one attempt per user until the breaker opens, then one probe per 0.5–1 s at most', async () => {
    vi.useRealTimers();
    const { source: s, changes } = await app();
    const users = Array.from({ length: 20 }, (_, user) => `u${user}`);
    await Promise.all(users.map((user) => page(user))); // warm: connections open, code compiled
    attempts = 0;
    attemptTimes.length = 0;
    pipet.setBehaviour('stall');
    const started = performance.now();
    const pages: { at: number; ms: number }[] = [];
    // 20 users, each loading a page 25 ms after the last for 1.5 s (real time: the probes are part of it).
    await Promise.all(
      users.map(async (user) => {
        while (performance.now() - started < 1500) {
          const at = performance.now();
          pages.push({ at, ms: (await page(user)).ms });
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }),
    );
    expect(s.status().state).not.toBe('closed');
    // Before it opens: at most threshold − 1 failed attempts plus one in flight per user (all 20 users'
    // first attempts, here). After: probes only, one at a time, due 0.5–1 s after opening, then 1–2 s after
    // a failed one: at most two in the remaining second and a half. Without the breaker: 4 attempts per
    // page, about 400 per second.
    const openedAt = changes.find((c) => c.to === 'open')?.at ?? Number.NaN;
    expect(attemptTimes.filter((t) => t < openedAt).length).toBeLessThanOrEqual(20 + THRESHOLD - 1);
    expect(attemptTimes.filter((t) => t >= openedAt).length).toBeGreaterThanOrEqual(1);
    expect(attemptTimes.filter((t) => t >= openedAt).length).toBeLessThanOrEqual(2);
    expect(Math.max(...pages.map((p) => p.ms))).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // Once open, pages stop waiting for Pipet (they would wait the 200 ms deadline): what is left is the
    // app's own time, queued behind 19 other users on a shared machine.
    const after = pages.filter((p) => p.at > openedAt).map((p) => p.ms).sort((a, b) => a - b);
    expect(after.length).toBeGreaterThan(200);
    expect(after[after.length >> 1]).toBeLessThan(TIMEOUT_MS);
  });
});

describe('flapping Pipet', () => {
  it('down for 5 requests, up for 5: retries ride most of it out and the breaker stays closed', async () => {
    const { source: s } = await app();
    pipet.setBehaviour((index) => (Math.floor(index / 5) % 2 === 0 ? 'reset' : 'ok'));
    const pages = [];
    for (let i = 0; i < 12; i++) pages.push(await page());
    // Requests 0–4 and 10–14 fail. Page 1 spends its 4 attempts on 0–3, page 2 fails on 4 and gets 5,
    // pages 3–6 get 6–9; page 7 meets 10–13, page 8 fails on 14 and gets 15, and so on.
    const unassigned = pages.flatMap((p, i) => (JSON.stringify(p.body) === JSON.stringify(UNASSIGNED) ? [i + 1] : []));
    expect(unassigned).toEqual([1, 7]);
    expect(Math.max(...pages.map((p) => p.ms))).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // Never more than 5 failures in a row: below the threshold.
    expect(s.status().state).toBe('closed');
    expect(attempts).toBe(4 + 2 + 4 + 4 + 2 + 4);
    expect(pipet.requests).toHaveLength(attempts);
  });

  it('down for 200 ms, up for 200 ms: pages stay bounded, attempts stay bounded, and it ends closed', async () => {
    vi.useRealTimers();
    const { source: s, changes } = await app({ circuitBreaker: { failureThreshold: THRESHOLD, probeDelayMs: 100, maxProbeDelayMs: 200 } });
    const t0 = performance.now();
    pipet.setBehaviour(() => (Math.floor((performance.now() - t0) / 200) % 2 === 0 ? 'reset' : 'ok'));
    const latencies: number[] = [];
    let pages = 0;
    await Promise.all(
      Array.from({ length: 5 }, async (_, user) => {
        while (performance.now() - t0 < 1200) {
          latencies.push((await page(`u${user}`)).ms);
          pages++;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
    expect(Math.max(...latencies)).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // At most 4 attempts per page, and fewer in practice: an open breaker sends none.
    expect(attempts).toBeLessThanOrEqual(pages * 4);
    pipet.setBehaviour('ok');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await page()).body).toEqual(ASSIGNED);
    expect(s.status().state).toBe('closed');
    // Every opening was followed by a probe; a listener saw each change exactly once, in order.
    for (let i = 1; i < changes.length; i++) expect(changes[i]?.from).toBe(changes[i - 1]?.to);
  });
});

describe('with a cache', () => {
  it('an open breaker serves the last cached assignment at once', async () => {
    const { source: s } = await app({ cache: memoryStore(), versionCheckIntervalMs: 0 });
    expect((await page('cached')).body).toEqual(ASSIGNED);
    pipet.setBehaviour('stall');
    while (s.status().state === 'closed') await page('cached');
    attempts = 0;
    const { body, ms } = await page('cached');
    expect(body).toEqual(ASSIGNED);
    expect(ms).toBeLessThan(TIMEOUT_MS);
    expect((await page('stranger')).body).toEqual(UNASSIGNED);
    expect(attempts).toBe(0);
  });
});
