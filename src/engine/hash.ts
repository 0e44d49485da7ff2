/**
 * Proctor's bucket hashing (spec §2.5–2.7): cutoffs per allocation, the MD5-based identifier hash of
 * `StandardTestChooser`, and the pick of a range from the hash.
 *
 * Everything here must be bit-identical to Java, so the UTF-8 encoding is Java's (`String.getBytes(UTF_8)`),
 * not the WHATWG one: a lone surrogate becomes `?` instead of U+FFFD.
 */

import { MD5_IV_A, MD5_IV_B, MD5_IV_C, MD5_IV_D, md5Compress, md5SingleBlockWord3 } from './md5.js';

/** Largest message (in bytes) that still fits in one padded MD5 block: 64 - 1 (0x80) - 8 (bit length). */
const SINGLE_BLOCK_MAX = 55;

/** Java's `?`, written for every unpaired surrogate. */
const QUESTION_MARK = 0x3f;

// Shared scratch space: hashing is synchronous and never re-entrant, so one block and one state suffice and
// nothing is allocated per call.
const block = new Int32Array(16);
const state = new Int32Array(4);

/**
 * Encodes a string as UTF-8 the way Java does: a valid surrogate pair becomes 4 bytes and an unpaired
 * surrogate becomes `?` (0x3F).
 *
 * @param text - any JS string, well-formed or not
 * @returns the encoded bytes
 */
export function javaUtf8Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let p = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        out[p++] = 0xf0 | (cp >> 18);
        out[p++] = 0x80 | ((cp >> 12) & 0x3f);
        out[p++] = 0x80 | ((cp >> 6) & 0x3f);
        out[p++] = 0x80 | (cp & 0x3f);
        i++;
      } else {
        out[p++] = QUESTION_MARK;
      }
    } else {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return out.subarray(0, p);
}

/** `readInt32BE` of four bytes stored as a little-endian word: a byte swap. */
function swapToBigEndian(word: number): number {
  return (
    ((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24)
  );
}

/**
 * The general path: streams the key bytes and the identifier (encoded on the fly) through MD5 block by block,
 * so 1 MB identifiers need no intermediate buffer.
 */
function hashMultiBlock(keyBytes: Uint8Array, id: string): number {
  const x = block;
  const st = state;
  st[0] = MD5_IV_A;
  st[1] = MD5_IV_B;
  st[2] = MD5_IV_C;
  st[3] = MD5_IV_D;
  x.fill(0);
  let pos = 0;
  let total = 0;
  const put = (byte: number): void => {
    x[pos >> 2] = (x[pos >> 2] as number) | (byte << ((pos & 3) << 3));
    total++;
    if (++pos === 64) {
      md5Compress(x, st);
      x.fill(0);
      pos = 0;
    }
  };
  for (let i = 0; i < keyBytes.length; i++) put(keyBytes[i] as number);
  const n = id.length;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x80) {
      put(c);
    } else if (c < 0x800) {
      put(0xc0 | (c >> 6));
      put(0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? id.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        put(0xf0 | (cp >> 18));
        put(0x80 | ((cp >> 12) & 0x3f));
        put(0x80 | ((cp >> 6) & 0x3f));
        put(0x80 | (cp & 0x3f));
        i++;
      } else {
        put(QUESTION_MARK);
      }
    } else {
      put(0xe0 | (c >> 12));
      put(0x80 | ((c >> 6) & 0x3f));
      put(0x80 | (c & 0x3f));
    }
  }
  const bits = total * 8;
  put(0x80);
  while (pos !== 56) put(0);
  x[14] = bits >>> 0;
  x[15] = Math.floor(bits / 0x100000000) | 0;
  md5Compress(x, st);
  return swapToBigEndian(st[3] as number);
}

/**
 * Returns a hasher for one MD5 key prefix: `identifier => int32` equal to Java's
 * `MD5(utf8(key) || utf8(identifier))` read as a big-endian int32 from digest bytes 12..15.
 *
 * The key's bytes are laid into a template block once, so the common case (key + identifier ≤ 55 bytes) costs
 * one 16-word copy, the identifier's encoding and a single MD5 block, with no allocation.
 *
 * @param key - the already composed key (see {@link hashKey})
 * @returns a function hashing identifiers under that key
 */
