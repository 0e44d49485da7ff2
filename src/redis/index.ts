/**
 * `proctor-node/redis`: share Pipet assignments and the matrix version between processes through Redis
 * (ioredis, an optional peer dependency; only this entry point loads it).
 *
 * - {@link redisStore}: an {@link AssignmentStore} for `pipetSource({ cache })`. Entries expire after
 *   `ttlMs`; the latest matrix version confirmed by Pipet is shared under one key, so one process's check
 *   confirms or invalidates the cached entries of every process. Redis slow or down never holds a page:
 *   each call is bounded by `timeoutMs`, repeated failures open a circuit breaker (the Pipet source's) and
 *   reads and writes go to the `fallback` store (a memory store by default) until a probe succeeds. One log
 *   line when Redis becomes unavailable, one when it answers again.
 * - {@link redisVersionChannel}: a pub/sub channel carrying new matrix versions, for
 *   `localSource({ versionChannel })`: the first process that loads a new matrix tells the others at once;
 *   polling stays the fallback.
 */
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { memoryStore } from '../cache/store.js';
import type { AssignmentStore, CacheEntry, SharedRead, SharedVersionStore } from '../cache/store.js';
import { ConfigError } from '../errors.js';
import { isLogger, silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { CircuitBreaker, circuitBreakerSettings } from '../sources/circuit-breaker.js';
import type { CircuitBreakerOptions, CircuitStatus } from '../sources/circuit-breaker.js';
import type { VersionChannel } from '../sources/local.js';

export type { SharedRead, SharedVersionStore } from '../cache/store.js';
export type { VersionChannel } from '../sources/local.js';

/**
 * What the store and the channel use of an ioredis client (`new Redis(…)` or `new Cluster(…)` fit). Spelled
 * out rather than imported, so that these declarations do not pull ioredis's own into a consumer's build.
 */
export interface RedisClient {
  get(key: string): Promise<string | null>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, mode: 'PX', milliseconds: number): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  publish(channel: string, message: string): Promise<number>;
  /** A second connection with the same options (a subscriber cannot run other commands). */
  duplicate(): RedisClient & RedisSubscriber;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** What the channel uses of its subscribing connection. */
export interface RedisSubscriber {
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  subscribe(channel: string): Promise<unknown>;
}

/** Where to reach Redis: an ioredis client you own, or a `redis://` URL (the store then owns the client). */
export interface RedisConnection {
  /** An ioredis client (`new Redis(…)`, a `Cluster` works too). Not closed by `close()`. */
  readonly client?: RedisClient;
  /** A `redis://` or `rediss://` URL; the store creates (and `close()` quits) a client tuned for it. */
  readonly url?: string;
}

/** Options for {@link redisStore}. */
export interface RedisStoreOptions extends RedisConnection {
  /** Prepended to every key, to keep several apps apart in one Redis. @default '' */
  readonly keyPrefix?: string;
  /**
   * How long an entry lives in Redis, in ms. A day: long enough to bridge a Pipet outage with a user's
   * last answer, short enough that users who never come back do not fill Redis.
   * @default 86400000
   */
  readonly ttlMs?: number;
  /**
   * Longest wait for one Redis call, in ms; past it the call counts as failed and the fallback answers.
   * 50 ms: a healthy Redis on the same network answers in well under a millisecond, and a page must not
   * wait for a sick one.
   * @default 50
   */
  readonly timeoutMs?: number;
  /**
   * When Redis is unreachable: reads and writes go here. `false`: a miss (Pipet is called).
   * @default memoryStore()
   */
  readonly fallback?: AssignmentStore | false;
  /**
   * The breaker in front of Redis (same options as the Pipet source's). Defaults for Redis: opens after 3
   * failed calls in a row, probes after 0.5 s, then at most every 5 s: an outage costs at most three slow
   * calls, and a restarted Redis is used again within seconds.
   */
  readonly circuitBreaker?: CircuitBreakerOptions;
  /** Where the outage and recovery lines go. @default silentLogger */
  readonly logger?: Logger;
}

/** The Redis store: an {@link AssignmentStore} that shares the matrix version too. */
export interface RedisStore extends SharedVersionStore {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): Promise<void>;
  delete(key: string): Promise<void>;
  /** The breaker's state (`closed`: Redis in use). */
  status(): CircuitStatus;
  /**
   * Resolves once Redis answers a first command; rejects when it has not within 5 s. Commands sent while
   * the connection is still being made wait for it within `timeoutMs`, and fall back when it takes longer:
   * `await store.ready()` (or the Pipet source's `ready()`, which waits for it) before serving, and a new
   * process reads the entries others cached from its first page.
   */
  ready(): Promise<void>;
  /** Quit the client if the store created it (from `url`). */
  close(): Promise<void>;
}

