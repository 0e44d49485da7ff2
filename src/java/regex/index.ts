/**
 * Java regular expressions (`String.matches`, `String.split`, spec §3.6/§3.9): the entry and the cache. A Java
 * pattern is translated (`translator.ts` and the files it imports), never passed through, and runs on a
 * linear-time engine whenever RE2 can express it, else on JS `RegExp` with a bounded search space
 * (`engine.ts`, which says which and why).
 *
 * Java's meaning is kept: `.` excludes Java's line terminators and matches a whole surrogate pair, `\w`/`\d`/`\s`
 * stay ASCII, `\b` uses Java's Unicode letters and digits, `(?i)` is ASCII-only unless `(?u)` is on, properties
 * follow `Pattern.family` (case-insensitive `\p{Lower}` included), classes nest and intersect
 * (`[a-z&&[^aeiou]]`), `\Q…\E`, octal, `\x{…}`, `\h`, `\v`, `\R` and comments mode are supported. Like Java's
 * `Pattern`, the pattern is read by code point. Constructs with no faithful equivalent are refused with an
 * {@link UnsupportedRegexError} naming them: possessive quantifiers, atomic groups, `\X`, `\N{…}`, `\b{g}`,
 * Unicode blocks (`\p{InGreek}`), and backtracking-only patterns whose search cannot be bounded.
 *
 * Bounds: patterns longer than {@link MAX_PATTERN_LENGTH} and inputs longer than {@link MAX_INPUT_LENGTH} UTF-16
 * units (or a backtracking pattern's own cap) are refused — an error, not a silent false — and at most
 * {@link REGEX_CACHE_SIZE} compiled patterns are cached.
 */

import { LRUCache } from 'lru-cache';
import { compilePattern } from './engine.js';
import type { JavaPattern } from './engine.js';

export { MAX_INPUT_LENGTH, BACKTRACKING_BUDGET, MIN_BACKTRACKING_INPUT } from './engine.js';
export type { JavaPattern } from './engine.js';
export { UnsupportedRegexError } from './syntax.js';

/** Longest pattern accepted, in UTF-16 units. */
export const MAX_PATTERN_LENGTH = 4096;
/** Compiled patterns kept (the least recently used is evicted first). */
export const REGEX_CACHE_SIZE = 256;

/** Compiled patterns (or why they do not compile), by use: `m` + pattern for matching, `s` + pattern for split. */
const cache = new LRUCache<string, JavaPattern | SyntaxError>({ max: REGEX_CACHE_SIZE });

/**
 * The last key asked for and its entry. A rule tends to match one pattern many times in a row, and this skips
 * the cache's bookkeeping then; the last key is always the cache's most recently used one, so its order stays
 * exact.
 */
let lastKey: string | undefined;
let lastEntry: JavaPattern | SyntaxError | undefined;

function cached(pattern: string, whole: boolean): JavaPattern {
  const key = `${whole ? 'm' : 's'}${pattern}`;
  let entry = key === lastKey ? lastEntry : cache.get(key);
  if (entry === undefined) {
    try {
      if (pattern.length > MAX_PATTERN_LENGTH) {
        throw new SyntaxError(`Pattern longer than ${MAX_PATTERN_LENGTH} characters`);
      }
      entry = compilePattern(pattern, whole);
    } catch (error) {
      entry = error instanceof SyntaxError ? error : new SyntaxError(String(error));
    }
    cache.set(key, entry);
  }
  lastKey = key;
  lastEntry = entry;
  if (entry instanceof SyntaxError) throw entry;
  return entry;
}

/**
 * Java `Pattern.compile(pattern)` as used by `matcher(input).matches()` (cached, bounded). Throws SyntaxError
 * where Java throws `PatternSyntaxException`, and {@link UnsupportedRegexError} for the constructs it refuses.
 */
export function compileJavaRegex(pattern: string): JavaPattern {
  return cached(pattern, true);
}

/** Java `Pattern.compile(pattern)` as used by `String.split` (cached, bounded); throws as {@link compileJavaRegex}. */
export function compileJavaSplit(pattern: string): JavaPattern {
  return cached(pattern, false);
}

/** Java `input.split(pattern)` (limit 0): no leading empty piece for a zero-width match, trailing ones dropped. */
export function javaSplit(input: string, pattern: string): string[] {
  return cached(pattern, false).split(input);
}

/** Java `input.matches(pattern)`: the whole input must match. */
export function javaMatches(input: string, pattern: string): boolean {
  return cached(pattern, true).matches(input);
}
