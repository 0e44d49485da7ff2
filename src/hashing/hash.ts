/**
 * Proctor's bucket hashing (spec §2.5–2.7): cutoffs per allocation, the MD5-based identifier hash of
 * `StandardTestChooser`, and the pick of a range from the hash.
 *
 * Everything here must be bit-identical to Java, so the UTF-8 encoding is Java's (`String.getBytes(UTF_8)`),
 * not the WHATWG one: a lone surrogate becomes `?` instead of U+FFFD.
 */

import { doubleToInt, INT_MAX, INT_MIN } from '../java/numbers/index.js';
import { MD5_IV_A, MD5_IV_B, MD5_IV_C, MD5_IV_D, md5Compress, md5SingleBlockWord3 } from './md5.js';

/** Java's `?`, written for every unpaired surrogate. */
const QUESTION_MARK = 0x3f;

/** MD5 words are little-endian; on such platforms a byte view and a word view of one buffer agree for free. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Scratch buffers above this size are used once and dropped, so a 1 MB identifier does not pin 3 MB. */
const RETAINED_BYTES = 1 << 16;

/** A message buffer seen both as bytes (for encoding) and as MD5 words (for compression). */
interface Scratch {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
}

function newScratch(size: number): Scratch {
  const buffer = new ArrayBuffer(size);
  return { bytes: new Uint8Array(buffer), words: new Int32Array(buffer) };
}

// Hashing is synchronous and never re-entrant, so one shared buffer and state serve every hasher and nothing
// is allocated per call.
let scratch = newScratch(256);
const state = new Int32Array(4);
/** The one MD5 block of a short ASCII message, built word by word (see `createKeyHasher`). */
const block = new Int32Array(16);

/**
 * Writes `text` as Java's UTF-8 (`String.getBytes(UTF_8)`) into `out` from `p`: a valid surrogate pair becomes
 * 4 bytes and an unpaired surrogate becomes `?` (0x3F), where WHATWG encoders write U+FFFD.
 *
 * @returns the position after the last byte written; `out` needs room for 3 bytes per UTF-16 unit
 */
function encodeJavaUtf8(text: string, out: Uint8Array, p: number): number {
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
  return p;
}

/**
 * Encodes a string as UTF-8 the way Java does: a valid surrogate pair becomes
 * 4 bytes and an unpaired surrogate becomes `?` (0x3F).
 *
 * @param text - any JS string, well-formed or not
 * @returns the encoded bytes
 */
export function javaUtf8Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  return out.slice(0, encodeJavaUtf8(text, out, 0));
}

