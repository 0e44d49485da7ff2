/**
 * Force groups, the scanner: where the force-groups regex's payload sub-patterns (`;type:VALUE`) end.
 * The parser (`parse.ts`) walks the groups; this finds the payload text it may keep.
 *
 * Java scans the string with `Matcher.find()` and this regex (`\w`, `\d`, `\s` are ASCII in Java):
 *
 * ```
 * \w+-?\d+(?:;\w+:(?:NUM|STR|ARRAY|MAP))?|[a-z_]+
 * NUM   = -?\d+\.?\d*                 STR = "(?:\\.|[^"\\]+)*"
 * ARRAY = \[(?:\s*SN(?:\s*,\s*SN)*)?\]   (SN = NUM|STR)
 * MAP   = \{(?:\s*STR\s*:\s*V(?:\s*,\s*STR\s*:\s*V)*)?\}   (V = NUM|STR|ARRAY)
 * ```
 *
 * A JS `RegExp` is not used: the header arrives from untrusted clients, `STR` nests quantifiers (Java itself
 * backtracks exponentially or overflows its stack on some inputs), and JS's `\s` is not Java's. Instead a
 * hand-written scanner reproduces the regex's results. That is possible because every sub-pattern has at most
 * one way to end: NUM is maximal (a shorter NUM would be followed by a digit or `.`, which nothing in the
 * pattern accepts), STR ends at the first unescaped quote, and ARRAY/MAP end at the first bracket that
 * closes them. So a single left-to-right pass with memoised tails gives Java's answer in linear time.
 */

import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  DOT,
  isDigit,
  isLineTerminator,
  isRegexSpace,
  isWordChar,
  MINUS,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './chars.js';

/**
 * Finds where the payload sub-patterns of the force-groups regex end. Results are memoised per position, so
 * repeated attempts over the same tail (each `find()` retry after a skipped match) cost nothing extra.
 */
export class PayloadScanner {
  private readonly s: string;
  private readonly n: number;
  /** For a fresh STR-content position: index of the closing quote, or -1. Built on first use. */
  private strClose: Int32Array | undefined;
  /** ARRAY continuation after an element: end + 1, -1 for failure, 0 for unknown. */
  private arrayTail: Int32Array | undefined;
  /** MAP continuation after a value: end + 1, -1 for failure, 0 for unknown. */
  private mapTail: Int32Array | undefined;

  constructor(s: string) {
    this.s = s;
    this.n = s.length;
  }

  private code(i: number): number {
    return this.s.charCodeAt(i);
  }

  private skipSpace(i: number): number {
    while (isRegexSpace(this.code(i))) i++;
    return i;
  }

  /** `;\w+:VALUE` at `i` (which holds the `;`): the match end, or -1. */
  payloadEnd(i: number): number {
    let t = i + 1;
    while (isWordChar(this.code(t))) t++;
    if (t === i + 1 || this.code(t) !== COLON) return -1;
    return this.value(t + 1);
  }

  /** NUM | STR | ARRAY | MAP at `i`: the end, or -1. */
  private value(i: number): number {
    const c = this.code(i);
    if (c === OPEN_BRACKET) return this.array(i);
    if (c === OPEN_BRACE) return this.map(i);
    return this.stringOrNumber(i);
  }

  private stringOrNumber(i: number): number {
    const c = this.code(i);
    if (c === QUOTE) return this.str(i);
    if (c === MINUS || isDigit(c)) return this.num(i);
    return -1;
  }

  private num(i: number): number {
    if (this.code(i) === MINUS) i++;
    if (!isDigit(this.code(i))) return -1;
    while (isDigit(this.code(i))) i++;
    if (this.code(i) === DOT) {
      i++;
      while (isDigit(this.code(i))) i++;
    }
    return i;
  }

  private str(i: number): number {
    const close = (this.strClose ??= this.buildStrClose())[i + 1] as number;
    return close < 0 ? -1 : close + 1;
  }

  /** Right-to-left table of where STR content starting at each position closes (linear, built once). */
  private buildStrClose(): Int32Array {
    const n = this.n;
    const close = new Int32Array(n + 2);
    close[n] = -1;
    close[n + 1] = -1;
    for (let i = n - 1; i >= 0; i--) {
      const c = this.code(i);
      if (c === QUOTE) {
        close[i] = i;
      } else if (c === BACKSLASH) {
        close[i] = i + 1 < n && !isLineTerminator(this.code(i + 1)) ? (close[i + 2] as number) : -1;
      } else {
        close[i] = close[i + 1] as number;
      }
    }
    return close;
  }

  private array(i: number): number {
    const first = this.stringOrNumber(this.skipSpace(i + 1));
    if (first >= 0) return this.arrayRest(first);
    return this.code(i + 1) === CLOSE_BRACKET ? i + 2 : -1;
  }

  private arrayRest(start: number): number {
    return this.listRest(start, (this.arrayTail ??= new Int32Array(this.n + 1)), (i) => this.stringOrNumber(i), CLOSE_BRACKET);
  }

  /**
   * The `(,item)*` tail of an array or map starting at `start`, then the closing char: the end, or -1.
   * Every position visited is memoized, so backtracking over a long list stays linear.
   */
  private listRest(start: number, memo: Int32Array, item: (i: number) => number, close: number): number {
    const visited: number[] = [];
    let i = start;
    let result: number;
    for (;;) {
      const known = memo[i] as number;
      if (known !== 0) {
        result = known > 0 ? known - 1 : -1;
        break;
      }
      visited.push(i);
      const comma = this.skipSpace(i);
      if (this.code(comma) === COMMA) {
        const next = item(this.skipSpace(comma + 1));
        if (next >= 0) {
          i = next;
          continue;
        }
      }
      result = this.code(i) === close ? i + 1 : -1;
      break;
    }
    for (const v of visited) memo[v] = result >= 0 ? result + 1 : -1;
    return result;
  }

  /** `STR\s*:\s*(NUM|STR|ARRAY)` at `i`: the end, or -1. */
  private entry(i: number): number {
    if (this.code(i) !== QUOTE) return -1;
    const keyEnd = this.str(i);
    if (keyEnd < 0) return -1;
    const colon = this.skipSpace(keyEnd);
    if (this.code(colon) !== COLON) return -1;
    const v = this.skipSpace(colon + 1);
    return this.code(v) === OPEN_BRACKET ? this.array(v) : this.stringOrNumber(v);
  }

  private map(i: number): number {
    const first = this.entry(this.skipSpace(i + 1));
    if (first >= 0) return this.mapRest(first);
    return this.code(i + 1) === CLOSE_BRACE ? i + 2 : -1;
  }

  private mapRest(start: number): number {
    return this.listRest(start, (this.mapTail ??= new Int32Array(this.n + 1)), (i) => this.entry(i), CLOSE_BRACE);
  }

}
