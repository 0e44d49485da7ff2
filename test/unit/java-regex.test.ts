/** Java regular expressions as `proctor:matches` and `String.matches` see them (spec §3.6, §3.9). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../src/java/regex/engine.js';
import { compileJavaRegex, javaMatches, javaSplit, MAX_INPUT_LENGTH, MAX_PATTERN_LENGTH, REGEX_CACHE_SIZE } from '../../src/java/regex/index.js';

type Expected = boolean | 'error';

function matches(input: string, pattern: string): Expected {
  try {
    return javaMatches(input, pattern);
  } catch {
    return 'error';
  }
}

/** The same pattern forced onto one engine: the JS one (what every pattern ran on before) or re2js. */
function on(engine: 'backtracking' | 'linear', input: string, pattern: string): Expected {
  try {
    return compilePattern(pattern, true, engine).matches(input);
  } catch {
    return 'error';
  }
}

/** Whether RE2 can express the pattern (else the linear engine is not asked). */
function linearRuns(pattern: string, whole = true): boolean {
  try {
    compilePattern(pattern, whole, 'linear');
    return true;
  } catch (error) {
    return !(error instanceof Error && error.name === 'NeedsBacktracking');
  }
}

function backtracking(input: string, pattern: string): Expected {
  return on('backtracking', input, pattern);
}

function linear(input: string, pattern: string, expected: Expected): Expected {
  return linearRuns(pattern) ? on('linear', input, pattern) : expected;
}

