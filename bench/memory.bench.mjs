// Heap growth of the Pipet assignment cache over 1M distinct users with the default bound.
// The store is what grows per user, so it is exercised directly with entries shaped like real ones.
export async function benchCacheMemory({ memoryStore }, { users = 1_000_000 } = {}) {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return [{ name: 'cache heap: run node with --expose-gc; skipped', ms: 0 }];
  const store = memoryStore();
  const groups = {
    buttoncolortst: { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' }, allocationId: null, version: '1' },
    newfeaturerollout: { name: 'active', value: 0, payload: null, allocationId: null, version: '1' },
    countryalgotst: { name: 'inactive', value: -1, payload: { longArray: [2, 3, 5] }, allocationId: null, version: '1' },
  };
  gc();
  const before = process.memoryUsage().heapUsed;
  const rows = [];
  for (let i = 1; i <= users; i++) {
    const params = `http://pipet|buttoncolortst,newfeaturerollout,countryalgotst|USER=user${i}|country=US`;
    store.set(`k${i}`, { params, matrixVersion: '1', groups, storedAt: 0 });
    if (i === 10_000 || i === 100_000 || i === users) {
      gc();
      rows.push({ name: `cache heap growth after ${i.toLocaleString('en-US')} distinct users (default max)`, ms: (process.memoryUsage().heapUsed - before) / 1e6, unit: 'MB' });
    }
  }
  return rows;
}
