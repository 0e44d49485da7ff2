/**
 * Where a translated pattern runs, so that no rule regex can hold the event loop: Java backtracks, and a
 * pattern such as `(a+)+$` on a 28-character value then takes seconds, for every request that carries it.
 *
 * Two engines run the same Java meaning (the tests run every case on both):
 * - **re2js**, linear in the input whatever the pattern, for every pattern RE2 can express — in practice nearly
 *   all: literals, classes (written out as code points, so Java's sets, case folding and intersections are
 *   kept), alternation, greedy and lazy quantifiers, `^`/`\A`/`\z`, a final `$`, `\R`, lookbehind.
 * - **JS `RegExp`** (backtracking, 5–20× faster on short inputs, no compile cost), but only where its worst
 *   case is bounded. The search cost model: with `u` unbounded quantifiers (`*`, `+`, `{n,}`; one more when
 *   searching, for `split`) and a product `f` of the choices of bounded quantifiers and alternations, a
 *   backtracking search takes at most about `f · n^u` steps on `n` characters — provided no quantifier repeats
 *   a group holding a quantifier or an alternation (`(a+)+`, `(a|aa)*`: exponential), which this engine
 *   then never runs. So an input of at most `(budget / f)^(1/u)` characters runs on JS, a longer one on re2js.
 *
 * RE2 lacks lookahead, back references, Java's Unicode `\b`/`\B`, multiline anchors, a `$` before the end and
 * counts above 1000; a pattern that needs one runs on JS alone, and longer input is an error (as an invalid
 * pattern is). Such a pattern is refused when it has nested repetition or its cap would be under
 * {@link MIN_BACKTRACKING_INPUT}. re2js compiles a pattern (0.1–1.5 ms) only when an input first needs it.
 */
import { RE2JS, RE2JSException } from 're2js';
import { NeedsBacktracking, UnsupportedRegexError } from './syntax.js';
import { Translator } from './translator.js';
import type { SearchCost, Translation } from './translator.js';

/** Longest input matched, in UTF-16 units (any engine). */
export const MAX_INPUT_LENGTH = 65536;
/**
 * Backtracking steps the JS engine may take on one input (the cost model's `f · n^u`): measured worst cases at
 * the resulting caps take 1–8 ms (`.*\bbot\b.*` on 2,048 characters, `.*a.*a.*b` on 161).
 */
export const BACKTRACKING_BUDGET = 2 ** 22;
/** A pattern only the JS engine can run is refused when its input cap would be shorter than this. */
export const MIN_BACKTRACKING_INPUT = 256;

/** A compiled Java pattern: `String.matches` / `String.split` semantics and the engines that run it. */
export interface JavaPattern {
  /** `linear`: re2js for every input; `backtracking`: JS for every input; `both`: JS up to {@link backtrackingInput}. */
  readonly engine: 'linear' | 'backtracking' | 'both';
  /** Longest input (UTF-16 units) run on the backtracking JS engine. */
  readonly backtrackingInput: number;
  /** Longest input accepted; longer input throws a RangeError. */
  readonly maxInput: number;
  /** Whole-input match (`String.matches`); for a pattern compiled for matching. */
  matches(input: string): boolean;
  /** Java `input.split(pattern)` (limit 0); for a pattern compiled for splitting. */
  split(input: string): string[];
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

/** Longest input whose backtracking search stays within `budget` steps (0: none; nested repetition: none). */
function inputCap(cost: SearchCost, whole: boolean, budget = BACKTRACKING_BUDGET): number {
  if (cost.nested || cost.factor > budget) return 0;
  const degree = cost.unbounded + (whole ? 0 : 1);
  if (degree === 0) return MAX_INPUT_LENGTH;
  // (The epsilon keeps exact roots exact: (2^24)^(1/3) is 255.99999999999997 in floating point.)
  return Math.min(MAX_INPUT_LENGTH, Math.floor((budget / cost.factor) ** (1 / degree) + 1e-9));
}

/** The cap of a pattern only the JS engine can run, or a refusal naming why its search cannot be bounded. */
function backtrackingOnly(cost: SearchCost, whole: boolean, construct: string): number {
  if (cost.nested) {
    throw new UnsupportedRegexError(
      `a repeated group holding a quantifier or an alternation (such as (a+)+ or (a|b)*) in a pattern that also ` +
        `needs backtracking for ${construct}`,
    );
  }
  const cap = inputCap(cost, whole, BACKTRACKING_BUDGET);
  if (cap < MIN_BACKTRACKING_INPUT) {
    throw new UnsupportedRegexError(
      `${cost.unbounded} unbounded quantifiers and ${cost.factor} bounded choices in a pattern that also needs ` +
        `backtracking for ${construct}`,
    );
  }
  return cap;
}

class CompiledPattern implements JavaPattern {
  private linear: RE2JS | null = null;