const CASES: readonly (readonly [string, string, Expected])[] = [
  // Whole-input match, alternation backtracking.
  ['abc', 'a.c', true],
  ['abcd', 'a.c', false],
  ['ab', 'a|ab', true],
  ['abc\n', 'abc$', false],
  ['abc', 'abc$', true],
  ['abc', '^abc', true],
  // `.`: Java line terminators, surrogate pairs.
  ['a\nc', 'a.c', false],
  ['a\rc', 'a.c', false],
  ['a\u0085c', 'a.c', false],
  ['a\u2028c', 'a.c', false],
  ['a\u000bc', 'a.c', true],
  ['\u{1F600}', '.', true],
  ['\u{1F600}', '..', false],
  ['\u{1F600}x', '.x', true],
  ['a\nc', '(?s)a.c', true],
  ['a\rc', '(?d)a.c', true],
  // ASCII predefined classes.
  ['_', '\\w', true],
  ['\u00e9', '\\w', false],
  ['\u0663', '\\d', false],
  ['\u00a0', '\\s', false],
  ['\u000b', '\\s', true],
  ['\u00e9', '(?U)\\w', true],
  ['\u00a0', '\\h', true],
  ['\u2028', '\\v', true],
  ['\r\n', '\\R', true],
  ['!', '\\W', true],
  ['5', '\\D', false],
  // Unicode and POSIX properties.
  ['\u00e9', '\\p{L}', true],
  ['\u00e9', '\\pL', true],
  ['\u00e9', '\\p{IsLatin}', true],
  ['\u00e9', '\\p{IsAlphabetic}', true],
  ['\u00e9', '\\p{Alpha}', false],
  ['\u00e9', '(?U)\\p{Alpha}', true],
  ['A', '\\p{Upper}', true],
  ['a', '\\P{Upper}', true],
  ['!', '\\p{Punct}', true],
  ['a', '\\p{javaLowerCase}', true],
  ['a', '\\p{InBasicLatin}', 'error'],
  ['a', '\\p{Nope}', 'error'],
  // Word boundaries use Java's Unicode letters and digits.
  ['caf\u00e9 x', 'caf\u00e9\\b.*', true],
  ['ab', 'a\\Bb', true],
  ['a', '\\Ba', false],
  // Case-insensitivity: ASCII unless UNICODE_CASE, scoped inline flags.
  ['ABC', '(?i)abc', true],
  ['aBC', 'a(?i)bc', true],
  ['Abc', 'a(?i)bc', false],
  ['ABc', '(?i:ab)c', true],
  ['ABC', '(?i:ab)c', false],
  ['\u00c9', '(?i)\u00e9', false],
  ['\u00c9', '(?iu)\u00e9', true],
  ['\u212a', '(?i)k', false],
  ['\u212a', '(?iu)k', true],
  ['B', '(?i)[a-c]', true],
  ['b', '(?i)[^A-C]', false],
  // (?iu) ranges fold like Java's CIRangeU, beyond Latin and one-way (checked on JDK 17): `ch` is in when ch,
  // toUpperCase(ch) or toLowerCase(toUpperCase(ch)) is in the range.
  ['\u0392', '(?iu)[\u03b1-\u03b3]', true],
  ['\u03d0', '(?iu)[\u0391-\u0393]', true],
  ['\u0392', '(?i)[\u03b1-\u03b3]', false],
  ['\u0392', '(?iu)[^\u03b1-\u03b3]', false],
  ['\u212a', '(?iu)[a-z]', true],
  ['\u212a', '(?iu)[A-Z]', false],
  ['\u0130', '(?iu)[a-z]', true],
  ['\u0131', '(?iu)[A-Z]', true],
  ['I', '(?iu)[\u0130-\u0131]', false],
  ['\u{10428}', '(?iu)[\\x{10400}-\\x{10410}]', true],
  ['\u1c80', '(?iu)[\u0400-\u04ff]', true],
  ['\u1f88', '(?iu)[\u1f80-\u1f87]', true],
  ['\u01c4', '(?iu)[\u01c5-\u01c5]', false],
  ['\u1e9e', '(?iu)[\u00df-\u00df]', true],
  ['\u00df', '(?iu)[\u1e9e-\u1e9e]', false],
  ['\u24b6', '(?iu)[\u24d0-\u24e9]', true],
  // U+2C2F/U+2C5F became a case pair in Unicode 14, after JDK 17's Unicode 13.
  ['\u2c5f', '(?iu)[\u2c2f-\u2c2f]', false],
  ['x', '(?i)(?-i)X', false],
  // Escapes.
  ['\t', '\\t', true],
  ['A', '\\x41', true],
  ['A', '\\u0041', true],
  ['A', '\\0101', true],
  ['\u{1F600}', '\\x{1F600}', true],
  ['\u{1F600}', '\\uD83D\\uDE00', true],
  ['\u0018', '\\cX', true],
  ['\u001b', '\\e', true],
  ['a+b', '\\Qa+b\\E', true],
  ['a+b', '\\Qa+b', true],
  ['@', '\\@', true],
  ['-', '\\-', true],
  ['a', '\\y', 'error'],
  ['a', '\\8', 'error'],
  // Classes.
  ['x', '[^abc]', true],
  ['a', '[^abc]', false],
  ['-', '[a-]', true],
  ['-', '[-a]', true],
  [']', '[]a]', true],
  ['\\', '[\\\\]', true],
  ['b', '[a-c&&b]', true],
  ['a', '[[a]]', true],
  ['a', '[', 'error'],
  ['a', '[b-a]', 'error'],
  ['5', '[\\d]', true],
  ['x', '[\\w&]', true],
  // Negated escapes in a class (checked on JDK 17). Java's class is the union of its members' predicates and
  // `[^…]` negates the whole union, so `[^\\W_]` is ASCII letters and digits. They match one whole code point.
  ['5', '[\\D]', false],
  ['a', '[\\D]', true],
  ['\uD83D', '[\\D]', true],
  ['\u{1F600}\u{1F600}', '[\\D]+', true],
  ['\u{1F600}', '[\\Dx][\\Dx]', false],
  ['_', '[\\W]', false],
  ['\u00e9', '[\\W]', true],
  ['\u00a0', '[\\S]', true],
  ['\u000b', '[\\S]', false],
  ['\u000b', '[\\H]', true],
  ['\u00a0', '[\\H]', false],
  ['\uDE00', '[^\\H]', false],
  ['\u0085', '[\\V]', false],
  [' ', '[\\V]', true],
  ['\u00e9', '[\\P{L}]', false],
  ['!', '[\\PL]', true],
  ['5', '[^\\D]', true],
  ['a', '[^\\D]', false],
  ['\uD83D', '[^\\D]', false],
  ['b', '[\\Da-c]', true],
  ['5', '[\\Da-c]', false],
  ['a', '[^\\W_]', true],
  ['_', '[^\\W_]', false],
  ['!', '[^\\W_]', false],
  ['5', '[^\\D\\s]', true],
  [' ', '[^\\D\\s]', false],
  ['x', '[\\D\\d]', true],
  ['x', '[^\\D\\d]', false],
  ['\u{1F600}', '[^\\d\\W]', false],
  ['-', '[\\V-]', true],
  ['\u00e9', '(?U)[^\\W]', true],
  ['\u00e9', '(?U)[\\W]', false],
  ['\u0663', '(?U)[^\\D]', true],
  // Case-insensitivity does not apply to \\W, only to the letters next to it.
  ['A', '(?i)[\\Wa]', true],
  ['K', '(?iu)[^\\Wk]', false],
  // Intersections: \S minus x.
  ['x', '[\\S&&[^x]]', false],
  ['y', '[\\S&&[^x]]', true],
  // Classes work on code points: Java's Pattern turns the pattern into an int[] of code points before parsing, and
  // a class whose members include a supplementary character matches by code point (CharProperty), never half a
  // surrogate pair.
  // `\` + a supplementary character: Pattern.escape's `default: return ch` gives the whole code point U+1F600.
  ['\u{1F600}', '[\\\u{1F600}]', true],
  ['\uDE00', '[\\\u{1F600}]', false],
  ['\uD83D', '[\\\u{1F600}]', false],
  ['\u{1F600}\uDE00', '[\\\u{1F600}]+', false],
  ['\u{1F600}\u{1F600}', '[\\\u{1F600}]+', true],
  ['\uDE00', '[^\\\u{1F600}]', true],
  ['\u{1F600}', '[^\\\u{1F600}]', false],
  // Ranges whose endpoints are supplementary characters (literal, escaped, \x{…}, or a \uD83D\uDE00 pair, which
  // Pattern.u() joins into one code point).
  ['\u{1F601}', '[\u{1F600}-\u{1F602}]', true],
  ['\u{1F603}', '[\u{1F600}-\u{1F602}]', false],
  ['\uD83D', '[\u{1F600}-\u{1F602}]', false],
  ['\u{1F601}', '[\\\u{1F600}-\\\u{1F602}]', true],
  ['\u{1F603}', '[\\\u{1F600}-\\\u{1F602}]', false],
  ['-', '[\\\u{1F600}-\\\u{1F602}]', false],
  ['\uDE00', '[\\\u{1F600}-\\\u{1F602}]', false],
  ['\u{1F601}', '[\\x{1F600}-\\x{1F602}]', true],
  ['\u{1F601}', '[\\uD83D\\uDE00-\\uD83D\\uDE02]', true],
  ['\u{1F601}', '[a-\u{1F602}]', true],
  ['\u{1F603}', '[a-\u{1F602}]', false],
  ['a', '[\u{1F602}-a]', 'error'],
  // Negated classes: Java's negation is a plain CharPredicate, so it matches one whole code point.
  ['\u{1F601}', '[^\u{1F600}-\u{1F602}]', false],
  ['\u{1F603}', '[^\u{1F600}-\u{1F602}]', true],
  ['\uD83D', '[^\u{1F600}]', true],
  ['\u{1F600}', '[^a]', true],
  ['\u{1F600}', '[^a][^a]', false],
  // `\v` next to `-` in a class is VT (0x0B), not vertical whitespace (the compatibility case in Pattern.escape:
  // `isrange` is set when the character after `v` is `-`, and for a range's end).
  ['\u000c', '[\\v-\\r]', true],
  ['\n', '[\\v-\\r]', false],
  ['\n', '[\\x00-\\v]', true],
  ['\r', '[\\x00-\\v]', false],
  ['-', '[\\v-]', true],
  ['\n', '[\\v-]', false],
  ['\n', '[\\v]', true],
  // A range cannot end in a class escape: Pattern.range() gets -1 from escape() (\d) → "Illegal character range",
  // and \p there is "Illegal/unsupported escape sequence". A class escape can start one only as a literal `-`.
  ['5', '[a-\\d]', 'error'],
  ['a', '[0-\\p{L}]', 'error'],
  ['-', '[\\d-z]', true],
  ['y', '[\\d-z]', false],
  // `-` before `[` is not a range (Pattern.range: endRange == '['): `!`, `-` and the nested class `[a]`.
  ['a', '[!-[a]]', true],
  ['-', '[!-[a]]', true],
  ['"', '[!-[a]]', false],
  // Comments mode: peek() skips whitespace before the `-`, so `[a - c]` is a range.
  ['b', '(?x)[a - c]', true],
  // \Q…\E: Pattern.RemoveQEQuoting rewrites the quote into escaped literals before parsing, in and out of classes.
  ['b', '[a-\\Qc\\E]', true],
  ['b', '[\\Qa\\E-c]', true],
  ['-', '[a\\Q-\\Ec]', true],
  ['b', '[a\\Q-\\Ec]', false],
  ['abbb', '\\Qab\\E*', true],
  ['abab', '\\Qab\\E*', false],
  ['\\', '[\\Q\\\\E]', true],
  ['5', '\\Q5\\E', true],
  [' x', '(?x)\\Q \\Ex', true],
  ['\u{1F600}', '[\\Q\u{1F600}\\E]', true],
  ['\uDE00', '[\\Q\u{1F600}\\E]', false],
  ['a', '[\\', 'error'],
  // Groups, back references, quantifiers.
  ['aa', '(a)\\1', true],
  ['aaaaaaaaaaa1', '(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)\\111', false],
  ['ab', '(?<n>a)b', true],
  ['aa', '(?<n>a)\\k<n>', true],
  ['ab', 'a(?=b)b', true],
  ['ab', 'a(?!c)b', true],
  ['ba', '(?<=b)a', false],
  ['aaa', 'a{2,3}', true],
  ['aaaa', 'a{2,3}', false],
  ['aaaa', 'a{2,}', true],
  ['aaa', 'a*?', true],
  ['a', 'a{3,2}', 'error'],
  ['a', 'a{,2}', 'error'],
  ['a', '*a', 'error'],
  ['a', 'a++', 'error'],
  ['a', '(?>a)', 'error'],
  ['a', '(a', 'error'],
  ['a', 'a)', 'error'],
  ['a', '(?<n>a)\\k<m>', 'error'],
  ['a', '\\1(a)', 'error'],
  // Comments mode.
  ['ab', '(?x) a b # letters', true],
  ['a b', '(?x)a\\ b', true],
  ['ab', '(?x)[a b]b', true],
  // Anchors.
  ['abc', '\\Aabc\\z', true],
  ['abc\n', 'abc\\Z\\n', true],
  ['a\nb', '(?m)a$\\n^b', true],
];

