/**
 * Java regular expressions (`String.matches`, spec §3.6/§3.9) on top of JS `RegExp` with the `u` flag.
 *
 * The Java pattern is translated, not passed through: `.` excludes Java's line terminators and matches a whole
 * surrogate pair, `\w`/`\d`/`\s` stay ASCII, `\b` uses Java's Unicode letters and digits, `(?i)` is ASCII-only
 * unless `(?u)` is on (done by expanding letters, so inline and scoped flags work), `\Q…\E`, octal, `\x{…}`,
 * `\h`, `\v`, `\R`, `\p{Alpha}`-style POSIX classes, negated escapes in classes (`[^\W_]`) and comment mode are
 * supported. Like Java's `Pattern`, the pattern is read by code point (a surrogate pair is one character everywhere, escaped or not, in a class or
 * not), and one escape decoder serves both inside and outside classes. Constructs with no faithful JS
 * equivalent are rejected (the rule then errors, as for an invalid pattern): possessive quantifiers, atomic
 * groups, character-class union/intersection, `\X`, `\N{…}`, `\b{g}` and Unicode blocks (`\p{InGreek}`).
 *
 * Bounds: patterns longer than {@link MAX_PATTERN_LENGTH} and inputs longer than {@link MAX_INPUT_LENGTH} UTF-16
 * units are refused (an error, not a silent false), and at most {@link REGEX_CACHE_SIZE} compiled patterns are
 * cached. Like Java, JS has no backtracking limit: a catastrophically backtracking pattern in a matrix rule
 * costs CPU here as it would in Java, so the bounds keep the input small but do not make such patterns safe.
 */

/** Longest pattern accepted, in UTF-16 units. */
export const MAX_PATTERN_LENGTH = 4096;
/** Longest input matched, in UTF-16 units. */
export const MAX_INPUT_LENGTH = 65536;
/** Compiled patterns kept (oldest evicted first). */
export const REGEX_CACHE_SIZE = 256;

interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly x: boolean;
  readonly u: boolean;
  readonly d: boolean;
  readonly U: boolean;
}

const NO_FLAGS: Flags = { i: false, m: false, s: false, x: false, u: false, d: false, U: false };
const LINE_TERMINATORS = '\\n\\r\\u0085\\u2028\\u2029';
const WORD_CHAR = '[\\p{L}\\p{Nd}_]';

const POSIX: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

const UNICODE_POSIX: Readonly<Record<string, string>> = {
  Lower: '\\p{Lowercase}',
  Upper: '\\p{Uppercase}',
  Alpha: '\\p{Alphabetic}',
  Digit: '\\p{Nd}',
  Alnum: '\\p{Alphabetic}\\p{Nd}',
  Punct: '\\p{P}',
  Space: '\\p{White_Space}',
  XDigit: '\\p{Nd}\\p{Hex_Digit}',
};

const JAVA_PROPS: Readonly<Record<string, string>> = {
  javaLowerCase: '\\p{Lowercase}',
  javaUpperCase: '\\p{Uppercase}',
  javaWhitespace: ' \\t\\n\\x0B\\f\\r\\x1C-\\x1F\\u1680\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029\\u205F\\u3000',
  javaMirrored: '\\p{Bidi_Mirrored}',
  javaLetter: '\\p{L}',
  javaDigit: '\\p{Nd}',
  javaLetterOrDigit: '\\p{L}\\p{Nd}',
  javaAlphabetic: '\\p{Alphabetic}',
  javaIdeographic: '\\p{Ideographic}',
  javaTitleCase: '\\p{Lt}',
  javaSpaceChar: '\\p{Zs}\\p{Zl}\\p{Zp}',
  javaISOControl: '\\x00-\\x1F\\x7F-\\x9F',
};

