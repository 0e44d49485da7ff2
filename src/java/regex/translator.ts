/**
 * Translates a Java pattern for one of two engines: JS `RegExp` source (`u` mode, backtracking) or RE2 syntax
 * (re2js, linear time). Alternation, groups and inline flags, quantifiers, atoms and character classes are
 * read here; escapes by {@link PatternReader}. Writing RE2 throws {@link NeedsBacktracking} at the first
 * construct RE2 cannot express with Java's meaning (lookahead, back references, Java's Unicode `\b`, a `$` that
 * is not at the end of a whole-input match…). The JS translation also measures what a backtracking search
 * may cost (see `engine.ts`).
 */
import { caseVariants } from './case-folding.js';
import { jsPredicate, not, re2Predicate, set } from './char-class.js';
import type { CharPred } from './char-class.js';
import { ClassReader } from './class-reader.js';
import { applyFlags, invalid, LINE_TERMINATORS, literal, NeedsBacktracking, NO_FLAGS, unsupported, WORD_CHAR } from './syntax.js';
import type { Anchor, Flags } from './syntax.js';

/** Deepest group nesting translated (deeper patterns are refused). */
const MAX_GROUP_NESTING = 128;
/** Java's `MAX_REPS`: the upper bound of `*`, `+` and `{n,}`. */
const MAX_REPS = 0x7fffffff;
/** Marks a `$`/`\Z` in RE2 output until it is known whether it ends the match (then `\z`). */
const TAIL = '\u0000';

export type Target = 'js' | 're2';

/** What a backtracking search over the JS translation may cost (see `engine.ts`). */
export interface SearchCost {
  /** Quantifiers without an upper bound (`*`, `+`, `{n,}`). */
  readonly unbounded: number;
  /** Product of the choices of bounded quantifiers (`?`, `{n,m}`) and of alternations. */
  readonly factor: number;
  /** Set when a quantifier repeats a group holding a quantifier or an alternation (`(a+)+`, `(a|ab)*`). */
  readonly nested: boolean;
}

export interface Translation {
  readonly source: string;
  /** The RE2 source uses lookbehind (re2js's LOOKBEHINDS flag). */
  readonly lookbehind: boolean;
  readonly cost: SearchCost;
}

/** A Java pattern's translation; one instance per pattern and target. */
export class Translator extends ClassReader {
  private depth = 0;
  private unbounded = 0;
  private factor = 1;
  private quantifiers = 0;
  private alternations = 0;
  private nested = false;
  private lookbehind = false;
  /** Quantifiers and alternations inside the group atom just read (for the nesting test). */
  private lastGroup = 0;

  /** `whole`: the match must span the input (`String.matches`), else it is searched for (`String.split`). */
  constructor(
    pattern: string,
    private readonly target: Target,
    private readonly whole: boolean,
  ) {
    super(pattern);
  }

  translate(): Translation {
    const body = this.alternation(NO_FLAGS, false);
    if (this.i < this.p.length) invalid("Unmatched closing ')'", this.p, this.i - 1);
    return {
      source: this.target === 're2' ? resolveTails(body, this.whole) : body,
      lookbehind: this.lookbehind,
      cost: { unbounded: this.unbounded, factor: this.factor, nested: this.nested },
    };
  }

  private get re2(): boolean {
    return this.target === 're2';
  }

  private backtracking(construct: string): never {
    throw new NeedsBacktracking(construct);
  }

  /** Alternatives up to `)` or the end; `flags` may change inline (`(?i)`) for the rest of the group. */
  private alternation(initial: Flags, inGroup: boolean): string {
    let flags = initial;
    const alternatives: string[] = [];
    let seq = '';
    for (;;) {
      this.skipComments(flags);
      if (this.i >= this.p.length) break;
      const c = this.peek();
      if (c === 0x29) {
        if (!inGroup) invalid("Unmatched closing ')'", this.p, this.i);
        break;
      }
      if (c === 0x7c) {
        this.i++;
        alternatives.push(seq);
        seq = '';
        continue;
      }
      if (c === 0x28) {
        const inline = this.inlineFlags(flags);
        if (inline !== null) {
          flags = inline;
          continue;
        }
      }
      this.lastGroup = 0;
      const atom = this.atom(flags);
      seq += atom === '' ? '' : this.quantified(atom, flags, this.lastGroup);
    }
    alternatives.push(seq);
    if (alternatives.length > 1) {
      this.alternations++;
      this.factor *= alternatives.length;
    }
    return alternatives.join('|');
  }