/**
 * Escapes that Java decodes the same way in and out of a class (Pattern.escape(inclass, …) only differs for the
 * constructs in {@link OUTSIDE_ONLY}): each pattern is tried both bare and as `[pattern]`.
 */
const SAME_IN_AND_OUT: readonly (readonly [string, string, Expected])[] = [
  ['\t', '\\t', true],
  ['\n', '\\n', true],
  ['\r', '\\r', true],
  ['\f', '\\f', true],
  ['\u0007', '\\a', true],
  ['\u001b', '\\e', true],
  ['A', '\\x41', true],
  ['\u{1F600}', '\\x{1F600}', true],
  ['A', '\\u0041', true],
  ['\u{1F600}', '\\uD83D\\uDE00', true],
  ['\uD83D', '\\uD83D', true],
  ['A', '\\0101', true],
  ['\u0018', '\\cX', true],
  ['-', '\\-', true],
  ['@', '\\@', true],
  ['\\', '\\\\', true],
  ['\u00e9', '\\\u00e9', true],
  ['\u{1F600}', '\\\u{1F600}', true],
  ['\uDE00', '\\\u{1F600}', false],
  ['\uD83D', '\\\u{1F600}', false],
  ['5', '\\d', true],
  ['x', '\\w', true],
  ['\u00a0', '\\h', true],
  ['\u2028', '\\v', true],
  ['\u00e9', '\\p{L}', true],
  ['\u00e9', '\\pL', true],
  // Letters and digits with no escape meaning are errors in both (digits are back references only outside).
  ['y', '\\y', 'error'],
  ['8', '\\8', 'error'],
  ['E', '\\E', 'error'],
  ['x', '\\x4', 'error'],
  ['x', '\\u004', 'error'],
  ['x', '\\0', 'error'],
  ['x', '\\c', 'error'],
  ['x', '\\', 'error'],
  // \N{name} exists in Java (both contexts) but is refused here in both.
  ['a', '\\N{LATIN SMALL LETTER A}', 'error'],
];