const CATEGORY = /^(?:L[ultmo&]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfson]?)$/;
const UNICODE_BINARY: Readonly<Record<string, string>> = {
  ALPHABETIC: 'Alphabetic',
  LETTER: 'L',
  IDEOGRAPHIC: 'Ideographic',
  LOWERCASE: 'Lowercase',
  UPPERCASE: 'Uppercase',
  TITLECASE: 'Lt',
  PUNCTUATION: 'P',
  CONTROL: 'Cc',
  WHITE_SPACE: 'White_Space',
  WHITESPACE: 'White_Space',
  DIGIT: 'Nd',
  HEX_DIGIT: 'Hex_Digit',
  HEXDIGIT: 'Hex_Digit',
  NONCHARACTER_CODE_POINT: 'Noncharacter_Code_Point',
  ASSIGNED: 'Assigned',
  EMOJI: 'Emoji',
  JOIN_CONTROL: 'Join_Control',
};

function unsupported(what: string): never {
  throw new SyntaxError(`Unsupported Java regex construct: ${what}`);
}

function invalid(what: string, pattern: string, index: number): never {
  throw new SyntaxError(`${what} near index ${index}\n${pattern}`);
}

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** A code point as a JS (u-mode) literal, escaped for use inside or outside a class. */
function literal(cp: number, inClass: boolean): string {
  const c = String.fromCodePoint(cp);
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029) {
    return hex(cp);
  }
  const special = inClass ? '\\]-[^' : '^$\\.*+?()[]{}|/';
  return special.includes(c) ? `\\${c}` : c;
}

/** Code points whose lower case is another letter's, missed by mapping that letter up and down. */
const EXTRA_FOLDS: ReadonlyMap<number, readonly number[]> = new Map([
  [0x69, [0x130, 0x131]],
  [0x6b, [0x212a]],
  [0x73, [0x17f]],
  [0xe5, [0x212b]],
  [0x3b9, [0x345, 0x1fbe]],
  [0x3b8, [0x3d1]],
  [0x3b2, [0x3d0]],
  [0x3b5, [0x3f5]],
  [0x3ba, [0x3f0]],
  [0x3c0, [0x3d6]],
  [0x3c1, [0x3f1]],
  [0x3c3, [0x3c2]],
  [0x3c6, [0x3d5]],
  [0x3c9, [0x2126]],
  [0x3bc, [0xb5]],
]);

/** Case variants of a code point under CASE_INSENSITIVE (ASCII) or with UNICODE_CASE. */
function caseVariants(cp: number, flags: Flags): number[] {
  if (!flags.i) return [cp];
  if (!flags.u) {
    if (cp >= 0x41 && cp <= 0x5a) return [cp, cp + 32];
    if (cp >= 0x61 && cp <= 0x7a) return [cp, cp - 32];
    return [cp];
  }
  const out = new Set([cp]);
  const s = String.fromCodePoint(cp);
  for (const v of [s.toUpperCase(), s.toLowerCase(), s.toUpperCase().toLowerCase(), s.toLowerCase().toUpperCase()]) {
    const c = v.codePointAt(0);
    if (c !== undefined && String.fromCodePoint(c) === v) out.add(c);
  }
  const lower = s.toLowerCase().codePointAt(0) ?? cp;
  for (const extra of EXTRA_FOLDS.get(lower) ?? []) out.add(extra);
  return [...out];
}

/**
 * Code points whose case mappings came after Unicode 13 (JDK 17's `Character`): pairs added in Unicode 14–17,
 * which the JS engine's ICU may know. Java 17 maps none of them, so {@link javaUpper}/{@link javaLower} ignore
 * them. A later Unicode version adding pairs needs them listed here too (the regex tests compare with JDK 17).
 */
const NEWER_CASED: readonly (readonly [number, number])[] = [
  [0x019b, 0x019b],
  [0x0264, 0x0264],
  [0x1c89, 0x1c8a],
  [0x2c2f, 0x2c2f],
  [0x2c5f, 0x2c5f],
  [0xa7c0, 0xa7c1],
  [0xa7cb, 0xa7cf],
  [0xa7d0, 0xa7dc],
  [0x10570, 0x105bc],
  [0x10d50, 0x10d85],
  [0x16ea0, 0x16edf],
];