export function createKeyHasher(key: string): (identifier: string) => number {
  const keyBytes = javaUtf8Bytes(key);
  const keyLen = keyBytes.length;
  if (keyLen > SINGLE_BLOCK_MAX) {
    return (identifier) => hashMultiBlock(keyBytes, identifier);
  }
  const template = new Int32Array(16);
  for (let i = 0; i < keyLen; i++) template[i >> 2] = (template[i >> 2] as number) | ((keyBytes[i] as number) << ((i & 3) << 3));
  const t0 = template[0] as number;
  const t1 = template[1] as number;
  const t2 = template[2] as number;
  const t3 = template[3] as number;
  const t4 = template[4] as number;
  const t5 = template[5] as number;
  const t6 = template[6] as number;
  const t7 = template[7] as number;
  const t8 = template[8] as number;
  const t9 = template[9] as number;
  const t10 = template[10] as number;
  const t11 = template[11] as number;
  const t12 = template[12] as number;
  const t13 = template[13] as number;

  return (identifier) => {
    const n = identifier.length;
    // Every UTF-16 unit yields at least one byte, so this rejects most long identifiers before encoding.
    if (keyLen + n > SINGLE_BLOCK_MAX) return hashMultiBlock(keyBytes, identifier);
    const x = block;
    x[0] = t0;
    x[1] = t1;
    x[2] = t2;
    x[3] = t3;
    x[4] = t4;
    x[5] = t5;
    x[6] = t6;
    x[7] = t7;
    x[8] = t8;
    x[9] = t9;
    x[10] = t10;
    x[11] = t11;
    x[12] = t12;
    x[13] = t13;
    x[15] = 0;
    let p = keyLen;
    for (let i = 0; i < n; i++) {
      const c = identifier.charCodeAt(i);
      if (c < 0x80) {
        x[p >> 2] = (x[p >> 2] as number) | (c << ((p & 3) << 3));
        p++;
      } else {
        if (c < 0x800) {
          x[p >> 2] = (x[p >> 2] as number) | ((0xc0 | (c >> 6)) << ((p & 3) << 3));
          p++;
          x[p >> 2] = (x[p >> 2] as number) | ((0x80 | (c & 0x3f)) << ((p & 3) << 3));
          p++;
        } else if (c >= 0xd800 && c <= 0xdfff) {
          const next = i + 1 < n ? identifier.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            x[p >> 2] = (x[p >> 2] as number) | ((0xf0 | (cp >> 18)) << ((p & 3) << 3));
            p++;
            x[p >> 2] = (x[p >> 2] as number) | ((0x80 | ((cp >> 12) & 0x3f)) << ((p & 3) << 3));
            p++;
            x[p >> 2] = (x[p >> 2] as number) | ((0x80 | ((cp >> 6) & 0x3f)) << ((p & 3) << 3));
            p++;
            x[p >> 2] = (x[p >> 2] as number) | ((0x80 | (cp & 0x3f)) << ((p & 3) << 3));
            p++;
            i++;
          } else {
            x[p >> 2] = (x[p >> 2] as number) | (QUESTION_MARK << ((p & 3) << 3));
            p++;
          }
        } else {
          x[p >> 2] = (x[p >> 2] as number) | ((0xe0 | (c >> 12)) << ((p & 3) << 3));
          p++;
          x[p >> 2] = (x[p >> 2] as number) | ((0x80 | ((c >> 6) & 0x3f)) << ((p & 3) << 3));
          p++;
          x[p >> 2] = (x[p >> 2] as number) | ((0x80 | (c & 0x3f)) << ((p & 3) << 3));
          p++;
        }
        // Multi-byte characters can overflow the block; the general path starts from scratch, so stray
        // bytes written here do no harm.
        if (p > SINGLE_BLOCK_MAX) return hashMultiBlock(keyBytes, identifier);
      }
    }
    // ASCII after a multi-byte character can still push the total past one block.
    if (p > SINGLE_BLOCK_MAX) return hashMultiBlock(keyBytes, identifier);
    x[p >> 2] = (x[p >> 2] as number) | (0x80 << ((p & 3) << 3));
    x[14] = p << 3;
    return swapToBigEndian(md5SingleBlockWord3(x));
  };
}

