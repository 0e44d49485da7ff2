// The Pipet source's cache against a real HTTP server. Time is moved with fake timers (Date only, so that
// sockets and the per-attempt timeouts keep running on the real clock).
import nodeFetch from 'node-fetch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import type { AssignmentStore } from '../../src/cache/store.js';
import { pipetSource } from '../../src/sources/pipet.js';
import type { PipetFetch, PipetSourceOptions } from '../../src/sources/pipet.js';
import type { IdentifyRequest } from '../../src/contract.js';
import { recordingLogger, startFakePipet } from '../support/fake-pipet.js';
import type { FakePipet } from '../support/fake-pipet.js';
import { trackUnhandledRejections } from '../support/unhandled-rejections.js';

// null: the source's default transport (an undici Pool).
const clients: [string, PipetFetch | null][] = [
  ['the default transport (undici Pool)', null],
  ['built-in fetch', globalThis.fetch],
  ['node-fetch', nodeFetch],
];

const A: IdentifyRequest = {
  tests: ['btntst', 'algotst'],
  identifiers: { USER: 'alice' },
  context: { country: 'US', loggedIn: true },
  forceGroups: null,
};

function user(id: string): IdentifyRequest {
  return { ...A, identifiers: { USER: id } };
}

const unhandled = trackUnhandledRejections();