/** The client options used for a `url`: no unbounded queue of commands while disconnected, quick reconnects. */
const URL_CLIENT_OPTIONS = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: (times: number) => Math.min(times * 100, 2000),
} satisfies RedisOptions;

/** The client of a connection option; `owned` when created here. */
function connect(options: RedisConnection, what: string): { client: RedisClient; owned: boolean } {
  if (options.client !== undefined) {
    const c = options.client as unknown as Partial<Record<'get' | 'set' | 'publish', unknown>>;
    if (typeof c !== 'object' || c === null || typeof c.get !== 'function' || typeof c.publish !== 'function') {
      throw new ConfigError(`${what}.client`, `expected an ioredis client, got ${String(options.client)}`);
    }
    return { client: options.client, owned: false };
  }
  if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
    throw new ConfigError(`${what}.url`, `expected a redis:// or rediss:// URL (or a client), got ${String(options.url)}`);
  }
  const client = new Redis(options.url, URL_CLIENT_OPTIONS);
  // ioredis prints every connection error when nobody listens; the store logs one line per outage instead.
  client.on('error', () => undefined);
  return { client: client as RedisClient, owned: true };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw new ConfigError(name, `expected a number of milliseconds > 0, got ${String(value)}`);
  }
  return n;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const FAILED: unique symbol = Symbol('failed');

/** Resolve with `promise`, or reject once `ms` passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function parseEntry(text: string | null): CacheEntry | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as CacheEntry;
  } catch {
    // Not JSON: handed on as it is, so the cache logs it as malformed once and deletes it.
    return text as unknown as CacheEntry;
  }
}

/**
 * A Redis {@link AssignmentStore}. Never throws or rejects on the request path.
 * @example
 * import { pipetSource } from 'proctor-node';
 * import { redisStore } from 'proctor-node/redis';
 * const source = pipetSource({ apiRoot: 'http://pipet:8080', cache: redisStore({ url: 'redis://cache:6379' }) });
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'expected { url } or { client }');
  const keyPrefix = options.keyPrefix ?? '';
  if (typeof keyPrefix !== 'string') throw new ConfigError('keyPrefix', `expected a string, got ${String(keyPrefix)}`);
  const ttlMs = Math.round(positive('ttlMs', options.ttlMs, 86_400_000));
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 50);
  const fallback = options.fallback === false ? null : (options.fallback ?? memoryStore());
  if (options.logger !== undefined && !isLogger(options.logger)) throw new ConfigError('logger', 'expected an object with warn() and error()');
  const logger = options.logger ?? silentLogger;
  const settings = circuitBreakerSettings({ failureThreshold: 3, probeDelayMs: 500, maxProbeDelayMs: 5000, ...options.circuitBreaker });
  // Checked after the other options: a bad option must not leave a connecting client behind.
  const { client, owned } = connect(options, 'redisStore');
  const versionKey = `${keyPrefix}proctor:pipet:matrix-version`;
  if (settings === null) throw new ConfigError('circuitBreaker', 'expected an options object');
  const breaker = new CircuitBreaker(settings, (change) => {
    if (change.to === 'open' && change.from === 'closed') {
      logger.warn(`proctor: Redis store unavailable; using the ${fallback === null ? 'Pipet source without a cache' : 'fallback store'} until it answers again`, {
        error: change.error,
      });
    } else if (change.to === 'closed') {
      logger.info?.('proctor: Redis store answers again');
    }
  });
  // The version this process shared last, and when: the same version is not written again within a second.
  let sharedVersion: string | null = null;
  let sharedAt = 0;

  /** Run one Redis call through the breaker and the timeout; FAILED when it did not answer. */
  async function call<T>(operation: () => Promise<T>): Promise<T | typeof FAILED> {
    const permit = breaker.acquire();
    if (permit === 'reject') return FAILED;
    try {
      const value = await within(operation(), timeoutMs);
      breaker.success();
      return value;
    } catch (error) {
      breaker.failure(describe(error), permit === 'probe');
      return FAILED;
    }
  }

  async function fallbackGet(key: string): Promise<CacheEntry | undefined> {
    try {
      return fallback === null ? undefined : await fallback.get(key);
    } catch {
      return undefined;
    }
  }

  async function fallbackDo(run: (store: AssignmentStore) => void | Promise<void>): Promise<void> {
    try {
      if (fallback !== null) await run(fallback);
    } catch {
      // The fallback is best effort too.
    }
  }

  return {
    async get(key) {
      const text = await call(() => client.get(keyPrefix + key));
      return text === FAILED ? fallbackGet(key) : parseEntry(text);
    },

    async getShared(key): Promise<SharedRead> {
      const values = await call(() => client.mget(keyPrefix + key, versionKey));
      if (values === FAILED) return { entry: await fallbackGet(key), version: undefined };
      return { entry: parseEntry(values[0] ?? null), version: values[1] ?? null };
    },

    async set(key, entry) {
      const done = await call(() => client.set(keyPrefix + key, JSON.stringify(entry), 'PX', ttlMs));
      if (done === FAILED) await fallbackDo((store) => store.set(key, entry));
    },

    async delete(key) {
      await call(() => client.del(keyPrefix + key));
      await fallbackDo((store) => store.delete(key));
    },

    async shareVersion(version, versionTtlMs) {
      const now = Date.now();
      if (version === sharedVersion && now - sharedAt < Math.min(1000, versionTtlMs / 4)) return;
      const done = await call(() => client.set(versionKey, version, 'PX', Math.max(1, Math.round(versionTtlMs))));
      if (done !== FAILED) {
        sharedVersion = version;
        sharedAt = now;
      }
    },

    status: () => breaker.status(),

    ready: () =>
      within(client.get(versionKey), 5000).then(
        () => undefined,
        (error: unknown) => {
          throw new Error(`Redis did not answer: ${describe(error)}`);
        },
      ),

    async close() {
      if (owned) await quit(client);
    },
  };
}