/** `readInt32BE` of four bytes stored as a little-endian word: a byte swap. */
function swapToBigEndian(word: number): number {
  return ((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24);
}

/**
 * Returns a hasher for one MD5 key prefix: `identifier => int32` equal to Java's
 * `MD5(utf8(key) || utf8(identifier))` read as a big-endian int32 from digest bytes 12..15.
 *
 * Per key, the factory compresses the key's whole 64-byte blocks once and keeps the rest as ready-made words.
 * Per identifier, those words are copied, the identifier is encoded straight behind them, and the padded
 * message is compressed; a message of up to 55 bytes (the common case) takes one block from the IV, with no
 * allocation and no intermediate string.
 *
 * @param key - the already composed key (see {@link hashKey})
 * @returns a function hashing identifiers under that key
 */
export function createKeyHasher(key: string): (identifier: string) => number {
  const keyBytes = javaUtf8Bytes(key);
  const fullBlocks = keyBytes.length >> 6;
  const prefixBytes = fullBlocks * 64;
  const midstate = Int32Array.of(MD5_IV_A, MD5_IV_B, MD5_IV_C, MD5_IV_D);
  if (fullBlocks > 0) {
    const head = newScratch(prefixBytes);
    head.bytes.set(keyBytes.subarray(0, prefixBytes));
    if (!LITTLE_ENDIAN) for (let i = 0; i < head.words.length; i++) head.words[i] = swapToBigEndian(head.words[i] as number);
    for (let b = 0; b < fullBlocks; b++) md5Compress(head.words, b * 16, midstate);
  }
  const rest = keyBytes.subarray(prefixBytes);
  const restLen = rest.length;
  const restWords = new Int32Array((restLen + 3) >> 2);
  for (let i = 0; i < restLen; i++) {
    restWords[i >> 2] = (restWords[i >> 2] as number) | ((rest[i] as number) << ((i & 3) << 3));
  }
  const restWordCount = restWords.length;
  const fromIV = fullBlocks === 0;

  // The one-block case for ASCII identifiers builds the message words arithmetically (below): the key's
  // whole words, and its last partial word (the identifier's first bytes go into its zero tail).
  const keyWords = restLen >> 2;
  const keyTail = (restLen & 3) === 0 ? 0 : (restWords[keyWords] as number);
  const tailShift = (restLen & 3) << 3;
  // Up to 55 message bytes fit one block with the 0x80 byte and the 8 length bytes.
  const asciiRoom = fromIV ? 55 - restLen : -1;

  return (identifier) => {
    const length = identifier.length;
    if (length <= asciiRoom) {
      // The common case: a short identifier after a short key. Whole words are written, never bytes through
      // a second view of the buffer (whose reads as words stall on the byte writes just made).
      const x = block;
      for (let i = 0; i < keyWords; i++) x[i] = restWords[i] as number;
      let w = keyWords;
      let word = keyTail;
      let shift = tailShift;
      let i = 0;
      for (; i < length; i++) {
        const c = identifier.charCodeAt(i);
        if (c >= 0x80) break;
        word |= c << shift;
        shift += 8;
        if (shift === 32) {
          x[w++] = word;
          word = 0;
          shift = 0;
        }
      }
      if (i === length) {
        x[w++] = word | (0x80 << shift);
        while (w < 14) x[w++] = 0;
        x[14] = (restLen + length) * 8;
        x[15] = 0;
        return swapToBigEndian(md5SingleBlockWord3(x));
      }
      // A non-ASCII character: the general path below encodes it (from the start).
    }
    // Room for the worst case: 3 bytes per UTF-16 unit, then 0x80, alignment and the 8 length bytes.
    const need = restLen + 3 * identifier.length + 80;
    let buf = scratch;
    if (need > buf.bytes.length) {
      buf = newScratch((Math.max(need, buf.bytes.length * 2) + 63) & ~63);
      if (buf.bytes.length <= RETAINED_BYTES) scratch = buf;
    }
    const bytes = buf.bytes;
    const words = buf.words;
    // The key's words, already in MD5 order; the identifier's bytes overwrite the zero tail of the last one.
    for (let i = 0; i < restWordCount; i++) words[i] = restWords[i] as number;
    let p = encodeJavaUtf8(identifier, bytes, restLen);
    const messageBytes = prefixBytes + p;
    bytes[p++] = 0x80;
    while ((p & 3) !== 0) bytes[p++] = 0;
    const blocks = (p + 8 + 63) >> 6;
    const lengthWord = blocks * 16 - 2;
    for (let w = p >> 2; w < lengthWord; w++) words[w] = 0;
    if (!LITTLE_ENDIAN) for (let w = 0; w < lengthWord; w++) words[w] = swapToBigEndian(words[w] as number);
    words[lengthWord] = messageBytes * 8;
    words[lengthWord + 1] = Math.floor(messageBytes / 0x20000000);
    if (blocks === 1 && fromIV) return swapToBigEndian(md5SingleBlockWord3(words));
    state[0] = midstate[0] as number;
    state[1] = midstate[1] as number;
    state[2] = midstate[2] as number;
    state[3] = midstate[3] as number;
    for (let b = 0; b < blocks; b++) md5Compress(words, b * 16, state);
    return swapToBigEndian(state[3] as number);
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

/** `(long) Integer.MAX_VALUE - (long) Integer.MIN_VALUE`, i.e. 2^32 - 1 (not 2^32). */
const INT_RANGE = INT_MAX - INT_MIN;

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
    cutoffs[i] = doubleToInt(INT_MIN + total * INT_RANGE);
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