function newerCased(cp: number): boolean {
  return NEWER_CASED.some(([a, b]) => cp >= a && cp <= b);
}

/** A one-code-point case mapping from JS's full one, or null when JS maps to several code points. */
function single(mapped: string): number | null {
  const c = mapped.codePointAt(0);
  return c !== undefined && String.fromCodePoint(c) === mapped ? c : null;
}

/**
 * Java's `Character.toUpperCase(int)`: the simple mapping. JS gives the full one; where that has several code
 * points the simple mapping is the code point itself, except for Greek letters with ypogegrammeni, which map
 * to their title-case forms (U+1F80 → U+1F88, U+1FB3 → U+1FBC…).
 */
function javaUpper(cp: number): number {
  if (newerCased(cp)) return cp;
  const up = single(String.fromCodePoint(cp).toUpperCase());
  if (up !== null) return newerCased(up) ? cp : up;
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) return cp + 8;
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return cp + 9;
  return cp;
}

/** Java's `Character.toLowerCase(int)` (simple mapping: U+0130 → `i`, where JS's full one adds a dot). */
function javaLower(cp: number): number {
  if (newerCased(cp)) return cp;
  if (cp === 0x130) return 0x69;
  const low = single(String.fromCodePoint(cp).toLowerCase());
  return low === null || newerCased(low) ? cp : low;
}

/** Per code point with a case mapping (planes 0–1): [cp, upper, lower of upper]. Built on first use. */
let caseTable: (readonly [number, number, number])[] | undefined;

function casedCodePoints(): readonly (readonly [number, number, number])[] {
  if (caseTable === undefined) {
    caseTable = [];
    for (let cp = 0; cp <= 0x1ffff; cp++) {
      const up = javaUpper(cp);
      const lowUp = javaLower(up);
      if (up !== cp || lowUp !== cp) caseTable.push([cp, up, lowUp]);
    }
  }
  return caseTable;
}

/**
 * Extra class content making the range `lo`–`hi` case-insensitive, as Java's `Pattern.range` does: ASCII
 * letters only (`CIRange`), or with UNICODE_CASE `CIRangeU`, which accepts `ch` when `ch`, `toUpperCase(ch)` or
 * `toLowerCase(toUpperCase(ch))` is in the range. That test is one-way: `(?iu)[a-z]` matches U+212A KELVIN SIGN
 * (its lower case is `k`) but `(?iu)[A-Z]` does not (its upper case is itself), and `(?iu)[α-γ]` matches `Β`
 * and `ϐ`. The accepted code points outside the range are listed, merged into runs.
 */
function caseRanges(lo: number, hi: number, flags: Flags): string {
  if (!flags.i) return '';
  const inRange = (c: number): boolean => c >= lo && c <= hi;
  if (!flags.u) {
    let extra = '';
    const add = (a: number, b: number, delta: number): void => {
      const from = Math.max(lo, a);
      const to = Math.min(hi, b);
      if (from <= to) extra += `${literal(from + delta, true)}-${literal(to + delta, true)}`;
    };
    add(0x41, 0x5a, 32);
    add(0x61, 0x7a, -32);
    return extra;
  }
  const runs: [number, number][] = [];
  for (const [cp, up, lowUp] of casedCodePoints()) {
    if (inRange(cp) || !(inRange(up) || inRange(lowUp))) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === cp - 1) last[1] = cp;
    else runs.push([cp, cp]);
  }
  return runs.map(([a, b]) => (a === b ? literal(a, true) : `${literal(a, true)}-${literal(b, true)}`)).join('');
}

/**
 * Java's `Pattern.RemoveQEQuoting`, run before parsing: every `\Q…\E` (or `\Q…` to the end) becomes escaped
 * literals, so a quote behaves like the characters it holds, in a class or not. That is why `\Qab\E*` repeats
 * only `b` and `[a-\Qc\E]` is the range `a-c`. As in Java: letters and non-ASCII characters are copied, ASCII
 * punctuation gets a `\`, a digit first in a quote becomes `\x3n` (so it cannot extend an escape before the
 * quote), a `\` not starting `\E` becomes `\\`, and outside quotes an escape pair is copied whole (`\\Q` is not
 * a quote). Works by code point; error messages then quote the rewritten pattern.
 */