/** QUIT, or drop the connection when Redis does not answer within a second (a stalled Redis). */
async function quit(client: RedisClient): Promise<void> {
  try {
    await within(client.quit(), 1000);
  } catch {
    client.disconnect();
  }
}

/** Options for {@link redisVersionChannel}. */
export interface RedisVersionChannelOptions extends RedisConnection {
  /** The pub/sub channel. @default 'proctor:matrix-version' */
  readonly channel?: string;
}

/** A {@link VersionChannel} on Redis pub/sub; `close()` ends its connections. */
export interface RedisVersionChannel extends VersionChannel {
  close(): Promise<void>;
}

/**
 * New matrix versions over Redis pub/sub, for `localSource({ versionChannel })`. A second connection
 * (`client.duplicate()`) subscribes; publishing uses the given one. Messages are hints: a lost one costs
 * nothing but the wait for the next poll. Never throws on the request path.
 * @example
 * const source = localSource({ matrix: 'https://cdn.example.com/matrix.json', versionChannel: redisVersionChannel({ url }) });
 */
export function redisVersionChannel(options: RedisVersionChannelOptions): RedisVersionChannel {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'expected { url } or { client }');
  const channel = options.channel ?? 'proctor:matrix-version';
  if (typeof channel !== 'string' || channel === '') throw new ConfigError('channel', `expected a non-empty string, got ${String(channel)}`);
  const { client, owned } = connect(options, 'redisVersionChannel');
  const listeners = new Set<(version: string) => void>();
  let subscriber: (RedisClient & RedisSubscriber) | null = null;

  function listen(): void {
    if (subscriber !== null) return;
    const sub = client.duplicate();
    subscriber = sub;
    sub.on('error', () => undefined);
    sub.on('message', (from: string, version: string) => {
      if (from !== channel) return;
      for (const listener of listeners) {
        try {
          listener(version);
        } catch {
          // A listener's failure is its own.
        }
      }
    });
    // ioredis subscribes again after a reconnect.
    sub.subscribe(channel).catch(() => undefined);
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      listen();
      return () => {
        listeners.delete(listener);
      };
    },
    publish(version) {
      client.publish(channel, version).catch(() => undefined);
    },
    async close() {
      listeners.clear();
      const sub = subscriber;
      subscriber = null;
      if (sub !== null) await quit(sub);
      if (owned) await quit(client);
    },
  };
}
