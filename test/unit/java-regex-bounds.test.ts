/**
 * Bounded rule regexes (issue 15, item 4): a catastrophically backtracking pattern plus a user-controlled value
 * must not hold the process. Each ReDoS row below takes seconds to hours on a backtracking engine (`(a+)+$` on
 * 28 characters > 5 s in V8, doubling per character); here the result is asserted and the evaluation must come
 * back well inside a generous ceiling. Which engine runs what, and the refusals, are asserted too.
 */
import { describe, expect, it } from 'vitest';
import { RuleEvaluationError, RuleSyntaxError } from '../../src/errors.js';
import { compilePattern } from '../../src/java/regex/engine.js';
import {
  BACKTRACKING_BUDGET,
  compileJavaRegex,
  compileJavaSplit,
  javaMatches,
  javaSplit,
  MAX_INPUT_LENGTH,
  MIN_BACKTRACKING_INPUT,
  UnsupportedRegexError,
} from '../../src/java/regex/index.js';
import { compileRule } from '../../src/rules/index.js';

/** Far above the milliseconds these take, far below the minutes a backtracking engine would. */
const CEILING_MS = 1000;

function timed<T>(run: () => T): T {
  const start = performance.now();
  const result = run();
  expect(performance.now() - start).toBeLessThan(CEILING_MS);
  return result;
}

const a = (n: number): string => 'a'.repeat(n);

const REDOS: readonly (readonly [pattern: string, input: string, expected: boolean])[] = [
  ['(a+)+$', `${a(26)}!`, false],
  ['(a+)+$', `${a(28)}!`, false],
  ['(a+)+$', `${a(64)}!`, false],
  ['(a+)+$', a(MAX_INPUT_LENGTH), true],
  ['(a|a)*b', a(64), false],
  ['(a|aa)+$', `${a(64)}!`, false],
  ['(x+x+)+y', 'x'.repeat(5000), false],
  ['(\\w+\\s?)*$', `${'word '.repeat(40)}!`, false],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', `${a(40)}!`, false],
  ['.*a.*a.*a.*a.*b', a(MAX_INPUT_LENGTH), false],
  ['(?i)(.*iphone.*)+', `${'iPhone'.repeat(2000)}\n`, false],
];

describe('ReDoS patterns finish within a bound', () => {
  it.each(REDOS)('%j on %#', (pattern, input, expected) => {
    // Past its JS cap (none for nested repetition), the input runs on the linear engine.
    expect(input.length).toBeGreaterThan(compileJavaRegex(pattern).backtrackingInput);
    expect(timed(() => javaMatches(input, pattern))).toBe(expected);
  });

  it('through proctor:matches, String.matches and String.split in rules', () => {
    const scope = { constants: {}, context: { agent: `${a(40)}!` } };
    expect(timed(() => compileRule("${proctor:matches(agent, '(a+)+$')}").evaluate(scope))).toBe(false);
    expect(timed(() => compileRule("${indeed:matches(agent, '(a|aa)+$')}").evaluate(scope))).toBe(false);
    // (A bare method call as the whole rule fails Tomcat 7's type check, hence `== false`.)
    expect(timed(() => compileRule("${agent.matches('(a+)+$') == false}").evaluate(scope))).toBe(true);
    expect(timed(() => compileRule("${fn:length(agent.split('(a+)+b')) == 1}").evaluate(scope))).toBe(true);
    expect(timed(() => compileRule("${fn:length(agent.split('(a|aa)+!')) == 0}").evaluate(scope))).toBe(true);
  });

  it('a class union is one choice per code point on the JS engine ([\\D\\s]+ took 4.7 s on 27 characters before)', () => {
    const input = `${' '.repeat(MAX_INPUT_LENGTH - 1)}5`;
    expect(compileJavaRegex('[\\D\\s]+').engine).toBe('backtracking');
    expect(timed(() => javaMatches(input, '[\\D\\s]+'))).toBe(false);
    expect(timed(() => compilePattern('[\\D\\s]+', true, 'backtracking').matches(input))).toBe(false);
    expect(timed(() => compilePattern('(?U)[\\W\\d]+x', true, 'backtracking').matches(input))).toBe(false);
  });

  it('splits a long hostile value in linear time', () => {
    expect(timed(() => javaSplit(`${' '.repeat(MAX_INPUT_LENGTH - 1)}x`, '\\s*,'))).toHaveLength(1);
    expect(timed(() => javaSplit(a(MAX_INPUT_LENGTH), '(a+)+b'))).toHaveLength(1);
  });
});

