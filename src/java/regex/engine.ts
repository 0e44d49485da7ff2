/**
 * Where a translated pattern runs, so that no rule regex can hold the event loop: Java backtracks, and a
 * pattern such as `(a+)+$` on a 28-character value then takes seconds, for every request that carries it.
 *
 * - **Linear engine (re2js)** for every pattern RE2 can express with Java's meaning — in practice nearly all:
 *   literals, classes (written out as code points, so Java's sets, case folding and intersections are kept),
 *   alternation, greedy and lazy quantifiers, `^`/`\A`/`\z`, a final `$`, lookbehind. Time is linear in the
 *   input whatever the pattern.
 * - **Backtracking engine (JS `RegExp`)** only for what RE2 lacks: lookahead, back references, Java's Unicode
 *   `\b`/`\B`, `\R`, multiline anchors, a `$` before the end, counts above 1000. Such a pattern is accepted only
 *   when its search space is provably small: no repeated group that holds a quantifier or an alternation (the
 *   exponential shapes), and an input cap from its polynomial degree — with `u` unbounded quantifiers
 *   (one more when searching, for `split`) and a product `f` of bounded choices, at most `(BUDGET / f)^(1/u)`
 *   UTF-16 units are matched; longer input is an error, as an invalid pattern is. A pattern whose cap would be
 *   under {@link MIN_BACKTRACKING_INPUT} is refused.
 */
import { RE2JS, RE2JSException } from 're2js';
import { Translator } from './translator.js';
import type { SearchCost } from './translator.js';
import { NeedsBacktracking, UnsupportedRegexError } from './syntax.js';

/** Longest input matched, in UTF-16 units (any engine). */
export const MAX_INPUT_LENGTH = 65536;
/** Backtracking steps a pattern on the JS engine is sized for (about 10–50 ms of matching). */
export const BACKTRACKING_BUDGET = 2 ** 26;
/** A backtracking pattern whose input cap would be shorter than this is refused. */
export const MIN_BACKTRACKING_INPUT = 256;

/** A compiled Java pattern: `String.matches` / `String.split` semantics and the engine that runs it. */
export interface JavaPattern {
  /** `linear` (re2js) or `backtracking` (JS RegExp with a bounded search space). */
  readonly engine: 'linear' | 'backtracking';
  /** Longest input (UTF-16 units) this pattern is run on; longer input throws a RangeError. */
  readonly maxInput: number;
  /** Whole-input match (`String.matches`); for a pattern compiled for matching. */
  matches(input: string): boolean;
  /** Java `input.split(pattern)` (limit 0); for a pattern compiled for splitting. */
  split(input: string): string[];
}

function checkLength(input: string, max: number): void {
  if (input.length > max) throw new RangeError(`Input longer than ${max} characters for this pattern`);
}

/**
 * Java `String.split` (limit 0) over a search: no leading empty piece for a zero-width match at 0, trailing
 * empty pieces dropped; after an empty match the search moves on by one code point.
 */
function splitBy(input: string, find: (from: number) => [number, number] | null): string[] {
  const pieces: string[] = [];
  let index = 0;
  let from = 0;
  for (let m = find(from); m !== null; m = find(from)) {
    const [start, end] = m;
    from = end;
    if (end === start) {
      from = start + ((input.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
      if (start >= input.length) break;
      if (start === 0) continue;
    }
    pieces.push(input.slice(index, start));
    index = end;
    if (from > input.length) break;
  }
  if (index === 0) return [input];
  pieces.push(input.slice(index));
  while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces;
}

function linear(re: RE2JS): JavaPattern {
  return {
    engine: 'linear',
    maxInput: MAX_INPUT_LENGTH,
    matches(input) {
      checkLength(input, MAX_INPUT_LENGTH);
      return re.matches(input);
    },
    split(input) {
      checkLength(input, MAX_INPUT_LENGTH);
      const m = re.matcher(input);
      return splitBy(input, (from) => (from <= input.length && m.find(from) ? [m.start(), m.end()] : null));
    },
  };
}

function backtracking(re: RegExp, maxInput: number): JavaPattern {
  return {
    engine: 'backtracking',
    maxInput,
    matches(input) {
      checkLength(input, maxInput);
      return re.test(input);
    },
    split(input) {
      checkLength(input, maxInput);
      return splitBy(input, (from) => {
        re.lastIndex = from;
        const m = re.exec(input);
        return m === null ? null : [m.index, m.index + m[0].length];
      });
    },
  };
}

/** The input cap of a pattern on the backtracking engine, or a refusal naming why it cannot be bounded. */
function backtrackingCap(cost: SearchCost, whole: boolean, construct: string): number {
  if (cost.nested) {
    throw new UnsupportedRegexError(
      `a repeated group holding a quantifier or an alternation (such as (a+)+ or (a|b)*) in a pattern that also ` +
        `needs backtracking for ${construct}`,
    );
  }
  const degree = cost.unbounded + (whole ? 0 : 1);
  const cap = degree === 0 ? (cost.factor <= BACKTRACKING_BUDGET ? MAX_INPUT_LENGTH : 0) : Math.floor((BACKTRACKING_BUDGET / cost.factor) ** (1 / degree));
  if (cap < MIN_BACKTRACKING_INPUT) {
    throw new UnsupportedRegexError(
      `${cost.unbounded} unbounded quantifiers and ${cost.factor} bounded choices in a pattern that also needs ` +
        `backtracking for ${construct}`,
    );
  }
  return Math.min(cap, MAX_INPUT_LENGTH);
}

/**
 * Compiles a Java pattern for `String.matches` (`whole`) or `String.split`. Throws SyntaxError where Java throws
 * `PatternSyntaxException`, and {@link UnsupportedRegexError} for what this port refuses. `engine:
 * 'backtracking'` forces the JS engine without a bound (for tests comparing the two engines). @internal
 */
export function compilePattern(pattern: string, whole: boolean, engine: 'auto' | 'backtracking' = 'auto'): JavaPattern {
  // The JS translation reads the whole pattern first, so Java's syntax errors come out the same whatever the engine.
  const js = new Translator(pattern, 'js', whole).translate();
  const jsRe = new RegExp(whole ? `^(?:${js.source})$` : js.source, whole ? 'u' : 'gu');
  if (engine === 'backtracking') return backtracking(jsRe, MAX_INPUT_LENGTH);
  let construct: string;
  try {
    const re2 = new Translator(pattern, 're2', whole).translate();
    return linear(RE2JS.compile(re2.source, re2.lookbehind ? RE2JS.LOOKBEHINDS : 0));
  } catch (error) {
    if (error instanceof NeedsBacktracking) construct = error.construct;
    else if (error instanceof RE2JSException) construct = `a pattern RE2 limits (${error.message})`;
    else throw error;
  }
  return backtracking(jsRe, backtrackingCap(js.cost, whole, construct));
}