function removeQuoting(pattern: string): string {
  if (!pattern.includes('\\Q')) return pattern;
  const t = Array.from(pattern, (ch) => ch.codePointAt(0) ?? 0);
  const n = t.length;
  const backslash = 0x5c;
  let i = 0;
  while (i < n - 1) {
    if (t[i] !== backslash) i += 1;
    else if (t[i + 1] !== 0x51) i += 2;
    else break;
  }
  if (i >= n - 1) return pattern;
  const out = t.slice(0, i);
  i += 2;
  let inQuote = true;
  let beginQuote = true;
  while (i < n) {
    const c = t[i++] ?? 0;
    if (c > 0x7f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
      out.push(c);
    } else if (c >= 0x30 && c <= 0x39) {
      if (beginQuote) out.push(backslash, 0x78, 0x33);
      out.push(c);
    } else if (c !== backslash) {
      if (inQuote) out.push(backslash);
      out.push(c);
    } else if (inQuote) {
      if (t[i] === 0x45) {
        i++;
        inQuote = false;
      } else {
        out.push(backslash, backslash);
      }
    } else if (t[i] === 0x51) {
      i++;
      inQuote = true;
      beginQuote = true;
      continue;
    } else {
      out.push(c);
      if (i < n) out.push(t[i++] ?? 0);
    }
    beginQuote = false;
  }
  return out.map((cp) => String.fromCodePoint(cp)).join('');
}

/**
 * What an escape stands for (see {@link Translator.escape}): one code point, a set of them (class content, maybe
 * negated: `\d`, `\W`, `\p{L}`…), or — outside a class only — a JS construct (anchor, boundary, back reference).
 */
type Escape =
  | { readonly cp: number }
  | { readonly set: string; readonly negated: boolean }
  | { readonly source: string };

/** Deepest group nesting translated (deeper patterns are refused). */
const MAX_GROUP_NESTING = 128;

class Translator {
  private i = 0;
  private groupCount = 0;
  private depth = 0;
  private readonly out: string[] = [];

  private readonly p: string;

  constructor(pattern: string) {
    this.p = removeQuoting(pattern);
  }

  translate(): string {
    const body = this.alternation(NO_FLAGS, false);
    if (this.i < this.p.length) invalid("Unmatched closing ')'", this.p, this.i - 1);
    this.out.push(body);
    return this.out.join('');
  }

  private peek(): number {
    return this.p.codePointAt(this.i) ?? -1;
  }