describe('which engine runs an input', () => {
  /** The JS cap of a pattern with `degree` unbounded quantifiers and `factor` bounded choices. */
  const cap = (degree: number, factor: number): number =>
    degree === 0 ? MAX_INPUT_LENGTH : Math.min(MAX_INPUT_LENGTH, Math.floor((BACKTRACKING_BUDGET / factor) ** (1 / degree) + 1e-9));

  it.each([
    ['.*iPhone.*', 'both', cap(2, 1)],
    ['(?i).*(bot|crawler|spider).*', 'both', cap(2, 3)],
    ['.*a.*a.*a.*a.*b', 'both', cap(5, 1)],
    ['[a-z]{2}_[A-Z]{2}', 'backtracking', MAX_INPUT_LENGTH],
    ['\\d+', 'backtracking', MAX_INPUT_LENGTH],
    ['en|fr|de', 'backtracking', MAX_INPUT_LENGTH],
    ['^en.*$', 'backtracking', MAX_INPUT_LENGTH],
    ['[a-z&&[^aeiou]]+', 'backtracking', MAX_INPUT_LENGTH],
    ['(a+)+$', 'linear', 0],
    ['(a|aa)*', 'linear', 0],
    ['(?:[a-z]+\\.)+com', 'linear', 0],
  ] as const)('%j: %s, JS up to %d characters', (pattern, engine, limit) => {
    const compiled = compileJavaRegex(pattern);
    expect(compiled.engine).toBe(engine);
    expect(compiled.backtrackingInput).toBe(limit);
    expect(compiled.maxInput).toBe(MAX_INPUT_LENGTH);
  });

  it('answers the same on either side of the JS cap', () => {
    const ua = (n: number, tail: string): string => `Mozilla/5.0 (${'x'.repeat(n)}) ${tail}`;
    const iphone = compileJavaRegex('.*iPhone.*');
    for (const n of [10, iphone.backtrackingInput, iphone.backtrackingInput + 10, 20000]) {
      expect(iphone.matches(ua(n, 'iPhone Safari'))).toBe(true);
      expect(iphone.matches(ua(n, 'Android'))).toBe(false);
      expect(iphone.matches(ua(n, 'iPhone\nSafari'))).toBe(false);
    }
    const split = compileJavaSplit('\\s*,\\s*');
    expect(split.engine).toBe('both');
    const long = Array.from({ length: 2000 }, (_, i) => `v${i}`);
    expect(split.split(long.join(' , '))).toEqual(long);
    expect(split.split('a , b,c')).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['.*\\bbot\\b.*', 2],
    ['a(?=b)b', 0],
    ['(a)\\1', 0],
    ['(?m)^a$', 0],
    ['a$\\n', 0],
    ['[\\p{L}&&[^\\p{Lu}]]*x', 1],
  ] as const)('%j needs the JS engine alone, capped from its %d unbounded quantifiers', (pattern, degree) => {
    const compiled = compileJavaRegex(pattern);
    expect(compiled.engine).toBe('backtracking');
    const limit = degree === 0 ? MAX_INPUT_LENGTH : Math.min(MAX_INPUT_LENGTH, Math.floor(BACKTRACKING_BUDGET ** (1 / degree) + 1e-9));
    expect(compiled.maxInput).toBe(limit);
    expect(compiled.backtrackingInput).toBe(limit);
  });

  it('a count RE2 cannot compile moves the pattern to the JS engine alone, bounded', () => {
    const compiled = compileJavaRegex('(?:ab){1001}c*');
    expect(compiled.engine).toBe('backtracking');
    expect(compiled.matches(`${'ab'.repeat(1001)}c`)).toBe(true);
    const nested = compileJavaRegex('(?:a|b){1001}(a+)+$');
    expect(nested.engine).toBe('linear');
    expect(() => nested.matches(`${'a'.repeat(1100)}!`)).toThrow(RangeError);
  });

  it('a final $ is the end of the input in a whole match, for RE2; elsewhere it needs the JS engine', () => {
    expect(compilePattern('abc$', true, 'linear').matches('abc')).toBe(true);
    expect(compilePattern('(a$|b)', true, 'linear').matches('a')).toBe(true);
    for (const [pattern, whole] of [['(a$|b)c', true], ['(a$)*', true], ['a$', false]] as const) {
      expect(() => compilePattern(pattern, whole, 'linear')).toThrow(/needs the backtracking engine: \$/);
    }
    expect(javaMatches('abc\n', 'abc$')).toBe(false);
    expect(javaMatches('abc\n', 'abc$\\n')).toBe(true);
    expect(javaMatches('b', '(a$|b)')).toBe(true);
  });

  it('refuses a backtracking-only pattern whose search cannot be bounded, naming why', () => {
    for (const pattern of ['(a+)+\\b', '(a|b)*\\1', '(\\w+\\s?)*(?=x)', '\\R+\\b']) {
      expect(() => compileJavaRegex(pattern)).toThrow(UnsupportedRegexError);
      expect(() => compileJavaRegex(pattern)).toThrow(/repeated group holding a quantifier or an alternation/);
    }
    expect(() => compileJavaRegex('.*\\b.*\\b.*')).toThrow(/3 unbounded quantifiers/);
    expect(Math.floor(BACKTRACKING_BUDGET ** (1 / 3))).toBeLessThan(MIN_BACKTRACKING_INPUT);
  });

  it('refuses such a rule at load, naming the rule and the construct', () => {
    const rule = "${proctor:matches(ua, '(a+)+\\\\b')}";
    expect(() => compileRule(rule)).toThrow(RuleSyntaxError);
    expect(() => compileRule(rule)).toThrow(/repeated group.*\\b.*proctor:matches\(ua/);
  });

  it('an input longer than a backtracking pattern’s cap is an error (the rule errors), never a silent false', () => {
    const compiled = compileJavaRegex('.*\\bbot\\b.*');
    const worst = `${'bot '.repeat(compiled.maxInput / 4 - 1)}bo\n\n`;
    expect(worst.length).toBe(compiled.maxInput);
    expect(timed(() => compiled.matches(worst))).toBe(false);
    expect(() => compiled.matches(`${worst}x`)).toThrow(RangeError);
    const rule = compileRule("${proctor:matches(ua, '.*\\\\bbot\\\\b.*')}");
    expect(rule.evaluate({ constants: {}, context: { ua: 'a bot here' } })).toBe(true);
    expect(() => rule.evaluate({ constants: {}, context: { ua: `${worst}x` } })).toThrow(RuleEvaluationError);
  });

  it('the forced engines (for tests and the bench) run every input on one engine', () => {
    expect(compilePattern('(a+)+$', true, 'backtracking').engine).toBe('backtracking');
    expect(compilePattern('(a+)+$', true, 'backtracking').maxInput).toBe(MAX_INPUT_LENGTH);
    expect(compilePattern('.*iPhone.*', true, 'linear').engine).toBe('linear');
  });
});
