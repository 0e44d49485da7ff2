import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cacheKey, pipetCache } from '../../src/cache/pipet-cache.js';
import { memoryStore } from '../../src/cache/store.js';
import type { AssignmentStore, CacheEntry } from '../../src/cache/store.js';
import { ConfigError } from '../../src/errors.js';
import type { SourceAssignment } from '../../src/contract.js';
import { recordingLogger } from '../support/fake-pipet.js';

function groups(name = 'control'): Record<string, SourceAssignment> {
  return { btntst: { name, value: 0, payload: { stringArray: ['a'] }, allocationId: null, version: '1' } };
}

/** A store as a shared one (Redis, …) would be: the memory store's methods, without its in-process mark. */
function shared(store: AssignmentStore): AssignmentStore {
  return { get: (key) => store.get(key), set: (key, value) => store.set(key, value), delete: (key) => store.delete(key) };
}

function entry(params: string, matrixVersion = '1'): CacheEntry {
  return { params, matrixVersion, groups: groups(), storedAt: 0 };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2024-06-01T00:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('memoryStore', () => {
  it('stores, reads, deletes and clears', () => {
    const store = memoryStore();
    store.set('k', entry('p'));
    expect(store.get('k')).toEqual(entry('p'));
    expect(store.size).toBe(1);
    store.delete('k');
    expect(store.get('k')).toBeUndefined();
    store.set('k', entry('p'));
    store.clear();
    expect(store.size).toBe(0);
  });

  it('evicts the least recently used entry beyond max', () => {
    const store = memoryStore({ max: 3 });
    for (const k of ['a', 'b', 'c']) store.set(k, entry(k));
    store.get('a'); // a is now the most recent
    store.set('d', entry('d'));
    expect(store.size).toBe(3);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBeDefined();
  });

  it('never holds more than max entries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 100 }), (max, keys) => {
        const store = memoryStore({ max });
        for (const k of keys) store.set(k, entry(k));
        return store.size <= max && store.size === Math.min(max, new Set(keys).size);
      }),
    );
  });

  it('defaults to 10 000 entries', () => {
    const store = memoryStore();
    for (let i = 0; i < 10_001; i++) store.set(String(i), entry('p'));
    expect(store.size).toBe(10_000);
    expect(store.get('0')).toBeUndefined();
  });

  it('drops entries older than ttlMs when set', () => {
    const store = memoryStore({ ttlMs: 1_000 });
    store.set('k', entry('p'));
    vi.advanceTimersByTime(999);
    expect(store.get('k')).toBeDefined();
    vi.advanceTimersByTime(2);
    expect(store.get('k')).toBeUndefined();
  });

  it.each([
    [{ max: 0 }, 'max'],
    [{ max: 1.5 }, 'max'],
    [{ max: Number.POSITIVE_INFINITY }, 'max'],
    [{ ttlMs: -1 }, 'ttlMs'],
    [{ ttlMs: Number.NaN }, 'ttlMs'],
  ])('rejects %o', (options, option) => {
    expect(() => memoryStore(options)).toThrowError(ConfigError);
    expect(() => memoryStore(options)).toThrowError(new RegExp(`^${option}:`));
  });
});

describe('cacheKey', () => {
  it('is stable, short, ASCII, and differs for different params', () => {
    expect(cacheKey('a')).toBe(cacheKey('a'));
    expect(cacheKey('a')).not.toBe(cacheKey('b'));
    expect(cacheKey('x'.repeat(10_000))).toMatch(/^proctor:pipet:[0-9a-f]{16}$/);
    expect(cacheKey('')).toMatch(/^proctor:pipet:[0-9a-f]{16}$/);
  });

  it('spreads similar params (no collision among 20 000 near-identical URLs)', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 20_000; i++) keys.add(cacheKey(`http://pipet/groups/identify?id.USER=user${i}&test=a,b`));
    expect(keys.size).toBe(20_000);
  });
});

