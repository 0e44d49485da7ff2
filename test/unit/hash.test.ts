import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeCutoffs,
  createKeyHasher,
  createTestHasher,
  hashInt,
  hashKey,
  javaUtf8Bytes,
  pickRangeIndex,
} from '../../src/hashing/hash.js';
import { readVectors } from '../support/vectors.js';

interface HashVectors {
  readonly rows: readonly {
    readonly testName: string;
    readonly salt: string | null;
    readonly identifier: string;
    readonly hashInt: number;
    readonly note?: string;
  }[];
  readonly cutoffs: readonly { readonly lengths: readonly number[]; readonly cutoffs?: readonly number[] }[];
}

const vectors = readVectors<HashVectors>('hash.json');

/** The reference for well-formed strings: Node's MD5 over the same key and identifier. */
function nodeHash(key: string, id: string): number {
  return createHash('md5').update(key, 'utf8').update(id, 'utf8').digest().readInt32BE(12);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function label(s: string): string {
  return s.length > 40 ? `${JSON.stringify(s.slice(0, 20))}…(${s.length} chars)` : JSON.stringify(s);
}

describe('hash.json rows (Java StandardTestChooser)', () => {
  const rows = vectors.rows.map((r) => [label(r.testName), String(r.salt), label(r.identifier), r] as const);
  it.each(rows)('%s / salt %s / %s', (_t, _s, _i, row) => {
    expect(hashInt(row.testName, row.salt, row.identifier)).toBe(row.hashInt);
    expect(createTestHasher(row.testName, row.salt)(row.identifier)).toBe(row.hashInt);
  });

  it('covers the edge rows the spec promises', () => {
    const ids = vectors.rows.map((r) => r.identifier);
    expect(ids.some((id) => id.length >= 10_000)).toBe(true);
    expect(ids).toContain('');
    expect(ids.some((id) => id.replace(LONE_SURROGATE, '') !== id)).toBe(true);
    expect(vectors.rows.some((r) => r.salt === null)).toBe(true);
  });
});

describe('hash.json cutoffs (constructCutoffArray)', () => {
  const rows = vectors.cutoffs.filter((c) => c.cutoffs !== undefined).map((c) => [JSON.stringify(c.lengths), c] as const);
  it.each(rows)('%s', (_l, row) => {
    expect(Array.from(computeCutoffs(row.lengths))).toEqual(row.cutoffs);
  });

  it('spec §2.5 examples', () => {
    expect(Array.from(computeCutoffs([0, 0.5, 0.5]))).toEqual([-2147483648, 0]);
    expect(Array.from(computeCutoffs([0.2, 0.2, 0.2, 0.2, 0.2]))).toEqual([
      -1288490189, -429496730, 429496729, 1288490188,
    ]);
    expect(Array.from(computeCutoffs([0, 0.3, 0.4, 0.3]))).toEqual([-2147483648, -858993459, 858993458]);
    expect(Array.from(computeCutoffs([1]))).toEqual([]);
    expect(Array.from(computeCutoffs([]))).toEqual([]);
  });
});

describe('spec §9.3 raw-hash table', () => {
  it.each([
    ['testName', 'testName', '1', 'testName|testName', -516411852],
    ['testName', '&testName', '1', '&testName', -1209088972],
    ['anything', '&testName', '1', '&testName', -1209088972],
    ['t', null, 'x', 't|null', -783622297],
    ['t', '', 'x', 't|', -1515582349],
    ['t', '&', 'x', '&', -1586933325],
    ['buttoncolortst', 'buttoncolortst', '', 'buttoncolortst|buttoncolortst', -728091282],
    ['unicodetst', '&salt', 'ユーザー€', '&salt', -1630632438],
    ['buttoncolortst', 'buttoncolortst', 'pa5xq0lz4n80', 'buttoncolortst|buttoncolortst', -693430778],
  ] as const)('%s / %s / %s', (testName, salt, id, key, expected) => {
    expect(hashKey(testName, salt)).toBe(key);
    expect(hashInt(testName, salt, id)).toBe(expected);
    expect(nodeHash(key, id)).toBe(expected);
  });
});

describe('Java UTF-8', () => {
  it('writes ? for each unpaired surrogate and 4 bytes for a pair', () => {
    expect(Array.from(javaUtf8Bytes('\ud800'))).toEqual([0x3f]);
    expect(Array.from(javaUtf8Bytes('a\udc00b'))).toEqual([0x61, 0x3f, 0x62]);
    expect(Array.from(javaUtf8Bytes('\udbff\udbff'))).toEqual([0x3f, 0x3f]);
    expect(Array.from(javaUtf8Bytes('\udbff\udfff'))).toEqual([0xf4, 0x8f, 0xbf, 0xbf]);
    expect(Array.from(javaUtf8Bytes('é€'))).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  });

  it('agrees with Node for well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (s) => {
        expect(Buffer.from(javaUtf8Bytes(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
    );
  });

  it('hashes a lone surrogate as the byte ?', () => {
    const key = hashKey('t', 's');
    expect(createKeyHasher(key)('a\ud800b')).toBe(nodeHash(key, 'a?b'));
    expect(createKeyHasher(key)('x'.repeat(100) + '\udfff')).toBe(nodeHash(key, 'x'.repeat(100) + '?'));
  });
});

describe('MD5 against node:crypto', () => {
  it('random keys and identifiers (binary units, single and multi block)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 120 }),
        (salt, id) => {
          const key = '&' + salt;
          // Java writes '?' where Node writes U+FFFD, so the reference gets the '?' spelled out.
          expect(createTestHasher('ignored', key)(id)).toBe(nodeHash(key, id.replace(LONE_SURROGATE, '?')));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('ASCII and multi-byte identifiers on every length around the block boundaries', () => {
    const key = 'buttoncolortst|buttoncolortst'; // 29 bytes
    const hasher = createKeyHasher(key);
    for (let len = 0; len <= 140; len++) {
      const ascii = 'a'.repeat(len);
      expect(hasher(ascii)).toBe(nodeHash(key, ascii));
      const twoByte = 'é'.repeat(len);
      expect(hasher(twoByte)).toBe(nodeHash(key, twoByte));
      const mixed = 'é' + 'a'.repeat(len);
      expect(hasher(mixed)).toBe(nodeHash(key, mixed));
      const emoji = 'a'.repeat(len) + '😀';
      expect(hasher(emoji)).toBe(nodeHash(key, emoji));
    }
  });

  it('ASCII identifiers built word by word under keys of every length, and ones that turn non-ASCII midway', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 60 }), fc.nat(), (keyLen, id, at) => {
        const key = 'salt|'.repeat(15).slice(0, keyLen);
        const hasher = createKeyHasher(key);
        expect(hasher(id)).toBe(nodeHash(key, id));
        const cut = id.length === 0 ? 0 : at % id.length;
        const turned = id.slice(0, cut) + 'ü' + id.slice(cut);
        expect(hasher(turned)).toBe(nodeHash(key, turned));
        expect(hasher(id)).toBe(nodeHash(key, id)); // nothing left behind by the turned one
      }),
      { numRuns: 2000 },
    );
  });

  it.each([55, 56, 63, 64, 65, 119, 120, 127, 128])('total message of %i bytes', (total) => {
    for (const keyLen of [0, 1, 3, 30, 55, 56, 64, 70]) {
      if (keyLen > total) continue;
      const key = 'k'.repeat(keyLen);
      const id = 'i'.repeat(total - keyLen);
      expect(createKeyHasher(key)(id)).toBe(nodeHash(key, id));
      if (total - keyLen >= 2) {
        const wide = 'é' + 'i'.repeat(total - keyLen - 2); // same byte count, multi-byte first
        expect(createKeyHasher(key)(wide)).toBe(nodeHash(key, wide));
      }
    }
  });

  it('long keys (beyond one block)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 50, maxLength: 300 }), fc.string({ maxLength: 100 }), (key, id) => {
        expect(createKeyHasher(key)(id)).toBe(nodeHash(key, id));
      }),
      { numRuns: 300 },
    );
  });

  it('10k-character and 1 MB identifiers', () => {
    const key = hashKey('exampletst', 'salt');
    const hasher = createKeyHasher(key);
    const tenK = 'x€😀'.repeat(2_500);
    expect(hasher(tenK)).toBe(nodeHash(key, tenK));
    const mb = 'abcdefghij'.repeat(100_000);
    expect(hasher(mb)).toBe(nodeHash(key, mb));
  });

  it('multi-byte keys spanning whole blocks (precomputed midstate)', () => {
    for (const key of ['é'.repeat(32), '€'.repeat(43), '😀'.repeat(33) + '\ud800', 'k'.repeat(128) + 'é']) {
      const hasher = createKeyHasher(key);
      const nodeKey = key.replace(LONE_SURROGATE, '?');
      for (const id of ['', '1', 'x'.repeat(55), 'é'.repeat(100)]) expect(hasher(id)).toBe(nodeHash(nodeKey, id));
    }
  });

  it('one identifier under keys of every length (every byte offset), in turns with other identifiers', () => {
    // Hashers lay the last identifier out once for all keys: each key must see it at its own offset, and a
    // new identifier (longer, shorter, multi-byte) must replace the old layout entirely.
    const hashers = Array.from({ length: 65 }, (_, n) => [createKeyHasher('k'.repeat(n)), 'k'.repeat(n)] as const);
    const ids = ['', 'a', 'ab', 'abc', 'abcd', 'é', '€€', '😀x', 'x'.repeat(51), 'x'.repeat(52), 'é'.repeat(27), 'y'.repeat(55), 'z'.repeat(56), '1234567890123456'];
    for (const id of [...ids, ...ids.reverse()]) {
      for (const [hasher, key] of hashers) expect(hasher(id)).toBe(nodeHash(key, id));
      expect(hashers[3]?.[0]('other')).toBe(nodeHash('kkk', 'other'));
    }
  });

  it('a hasher is reusable and independent of other hashers', () => {
    const a = createTestHasher('a', 'sa');
    const b = createTestHasher('b', 'a-much-longer-salt-that-does-not-fit-in-the-single-block-fast-path-at-all');
    for (const id of ['1', 'é'.repeat(40), '2', 'x'.repeat(500), '3']) {
      expect(a(id)).toBe(nodeHash('a|sa', id));
      expect(b(id)).toBe(nodeHash(hashKey('b', 'a-much-longer-salt-that-does-not-fit-in-the-single-block-fast-path-at-all'), id));
    }
  });
});