  private read(): number {
    const cp = this.p.codePointAt(this.i);
    if (cp === undefined) invalid('Unexpected end of pattern', this.p, this.i);
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private skipComments(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
        this.i++;
      } else if (c === 0x23) {
        while (this.i < this.p.length && !'\n\r\u0085\u2028\u2029'.includes(this.p.charAt(this.i))) this.i++;
      } else {
        return;
      }
    }
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
      if (c === 0x28 && this.p.startsWith('(?', this.i)) {
        const inline = this.inlineFlags(flags);
        if (inline !== null) {
          flags = inline;
          continue;
        }
      }
      const atom = this.atom(flags);
      seq += atom === '' ? '' : this.quantified(atom, flags);
    }
    alternatives.push(seq);
    return alternatives.join('|');
  }

  /** `(?idmsux-idmsux)` without a body: returns the new flags, or null when this is another group kind. */
  private inlineFlags(flags: Flags): Flags | null {
    const m = /^\(\?([idmsuxU]*)(?:-([idmsuxU]*))?\)/.exec(this.p.slice(this.i));
    if (m === null) return null;
    this.i += m[0].length;
    return applyFlags(flags, m[1] ?? '', m[2] ?? '');
  }

  private quantified(atom: string, flags: Flags): string {
    this.skipComments(flags);
    const c = this.peek();
    let q: string;
    if (c === 0x2a || c === 0x2b || c === 0x3f) {
      this.i++;
      q = String.fromCharCode(c);
    } else if (c === 0x7b) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
      if (m === null) invalid('Illegal repetition', this.p, this.i);
      this.i += m[0].length;
      if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) {
        invalid('Illegal repetition range', this.p, this.i);
      }
      q = m[0];
    } else {
      return atom;
    }
    const quantifiable = /^\(\?<?[=!]/.test(atom) ? `(?:${atom})` : atom;
    const lazy = this.peek();
    if (lazy === 0x3f) {
      this.i++;
      q += '?';
    } else if (lazy === 0x2b) {
      unsupported('possessive quantifier');
    }
    return quantifiable + q;
  }

  private atom(flags: Flags): string {
    const start = this.i;
    const c = this.read();
    switch (c) {
      case 0x28:
        return this.group(flags);
      case 0x5b:
        return this.charClass(flags);
      case 0x2e:
        return flags.s ? '[^]' : flags.d ? '[^\\n]' : `[^${LINE_TERMINATORS}]`;
      case 0x5e:
        return flags.m ? `(?:^|(?<=[${flags.d ? '\\n' : LINE_TERMINATORS}])(?=[^]))` : '^';
      case 0x24:
        if (flags.m) return `(?=[${flags.d ? '\\n' : LINE_TERMINATORS}]|$)`;
        return flags.d ? '(?=\\n?$)' : `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)`;
      case 0x5c: {
        const e = this.escape(flags, false, false);
        if ('cp' in e) return this.char(e.cp, flags);
        if ('set' in e) return e.negated ? `[^${e.set}]` : `[${e.set}]`;
        return e.source;
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

  private char(cp: number, flags: Flags): string {
    const variants = caseVariants(cp, flags);
    if (variants.length === 1) return literal(cp, false);
    return `[${variants.map((v) => literal(v, true)).join('')}]`;
  }

  private group(flags: Flags): string {
    if (this.peek() !== 0x3f) {
      this.groupCount++;
      return `(${this.closeGroup(flags)})`;
    }
    this.i++;
    const rest = this.p.slice(this.i);
    if (rest.startsWith(':')) {
      this.i++;
      return `(?:${this.closeGroup(flags)})`;
    }
    for (const look of ['=', '!', '<=', '<!']) {
      if (rest.startsWith(look)) {
        this.i += look.length;
        return `(?${look}${this.closeGroup(flags)})`;
      }
    }
    if (rest.startsWith('>')) unsupported('atomic group');
    const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
    if (named !== null) {
      this.i += named[0].length;
      this.groupCount++;
      return `(?<${named[1] ?? ''}>${this.closeGroup(flags)})`;
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
    const body = this.alternation(flags, true);
    if (this.peek() !== 0x29) invalid('Unclosed group', this.p, this.i);
    this.i++;
    this.depth--;
    return body;
  }

  /**
   * The one escape decoder (Java's `Pattern.escape`), for the code point after a `\`, in and out of classes.
   *
   * Everything Java decodes the same in both contexts is decoded once here: `\t` `\n` `\r` `\f` `\a` `\e`,
   * octal `\0…`, `\x…`, `\u…` (a `\uD83D\uDE00` pair is one code point), `\cX`, the predefined sets and
   * `\p`/`\P`, and any other non-alphanumeric character (a supplementary one whole: `\😀` is U+1F600, never
   * its two surrogates). ASCII letters and digits without a meaning are errors. The differences are Java's own:
   * - outside a class only: `\b` `\B` `\A` `\G` `\z` `\Z` `\R` `\k<name>` and back references `\1`–`\9` (in a
   *   class each is "Illegal/unsupported escape sequence", as in Java);
   * - in a class, `\v` is VT (0x0B) rather than vertical whitespace when it ends a range (`rangeEnd`) or is
   *   directly followed by `-` (Java's compatibility rule for `[\v-…]`/`[…-\v]`).
   * `\Q…\E` never reaches this point: {@link removeQuoting} has already rewritten it, as Java does.
   */
  private escape(flags: Flags, inClass: boolean, rangeEnd: boolean): Escape {
    const at = this.i - 1;
    const c = this.read();
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case 't':
        return { cp: 9 };
      case 'n':
        return { cp: 10 };
      case 'r':
        return { cp: 13 };
      case 'f':
        return { cp: 12 };
      case 'a':
        return { cp: 7 };
      case 'e':
        return { cp: 27 };
      case '0':
        return { cp: this.octal() };
      case 'x':
        return { cp: this.hexEscape() };
      case 'u':
        return { cp: this.unicodeEscape() };
      case 'c':
        return { cp: this.read() ^ 64 };
      case 'v':
        if (inClass && (rangeEnd || this.p.charAt(this.i) === '-')) return { cp: 0x0b };
        return predefined(ch, flags);
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
      case 'h':
      case 'H':
      case 'V':
        return predefined(ch, flags);
      case 'p':
      case 'P':
        return { set: this.property(flags.U), negated: ch === 'P' };
      case 'N':
        return unsupported('\\N');
      default:
        break;
    }
    if (!inClass) {
      switch (ch) {
        case 'b':
          if (this.peek() === 0x7b) unsupported('\\b{g}');
          return { source: `(?:(?<=${WORD_CHAR})(?!${WORD_CHAR})|(?<!${WORD_CHAR})(?=${WORD_CHAR}))` };
        case 'B':
          return { source: `(?:(?<=${WORD_CHAR})(?=${WORD_CHAR})|(?<!${WORD_CHAR})(?!${WORD_CHAR}))` };
        case 'A':
        case 'G':
          return { source: '^' };
        case 'z':
          return { source: '$' };
        case 'Z':
          return { source: flags.d ? '(?=\\n?$)' : `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)` };
        case 'R':
          return { source: '(?:\\r\\n|[\\n\\x0B\\f\\r\\u0085\\u2028\\u2029])' };
        case 'k': {
          const m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.p.slice(this.i));
          if (m === null) invalid('\\k is not followed by \'<\' for named capturing group', this.p, at);
          this.i += m[0].length;
          return { source: `\\k<${m[1] ?? ''}>` };
        }
        case 'X':
          return unsupported('\\X');
        default:
          break;
      }
      if (c >= 0x31 && c <= 0x39) return { source: this.backReference(c - 0x30, at) };
    }
    if (/^[a-zA-Z0-9]$/.test(ch)) invalid('Illegal/unsupported escape sequence', this.p, at);
    return { cp: c };
  }

  private backReference(first: number, at: number): string {
    let ref = first;
    for (;;) {
      const d = this.peek();
      if (d < 0x30 || d > 0x39) break;
      const next = ref * 10 + (d - 0x30);
      if (next > this.groupCount) break;
      ref = next;
      this.i++;
    }
    if (ref > this.groupCount) invalid('No such group yet', this.p, at);
    return `(?:\\${ref})`;
  }

  private octal(): number {
    const m = /^([0-3][0-7]{2}|[0-7]{1,2})/.exec(this.p.slice(this.i));
    if (m === null) invalid('Illegal octal escape sequence', this.p, this.i);
    this.i += m[0].length;
    return parseInt(m[0], 8);
  }

  private hexEscape(): number {
    const braced = /^\{([0-9a-fA-F]+)\}/.exec(this.p.slice(this.i));
    if (braced !== null) {
      const cp = parseInt(braced[1] ?? '', 16);
      if (cp > 0x10ffff) invalid('Hexadecimal codepoint is too big', this.p, this.i);
      this.i += braced[0].length;
      return cp;
    }
    const m = /^[0-9a-fA-F]{2}/.exec(this.p.slice(this.i));
    if (m === null) invalid('Illegal hexadecimal escape sequence', this.p, this.i);
    this.i += 2;
    return parseInt(m[0], 16);
  }

  private unicodeEscape(): number {
    const m = /^[0-9a-fA-F]{4}/.exec(this.p.slice(this.i));
    if (m === null) invalid('Illegal Unicode escape sequence', this.p, this.i);
    this.i += 4;
    const cp = parseInt(m[0], 16);
    const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(this.p.slice(this.i));
    if (cp >= 0xd800 && cp <= 0xdbff && low !== null) {
      this.i += 6;
      return ((cp - 0xd800) << 10) + (parseInt(low[1] ?? '', 16) - 0xdc00) + 0x10000;
    }
    return cp;
  }

  /** The set for `\p`/`\P` after the letter: `{Name}` or a one-letter name such as `L` (`\pL`). */
  private property(unicode: boolean): string {
    let name: string;
    if (this.peek() === 0x7b) {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) invalid('Unclosed character family', this.p, this.i);
      name = this.p.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = String.fromCodePoint(this.read());
    }
    return propertySet(name, unicode);
  }

  /** One class member char (with case variants) as class content. */
  private classChars(cp: number, flags: Flags): string {
    return caseVariants(cp, flags)
      .map((v) => literal(v, true))
      .join('');
  }

  /** One class member: a code point (literal or escaped, a possible range end) or an escape's set. */
  private classMember(flags: Flags, rangeEnd: boolean): Escape {
    const c = this.read();
    return c === 0x5c ? this.escape(flags, true, rangeEnd) : { cp: c };
  }

  private charClass(flags: Flags): string {
    const start = this.i - 1;
    let negated = false;
    if (this.peek() === 0x5e) {
      negated = true;
      this.i++;
    }
    let body = '';
    const complements: string[] = [];
    let first = true;
    for (;;) {
      if (flags.x) this.skipComments(flags);
      if (this.i >= this.p.length) invalid('Unclosed character class', this.p, start);
      const c = this.peek();
      if (c === 0x5d && !first) {
        this.i++;
        break;
      }
      if (c === 0x5b) unsupported('character class union');
      if (c === 0x26 && this.p.startsWith('&&', this.i)) unsupported('character class intersection');
      first = false;
      const a = this.classMember(flags, false);
      if ('set' in a) {
        if (a.negated) complements.push(a.set);
        else body += a.set;
        continue;
      }
      if (!('cp' in a)) return unsupported('an anchor inside a character class');
      // As in Java's Pattern.range(): whitespace before the `-` is skipped in comments mode; `-` directly before
      // `]` or `[` is a literal; a range's end must be one code point (`[a-\d]` is an illegal range).
      this.skipComments(flags);
      const after = this.p.charAt(this.i + 1);
      if (this.peek() === 0x2d && after !== ']' && after !== '[' && this.i + 1 < this.p.length) {
        this.i++;
        this.skipComments(flags);
        if (this.i >= this.p.length) invalid('Unclosed character class', this.p, start);
        const b = this.classMember(flags, true);
        if (!('cp' in b) || b.cp < a.cp) invalid('Illegal character range', this.p, this.i - 1);
        body += `${literal(a.cp, true)}-${literal(b.cp, true)}${caseRanges(a.cp, b.cp, flags)}`;
        continue;
      }
      body += this.classChars(a.cp, flags);
    }
    return classSource(body, complements, negated);
  }
}