/**
 * Escapes Java accepts only outside a class: in Pattern.escape each of these is `if (inclass) break;`, i.e.
 * "Illegal/unsupported escape sequence" inside `[...]`. Outside they are anchors, boundaries or references.
 */
const OUTSIDE_ONLY: readonly (readonly [string, string])[] = [
  ['a', 'a\\b'],
  ['ab', 'a\\Bb'],
  ['a', '\\Aa'],
  ['a', '\\Ga'],
  ['a', 'a\\z'],
  ['a', 'a\\Z'],
  ['\r\n', '\\R'],
  ['aa', '(a)\\1'],
  ['aa', '(?<n>a)\\k<n>'],
];

describe('Java regex escapes in and out of a class', () => {
  it.each(SAME_IN_AND_OUT)('%j matches %j, bare and in a class → %s', (input, escape, expected) => {
    expect(matches(input, escape)).toBe(expected);
    expect(matches(input, `[${escape}]`)).toBe(expected);
    expect(backtracking(input, escape)).toBe(expected);
    expect(backtracking(input, `[${escape}]`)).toBe(expected);
    expect(linear(input, escape, expected)).toBe(expected);
    expect(linear(input, `[${escape}]`, expected)).toBe(expected);
  });

  it.each(OUTSIDE_ONLY)('%j matches %j, but the escape is an error in a class', (input, pattern) => {
    expect(matches(input, pattern)).toBe(true);
    const escape = /\\[a-zA-Z0-9]/.exec(pattern.slice(pattern.lastIndexOf('\\')))?.[0] ?? '';
    expect(matches(input, `[${escape}]`)).toBe('error');
  });
});