describe('pipetCache', () => {
  it('misses before anything is saved, then hits fresh', async () => {
    const cache = pipetCache({ store: memoryStore() });
    expect(await cache.lookup('p')).toEqual({ entry: null, fresh: false });
    cache.save('p', groups(), '1');
    const hit = await cache.lookup('p');
    expect(hit.fresh).toBe(true);
    expect(hit.entry).toMatchObject({ params: 'p', matrixVersion: '1', groups: groups(), storedAt: Date.now() });
    expect(cache.latestVersion()).toBe('1');
  });

  it('an expired version makes hits untrusted but keeps the entry for stale use', async () => {
    const cache = pipetCache({ store: memoryStore(), versionCheckIntervalMs: 1_000 });
    cache.save('p', groups(), '1');
    vi.advanceTimersByTime(1_000);
    const lookup = await cache.lookup('p');
    expect(lookup.fresh).toBe(false);
    expect(lookup.entry?.matrixVersion).toBe('1');
    expect(cache.latestVersion()).toBeNull();
    cache.observeVersion('1');
    expect((await cache.lookup('p')).fresh).toBe(true);
  });

  it('a version change makes older entries not fresh (but still available)', async () => {
    const cache = pipetCache({ store: memoryStore() });
    cache.save('old', groups(), '1');
    cache.save('new', groups(), '2');
    expect(await cache.lookup('old')).toMatchObject({ fresh: false, entry: { matrixVersion: '1' } });
    expect((await cache.lookup('new')).fresh).toBe(true);
  });

  it('versionCheckIntervalMs 0 never trusts a hit', async () => {
    const cache = pipetCache({ store: memoryStore(), versionCheckIntervalMs: 0 });
    cache.save('p', groups(), '1');
    expect(await cache.lookup('p')).toMatchObject({ fresh: false, entry: { params: 'p' } });
  });

  it('compares the stored params: a key collision is a miss, never another request’s groups', async () => {
    const store = shared(memoryStore());
    const cache = pipetCache({ store });
    cache.save('p', groups(), '1');
    // Simulate a collision: the entry under p's key claims other params.
    store.set(cacheKey('p'), entry('q'));
    expect(await cache.lookup('p')).toEqual({ entry: null, fresh: false });
  });

  it('keys a shared store by hash, the in-process store by the params themselves (no hashing on a hit)', async () => {
    const memory = memoryStore();
    pipetCache({ store: memory }).save('http://pipet/groups/identify?id.USER=u&test=a\na', groups(), '1');
    expect(memory.get('http://pipet/groups/identify?id.USER=u&test=a\na')?.matrixVersion).toBe('1');
    const behind = memoryStore();
    pipetCache({ store: shared(behind) }).save('p', groups(), '1');
    expect(behind.get(cacheKey('p'))?.params).toBe('p');
    expect(behind.get('p')).toBeUndefined();
  });

  it('freezes what it stores', async () => {
    const cache = pipetCache({ store: memoryStore() });
    const g = groups();
    cache.save('p', g, '1');
    expect(Object.isFrozen(g)).toBe(true);
    expect(Object.isFrozen(g['btntst'])).toBe(true);
    expect(Object.isFrozen(g['btntst']?.payload?.stringArray)).toBe(true);
    expect(Object.isFrozen((await cache.lookup('p')).entry)).toBe(true);
  });

  it('drops a malformed entry from the store and logs it', async () => {
    const memory = memoryStore();
    const store = shared(memory);
    const logger = recordingLogger();
    const cache = pipetCache({ store, logger });
    store.set(cacheKey('p'), { params: 'p' } as unknown as CacheEntry);
    expect(await cache.lookup('p')).toEqual({ entry: null, fresh: false });
    expect(memory.size).toBe(0);
    expect(logger.lines).toHaveLength(1);
  });

  it('store failures are logged and never thrown', async () => {
    const logger = recordingLogger();
    const store: AssignmentStore = {
      get: () => {
        throw new Error('down');
      },
      set: () => Promise.reject(new Error('down')),
      delete: () => undefined,
    };
    const cache = pipetCache({ store, logger });
    expect(await cache.lookup('p')).toEqual({ entry: null, fresh: false });
    expect(() => cache.save('p', groups(), '1')).not.toThrow();
    await vi.waitFor(() => expect(logger.lines).toHaveLength(2));
    expect(logger.lines.every((l) => l.level === 'warn')).toBe(true);
  });

  it.each([
    [{ store: null }, 'store'],
    [{ store: { get: () => undefined } }, 'store'],
    [{ store: memoryStore(), versionCheckIntervalMs: -5 }, 'versionCheckIntervalMs'],
  ])('rejects %o', (options, option) => {
    expect(() => pipetCache(options as unknown as Parameters<typeof pipetCache>[0])).toThrowError(new RegExp(`^${option}:`));
  });
});
