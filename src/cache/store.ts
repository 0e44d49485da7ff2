/**
 * Where cached Pipet assignments live. The interface is deliberately tiny and async-capable so that a shared
 * store (Redis, Memcached) can implement it later; {@link memoryStore} is the in-process implementation.
 */
import { LRUCache } from 'lru-cache';
import { ConfigError } from '../errors.js';
import type { SourceAssignment } from '../contract.js';

/**
 * One cached Pipet answer. Plain JSON data only (strings, numbers, objects), so a remote store can
 * `JSON.stringify` it on `set` and `JSON.parse` it on `get` without losing anything.
 */
export interface CacheEntry {
  /**
   * The canonical serialization of every request input (API root, tests in order, identifiers, context,
   * force groups). Compared on read, so a key collision can never serve another user's groups.
   */
  readonly params: string;
  /** `audit.version` of the matrix Pipet answered with. */
  readonly matrixVersion: string;
  /** The assigned tests, payloads in the matrix shape. */
  readonly groups: Readonly<Record<string, SourceAssignment>>;
  /** `Date.now()` when the entry was written; informational (logs, debugging). */
  readonly storedAt: number;
}

/**
 * A key-value store for {@link CacheEntry}s. Each method may answer synchronously or with a promise; a
 * rejected promise or a thrown error is caught by the cache layer, logged, and treated as a miss (reads) or
 * ignored (writes), so a broken store degrades to "no cache", never to a failed request.
 *
 * - `get(key)` → the entry, or `undefined` when absent. Implementations may evict or expire entries at will.
 * - `set(key, entry)` → store or replace. Callers never mutate `entry` afterwards (it is frozen).
 * - `delete(key)` → remove if present.
 *
 * Keys are short ASCII strings (`proctor:pipet:<hash>`), safe for Redis and Memcached.
 */
export interface AssignmentStore {
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  /**
   * Resolves once the store can answer (a remote store: connected and answering). Optional; the Pipet
   * source's `ready()` waits for it, and logs a rejection instead of failing (the cache is an optimisation).
   */
  ready?(): Promise<void>;
}

/** What {@link SharedVersionStore.getShared} answers. */
export interface SharedRead {
  /** The entry under the key, or undefined when absent. */
  readonly entry: CacheEntry | undefined;
  /**
   * The matrix version some process confirmed with Pipet and shared, still trusted; null when none is;
   * undefined when the store could not tell (unreachable: each process then trusts its own confirmations).
   */
  readonly version: string | null | undefined;
}

/**
 * A store shared by several processes that also shares the latest matrix version confirmed by Pipet, so
 * that one process's check invalidates (or confirms) cached entries for all of them. The Pipet cache uses
 * these two methods instead of `get` when a store has them.
 */
export interface SharedVersionStore extends AssignmentStore {
  /** The entry and the shared version, read together (one round trip). Never rejects. */
  getShared(key: string): Promise<SharedRead>;
  /** Share a version Pipet just confirmed, trusted by every process for `ttlMs`. Never rejects. */
  shareVersion(version: string, ttlMs: number): void | Promise<void>;
}

/** True for a store with {@link SharedVersionStore}'s methods. */
export function sharesVersion(store: AssignmentStore): store is SharedVersionStore {
  const candidate = store as Partial<Record<keyof SharedVersionStore, unknown>>;
  return typeof candidate.getShared === 'function' && typeof candidate.shareVersion === 'function';
}

/**
 * Marks a store that keeps its keys in process memory, where any string is a fine key: the Pipet cache then
 * uses the request's params themselves as the key instead of hashing them to a short ASCII one (the hash
 * was most of a warm hit's cost). Entries still hold their params, so nothing else changes.
 */
export const PARAMS_AS_KEYS: unique symbol = Symbol('proctor.paramsAsKeys');

/** True for a store marked with {@link PARAMS_AS_KEYS}. */
export function takesParamsAsKeys(store: AssignmentStore): boolean {
  return (store as Partial<Record<typeof PARAMS_AS_KEYS, boolean>>)[PARAMS_AS_KEYS] === true;
}

/** True for an object with `get`, `set` and `delete` methods. */
export function isAssignmentStore(value: unknown): value is AssignmentStore {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof AssignmentStore, unknown>>;
  return typeof candidate.get === 'function' && typeof candidate.set === 'function' && typeof candidate.delete === 'function';
}

/** Options for {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most entries kept; the least recently used one is evicted beyond that. An entry is roughly 0.5–2 kB
   * depending on the number of tests and payload sizes. Must be an integer ≥ 1.
   * @default 10000
   */
  readonly max?: number;
  /**
   * Hard age limit of an entry in ms, after which it is dropped even as a stale fallback. 0 keeps entries
   * until evicted: matrix-version checks already stop them from being served as fresh, and keeping them lets
   * a Pipet outage be bridged with the last good answer.
   * @default 0
   */
  readonly ttlMs?: number;
}

/** The in-process store, with a few extras for tests and debug pages. */
export interface MemoryStore extends AssignmentStore {
  get(key: string): CacheEntry | undefined;
  set(key: string, entry: CacheEntry): void;
  delete(key: string): void;
  /** Number of entries currently held. */
  readonly size: number;
  /** Drop every entry. */
  clear(): void;
}

/**
 * A bounded in-process LRU store (lru-cache). Synchronous, so a warm hit costs no extra promise hop.
 * @example
 * const source = pipetSource({ apiRoot: 'http://pipet:8080', cache: memoryStore({ max: 50_000 }) });
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const max = options.max ?? 10_000;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new ConfigError('max', `expected an integer ≥ 1, got ${String(options.max)}`);
  }
  const ttlMs = options.ttlMs ?? 0;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new ConfigError('ttlMs', `expected a number of milliseconds ≥ 0, got ${String(options.ttlMs)}`);
  }
  const lru = new LRUCache<string, CacheEntry>(
    ttlMs > 0
      ? // Date.now rather than performance.now so that the age follows the wall clock (and fake timers).
        { max, ttl: ttlMs, perf: { now: () => Date.now() } }
      : { max },
  );
  const store: MemoryStore = {
    get: (key) => lru.get(key),
    set: (key, entry) => {
      lru.set(key, entry);
    },
    delete: (key) => {
      lru.delete(key);
    },
    get size() {
      return lru.size;
    },
    clear: () => {
      lru.clear();
    },
  };
  Object.defineProperty(store, PARAMS_AS_KEYS, { value: true });
  return store;
}