/**
 * A Java class as JS source: `body` is the class content of its plain members, `complements` the content of each
 * negated escape in it (`\D` → `0-9`, `\P{L}` → `\p{L}`, `\H` → the `\h` set…). Java's class is the union of
 * all members, and `[^…]` negates that whole union (Java 9+). A JS u-mode class cannot hold the complement of a
 * multi-item set (`\H`, `(?U)\W`), so a class with negated escapes becomes a union of one-code-point
 * alternatives, `(?:[body]|[^c1]|[^c2])`, and a negated one its complement by De Morgan,
 * `(?:(?=[c1])(?=[c2])[^body])`. Every part matches exactly one code point, as Java's class predicate does.
 */
function classSource(body: string, complements: readonly string[], negated: boolean): string {
  if (complements.length === 0) {
    if (body === '') return negated ? '[^]' : '[]';
    return `[${negated ? '^' : ''}${body}]`;
  }
  if (negated) {
    const rest = body === '' ? '[^]' : `[^${body}]`;
    if (complements.length === 1 && body === '') return `[${complements[0] ?? ''}]`;
    return `(?:${complements.map((c) => `(?=[${c}])`).join('')}${rest})`;
  }
  if (complements.length === 1 && body === '') return `[^${complements[0] ?? ''}]`;
  const parts = body === '' ? [] : [`[${body}]`];
  return `(?:${[...parts, ...complements.map((c) => `[^${c}]`)].join('|')})`;
}