  constructor(
    private readonly js: RegExp,
    private re2: Translation | null,
    public backtrackingInput: number,
    public maxInput: number,
    private readonly cost: SearchCost,
    private readonly whole: boolean,
  ) {}

  get engine(): JavaPattern['engine'] {
    if (this.backtrackingInput >= this.maxInput) return 'backtracking';
    return this.backtrackingInput === 0 ? 'linear' : 'both';
  }

  /** re2js for an input past the JS cap, compiled on first need; null when the JS engine takes the input. */
  private engineFor(input: string): RE2JS | null {
    if (input.length > this.maxInput) throw new RangeError(`Input longer than ${this.maxInput} characters for this pattern`);
    if (input.length <= this.backtrackingInput) return null;
    if (this.linear !== null) return this.linear;
    const re2 = this.re2;
    if (re2 !== null) {
      try {
        this.linear = RE2JS.compile(re2.source, re2.lookbehind ? RE2JS.LOOKBEHINDS : 0);
        return this.linear;
      } catch (error) {
        if (!(error instanceof RE2JSException)) throw error;
        // RE2 limits (counts above 1000, program size, a property it lacks): from now on JS alone, bounded.
        this.re2 = null;
        const cap = inputCap(this.cost, this.whole, BACKTRACKING_BUDGET);
        this.maxInput = cap < MIN_BACKTRACKING_INPUT ? this.backtrackingInput : cap;
        this.backtrackingInput = this.maxInput;
      }
    }
    return this.engineFor(input);
  }

  matches(input: string): boolean {
    const linear = this.engineFor(input);
    return linear === null ? this.js.test(input) : linear.matches(input);
  }

  split(input: string): string[] {
    const linear = this.engineFor(input);
    if (linear === null) {
      const re = this.js;
      return splitBy(input, (from) => {
        re.lastIndex = from;
        const m = re.exec(input);
        return m === null ? null : [m.index, m.index + m[0].length];
      });
    }
    const m = linear.matcher(input);
    return splitBy(input, (from) => (from <= input.length && m.find(from) ? [m.start(), m.end()] : null));
  }
}

/**
 * Compiles a Java pattern for `String.matches` (`whole`) or `String.split`. Throws SyntaxError where Java throws
 * `PatternSyntaxException`, and {@link UnsupportedRegexError} for what this port refuses. `engine` forces one
 * engine for every input, unbounded (for tests and the bench comparing the two). @internal
 */
export function compilePattern(pattern: string, whole: boolean, engine: 'auto' | 'backtracking' | 'linear' = 'auto'): JavaPattern {
  // The JS translation reads the whole pattern first, so Java's syntax errors come out the same whatever the engine.
  const js = new Translator(pattern, 'js', whole).translate();
  const re = new RegExp(whole ? `^(?:${js.source})$` : js.source, whole ? 'u' : 'gu');
  if (engine === 'backtracking') return new CompiledPattern(re, null, MAX_INPUT_LENGTH, MAX_INPUT_LENGTH, js.cost, whole);
  let re2: Translation;
  try {
    re2 = new Translator(pattern, 're2', whole).translate();
  } catch (error) {
    if (!(error instanceof NeedsBacktracking) || engine === 'linear') throw error;
    const cap = backtrackingOnly(js.cost, whole, error.construct);
    return new CompiledPattern(re, null, cap, cap, js.cost, whole);
  }
  const fast = engine === 'linear' ? 0 : inputCap(js.cost, whole, BACKTRACKING_BUDGET);
  return new CompiledPattern(re, re2, fast, MAX_INPUT_LENGTH, js.cost, whole);
}
