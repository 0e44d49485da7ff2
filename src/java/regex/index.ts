/**
 * Java regular expressions (`String.matches`, `String.split`, spec §3.6/§3.9) on top of JS `RegExp` with the `u`
 * flag. This file is the entry and the cache; the translation is in `translator.ts` and the files it imports.
 *
 * The Java pattern is translated, not passed through: `.` excludes Java's line terminators and matches a whole
 * surrogate pair, `\w`/`\d`/`\s` stay ASCII, `\b` uses Java's Unicode letters and digits, `(?i)` is ASCII-only
 * unless `(?u)` is on (done by expanding letters, so inline and scoped flags work), `\Q…\E`, octal, `\x{…}`,
 * `\h`, `\v`, `\R`, `\p{Alpha}`-style POSIX classes, negated escapes in classes (`[^\W_]`) and comment mode are
 * supported. Like Java's `Pattern`, the pattern is read by code point (a surrogate pair is one character
 * everywhere, escaped or not, in a class or not), and one escape decoder serves both inside and outside
 * classes. Constructs with no faithful JS equivalent are rejected (the rule then errors, as for an invalid
 * pattern): possessive quantifiers, atomic groups, character-class union/intersection, `\X`, `\N{…}`, `\b{g}`
 * and Unicode blocks (`\p{InGreek}`).
 *
 * Bounds: patterns longer than {@link MAX_PATTERN_LENGTH} and inputs longer than {@link MAX_INPUT_LENGTH} UTF-16
 * units are refused (an error, not a silent false), and at most {@link REGEX_CACHE_SIZE} compiled patterns are
 * cached. Like Java, JS has no backtracking limit: a catastrophically backtracking pattern in a matrix rule
 * costs CPU here as it would in Java, so the bounds keep the input small but do not make such patterns safe.
 */

import { LRUCache } from 'lru-cache';
import { Translator } from './translator.js';

/** Longest pattern accepted, in UTF-16 units. */
export const MAX_PATTERN_LENGTH = 4096;
/** Longest input matched, in UTF-16 units. */
export const MAX_INPUT_LENGTH = 65536;
/** Compiled patterns kept (the least recently used is evicted first). */
export const REGEX_CACHE_SIZE = 256;

/** Compiled patterns (or why they do not compile), by use: `m` + pattern for matching, `s` + pattern for split. */
const cache = new LRUCache<string, RegExp | SyntaxError>({ max: REGEX_CACHE_SIZE });

/**
 * The last key asked for and its entry. A rule tends to match one pattern many times in a row, and this skips
 * the cache's bookkeeping then; the last key is always the cache's most recently used one, so its order stays
 * exact.
 */
let lastKey: string | undefined;
let lastEntry: RegExp | SyntaxError | undefined;

function cached(key: string, pattern: string, build: (source: string) => RegExp): RegExp {
  let entry = key === lastKey ? lastEntry : cache.get(key);
  if (entry === undefined) {
    try {
      if (pattern.length > MAX_PATTERN_LENGTH) {
        throw new SyntaxError(`Pattern longer than ${MAX_PATTERN_LENGTH} characters`);
      }
      entry = build(new Translator(pattern).translate());
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
 * Java `Pattern.compile(pattern)` as used by `matcher(input).matches()`: a JS RegExp anchored at both ends (cached,
 * bounded). Throws SyntaxError where Java throws `PatternSyntaxException`, and for the constructs it refuses.
 */
export function compileJavaRegex(pattern: string): RegExp {
  return cached(`m${pattern}`, pattern, (source) => new RegExp(`^(?:${source})$`, 'u'));
}

/** Java `input.split(pattern)` (limit 0): no leading empty piece for a zero-width match, trailing ones dropped. */
export function javaSplit(input: string, pattern: string): string[] {
  const re = cached(`s${pattern}`, pattern, (source) => new RegExp(source, 'gu'));
  if (input.length > MAX_INPUT_LENGTH) throw new RangeError(`Input longer than ${MAX_INPUT_LENGTH} characters`);
  const pieces: string[] = [];
  let index = 0;
  re.lastIndex = 0;
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    const start = m.index;
    const end = start + m[0].length;
    if (end === start) {
      re.lastIndex = start + ((input.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
      if (start >= input.length) break;
      if (start === 0) continue;
    }
    pieces.push(input.slice(index, start));
    index = end;
  }
  if (index === 0) return [input];
  pieces.push(input.slice(index));
  while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces;
}

/** Java `input.matches(pattern)`: the whole input must match. */
export function javaMatches(input: string, pattern: string): boolean {
  const re = compileJavaRegex(pattern);
  if (input.length > MAX_INPUT_LENGTH) throw new RangeError(`Input longer than ${MAX_INPUT_LENGTH} characters`);
  return re.test(input);
}