/**
 * Whole classes against Java, code point by code point: `test/fixtures/java-regex-classes.json` holds, for each
 * pattern, the code points of a fixed sample that `Pattern.matches` accepts on JDK 17 (how it was made is in
 * its `_comment`). Only patterns whose sets do not depend on the Unicode version are there (ASCII predefined
 * classes, `\h`, `\v`, case mappings, which the translator pins to Java 17's); classes of Unicode properties
 * are compared with the same escape outside a class instead.
 */
interface ClassFixture {
  readonly supplementary: readonly number[];
  readonly patterns: readonly { readonly pattern: string; readonly matches: string }[];
}

const CLASS_FIXTURE = JSON.parse(
  readFileSync(new URL('../fixtures/java-regex-classes.json', import.meta.url), 'utf8'),
) as ClassFixture;

function sample(): number[] {
  const cps: number[] = [];
  for (let cp = 0; cp <= 0x2fff; cp++) cps.push(cp);
  for (let cp = 0xa640; cp <= 0xa7ff; cp++) cps.push(cp);
  for (let cp = 0xfb00; cp <= 0xffff; cp++) cps.push(cp);
  return [...cps, ...CLASS_FIXTURE.supplementary];
}

/** The sample code points `pattern` matches, as the fixture writes them: hex runs `a` or `a-b`, comma-separated. */
function matchingRuns(pattern: string, cps: readonly number[], engine: 'auto' | 'backtracking' | 'linear' = 'auto'): string {
  const runs: [number, number][] = [];
  let prev = -2;
  const compiled = compilePattern(pattern, true, engine);
  for (const cp of cps) {
    if (!compiled.matches(String.fromCodePoint(cp))) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && prev === cp - 1 && last[1] === prev) last[1] = cp;
    else runs.push([cp, cp]);
    prev = cp;
  }
  return runs.map(([a, b]) => (a === b ? a.toString(16) : `${a.toString(16)}-${b.toString(16)}`)).join(',');
}

describe('Java regex classes, code point by code point (JDK 17 fixture)', () => {
  const cps = sample();
  it.each(CLASS_FIXTURE.patterns.map((p) => [p.pattern, p.matches] as const))('%s', (pattern, expected) => {
    expect(matchingRuns(pattern, cps)).toBe(expected);
    expect(matchingRuns(pattern, cps, 'backtracking')).toBe(expected);
    expect(matchingRuns(pattern, cps, 'linear')).toBe(expected);
  });

  it.each([
    ['[\\P{L}]', '\\P{L}'],
    ['[\\PL]', '\\P{L}'],
    ['[^\\P{L}]', '\\p{L}'],
    ['[^\\P{L}\\d]', '\\p{L}'],
    ['(?U)[\\W]', '(?U)\\W'],
    ['(?U)[^\\W]', '(?U)\\w'],
    ['(?U)[\\S]', '(?U)\\S'],
    ['(?U)[^\\D]', '(?U)\\d'],
    ['(?U)[\\P{Alpha}]', '(?U)\\P{Alpha}'],
    ['[\\P{IsGreek}]', '\\P{IsGreek}'],
  ])('%s matches as %s', (inClass, bare) => {
    expect(matchingRuns(inClass, cps)).toBe(matchingRuns(bare, cps));
  });
});