describe.each(clients)('Pipet cache with %s', (_name, fetchImpl) => {
  let pipet: FakePipet;
  const sources: { close(): Promise<void> }[] = [];

  function source(options: Partial<PipetSourceOptions> = {}) {
    const logger = recordingLogger();
    const store = memoryStore();
    const s = pipetSource({ apiRoot: pipet.url, ...(fetchImpl === null ? {} : { fetch: fetchImpl }), logger, cache: store, timeoutMs: 1_000, attempts: 2, ...options });
    sources.push(s);
    return { source: s, logger, store };
  }

  beforeAll(async () => {
    // Groups depend on the user so that a wrong hit would be visible.
    pipet = await startFakePipet((request) => ({
      btntst: { name: `bucket-${request.query['id.USER'] ?? '?'}`, value: 1, version: '4', payload: { stringValue: 'blue' } },
      algotst: { name: 'control', value: 0, version: '2' },
    }));
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-06-01T00:00:00Z'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    pipet.setBehaviour('ok');
    pipet.setVersion('1');
    pipet.requests.length = 0;
    for (const s of sources.splice(0)) await s.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });
  afterAll(async () => {
    await pipet.close();
  });

  function advance(ms: number): void {
    vi.setSystemTime(Date.now() + ms);
  }

  it("ready() waits for the cache store's readiness, and logs (never rejects) when the store does not get ready", async () => {
    let connected!: () => void;
    const slow: AssignmentStore = { ...memoryStore(), ready: () => new Promise<void>((resolve) => (connected = resolve)) };
    const { source: waiting } = source({ cache: slow });
    let done = false;
    const ready = waiting.ready().then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    connected();
    await ready;
    expect(done).toBe(true);

    const { source: failing, logger } = source({ cache: { ...memoryStore(), ready: () => Promise.reject(new Error('no route to Redis')) } });
    await expect(failing.ready()).resolves.toBeUndefined();
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringMatching(/cache store is not answering yet/), fields: { error: 'no route to Redis' } }));
  });

  it('a hit avoids the network and returns the same groups', async () => {
    const { source: s, logger } = source();
    const first = await s.identify(A);
    const second = await s.identify(A);
    expect(first.origin).toBe('pipet');
    expect(second).toEqual({ ...first, origin: 'cache' });
    expect(second.groups['btntst']).toEqual({
      name: 'bucket-alice',
      value: 1,
      payload: { stringValue: 'blue' },
      allocationId: null,
      version: '4',
    });
    expect(pipet.requests).toHaveLength(1);
    expect(logger.lines).toEqual([]);
  });

  it('cached groups are frozen, so one caller cannot change another caller’s answer', async () => {
    const { source: s } = source();
    await s.identify(A);
    const hit = await s.identify(A);
    expect(Object.isFrozen(hit.groups)).toBe(true);
    expect(Object.isFrozen(hit.groups['btntst']?.payload)).toBe(true);
  });

  it('key order of identifiers and context does not matter', async () => {
    const { source: s } = source();
    await s.identify({ ...A, context: { country: 'US', loggedIn: true }, identifiers: { USER: 'alice', acct: '1' } });
    const hit = await s.identify({ ...A, context: { loggedIn: true, country: 'US' }, identifiers: { acct: '1', USER: 'alice' } });
    expect(hit.origin).toBe('cache');
    expect(pipet.requests).toHaveLength(1);
  });

  it.each<[string, IdentifyRequest]>([
    ['identifier', user('bob')],
    ['extra identifier', { ...A, identifiers: { USER: 'alice', ACCOUNT: '7' } }],
    ['context value', { ...A, context: { country: 'CA', loggedIn: true } }],
    ['context type', { ...A, context: { country: 'US', loggedIn: 'yes' } }],
    ['test order', { ...A, tests: ['algotst', 'btntst'] }],
    ['test list', { ...A, tests: ['btntst'] }],
    ['comma in a test name', { ...A, tests: ['btntst,algotst'] }],
    ['force groups', { ...A, forceGroups: 'btntst0' }],
  ])('a change of %s is a miss', async (_what, other) => {
    const { source: s } = source();
    await s.identify(A);
    const result = await s.identify(other);
    expect(result.origin).toBe('pipet');
    expect(pipet.requests).toHaveLength(2);
    // And the original is still a hit.
    expect((await s.identify(A)).origin).toBe('cache');
  });

  it('a different apiRoot sharing the store is a miss', async () => {
    const store = memoryStore();
    const one = source({ cache: store }).source;
    const two = source({ cache: store, apiRoot: `${pipet.url}/` }).source;
    const three = source({ cache: store, apiRoot: pipet.url.replace('127.0.0.1', 'localhost') }).source;
    await one.identify(A);
    expect((await two.identify(A)).origin).toBe('pipet'); // a separate version tracker: not yet confirmed
    expect((await two.identify(A)).origin).toBe('cache'); // same normalized apiRoot → same entry
    expect((await three.identify(A)).origin).toBe('pipet');
    expect(pipet.requests).toHaveLength(3);
  });

  it('hits are trusted only until the version check interval expires', async () => {
    const { source: s } = source({ versionCheckIntervalMs: 300_000 });
    await s.identify(A);
    advance(299_999);
    expect((await s.identify(A)).origin).toBe('cache');
    advance(1);
    expect((await s.identify(A)).origin).toBe('pipet'); // re-confirms the version…
    expect((await s.identify(A)).origin).toBe('cache'); // …and the entry is good again
    expect(pipet.requests).toHaveLength(2);
  });

  it('the default interval is 5 minutes', async () => {
    const { source: s } = source();
    await s.identify(A);
    advance(5 * 60_000 - 1);
    expect((await s.identify(A)).origin).toBe('cache');
    advance(1);
    expect((await s.identify(A)).origin).toBe('pipet');
  });

  it('a new matrix version turns older entries into misses', async () => {
    const { source: s } = source();
    await s.identify(A);
    await s.identify(user('bob'));
    pipet.setVersion('2');
    advance(300_000);
    expect(await s.identify(user('bob'))).toMatchObject({ origin: 'pipet', matrixVersion: '2' });
    // alice's entry is from version 1: a miss, although the interval restarted just now.
    expect(await s.identify(A)).toMatchObject({ origin: 'pipet', matrixVersion: '2' });
    expect(await s.identify(A)).toMatchObject({ origin: 'cache', matrixVersion: '2' });
    expect(pipet.requests).toHaveLength(4);
  });

  it('getMatrix() confirms the version too', async () => {
    const { source: s } = source();
    await s.identify(A);
    pipet.setVersion('2');
    expect(await s.getMatrix()).not.toBeNull();
    expect((await s.identify(A)).origin).toBe('pipet');
  });

  it.each(['error-500-envelope', 'stall', 'refuse', 'invalid-json'] as const)(
    'Pipet down (%s) → the last good entry is served as stale-cache, with one log line',
    async (behaviour) => {
      const { source: s, logger } = source({ timeoutMs: 100 });
      const good = await s.identify(A);
      advance(3_600_000); // long past the version interval
      pipet.setBehaviour(behaviour);
      const stale = await s.identify(A);
      expect(stale).toMatchObject({ origin: 'stale-cache', groups: good.groups, matrixVersion: '1' });
      expect(stale.error).toBeTypeOf('string');
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatchObject({ level: 'warn' });
      expect(logger.lines[0]?.message).toContain('serving cached assignments of matrix version 1');
    },
  );

  it('a stale entry of an older matrix version is still served when Pipet is down', async () => {
    const { source: s } = source();
    await s.identify(A);
    pipet.setVersion('2');
    advance(300_000);
    await s.identify(user('bob')); // confirms version 2
    pipet.setBehaviour('error-500-html');
    expect(await s.identify(A)).toMatchObject({ origin: 'stale-cache', matrixVersion: '1' });
  });

  it('a stale entry is only served for exactly the same params', async () => {
    const { source: s } = source();
    await s.identify(A);
    pipet.setBehaviour('error-500-envelope');
    expect(await s.identify(user('bob'))).toMatchObject({ origin: 'fallback', groups: {} });
  });

  it('fallback answers are never cached', async () => {
    const { source: s } = source();
    pipet.setBehaviour('error-500-envelope');
    expect((await s.identify(A)).origin).toBe('fallback');
    pipet.setBehaviour('ok');
    expect((await s.identify(A)).origin).toBe('pipet');
    expect(pipet.requests).toHaveLength(2);
  });

  it('answers without audit.version are not cached', async () => {
    pipet.setBehaviour({ status: 200, body: '{"data":{"groups":{"btntst":{"name":"a","value":1}}},"meta":{"status":200}}' });
    const { source: s, store } = source();
    expect(await s.identify(A)).toMatchObject({ origin: 'pipet', matrixVersion: null });
    expect(store.size).toBe(0);
  });

  it('the store is bounded: the least recently used entry is evicted', async () => {
    const store = memoryStore({ max: 2 });
    const { source: s } = source({ cache: store });
    await s.identify(user('u1'));
    await s.identify(user('u2'));
    await s.identify(user('u3'));
    expect(store.size).toBe(2);
    pipet.requests.length = 0;
    expect((await s.identify(user('u3'))).origin).toBe('cache');
    expect((await s.identify(user('u2'))).origin).toBe('cache');
    expect((await s.identify(user('u1'))).origin).toBe('pipet');
    expect(pipet.requests).toHaveLength(1);
    pipet.setBehaviour('error-500-envelope');
    // u1 came back and pushed out u3 (u2 was used more recently).
    expect((await s.identify(user('u3'))).origin).toBe('fallback');
  });

  it('an async store (e.g. Redis) works the same way', async () => {
    const map = new Map<string, unknown>();
    const asyncStore: AssignmentStore = {
      get: async (key) => {
        await new Promise((resolve) => setImmediate(resolve));
        // A remote store returns a parsed copy, not the same object.
        const raw = map.get(key);
        return typeof raw === 'string' ? JSON.parse(raw) : undefined;
      },
      set: async (key, entry) => {
        map.set(key, JSON.stringify(entry));
      },
      delete: async (key) => {
        map.delete(key);
      },
    };
    const { source: s } = source({ cache: asyncStore, timeoutMs: 100 });
    const first = await s.identify(A);
    const [key] = map.keys();
    expect(key).toMatch(/^proctor:pipet:[\w-]+$/);
    expect(await s.identify(A)).toEqual({ ...first, origin: 'cache' });
    pipet.setBehaviour('stall');
    advance(300_000);
    expect((await s.identify(A)).origin).toBe('stale-cache');
    expect(pipet.requests.length).toBeGreaterThan(1);
  });

  it('a failing store degrades to no cache (logged), the request still succeeds', async () => {
    const broken: AssignmentStore = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => {
        throw new Error('redis down');
      },
      delete: () => undefined,
    };
    const { source: s, logger } = source({ cache: broken });
    expect((await s.identify(A)).origin).toBe('pipet');
    expect(logger.lines.map((l) => l.message)).toEqual([
      'proctor: Pipet cache read failed; continuing without the cache',
      'proctor: Pipet cache write failed; continuing without the cache',
    ]);
  });
});
