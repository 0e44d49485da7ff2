/**
 * The Java regex constructs of issue 14, each either run as Java runs it or refused by name. Expected results
 * are taken from the `java.util.regex.Pattern` documentation (Java SE 17), the section named on each table, and
 * where the documentation is silent from JDK 17's `Pattern`/`CharPredicates` source, as noted.
 */
import { describe, expect, it } from 'vitest';
import { RuleEvaluationError, RuleSyntaxError } from '../../src/errors.js';
import { compilePattern } from '../../src/java/regex/engine.js';
import { javaMatches, javaSplit, UnsupportedRegexError } from '../../src/java/regex/index.js';
import type { JavaPattern } from '../../src/java/regex/index.js';
import { compileRule } from '../../src/rules/index.js';

type Expected = boolean | 'error';
type Row = readonly [input: string, pattern: string, expected: Expected];

function matches(input: string, pattern: string): Expected {
  try {
    return javaMatches(input, pattern);
  } catch {
    return 'error';
  }
}

/** re2js on the pattern, or null when RE2 cannot express it (the pattern then runs on JS alone). */
function linear(pattern: string): JavaPattern | null {
  try {
    return compilePattern(pattern, true, 'linear');
  } catch (error) {
    if (error instanceof Error && error.name === 'NeedsBacktracking') return null;
    throw error;
  }
}

/** Each row as compiled, and forced onto each engine (the JS one, and re2js where RE2 can express it). */
function both(rows: readonly Row[]): void {
  it.each(rows)('%j matches %j → %s', (input, pattern, expected) => {
    expect(matches(input, pattern)).toBe(expected);
    if (expected === 'error') return;
    expect(compilePattern(pattern, true, 'backtracking').matches(input)).toBe(expected);
    expect(linear(pattern)?.matches(input) ?? expected).toBe(expected);
  });
}

describe('character class union and intersection', () => {
  // Pattern, "Character classes": [a-d[m-p]] union, [a-z&&[def]] intersection, [a-z&&[^bc]] and [a-z&&[^m-p]]
  // subtraction; "the precedence of character-class operators is, from highest to lowest: literal escape,
  // grouping, range, union, intersection".
  both([
    ['c', '[a-d[m-p]]', true],
    ['n', '[a-d[m-p]]', true],
    ['h', '[a-d[m-p]]', false],
    ['e', '[a-z&&[def]]', true],
    ['a', '[a-z&&[def]]', false],
    ['a', '[a-z&&[^bc]]', true],
    ['b', '[a-z&&[^bc]]', false],
    ['z', '[a-z&&[^bc]]', true],
    ['l', '[a-z&&[^m-p]]', true],
    ['n', '[a-z&&[^m-p]]', false],
    ['q', '[a-z&&[^m-p]]', true],
    // The example: consonants.
    ['b', '[a-z&&[^aeiou]]', true],
    ['e', '[a-z&&[^aeiou]]', false],
    ['B', '[a-z&&[^aeiou]]', false],
    ['bcdfg', '[a-z&&[^aeiou]]+', true],
    ['bcdef', '[a-z&&[^aeiou]]+', false],
    // Union binds tighter than intersection: ([a-e] ∪ [i-u]) ∩ [d-j].
    ['d', '[a-e[i-u]&&[d-j]]', true],
    ['i', '[a-e[i-u]&&[d-j]]', true],
    ['f', '[a-e[i-u]&&[d-j]]', false],
    ['k', '[a-e[i-u]&&[d-j]]', false],
    // An operand without brackets runs to the closing `]`.
    ['5', '[\\w&&\\d]', true],
    ['a', '[\\w&&\\d]', false],
    ['c', '[a-c&&b-d]', true],
    ['a', '[a-c&&b-d]', false],
    // Case-insensitivity applies to each member.
    ['B', '(?i)[a-z&&[^aeiou]]', true],
    ['E', '(?i)[a-z&&[^aeiou]]', false],
    // Supplementary code points: a class matches one whole code point, never half a pair.
    ['\u{1F601}', '[\\x{1F600}-\\x{1F64F}&&[^\\x{1F610}]]', true],
    ['\u{1F610}', '[\\x{1F600}-\\x{1F64F}&&[^\\x{1F610}]]', false],
    ['\uD83D', '[\\x{1F600}-\\x{1F64F}&&[^\\x{1F610}]]', false],
    // Two property operands (written for the JS engine: RE2 cannot intersect two infinite sets).
    ['a', '[\\p{L}&&[^\\p{Lu}]]', true],
    ['\u00e9', '[\\p{L}&&[^\\p{Lu}]]', true],
    ['A', '[\\p{L}&&[^\\p{Lu}]]', false],
    ['1', '[\\p{L}&&[^\\p{Lu}]]', false],
    ['abc\u00e9', '[\\p{L}&&[^\\p{Lu}]]+', true],
    // `[^…]` negates the whole class, intersection included (JDK 9+ Pattern.clazz: isNeg applies to the result).
    ['a', '[^a-z&&[aeiou]]', false],
    ['b', '[^a-z&&[aeiou]]', true],
    ['A', '[^a-z&&[aeiou]]', true],
    // Pattern.clazz: `&&` with nothing on either side is "Bad class syntax"; a lone `&` is a member.
    ['a', '[&&]', 'error'],
    ['&', '[a&b]', true],
    ['a', '[a&&]', true],
    ['b', '[a&&]', false],
  ]);
});