describe('the two engines read Unicode properties alike', () => {
  // A pattern runs on JS RegExp up to its input cap and on re2js beyond: `\p{…}` must mean the same to both
  // (V8's ICU tables and re2js's own). Planes 0–2 and 14 whole, the rest sampled.
  const sample: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x30000 || (cp >= 0xe0000 && cp < 0xf0000) ? 1 : 97) {
    if (cp < 0xd800 || cp > 0xdfff) sample.push(cp);
  }
  it.each(['\\p{L}', '\\p{Nd}', '\\p{P}', '\\p{IsAlphabetic}', '\\p{javaLowerCase}', '\\p{javaUpperCase}', '\\p{IsGreek}', '(?U)\\s', '\\p{Cn}'])(
    '%s',
    (pattern) => {
      const js = compilePattern(pattern, true, 'backtracking');
      const re2 = compilePattern(pattern, true, 'linear');
      const differ = sample.filter((cp) => js.matches(String.fromCodePoint(cp)) !== re2.matches(String.fromCodePoint(cp)));
      expect(differ.map((cp) => cp.toString(16))).toEqual([]);
    },
  );
});

describe('Java regex semantics', () => {
  it.each(CASES)('%j matches %j → %s', (input, pattern, expected) => {
    expect(matches(input, pattern)).toBe(expected);
    expect(backtracking(input, pattern)).toBe(expected);
    expect(linear(input, pattern, expected)).toBe(expected);
  });

  it('bounds pattern and input length, and the cache', () => {
    expect(MAX_PATTERN_LENGTH).toBe(4096);
    expect(MAX_INPUT_LENGTH).toBe(65536);
    expect(REGEX_CACHE_SIZE).toBe(256);
    expect(matches('a', 'a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe('error');
    expect(matches('a'.repeat(MAX_INPUT_LENGTH + 1), 'a*')).toBe('error');
    expect(matches('a'.repeat(MAX_INPUT_LENGTH), 'a*')).toBe(true);
    for (let i = 0; i < REGEX_CACHE_SIZE * 2; i++) expect(matches(`x${i}`, `x${i}`)).toBe(true);
  });

  it('keeps a pattern in use while more than the cache size of others pass through (least recently used goes)', () => {
    const hot = compileJavaRegex('h[o0]t');
    for (let i = 0; i < REGEX_CACHE_SIZE * 2; i++) {
      compileJavaRegex(`cold${i}`);
      if (i % 16 === 0) expect(compileJavaRegex('h[o0]t')).toBe(hot);
    }
    expect(compileJavaRegex('h[o0]t')).toBe(hot);
    expect(compileJavaRegex('cold0')).not.toBe(compileJavaRegex(`cold${REGEX_CACHE_SIZE * 2 - 1}`));
  });

  it('caches an invalid pattern as its error', () => {
    expect(() => compileJavaRegex('a{')).toThrow(SyntaxError);
    expect(() => compileJavaRegex('a{')).toThrow(/Illegal repetition/);
  });

  it('splits like String.split (limit 0)', () => {
    expect(javaSplit('a,b,,c,,', ',')).toEqual(['a', 'b', '', 'c']);
    expect(javaSplit('abc', '')).toEqual(['a', 'b', 'c']);
    expect(javaSplit('', ',')).toEqual(['']);
  });

  it('splits the same on both engines', () => {
    const rows: readonly (readonly [string, string, readonly string[]])[] = [
      ['a,b,,c,,', ',', ['a', 'b', '', 'c']],
      ['abc', '', ['a', 'b', 'c']],
      [',a', ',', ['', 'a']],
      ['\u{1F600}\u{1F601}', '', ['\u{1F600}', '\u{1F601}']],
      ['a1b22c', '\\d+', ['a', 'b', 'c']],
      ['a b\tc', '\\s', ['a', 'b', 'c']],
      ['aXbxc', '(?i)x', ['a', 'b', 'c']],
      ['ab', '(?<=a)', ['a', 'b']],
      ['one two', '\\b', ['one', ' ', 'two']],
      ['a\nb\n', '$', ['a\nb', '\n']],
      ['a\nb', '(?m)^', ['a\n', 'b']],
    ];
    for (const [input, pattern, expected] of rows) {
      expect(javaSplit(input, pattern)).toEqual(expected);
      expect(compilePattern(pattern, false, 'backtracking').split(input)).toEqual(expected);
      if (linearRuns(pattern, false)) expect(compilePattern(pattern, false, 'linear').split(input)).toEqual(expected);
    }
  });
});
