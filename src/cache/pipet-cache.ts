/**
 * The caching logic the Pipet source puts in front of an {@link AssignmentStore} (django-proctor's `Cacher`,
 * spec §6.4), with django's bugs fixed (§10.8):
 *
 * - An entry is **fresh** only if its params equal the request's exactly, its matrix version equals the
 *   latest version this process has seen, and that version was confirmed by Pipet less than
 *   `versionCheckIntervalMs` ago. Anything else is a miss and Pipet is called (which refreshes the version).
 * - Entries that are not fresh are kept, not deleted: when Pipet then fails, the last good entry for exactly
 *   these params is served as `stale-cache`, whatever its version or age (django's `CacheCacher` ignores
 *   `allow_expired` and falls back to unassigned instead).
 * - Only successful Pipet answers that carry `audit.version` are written; fallbacks never are.
 *
 * The latest version lives in process memory (like django's `SessionCacher`). A store that shares it too
 * ({@link SharedVersionStore}, e.g. `proctor-node/redis`) is read together with each entry: a version one
 * process confirmed is then trusted by all of them (one Pipet call per user across the fleet), and a new
 * version one process saw makes the older entries misses for all. When that store cannot tell, each
 * process falls back to its own confirmations.
 */
import { ConfigError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import type { SourceAssignment } from '../contract.js';
import { isAssignmentStore, sharesVersion, takesParamsAsKeys } from './store.js';
import type { AssignmentStore, CacheEntry, SharedRead } from './store.js';

/** Options for {@link pipetCache}. */
export interface PipetCacheOptions {
  /** Where entries live, e.g. `memoryStore()`. */
  readonly store: AssignmentStore;
  /**
   * How long a matrix version confirmed by Pipet is trusted, in ms. After that the next request calls Pipet
   * even on a hit, so a new matrix is noticed at most this late. 0 trusts nothing: the cache then only
   * bridges Pipet failures.
   * @default 300000
   */
  readonly versionCheckIntervalMs?: number;
  /** Where store failures are logged. @default silentLogger */
  readonly logger?: Logger;
}

/** The result of {@link PipetCache.lookup}. */
export interface CacheLookup {
  /** The entry stored for exactly these params, or null. */
  readonly entry: CacheEntry | null;
  /** True when `entry` may be served without calling Pipet. */
  readonly fresh: boolean;
}

/** The cache layer of the Pipet source. Never throws or rejects. */
export interface PipetCache {
  /**
   * The entry for `params` and whether it is fresh. Store failures are logged and read as a miss. Answers
   * synchronously when the store does (the memory store), to keep a warm hit free of extra promise hops.
   */
  lookup(params: string): CacheLookup | Promise<CacheLookup>;
  /**
   * Record a successful Pipet answer: confirms `matrixVersion` as the latest (restarting its expiry) and
   * stores the groups under `params`. `groups` is frozen in place. Store failures are logged, not thrown.
   */
  save(params: string, groups: Record<string, SourceAssignment>, matrixVersion: string): void;
  /** Confirm a matrix version seen elsewhere (e.g. `/proctor/matrix`), restarting its expiry. */
  observeVersion(matrixVersion: string): void;
  /** The latest matrix version confirmed by Pipet, or null if none yet or expired. */
  latestVersion(): string | null;
}

const MISS: CacheLookup = Object.freeze({ entry: null, fresh: false });

/**
 * The store key for a params string: `proctor:pipet:` + 16 hex digits of a 64-bit non-cryptographic hash
 * (cyrb53's mixing, both lanes kept). Short and ASCII for remote stores. A collision cannot serve wrong
 * groups, since params are compared on read; at worst two requests keep replacing each other's entry.
 */
export function cacheKey(params: string): string {
  // A JS hash rather than node:crypto: createHash costs ~1–3 µs per call, most of a warm cache hit.
  let h1 = 0xdeadbeef ^ params.length;
  let h2 = 0x41c6ce57 ^ params.length;
  for (let i = 0; i < params.length; i++) {
    const c = params.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `proctor:pipet:${(h2 >>> 0).toString(16).padStart(8, '0')}${(h1 >>> 0).toString(16).padStart(8, '0')}`;
}

function isEntry(value: unknown): value is CacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof CacheEntry, unknown>>;
  return typeof v.params === 'string' && typeof v.matrixVersion === 'string' && typeof v.groups === 'object' && v.groups !== null;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `versionCheckIntervalMs` option, checked at setup. @default 300000 (5 minutes) */
export function versionCheckInterval(value: number | undefined): number {
  const interval = value ?? 300_000;
  if (!Number.isFinite(interval) || interval < 0) {
    throw new ConfigError('versionCheckIntervalMs', `expected a number of milliseconds ≥ 0, got ${String(value)}`);
  }
  return interval;
}

/**
 * Create the cache layer. `pipetSource({ cache })` builds one for you; use this directly only to share one
 * version tracker between several sources or to test the logic.
 */
export function pipetCache(options: PipetCacheOptions): PipetCache {
  const candidate: unknown = options.store;
  if (!isAssignmentStore(candidate)) {
    throw new ConfigError('store', `expected an AssignmentStore with get/set/delete, e.g. memoryStore(), got ${String(candidate)}`);
  }
  const store = candidate;
  // The in-process store takes the params as they are; a shared store gets short hashed keys.
  const keyOf = takesParamsAsKeys(store) ? (params: string): string => params : cacheKey;
  const interval = versionCheckInterval(options.versionCheckIntervalMs);
  const logger = options.logger ?? silentLogger;
  let latest: string | null = null;
  // Wall-clock time (Date.now) after which `latest` is no longer trusted.
  let latestExpiresAt = 0;

  function currentVersion(): string | null {
    return latest !== null && Date.now() < latestExpiresAt ? latest : null;
  }

  const shared = sharesVersion(store) ? store : null;

  function observeVersion(matrixVersion: string): void {
    latest = matrixVersion;
    latestExpiresAt = Date.now() + interval;
    if (shared === null || interval === 0) return;
    try {
      const done = shared.shareVersion(matrixVersion, interval);
      if (isThenable(done)) done.catch((error: unknown) => storeFailed('version write', error));
    } catch (error) {
      storeFailed('version write', error);
    }
  }

  function judge(key: string, params: string, found: unknown, sharedVersion?: string | null): CacheLookup {
    if (found === undefined || found === null) return MISS;
    if (!isEntry(found)) {
      // Only a foreign writer or a corrupted remote store can produce this; drop it so it is logged once.
      logger.warn('proctor: dropping a malformed Pipet cache entry', { key, type: typeof found });
      remove(key);
      return MISS;
    }
    if (found.params !== params) return MISS;
    const version = typeof sharedVersion === 'string' ? sharedVersion : currentVersion();
    return { entry: found, fresh: version !== null && found.matrixVersion === version };
  }

  function storeFailed(operation: string, error: unknown): void {
    logger.warn(`proctor: Pipet cache ${operation} failed; continuing without the cache`, { error: message(error) });
  }

  function remove(key: string): void {
    try {
      const done = store.delete(key);
      if (isThenable(done)) done.catch((error: unknown) => storeFailed('delete', error));
    } catch (error) {
      storeFailed('delete', error);
    }
  }

  return {
    lookup(params) {
      const key = keyOf(params);
      if (shared !== null) {
        let read: Promise<SharedRead>;
        try {
          read = Promise.resolve(shared.getShared(key));
        } catch (error) {
          storeFailed('read', error);
          return MISS;
        }
        return read.then(
          (value) => judge(key, params, value.entry, value.version),
          (error: unknown) => {
            storeFailed('read', error);
            return MISS;
          },
        );
      }
      let found: CacheEntry | undefined | Promise<CacheEntry | undefined>;
      try {
        found = store.get(key);
      } catch (error) {
        storeFailed('read', error);
        return MISS;
      }
      if (!isThenable(found)) return judge(key, params, found);
      // Promise.resolve: a store may return any thenable; callers get a native promise.
      return Promise.resolve(found).then(
        (value) => judge(key, params, value),
        (error: unknown) => {
          storeFailed('read', error);
          return MISS;
        },
      );
    },

    save(params, groups, matrixVersion) {
      observeVersion(matrixVersion);
      deepFreeze(groups);
      const entry: CacheEntry = Object.freeze({ params, matrixVersion, groups, storedAt: Date.now() });
      try {
        const done = store.set(keyOf(params), entry);
        if (isThenable(done)) done.catch((error: unknown) => storeFailed('write', error));
      } catch (error) {
        storeFailed('write', error);
      }
    },

    observeVersion,

    latestVersion: currentVersion,
  };
}
