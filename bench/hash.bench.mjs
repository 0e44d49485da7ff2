// Hashing one identifier for one test (spec §2.6): the pure-JS MD5 hasher vs node:crypto's MD5 on the same key
// and the same 1,000 realistic ids (16-char base36). Each task call hashes all 1,000 ids, so the timer's own
// cost is spread over 1,000 hashes instead of dominating a ~0.2 µs operation.
import { createHash } from 'node:crypto';
import { Bench } from 'tinybench';

const BATCH = 1000;

function ids(n) {
  const out = [];
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    let id = '';
    while (id.length < 16) {
      x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
      id += (x >>> 0).toString(36);
    }
    out.push(id.slice(0, 16));
  }
  return out;
}

/** RFC 4122-shaped ids from the same generator: 36 chars, so key + id spans two MD5 blocks. */
function uuids(n) {
  return ids(n * 2).reduce((out, id, i, all) => {
    if (i % 2 === 0) {
      const h = id + all[i + 1];
      out.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`);
    }
    return out;
  }, []);
}

export async function benchHash({ createTestHasher }, { time = 1000 } = {}) {
  const testName = 'buttoncolortst';
  const salt = 'buttoncolortst';
  const key = `${testName}|${salt}`;
  const hasher = createTestHasher(testName, salt);
  const sets = [
    ['16-char base36 id', ids(BATCH)],
    ['36-char UUID (two MD5 blocks)', uuids(BATCH)],
  ];
  const rows = [];
  for (const [label, users] of sets) {
    for (const id of users) {
      const expected = createHash('md5').update(key, 'utf8').update(id, 'utf8').digest().readInt32BE(12);
      if (hasher(id) !== expected) throw new Error(`hash mismatch for ${id}`);
    }
    let sink = 0;
    const bench = new Bench({ time, warmupTime: 200 });
    bench.add(`proctor-node createTestHasher, ${label}`, () => {
      for (let i = 0; i < BATCH; i++) sink ^= hasher(users[i]);
    });
    bench.add(`node:crypto MD5, ${label}`, () => {
      for (let i = 0; i < BATCH; i++) {
        sink ^= createHash('md5').update(key, 'utf8').update(users[i], 'utf8').digest().readInt32BE(12);
      }
    });
    await bench.run();
    if (sink === 0.5) console.log(sink);
    // tinybench reports latencies in milliseconds per task call, and each call hashes BATCH ids.
    const [mine, node] = bench.tasks.map((t) => (t.result.latency.p50 * 1e6) / BATCH);
    rows.push({ name: `proctor-node createTestHasher, ${label}`, medianNs: mine, opsPerSec: 1e9 / mine });
    rows.push({ name: `node:crypto MD5 (baseline), ${label}`, medianNs: node, opsPerSec: 1e9 / node });
    rows.push({ name: `  ratio node:crypto / proctor-node, ${label}`, ratio: node / mine });
  }
  return rows;
}
