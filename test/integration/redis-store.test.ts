// proctor-node/redis in one process against a real redis-server (and a stalled TCP server for a Redis that
// accepts but never answers): entries and TTLs, the shared matrix version, the per-call timeout and the
// breaker with its fallback store and log lines, recovery, the pub/sub version channel, and bad options.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import type { CacheEntry } from '../../src/cache/store.js';
import { ConfigError } from '../../src/errors.js';
import { redisStore, redisVersionChannel } from '../../src/redis/index.js';
import { localSource } from '../../src/sources/local.js';
import { recordingLogger } from '../support/fake-pipet.js';
import { redisServerMissing, startRedis } from '../support/redis-server.js';
import type { RedisServer } from '../support/redis-server.js';

const entry: CacheEntry = { params: 'p', matrixVersion: '7', groups: { btntst: { name: 'test', value: 1, payload: null, allocationId: null, version: '1' } }, storedAt: 1 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('redisStore options', () => {
  it.each([
    [{ url: 'http://cache:6379' }, 'redisStore.url'],
    [{}, 'redisStore.url'],
    [{ url: 'redis://127.0.0.1:1', ttlMs: -1 }, 'ttlMs'],
    [{ url: 'redis://127.0.0.1:1', timeoutMs: 0 }, 'timeoutMs'],
    [{ url: 'redis://127.0.0.1:1', circuitBreaker: { failureThreshold: 0 } }, 'circuitBreaker.failureThreshold'],
    [{ client: { get: 1 } }, 'redisStore.client'],
  ])('%j is a ConfigError naming %s', (options, option) => {
    let error: unknown;
    try {
      redisStore(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain(option);
  });

  it('redisVersionChannel refuses an empty channel name', () => {
    expect(() => redisVersionChannel({ url: 'redis://127.0.0.1:1', channel: '' })).toThrow(ConfigError);
  });
});

describe('redisStore against a Redis that accepts connections but never answers', () => {
  let server: ReturnType<typeof createTcpServer>;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('bounds each call by timeoutMs, opens after 3 failures, serves the fallback store, and logs the outage once', async () => {
    const log = recordingLogger();
    const fallback = memoryStore();
    const { port } = server.address() as AddressInfo;
    const store = redisStore({ url: `redis://127.0.0.1:${port}`, timeoutMs: 30, fallback, logger: log });
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await store.set(`k${i}`, entry);
      expect(await store.get(`k${i}`)).toEqual(entry);
      times.push(performance.now() - started);
    }
    // Three slow calls (30 ms each) at most, then the breaker answers at once.
    expect(Math.max(...times)).toBeLessThan(500);
    expect(times.slice(5).every((t) => t < 20)).toBe(true);
    expect(fallback.size).toBe(20);
    expect(store.status().state).toBe('open');
    expect(log.lines.map((l) => l.message)).toEqual(['proctor: Redis store unavailable; using the fallback store until it answers again']);
    expect(await store.getShared('k1')).toEqual({ entry, version: undefined });
    await store.close();
  });

  it('without a fallback, an outage reads as a miss', async () => {
    const { port } = server.address() as AddressInfo;
    const store = redisStore({ url: `redis://127.0.0.1:${port}`, timeoutMs: 20, fallback: false });
    await store.set('k', entry);
    expect(await store.get('k')).toBeUndefined();
    await store.close();
  });
});

describe.skipIf(redisServerMissing !== null)(`redisStore against redis-server${redisServerMissing === null ? '' : ` (skipped: ${redisServerMissing})`}`, () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  }, 20_000);
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('ready() resolves once Redis answers; commands sent before that may fall back, after it they do not', async () => {
    const store = redisStore({ url: redis.url, keyPrefix: 'ready:', timeoutMs: 50 });
    try {
      await store.ready();
      await store.set('k', { params: 'p', groups: {}, matrixVersion: '1', storedAt: 1 });
      expect(await store.get('k')).toMatchObject({ params: 'p', matrixVersion: '1' });
      expect(store.status().state).toBe('closed');
    } finally {
      await store.close();
    }
  });

  it('stores JSON entries under the prefixed key with the TTL, and deletes them', async () => {
    const store = redisStore({ client, keyPrefix: 'app1:', ttlMs: 60_000 });
    await store.set('proctor:pipet:abc', entry);
    expect(JSON.parse((await client.get('app1:proctor:pipet:abc')) ?? 'null')).toEqual(entry);
    const ttl = await client.pttl('app1:proctor:pipet:abc');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.get('proctor:pipet:abc')).toEqual(entry);
    await store.delete('proctor:pipet:abc');
    expect(await client.exists('app1:proctor:pipet:abc')).toBe(0);
    expect(await store.get('proctor:pipet:abc')).toBeUndefined();
    await store.close(); // not its client: still usable
    expect(await client.ping()).toBe('PONG');
  });

  it('shares the matrix version between stores, for its TTL', async () => {
    const a = redisStore({ client, keyPrefix: 'v:' });
    const b = redisStore({ url: redis.url, keyPrefix: 'v:' });
    expect(await b.getShared('none')).toEqual({ entry: undefined, version: null });
    await a.shareVersion('v9', 300);
    expect(await b.getShared('none')).toEqual({ entry: undefined, version: 'v9' });
    await sleep(400);
    expect((await b.getShared('none')).version).toBeNull();
    await b.close();
  });

  it('recovers after a restart: one line when it goes, one when it answers again', async () => {
    const log = recordingLogger();
    const store = redisStore({ url: redis.url, timeoutMs: 50, logger: log, circuitBreaker: { probeDelayMs: 50, maxProbeDelayMs: 100 } });
    await store.set('k', entry);
    await redis.kill();
    for (let i = 0; i < 10; i++) await store.get('k');
    expect(store.status().state).not.toBe('closed');
    await redis.restart();
    for (let i = 0; i < 100 && store.status().state !== 'closed'; i++) {
      await sleep(50);
      await store.get('k');
    }
    expect(store.status().state).toBe('closed');
    await store.set('k2', entry);
    expect(await client.exists('k2')).toBe(1);
    expect(log.lines.map((l) => `${l.level} ${l.message}`)).toEqual([
      'warn proctor: Redis store unavailable; using the fallback store until it answers again',
      'info proctor: Redis store answers again',
    ]);
    await store.close();
  }, 20_000);

  describe('the version channel', () => {
    const servers: Server[] = [];
    afterEach(async () => {
      for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
    });

    function matrix(version: string, bucket: number): string {
      return JSON.stringify({
        audit: { version, updated: 0, updatedBy: 't' },
        tests: {
          onetst: { testType: 'USER', salt: 'onetst', buckets: [{ name: 'a', value: 0 }, { name: 'b', value: 1 }], allocations: [{ ranges: [{ bucketValue: bucket, length: 1 }] }] },
        },
      });
    }

    it('carries versions between processes; a source that loads a new matrix tells the others, which reload at once', async () => {
      let body = matrix('1', 0);
      let reads = 0;
      const server = createServer((_req, res) => {
        reads++;
        res.setHeader('content-type', 'application/json');
        res.end(body);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/matrix.json`;
      const channelA = redisVersionChannel({ url: redis.url, channel: 'test:versions' });
      const channelB = redisVersionChannel({ url: redis.url, channel: 'test:versions' });
      // Polling every minute: only the channel can bring the new version within the test.
      const a = localSource({ matrix: url, reloadIntervalMs: 60_000, versionChannel: channelA });
      const b = localSource({ matrix: url, reloadIntervalMs: 60_000, versionChannel: channelB });
      await Promise.all([a.ready(), b.ready()]);
      await sleep(200); // both subscribed
      const request = { tests: ['onetst'], identifiers: { USER: 'u' }, context: {}, forceGroups: null };
      expect((await b.identify(request)).groups['onetst']?.name).toBe('a');
      body = matrix('2', 1);
      const before = reads;
      await a.reload(); // A polls first and announces version 2
      for (let i = 0; i < 50 && b.current()?.matrixVersion !== '2'; i++) await sleep(20);
      expect(b.current()?.matrixVersion).toBe('2');
      expect((await b.identify(request)).groups['onetst']?.name).toBe('b');
      // A read once, B once on the news; B's load (version 2, heard) is not announced back to A.
      await sleep(100);
      expect(reads - before).toBe(2);
      await Promise.all([a.close(), b.close(), channelA.close(), channelB.close()]);
    });
  });
});
