/**
 * Case-insensitive matching as Java's `Pattern` does it: ASCII-only under `(?i)`, Unicode simple case mappings
 * of JDK 17's `Character` under `(?iu)`, for single characters and for ranges.
 */
import { literal } from './syntax.js';
import type { Flags } from './syntax.js';

/** Code points whose lower case is another letter's, missed by mapping that letter up and down. */
const EXTRA_FOLDS: ReadonlyMap<number, readonly number[]> = new Map([
  [0x69, [0x130, 0x131]],
  [0x6b, [0x212a]],
  [0x73, [0x17f]],
  [0xe5, [0x212b]],
  [0x3b9, [0x345, 0x1fbe]],
  [0x3b8, [0x3d1]],
  [0x3b2, [0x3d0]],
  [0x3b5, [0x3f5]],
  [0x3ba, [0x3f0]],
  [0x3c0, [0x3d6]],
  [0x3c1, [0x3f1]],
  [0x3c3, [0x3c2]],
  [0x3c6, [0x3d5]],
  [0x3c9, [0x2126]],
  [0x3bc, [0xb5]],
]);

/** Case variants of a code point under CASE_INSENSITIVE (ASCII) or with UNICODE_CASE. */
export function caseVariants(cp: number, flags: Flags): number[] {
  if (!flags.i) return [cp];
  if (!flags.u) {
    if (cp >= 0x41 && cp <= 0x5a) return [cp, cp + 32];
    if (cp >= 0x61 && cp <= 0x7a) return [cp, cp - 32];
    return [cp];
  }
  const out = new Set([cp]);
  const s = String.fromCodePoint(cp);
  for (const v of [s.toUpperCase(), s.toLowerCase(), s.toUpperCase().toLowerCase(), s.toLowerCase().toUpperCase()]) {
    const c = v.codePointAt(0);
    if (c !== undefined && String.fromCodePoint(c) === v) out.add(c);
  }
  const lower = s.toLowerCase().codePointAt(0) ?? cp;
  for (const extra of EXTRA_FOLDS.get(lower) ?? []) out.add(extra);
  return [...out];
}

/**
 * Code points whose case mappings came after Unicode 13 (JDK 17's `Character`): pairs added in Unicode 14–17,
 * which the JS engine's ICU may know. Java 17 maps none of them, so {@link javaUpper}/{@link javaLower} ignore
 * them. A later Unicode version adding pairs needs them listed here too (the regex tests compare with JDK 17).
 */
const NEWER_CASED: readonly (readonly [number, number])[] = [
  [0x019b, 0x019b],
  [0x0264, 0x0264],
  [0x1c89, 0x1c8a],
  [0x2c2f, 0x2c2f],
  [0x2c5f, 0x2c5f],
  [0xa7c0, 0xa7c1],
  [0xa7cb, 0xa7cf],
  [0xa7d0, 0xa7dc],
  [0x10570, 0x105bc],
  [0x10d50, 0x10d85],
  [0x16ea0, 0x16edf],
];

function newerCased(cp: number): boolean {
  return NEWER_CASED.some(([a, b]) => cp >= a && cp <= b);
}

/** A one-code-point case mapping from JS's full one, or null when JS maps to several code points. */
function single(mapped: string): number | null {
  const c = mapped.codePointAt(0);
  return c !== undefined && String.fromCodePoint(c) === mapped ? c : null;
}

/**
 * Java's `Character.toUpperCase(int)`: the simple mapping. JS gives the full one; where that has several code
 * points the simple mapping is the code point itself, except for Greek letters with ypogegrammeni, which map
 * to their title-case forms (U+1F80 → U+1F88, U+1FB3 → U+1FBC…).
 */
function javaUpper(cp: number): number {
  if (newerCased(cp)) return cp;
  const up = single(String.fromCodePoint(cp).toUpperCase());
  if (up !== null) return newerCased(up) ? cp : up;
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) return cp + 8;
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return cp + 9;
  return cp;
}

/** Java's `Character.toLowerCase(int)` (simple mapping: U+0130 → `i`, where JS's full one adds a dot). */
function javaLower(cp: number): number {
  if (newerCased(cp)) return cp;
  if (cp === 0x130) return 0x69;
  const low = single(String.fromCodePoint(cp).toLowerCase());
  return low === null || newerCased(low) ? cp : low;
}

/** Per code point with a case mapping (planes 0–1): [cp, upper, lower of upper]. Built on first use. */
let caseTable: (readonly [number, number, number])[] | undefined;

function casedCodePoints(): readonly (readonly [number, number, number])[] {
  if (caseTable === undefined) {
    caseTable = [];
    for (let cp = 0; cp <= 0x1ffff; cp++) {
      const up = javaUpper(cp);
      const lowUp = javaLower(up);
      if (up !== cp || lowUp !== cp) caseTable.push([cp, up, lowUp]);
    }
  }
  return caseTable;
}

/**
 * Extra class content making the range `lo`–`hi` case-insensitive, as Java's `Pattern.range` does: ASCII
 * letters only (`CIRange`), or with UNICODE_CASE `CIRangeU`, which accepts `ch` when `ch`, `toUpperCase(ch)` or
 * `toLowerCase(toUpperCase(ch))` is in the range. That test is one-way: `(?iu)[a-z]` matches U+212A KELVIN SIGN
 * (its lower case is `k`) but `(?iu)[A-Z]` does not (its upper case is itself), and `(?iu)[α-γ]` matches `Β`
 * and `ϐ`. The accepted code points outside the range are listed, merged into runs.
 */
export function caseRanges(lo: number, hi: number, flags: Flags): string {
  if (!flags.i) return '';
  const inRange = (c: number): boolean => c >= lo && c <= hi;
  if (!flags.u) {
    let extra = '';
    const add = (a: number, b: number, delta: number): void => {
      const from = Math.max(lo, a);
      const to = Math.min(hi, b);
      if (from <= to) extra += `${literal(from + delta, true)}-${literal(to + delta, true)}`;
    };
    add(0x41, 0x5a, 32);
    add(0x61, 0x7a, -32);
    return extra;
  }
  const runs: [number, number][] = [];
  for (const [cp, up, lowUp] of casedCodePoints()) {
    if (inRange(cp) || !(inRange(up) || inRange(lowUp))) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === cp - 1) last[1] = cp;
    else runs.push([cp, cp]);
  }
  return runs.map(([a, b]) => (a === b ? literal(a, true) : `${literal(a, true)}-${literal(b, true)}`)).join('');
}