/** `\d` `\w` `\s` `\h` `\v` (ASCII unless `(?U)`) and their upper-case complements, as class content. */
function predefined(ch: string, flags: Flags): Escape {
  const unicode = flags.U;
  const sets: Readonly<Record<string, string>> = {
    d: unicode ? '\\p{Nd}' : '0-9',
    w: unicode ? '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u200C\\u200D' : 'a-zA-Z0-9_',
    s: unicode ? '\\p{White_Space}' : ' \\t\\n\\x0B\\f\\r',
    h: ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000',
    v: '\\n\\x0B\\f\\r\\x85\\u2028\\u2029',
  };
  const lower = ch.toLowerCase();
  return { set: sets[lower] ?? '', negated: ch !== lower };
}

function applyFlags(flags: Flags, on: string, off: string): Flags {
  const next: Record<keyof Flags, boolean> = { ...flags };
  for (const f of on) next[f as keyof Flags] = true;
  for (const f of off) next[f as keyof Flags] = false;
  return next;
}

/** Class content for `\p{name}` (Java names: categories, POSIX, scripts, binary properties, `java*`). */
function propertySet(name: string, unicode: boolean): string {
  const posix = (unicode ? UNICODE_POSIX[name] : undefined) ?? POSIX[name];
  if (posix !== undefined) return posix;
  const javaProp = JAVA_PROPS[name];
  if (javaProp !== undefined) return javaProp;
  if (name === 'all') return '\\u{0}-\\u{10FFFF}';
  let n = name;
  if (n.startsWith('Is')) n = n.slice(2);
  else if (n.startsWith('general_category=') || n.startsWith('gc=')) n = n.slice(n.indexOf('=') + 1);
  else if (n.startsWith('script=') || n.startsWith('sc=')) return `\\p{Script=${n.slice(n.indexOf('=') + 1)}}`;
  else if (n.startsWith('In') || n.startsWith('block=') || n.startsWith('blk=')) unsupported(`Unicode block ${name}`);
  if (n === 'L&') return '\\p{Lu}\\p{Ll}\\p{Lt}';
  if (CATEGORY.test(n)) return `\\p{${n}}`;
  const binary = UNICODE_BINARY[n.toUpperCase()];
  if (binary !== undefined) return `\\p{${binary}}`;
  if (name.startsWith('Is')) return `\\p{Script=${n}}`;
  return unsupported(`\\p{${name}}`);
}

const cache = new Map<string, RegExp | SyntaxError>();

function cached(key: string, pattern: string, build: (source: string) => RegExp): RegExp {
  let entry = cache.get(key);
  if (entry === undefined) {
    try {
      if (pattern.length > MAX_PATTERN_LENGTH) {
        throw new SyntaxError(`Pattern longer than ${MAX_PATTERN_LENGTH} characters`);
      }
      entry = build(new Translator(pattern).translate());
    } catch (error) {
      entry = error instanceof SyntaxError ? error : new SyntaxError(String(error));
    }
    if (cache.size >= REGEX_CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, entry);
  }
  if (entry instanceof SyntaxError) throw entry;
  return entry;
}

/** Compile a Java pattern for whole-input matching (cached, bounded). Throws SyntaxError for invalid input. */
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