describe('(?i) with \\p{Lower}, \\p{Upper} and the case properties', () => {
  // Pattern, "POSIX character classes (US-ASCII only)": \p{Lower} is [a-z], \p{Upper} is [A-Z]; under
  // CASE_INSENSITIVE JDK 17's CharPredicates.forProperty makes both [a-zA-Z] (and Lu/Ll/Lt, javaLowerCase…,
  // the cased letters; JDK-8214245). "By default, case-insensitive matching assumes that only characters in
  // the US-ASCII charset are being matched" (CASE_INSENSITIVE), so é stays out of (?i)\p{Lower}.
  both([
    ['A', '\\p{Lower}', false],
    ['A', '(?i)\\p{Lower}', true],
    ['a', '(?i)\\p{Upper}', true],
    ['q', '(?i)[\\p{Upper}]', true],
    ['A', '(?i)\\P{Lower}', false],
    ['1', '(?i)\\P{Lower}', true],
    ['\u00e9', '(?i)\\p{Lower}', false],
    ['\u00c9', '(?iU)\\p{Lower}', true],
    ['\u00c9', '(?U)\\p{Lower}', false],
    ['a', '(?i)\\p{Lu}', true],
    ['A', '(?i)\\p{Ll}', true],
    ['A', '(?i)\\p{javaLowerCase}', true],
    ['a', '(?i)\\p{javaUpperCase}', true],
    ['A', '(?i)\\p{IsLowercase}', true],
    ['a', '(?i)\\p{IsUppercase}', true],
    ['ab', '(?i:\\p{Upper})b', true],
    ['aB', '(?i:\\p{Upper})B', true],
    ['ab', '(?i:a)\\p{Upper}', false],
    ['1', '(?i)\\p{Alpha}', false],
    // Names Java does not know are errors, as in Java (\p{L&} is Perl's; Java spells it LC).
    ['a', '\\p{LC}', true],
    ['a', '\\p{L&}', 'error'],
    ['\u00e9', '(?U)\\p{Graph}', true],
    [' ', '(?U)\\p{Graph}', false],
    ['\u00e9', '(?U)\\p{Print}', true],
  ]);
});

describe('(?x) comments mode', () => {
  // Pattern, COMMENTS: "Permits whitespace and comments in pattern. In this mode, whitespace is ignored, and
  // embedded comments starting with # are ignored until the end of a line. Comments mode can also be enabled via
  // the embedded flag expression (?x)." Whitespace is ASCII.isSpace; a line ends at a line terminator (only \n
  // under UNIX_LINES, Pattern.isLineSeparator). The count of {n,m} and the lazy `?` are read past whitespace
  // (Pattern.closure reads them with next()/read()).
  both([
    ['abc', '(?x) a b c # letters', true],
    ['abc', '(?x)a b\n# a comment line\nc', true],
    ['a b', '(?x)a\\ b', true],
    ['a#b', '(?x)a\\#b', true],
    ['ab', '(?x)a\tb\u000b', true],
    ['a', '(?x)[a#]\n]', true],
    ['#', '(?x)[a#]\n]', false],
    ['aaa', '(?x)a{2, 3}', true],
    ['aaaa', '(?x)a{2, 3}', false],
    ['aa', '(?x)a* ?a', true],
    ['ab', '(?x)( ?:a)b', true],
    ['a', '(?x)( ?i)A', true],
    ['ab', '(?x)a#c\rb', true],
    ['a', '(?dx)a#c\rb', true],
    ['ab', '(?dx)a#c\rb', false],
    ['ab c', '(?x)a (?-x)b c', true],
    ['ab c', '(?x:a b) c', true],
    ['a b c', '(?x:a b) c', false],
    [' a ', '(?x)\\Q a \\E', true],
  ]);
});