/**
 * The string `StandardTestChooser` feeds to MD5 before the identifier (spec §2.6): a salt starting with `&` is
 * used alone (so tests sharing it share their randomization); otherwise `testName + "|" + salt`, where Java's
 * string concatenation renders a null salt as `"null"`.
 *
 * @param testName - the test's name in the matrix
 * @param salt - the test's salt, possibly null
 * @returns the key prefix
 */
export function hashKey(testName: string, salt: string | null): string {
  return salt !== null && salt.startsWith('&') ? salt : testName + '|' + String(salt);
}

/**
 * Creates the identifier hasher of one test, as Java's `StandardTestChooser` does (spec §2.6).
 *
 * @param testName - the test's name in the matrix
 * @param salt - the test's salt, possibly null
 * @returns `identifier => signed int32`, identical to
 *   `createHash('md5').update(key).update(identifier).digest().readInt32BE(12)` for well-formed strings, and to
 *   Java for lone surrogates too
 */
export function createTestHasher(
  testName: string,
  salt: string | null,
): (identifier: string) => number {
  return createKeyHasher(hashKey(testName, salt));
}

/**
 * One-off hash of an identifier for a test; prefer {@link createTestHasher} when hashing many identifiers.
 *
 * @param testName - the test's name in the matrix
 * @param salt - the test's salt, possibly null
 * @param identifier - the identifier to hash
 * @returns the signed int32 Java's `StandardTestChooser` computes
 */
export function hashInt(testName: string, salt: string | null, identifier: string): number {
  return createTestHasher(testName, salt)(identifier);
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
/** `(long) Integer.MAX_VALUE - (long) Integer.MIN_VALUE`, i.e. 2^32 - 1 (not 2^32). */
const INT_RANGE = 4294967295;

/**
 * Java's `(int)` cast of a double: NaN becomes 0 and out-of-range values saturate, unlike JS's `| 0`,
 * which wraps.
 *
 * @param x - any double
 * @returns the int32 Java would produce
 */
export function javaIntCast(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x >= INT_MAX) return INT_MAX;
  if (x <= INT_MIN) return INT_MIN;
  return Math.trunc(x) + 0; // an int has no -0
}

/**
 * Computes an allocation's cutoffs exactly as `StandardTestChooser.constructCutoffArray` (spec §2.5): the
 * lengths are summed sequentially in list order as doubles, and every cutoff but the last range's is mapped
 * onto the int32 range.
 *
 * The 0.9999..1.0001 sum check is the loader's job; this only computes. An empty list yields no cutoffs
 * (where Java would throw), since the loader rejects such an allocation anyway.
 *
 * @param lengths - the ranges' lengths, in allocation order
 * @returns `lengths.length - 1` cutoffs
 */
export function computeCutoffs(lengths: readonly number[]): Int32Array {
  const n = lengths.length;
  const cutoffs = new Int32Array(n > 0 ? n - 1 : 0);
  let total = 0;
  for (let i = 0; i < n - 1; i++) {
    total += lengths[i] as number;
    cutoffs[i] = javaIntCast(INT_MIN + total * INT_RANGE);
  }
  return cutoffs;
}

/**
 * Picks the range for a hash value (spec §2.7): the first range whose cutoff is `>= value`, else the last one.
 * A value equal to a cutoff belongs to the earlier range, so a zero-length first range still owns `INT_MIN`;
 * Java does the same, and this keeps the port's buckets identical.
 *
 * @param cutoffs - the allocation's cutoffs from {@link computeCutoffs}
 * @param value - the identifier's hash
 * @returns the index into the allocation's ranges
 */
export function pickRangeIndex(cutoffs: Int32Array | readonly number[], value: number): number {
  const n = cutoffs.length;
  let i = 0;
  while (i < n && value > (cutoffs[i] as number)) i++;
  return i;
}