describe('pickRangeIndex', () => {
  it('boundaries belong to the earlier range; the last range takes the rest', () => {
    const cutoffs = computeCutoffs([0, 0.5, 0.5]); // [-2^31, 0]
    expect(pickRangeIndex(cutoffs, -2147483648)).toBe(0); // a zero-length first range owns INT_MIN
    expect(pickRangeIndex(cutoffs, -2147483647)).toBe(1);
    expect(pickRangeIndex(cutoffs, 0)).toBe(1);
    expect(pickRangeIndex(cutoffs, 1)).toBe(2);
    expect(pickRangeIndex(cutoffs, 2147483647)).toBe(2);
    expect(pickRangeIndex([], 12345)).toBe(0);
    expect(pickRangeIndex([-5, -5, 10], -5)).toBe(0);
  });

  it('spec §9.2 B: TestProctorIntegration buckets', () => {
    const third = 0.3333333432674408;
    const cases = [
      { test: 'def', salt: 'defsalt', lengths: [third, third, third], values: [0, 1, 2] },
      { test: 'ghi', salt: 'ghisalt', lengths: [0.2, 0.2, 0.2, 0.2, 0.2], values: [-1, 0, 1, 2, 3] },
      { test: 'jkl', salt: '&hash11', lengths: [0.5, 0.5], values: [1, 2] },
    ];
    const expected: Record<string, readonly number[]> = {
      piafdsff: [2, 3, 1],
      '8719568712': [2, 1, 2],
      aksdh8947jh4807: [0, -1, 2],
    };
    for (const [id, buckets] of Object.entries(expected)) {
      cases.forEach((c, k) => {
        const index = pickRangeIndex(computeCutoffs(c.lengths), hashInt(c.test, c.salt, id));
        expect(c.values[index]).toBe(buckets[k]);
      });
    }
  });

  it.each([
    ['testName', 'testName', 4999412, 5000587, 1863060514, 765061458],
    ['testName', '&testName', 4999049, 5000950, 1209398320, 494965600],
    ['someOtherTestName', '&testName', 4999049, 5000950, 1209398320, 494965600],
  ] as const)('spec §9.2 A: %s / %s over ids 1..9999999', (testName, salt, n0, n1, sum0, sum1) => {
    const cutoffs = computeCutoffs([0, 0.5, 0.5]);
    const hasher = createTestHasher(testName, salt);
    const counts = new Int32Array(3);
    const sums = new Int32Array(3);
    for (let i = 1; i <= 9_999_999; i++) {
      const k = pickRangeIndex(cutoffs, hasher(String(i)));
      counts[k] = (counts[k] as number) + 1;
      sums[k] = (Math.imul(31, sums[k] as number) + i) | 0;
    }
    expect(Array.from(counts)).toEqual([0, n0, n1]);
    expect(Array.from(sums)).toEqual([0, sum0, sum1]);
  });
});