describe('lone surrogates', () => {
  // Pattern implements UTS #18 Level 1, whose RL1.7 requires that "a sequence consisting of a leading surrogate
  // followed by a trailing surrogate shall be handled as a single code point in matching": a lone surrogate is
  // one character, and never matches half of a pair (Pattern reads both pattern and input by code point).
  both([
    ['\uD83D', '.', true],
    ['\uDE00', '[^a]', true],
    ['\u{1F600}', '.', true],
    ['\u{1F600}', '..', false],
    ['\u{1F600}', '\\uD83D.', false],
    ['\uD83Dx', '\\uD83Dx', true],
    ['\uD83D', '\uD83D', true],
    ['\u{1F600}', '\uD83D\\uDE00', false],
    ['\uDE00', '[\\uDC00-\\uDFFF]', true],
    ['\u{1F600}', '[\\uDC00-\\uDFFF]', false],
    ['\u{1F600}', '[\\uD800-\\uDFFF]+', false],
    ['\uD800', '\\p{Cs}', true],
    ['\u{1F600}', '\\p{Cs}', false],
    ['\uD83D\uD83D', '\\p{Cs}{2}', true],
  ]);

  it('splits on a lone surrogate, never inside a pair', () => {
    expect(javaSplit('a\uD83Db', '\uD83D')).toEqual(['a', 'b']);
    expect(javaSplit('a\u{1F600}b', '\uD83D')).toEqual(['a\u{1F600}b']);
    expect(javaSplit('a\u{1F600}b', '\\uD83D')).toEqual(['a\u{1F600}b']);
  });
});

describe('constructs Java has and this port refuses', () => {
  // Pattern, "Characters": \N{name} is "the character with Unicode character name 'name'" — JS has no table of
  // character names, so the pattern is refused with the construct named, in a class or not.
  it.each(['\\N{LATIN SMALL LETTER A}', '[\\N{LATIN SMALL LETTER A}]', 'a++', '(?>a)', '\\p{InGreek}', '\\X', '\\b{g}'])(
    '%j is refused by name',
    (pattern) => {
      expect(() => javaMatches('a', pattern)).toThrow(UnsupportedRegexError);
      expect(() => javaMatches('a', pattern)).toThrow(/Unsupported Java regex construct: /);
    },
  );

  it('names \\N{…} in the error', () => {
    expect(() => javaMatches('a', '\\N{LATIN SMALL LETTER A}')).toThrow(/\\N\{…\}/);
  });

  it('refuses a rule whose literal regex has such a construct at load, naming the rule and the construct', () => {
    const rule = "${proctor:matches(lang, '\\\\N{LATIN SMALL LETTER A}')}";
    expect(() => compileRule(rule)).toThrow(RuleSyntaxError);
    expect(() => compileRule(rule)).toThrow(/Unsupported Java regex construct: \\N\{…\}.*LATIN SMALL LETTER A.*proctor:matches/);
    for (const method of ["${ua.matches('a++') == true}", "${fn:length(ua.split('a++')) > 0}", "${indeed:matches(ua, '(?>a)')}"]) {
      expect(() => compileRule(method)).toThrow(RuleSyntaxError);
    }
  });

  it('leaves an invalid pattern to evaluation, as Java does (PatternSyntaxException when the rule runs)', () => {
    const rule = compileRule("${proctor:matches(lang, '[')}");
    expect(() => rule.evaluate({ constants: {}, context: { lang: 'en' } })).toThrow(RuleEvaluationError);
    const dynamic = compileRule('${proctor:matches(lang, pattern)}');
    expect(() => dynamic.evaluate({ constants: {}, context: { lang: 'a', pattern: '\\N{LATIN SMALL LETTER A}' } })).toThrow(
      RuleEvaluationError,
    );
    expect(dynamic.evaluate({ constants: {}, context: { lang: 'a', pattern: 'a' } })).toBe(true);
  });

  it('reads a Java lookbehind as bounded, as Pattern does ("Look-behind group does not have an obvious maximum length")', () => {
    expect(matches('aab', '.*(?<=a{1,2})b')).toBe(true);
    expect(() => javaMatches('aab', '.*(?<=a+)b')).toThrow(/obvious maximum length/);
    expect(() => javaMatches('aab', '.*(?<=a*)b')).toThrow(/obvious maximum length/);
  });

  it('keeps \\R backtracking into a lone \\r, as JDK 9+ does (JDK-8176029; Pattern: "\\u000D\\u000A|[…]")', () => {
    both2('\r\n', '\\R\\n', true);
    both2('\r\n', '\\R', true);
    both2('\r', '\\R', true);
  });
});

function both2(input: string, pattern: string, expected: boolean): void {
  expect(javaMatches(input, pattern)).toBe(expected);
  expect(compilePattern(pattern, true, 'backtracking').matches(input)).toBe(expected);
  expect(compilePattern(pattern, true, 'linear').matches(input)).toBe(expected);
}
