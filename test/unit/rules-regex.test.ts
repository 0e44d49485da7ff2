/** Java regular expressions as `proctor:matches` and `String.matches` see them (spec §3.6, §3.9). */
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_LENGTH, MAX_PATTERN_LENGTH, REGEX_CACHE_SIZE } from '../../src/rules/index.js';
import { javaMatches } from '../../src/rules/java-regex.js';

type Expected = boolean | 'error';

function matches(input: string, pattern: string): Expected {
  try {
    return javaMatches(input, pattern);
  } catch {
    return 'error';
  }
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
  ['b', '[a-c&&b]', 'error'],
  ['a', '[[a]]', 'error'],
  ['a', '[', 'error'],
  ['a', '[b-a]', 'error'],
  ['5', '[\\d]', true],
  ['x', '[\\w&]', true],
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

describe('Java regex semantics', () => {
  it.each(CASES)('%j matches %j → %s', (input, pattern, expected) => {
    expect(matches(input, pattern)).toBe(expected);
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
});