  /** `(?idmsuxU-idmsuxU)` without a body: returns the new flags, or null when this is another group kind. */
  private inlineFlags(flags: Flags): Flags | null {
    const open = this.i;
    this.i++;
    this.skipComments(flags);
    const m = /^\?([idmsuxU]*)(?:-([idmsuxU]*))?\)/.exec(this.p.slice(this.i));
    if (m === null) {
      this.i = open;
      return null;
    }
    this.i += m[0].length;
    return applyFlags(flags, m[1] ?? '', m[2] ?? '');
  }

  /** Java's `closure`: `?` `*` `+` `{n}` `{n,}` `{n,m}`, then `?` (lazy) or `+` (possessive, refused). */
  private quantified(atom: string, flags: Flags, inner: number): string {
    this.skipComments(flags);
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === 0x2a || c === 0x2b || c === 0x3f) {
      this.i++;
      [min, max] = c === 0x2a ? [0, MAX_REPS] : c === 0x2b ? [1, MAX_REPS] : [0, 1];
    } else if (c === 0x7b) {
      [min, max] = this.counted(flags);
    } else {
      return atom;
    }
    this.skipComments(flags);
    let lazy = '';
    if (this.peek() === 0x3f) {
      this.i++;
      lazy = '?';
    } else if (this.peek() === 0x2b) {
      unsupported('possessive quantifier');
    }
    this.quantifiers++;
    if (max === MAX_REPS) this.unbounded++;
    else this.factor *= max - min + 1;
    if (inner > 0) this.nested = true;
    const q = max === MAX_REPS ? (min === 0 ? '*' : min === 1 ? '+' : `{${min},}`) : min === max ? `{${min}}` : min === 0 && max === 1 ? '?' : `{${min},${max}}`;
    const quantifiable = /^\(\?<?[=!]/.test(atom) ? `(?:${atom})` : atom;
    return quantifiable + q + lazy;
  }

  /** `{n}`, `{n,}`, `{n,m}`: as Java's closure reads them, digits may be spaced out in comments mode. */
  private counted(flags: Flags): [number, number] {
    const start = this.i;
    this.i++;
    const digits = (): string => {
      let s = '';
      for (;;) {
        this.skipComments(flags);
        const d = this.peek();
        if (d < 0x30 || d > 0x39) return s;
        s += String.fromCharCode(d);
        this.i++;
      }
    };
    const first = this.peek();
    if (first < 0x30 || first > 0x39) invalid('Illegal repetition', this.p, start);
    const min = Number(digits());
    let max = min;
    if (this.peek() === 0x2c) {
      this.i++;
      const m = digits();
      max = m === '' ? MAX_REPS : Number(m);
    }
    this.skipComments(flags);
    if (this.peek() !== 0x7d) invalid('Unclosed counted closure', this.p, this.i);
    this.i++;
    if (min > MAX_REPS || max > MAX_REPS) invalid('Illegal repetition range', this.p, start);
    if (max < min) invalid('Illegal repetition range', this.p, this.i - 1);
    return [min, max];
  }

  private atom(flags: Flags): string {
    const start = this.i;
    const c = this.read();
    switch (c) {
      case 0x28:
        return this.group(flags);
      case 0x5b:
        this.i = start;
        return this.pred(this.clazz(flags, true));
      case 0x2e:
        return this.pred(flags.s ? not(set('')) : not(set(flags.d ? '\\n' : LINE_TERMINATORS)));
      case 0x5e:
        if (flags.m) return this.re2 ? this.backtracking('(?m)^') : `(?:^|(?<=[${flags.d ? '\\n' : LINE_TERMINATORS}])(?=[^]))`;
        return this.re2 ? '\\A' : '^';
      case 0x24:
        if (flags.m) return this.re2 ? this.backtracking('(?m)$') : `(?=[${flags.d ? '\\n' : LINE_TERMINATORS}]|$)`;
        return this.anchor('Z', flags);
      case 0x5c: {
        const e = this.escape(flags, false, false);
        if ('cp' in e) return this.char(e.cp, flags);
        if ('pred' in e) return this.pred(e.pred);
        if ('anchor' in e) return this.anchor(e.anchor, flags);
        if (this.re2) return this.backtracking('a back reference');
        return typeof e.ref === 'number' ? `(?:\\${e.ref})` : `\\k<${e.ref}>`;
      }
      case 0x2a:
      case 0x2b:
      case 0x3f:
        return invalid(`Dangling meta character '${String.fromCharCode(c)}'`, this.p, start);
      case 0x7b:
        return invalid('Illegal repetition', this.p, start);
      default:
        return this.char(c, flags);
    }
  }

  private anchor(a: Anchor, flags: Flags): string {
    switch (a) {
      case 'A':
        return this.re2 ? '\\A' : '^';
      case 'z':
        return this.re2 ? '\\z' : '$';
      case 'Z':
        if (this.re2) return TAIL;
        return flags.d ? '(?=\\n?$)' : `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)`;
      case 'R':
        // `\r\n|[\n\x0B\f\r\x85\u2028\u2029]`, which can backtrack into a lone \r since JDK 9 (JDK-8176029):
        // an alternation, for the nesting test of a quantifier on it.
        this.lastGroup = 1;
        return this.re2 ? '(?:\\x{d}\\x{a}|[\\x{a}-\\x{d}\\x{85}\\x{2028}\\x{2029}])' : '(?:\\r\\n|[\\n\\x0B\\f\\r\\u0085\\u2028\\u2029])';
      case 'b':
        if (this.re2) return this.backtracking('\\b');
        return `(?:(?<=${WORD_CHAR})(?!${WORD_CHAR})|(?<!${WORD_CHAR})(?=${WORD_CHAR}))`;
      case 'B':
        if (this.re2) return this.backtracking('\\B');
        return `(?:(?<=${WORD_CHAR})(?=${WORD_CHAR})|(?<!${WORD_CHAR})(?!${WORD_CHAR}))`;
    }
  }

  private pred(p: CharPred): string {
    return this.re2 ? re2Predicate(p) : jsPredicate(p);
  }

  private char(cp: number, flags: Flags): string {
    const variants = caseVariants(cp, flags);
    if (variants.length > 1) return this.pred(set(variants.map((v) => literal(v, true)).join('')));
    if (!this.re2) return literal(cp, false);
    return /^[a-zA-Z0-9]$/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : `\\x{${cp.toString(16)}}`;
  }

  private group(flags: Flags): string {
    this.skipComments(flags);
    if (this.peek() !== 0x3f) {
      this.groupCount++;
      return `${this.re2 ? '(?:' : '('}${this.closeGroup(flags)})`;
    }
    this.i++;
    const rest = this.p.slice(this.i);
    if (rest.startsWith(':')) {
      this.i++;
      return `(?:${this.closeGroup(flags)})`;
    }
    for (const look of ['=', '!']) {
      if (rest.startsWith(look)) {
        this.i += look.length;
        const body = this.closeGroup(flags);
        return this.re2 ? this.backtracking('lookahead') : `(?${look}${body})`;
      }
    }
    for (const look of ['<=', '<!']) {
      if (rest.startsWith(look)) {
        this.i += look.length;
        const unbounded = this.unbounded;
        const at = this.i;
        const body = this.closeGroup(flags);
        // Java's lookbehind needs a bounded length (TreeInfo.maxValid): no *, +, {n,} or back reference in it.
        if (this.unbounded > unbounded || /\\k<|\(\?:\\\d/.test(body)) {
          invalid('Look-behind group does not have an obvious maximum length', this.p, at);
        }
        this.lookbehind = true;
        return `(?${look}${body})`;
      }
    }
    if (rest.startsWith('>')) unsupported('atomic group');
    const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
    if (named !== null) {
      this.i += named[0].length;
      this.groupCount++;
      return `${this.re2 ? '(?:' : `(?<${named[1] ?? ''}>`}${this.closeGroup(flags)})`;
    }
    const scoped = /^([idmsuxU]*)(?:-([idmsuxU]*))?:/.exec(rest);
    if (scoped !== null) {
      this.i += scoped[0].length;
      return `(?:${this.closeGroup(applyFlags(flags, scoped[1] ?? '', scoped[2] ?? ''))})`;
    }
    return invalid('Unknown inline modifier', this.p, this.i);
  }

  private closeGroup(flags: Flags): string {
    if (++this.depth > MAX_GROUP_NESTING) unsupported(`groups nested more than ${MAX_GROUP_NESTING} deep`);
    const before = this.quantifiers + this.alternations;
    const body = this.alternation(flags, true);
    if (this.peek() !== 0x29) invalid('Unclosed group', this.p, this.i);
    this.i++;
    this.depth--;
    this.lastGroup = this.quantifiers + this.alternations - before;
    return body;
  }
}

/**
 * Replaces each {@link TAIL} mark in RE2 output by `\z` when nothing can follow it in a whole-input match: what
 * comes after it is only group ends (not repeated) and other alternatives, up to the end of the pattern. Java's
 * `$` also matches before a final line terminator, which a whole-input match cannot then consume, so there it
 * is the end of the input. Elsewhere (or when searching, for `split`) the pattern needs the JS engine.
 */
function resolveTails(source: string, whole: boolean): string {
  if (!source.includes(TAIL)) return source;
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i);
    if (c !== TAIL) {
      out += c;
      if (c === '\\') out += source.charAt(++i);
      continue;
    }
    if (!whole || !atTail(source, i + 1)) throw new NeedsBacktracking('$ or \\Z before the end of the pattern');
    out += '\\z';
  }
  return out;
}

/** Whether nothing from `from` on can consume input: only `)`, `|` (skipping that alternative) and marks. */
function atTail(s: string, from: number): boolean {
  let i = from;
  while (i < s.length) {
    const c = s.charAt(i);
    if (c === TAIL) {
      i++;
    } else if (c === ')') {
      i++;
      if ('*+?{'.includes(s.charAt(i)) && i < s.length) return false;
    } else if (c === '|') {
      let depth = 0;
      for (i++; i < s.length; i++) {
        const d = s.charAt(i);
        if (d === '\\') i++;
        else if (d === '[') while (i < s.length && s.charAt(i) !== ']') i += s.charAt(i) === '\\' ? 2 : 1;
        else if (d === '(') depth++;
        else if (d === ')' && depth-- === 0) break;
      }
    } else {
      return false;
    }
  }
  return true;
}
