/**
 * Caching of Pipet assignments: the {@link AssignmentStore} interface, the in-process {@link memoryStore},
 * and the version-aware {@link pipetCache} logic the Pipet source uses.
 */
export { isAssignmentStore, memoryStore, sharesVersion } from './store.js';
export type { AssignmentStore, CacheEntry, MemoryStore, MemoryStoreOptions, SharedRead, SharedVersionStore } from './store.js';
export { cacheKey, pipetCache } from './pipet-cache.js';
export type { CacheLookup, PipetCache, PipetCacheOptions } from './pipet-cache.js';
