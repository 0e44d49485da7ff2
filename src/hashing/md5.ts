/**
 * A pure-JS MD5 compression function, tuned for the Proctor hash (spec §2.6).
 *
 * Proctor hashes short `key + identifier` strings on every assignment, so this file trades elegance for speed:
 * the 64 steps are unrolled, the message words are loaded into locals once, and all arithmetic stays in int32
 * (`| 0`) so V8 keeps everything in registers. `node:crypto` is deliberately not used: the engine must run in
 * browsers and edge runtimes, and a native call per hash costs more than the whole pure-JS computation.
 *
 * Words are MD5's little-endian 32-bit words, stored as signed int32.
 */

/** MD5 initial state word A (RFC 1321). */
export const MD5_IV_A = 0x67452301 | 0;
/** MD5 initial state word B (RFC 1321). */
export const MD5_IV_B = 0xefcdab89 | 0;
/** MD5 initial state word C (RFC 1321). */
export const MD5_IV_C = 0x98badcfe | 0;
/** MD5 initial state word D (RFC 1321). */
export const MD5_IV_D = 0x10325476 | 0;

/**
 * Runs one MD5 compression over a 16-word block and adds the result into `state` (the multi-block case).
 *
 * @param x - the message as little-endian int32 words
 * @param offset - index in `x` of the block's first word
 * @param state - the four chaining words A, B, C, D; updated in place
 */
export function md5Compress(x: Int32Array, offset: number, state: Int32Array): void {
  const x0 = x[offset] as number;
  const x1 = x[offset + 1] as number;
  const x2 = x[offset + 2] as number;
  const x3 = x[offset + 3] as number;
  const x4 = x[offset + 4] as number;
  const x5 = x[offset + 5] as number;
  const x6 = x[offset + 6] as number;
  const x7 = x[offset + 7] as number;
  const x8 = x[offset + 8] as number;
  const x9 = x[offset + 9] as number;
  const x10 = x[offset + 10] as number;
  const x11 = x[offset + 11] as number;
  const x12 = x[offset + 12] as number;
  const x13 = x[offset + 13] as number;
  const x14 = x[offset + 14] as number;
  const x15 = x[offset + 15] as number;
  const a0 = state[0] as number;
  const b0 = state[1] as number;
  const c0 = state[2] as number;
  const d0 = state[3] as number;
  let a = a0;
  let b = b0;
  let c = c0;
  let d = d0;
  a = (a + (d ^ (b & (c ^ d))) + x0 + -680876936) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + (c ^ (a & (b ^ c))) + x1 + -389564586) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + (b ^ (d & (a ^ b))) + x2 + 606105819) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + (a ^ (c & (d ^ a))) + x3 + -1044525330) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + (d ^ (b & (c ^ d))) + x4 + -176418897) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + (c ^ (a & (b ^ c))) + x5 + 1200080426) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + (b ^ (d & (a ^ b))) + x6 + -1473231341) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + (a ^ (c & (d ^ a))) + x7 + -45705983) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + (d ^ (b & (c ^ d))) + x8 + 1770035416) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + (c ^ (a & (b ^ c))) + x9 + -1958414417) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + (b ^ (d & (a ^ b))) + x10 + -42063) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + (a ^ (c & (d ^ a))) + x11 + -1990404162) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + (d ^ (b & (c ^ d))) + x12 + 1804603682) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + (c ^ (a & (b ^ c))) + x13 + -40341101) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + (b ^ (d & (a ^ b))) + x14 + -1502002290) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + (a ^ (c & (d ^ a))) + x15 + 1236535329) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + (c ^ (d & (b ^ c))) + x1 + -165796510) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + (b ^ (c & (a ^ b))) + x6 + -1069501632) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + (a ^ (b & (d ^ a))) + x11 + 643717713) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + (d ^ (a & (c ^ d))) + x0 + -373897302) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (c ^ (d & (b ^ c))) + x5 + -701558691) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + (b ^ (c & (a ^ b))) + x10 + 38016083) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + (a ^ (b & (d ^ a))) + x15 + -660478335) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + (d ^ (a & (c ^ d))) + x4 + -405537848) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (c ^ (d & (b ^ c))) + x9 + 568446438) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + (b ^ (c & (a ^ b))) + x14 + -1019803690) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + (a ^ (b & (d ^ a))) + x3 + -187363961) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + (d ^ (a & (c ^ d))) + x8 + 1163531501) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (c ^ (d & (b ^ c))) + x13 + -1444681467) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + (b ^ (c & (a ^ b))) + x2 + -51403784) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + (a ^ (b & (d ^ a))) + x7 + 1735328473) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + (d ^ (a & (c ^ d))) + x12 + -1926607734) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (b ^ c ^ d) + x5 + -378558) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x8 + -2022574463) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x11 + 1839030562) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x14 + -35309556) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x1 + -1530992060) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x4 + 1272893353) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x7 + -155497632) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x10 + -1094730640) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x13 + 681279174) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x0 + -358537222) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x3 + -722521979) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x6 + 76029189) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x9 + -640364487) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x12 + -421815835) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x15 + 530742520) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x2 + -995338651) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x0 + -198630844) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x7 + 1126891415) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x14 + -1416354905) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x5 + -57434055) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x12 + 1700485571) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x3 + -1894986606) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x10 + -1051523) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x1 + -2054922799) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x8 + 1873313359) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x15 + -30611744) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x6 + -1560198380) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x13 + 1309151649) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x4 + -145523070) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x11 + -1120210379) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x2 + 718787259) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x9 + -343485551) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  state[0] = (a0 + a) | 0;
  state[1] = (b0 + b) | 0;
  state[2] = (c0 + c) | 0;
  state[3] = (d0 + d) | 0;
}

