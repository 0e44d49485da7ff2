/**
 * Java's text primitives (the floor under `rules/`, `engine/`, `matrix/` and `server/`): `Character.isWhitespace`,
 * `Character.digit`, `String.trim`/`strip`/`equalsIgnoreCase`/`regionMatches`/`compareTo`,
 * `Boolean.parseBoolean` and commons-lang `StringUtils.isBlank`. Number parsing and printing live in
 * `numbers/`, regular expressions in `regex/`.
 */

/** Java `Character.isWhitespace` for one UTF-16 unit. */
export function isJavaWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x1680) return false;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x2006) ||
    (c >= 0x2008 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Commons-lang `StringUtils.isBlank`: null, empty, or only `Character.isWhitespace`. */
export function isBlank(s: string | null): boolean {
  if (s === null) return true;
  for (let i = 0; i < s.length; i++) if (!isJavaWhitespace(s.charCodeAt(i))) return false;
  return true;
}

/** Java `String.trim`: strips chars ≤ U+0020. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Java `String.strip` (JDK 11): strips `Character.isWhitespace`. */
export function javaStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isJavaWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isJavaWhitespace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

const UNICODE_DIGIT = /\p{Nd}/u;

/**
 * Java `Character.digit(c, 10)` for one UTF-16 unit: ASCII digits and every other BMP decimal digit
 * (Arabic-Indic, fullwidth, ...), which Java's `Integer.parseInt` accepts too. Unicode encodes each decimal
 * digit set as a run of ten code points starting at zero, and some runs touch, so the value is the offset
 * in the run modulo 10.
 */
export function javaDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0xd800 && code <= 0xdfff) return -1;
  if (!UNICODE_DIGIT.test(String.fromCharCode(code))) return -1;
  let start = code;
  while (start > 0 && UNICODE_DIGIT.test(String.fromCharCode(start - 1))) start--;
  return (code - start) % 10;
}

/** Java `Character.toUpperCase`/`toLowerCase` on one UTF-16 unit (one-to-one mappings only). */
function upperUnit(c: string): string {
  const u = c.toUpperCase();
  return u.length === 1 ? u : c;
}
function lowerUnit(c: string): string {
  const l = c.toLowerCase();
  return l.length === 1 ? l : c;
}

/** Java `String.regionMatches(true, ...)` comparison of two UTF-16 units. */
export function unitsEqualIgnoreCase(a: string, b: string): boolean {
  if (a === b) return true;
  const ua = upperUnit(a);
  const ub = upperUnit(b);
  return ua === ub || lowerUnit(ua) === lowerUnit(ub);
}

/** Java `"true".regionMatches(true, 0, s, offset, 4)`-style prefix test. */
export function regionMatchesIgnoreCase(s: string, offset: number, word: string): boolean {
  if (offset < 0 || offset + word.length > s.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (!unitsEqualIgnoreCase(s.charAt(offset + i), word.charAt(i))) return false;
  }
  return true;
}

/** Java `String.equalsIgnoreCase`. */
export function javaEqualsIgnoreCase(a: string, b: string): boolean {
  return a.length === b.length && regionMatchesIgnoreCase(a, 0, b);
}

/** Java `String.compareTo` (UTF-16 units): the difference of the first differing units, or of the lengths. */
export function javaCompareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Java `Boolean.parseBoolean(s)` (what `Boolean.valueOf(String)` returns): true for `"true"` in any case,
 * false for everything else, null included.
 */
export function parseJavaBoolean(s: string | null): boolean {
  return s !== null && s.length === 4 && regionMatchesIgnoreCase(s, 0, 'true');
}