/**
 * MD5 of a message that fits in one padded block, returning only digest word 3 (digest bytes 12..15 as a
 * little-endian int32), which is all Proctor reads.
 *
 * Starting from the IV avoids a state array, and the final two steps (which only update C and B) are skipped
 * because D is already final after step 62.
 *
 * @param x - the already padded block (message bytes, 0x80, zeros, bit length in words 14 and 15)
 * @returns digest word 3, little-endian, as a signed int32
 */
export function md5SingleBlockWord3(x: Int32Array): number {
  const x0 = x[0] as number;
  const x1 = x[1] as number;
  const x2 = x[2] as number;
  const x3 = x[3] as number;
  const x4 = x[4] as number;
  const x5 = x[5] as number;
  const x6 = x[6] as number;
  const x7 = x[7] as number;
  const x8 = x[8] as number;
  const x9 = x[9] as number;
  const x10 = x[10] as number;
  const x11 = x[11] as number;
  const x12 = x[12] as number;
  const x13 = x[13] as number;
  const x14 = x[14] as number;
  const x15 = x[15] as number;
  let a = MD5_IV_A;
  let b = MD5_IV_B;
  let c = MD5_IV_C;
  let d = MD5_IV_D;
  a = (a + (d ^ (b & (c ^ d))) + x0 + -680876936) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + (c ^ (a & (b ^ c))) + x1 + -389564586) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + (b ^ (d & (a ^ b))) + x2 + 606105819) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + (a ^ (c & (d ^ a))) + x3 + -1044525330) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + (d ^ (b & (c ^ d))) + x4 + -176418897) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + (c ^ (a & (b ^ c))) + x5 + 1200080426) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + (b ^ (d & (a ^ b))) + x6 + -1473231341) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + (a ^ (c & (d ^ a))) + x7 + -45705983) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + (d ^ (b & (c ^ d))) + x8 + 1770035416) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + (c ^ (a & (b ^ c))) + x9 + -1958414417) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + (b ^ (d & (a ^ b))) + x10 + -42063) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + (a ^ (c & (d ^ a))) + x11 + -1990404162) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + (d ^ (b & (c ^ d))) + x12 + 1804603682) | 0;
  a = (((a << 7) | (a >>> 25)) + b) | 0;
  d = (d + (c ^ (a & (b ^ c))) + x13 + -40341101) | 0;
  d = (((d << 12) | (d >>> 20)) + a) | 0;
  c = (c + (b ^ (d & (a ^ b))) + x14 + -1502002290) | 0;
  c = (((c << 17) | (c >>> 15)) + d) | 0;
  b = (b + (a ^ (c & (d ^ a))) + x15 + 1236535329) | 0;
  b = (((b << 22) | (b >>> 10)) + c) | 0;
  a = (a + (c ^ (d & (b ^ c))) + x1 + -165796510) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + (b ^ (c & (a ^ b))) + x6 + -1069501632) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + (a ^ (b & (d ^ a))) + x11 + 643717713) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + (d ^ (a & (c ^ d))) + x0 + -373897302) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (c ^ (d & (b ^ c))) + x5 + -701558691) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + (b ^ (c & (a ^ b))) + x10 + 38016083) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + (a ^ (b & (d ^ a))) + x15 + -660478335) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + (d ^ (a & (c ^ d))) + x4 + -405537848) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (c ^ (d & (b ^ c))) + x9 + 568446438) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + (b ^ (c & (a ^ b))) + x14 + -1019803690) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + (a ^ (b & (d ^ a))) + x3 + -187363961) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + (d ^ (a & (c ^ d))) + x8 + 1163531501) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (c ^ (d & (b ^ c))) + x13 + -1444681467) | 0;
  a = (((a << 5) | (a >>> 27)) + b) | 0;
  d = (d + (b ^ (c & (a ^ b))) + x2 + -51403784) | 0;
  d = (((d << 9) | (d >>> 23)) + a) | 0;
  c = (c + (a ^ (b & (d ^ a))) + x7 + 1735328473) | 0;
  c = (((c << 14) | (c >>> 18)) + d) | 0;
  b = (b + (d ^ (a & (c ^ d))) + x12 + -1926607734) | 0;
  b = (((b << 20) | (b >>> 12)) + c) | 0;
  a = (a + (b ^ c ^ d) + x5 + -378558) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x8 + -2022574463) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x11 + 1839030562) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x14 + -35309556) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x1 + -1530992060) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x4 + 1272893353) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x7 + -155497632) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x10 + -1094730640) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x13 + 681279174) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x0 + -358537222) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x3 + -722521979) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x6 + 76029189) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (b ^ c ^ d) + x9 + -640364487) | 0;
  a = (((a << 4) | (a >>> 28)) + b) | 0;
  d = (d + (a ^ b ^ c) + x12 + -421815835) | 0;
  d = (((d << 11) | (d >>> 21)) + a) | 0;
  c = (c + (d ^ a ^ b) + x15 + 530742520) | 0;
  c = (((c << 16) | (c >>> 16)) + d) | 0;
  b = (b + (c ^ d ^ a) + x2 + -995338651) | 0;
  b = (((b << 23) | (b >>> 9)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x0 + -198630844) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x7 + 1126891415) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x14 + -1416354905) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x5 + -57434055) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x12 + 1700485571) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x3 + -1894986606) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x10 + -1051523) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x1 + -2054922799) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x8 + 1873313359) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x15 + -30611744) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  c = (c + (a ^ (d | ~b)) + x6 + -1560198380) | 0;
  c = (((c << 15) | (c >>> 17)) + d) | 0;
  b = (b + (d ^ (c | ~a)) + x13 + 1309151649) | 0;
  b = (((b << 21) | (b >>> 11)) + c) | 0;
  a = (a + (c ^ (b | ~d)) + x4 + -145523070) | 0;
  a = (((a << 6) | (a >>> 26)) + b) | 0;
  d = (d + (b ^ (a | ~c)) + x11 + -1120210379) | 0;
  d = (((d << 10) | (d >>> 22)) + a) | 0;
  return (MD5_IV_D + d) | 0;
}
