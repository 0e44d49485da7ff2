/**
 * Translates a Java pattern into JS (`u` mode) source: alternation, groups and inline flags, quantifiers, atoms
 * and character classes. Escapes are decoded by {@link PatternReader}.
 */
import { caseRanges, caseVariants } from './case-folding.js';
import { classSource } from './properties.js';
import { PatternReader } from './reader.js';
import { applyFlags, invalid, LINE_TERMINATORS, literal, NO_FLAGS, unsupported } from './syntax.js';
import type { Escape, Flags } from './syntax.js';

/** Deepest group nesting translated (deeper patterns are refused). */
const MAX_GROUP_NESTING = 128;

/** A Java pattern's translation; one instance per pattern. */
export class Translator extends PatternReader {
  private depth = 0;
  private readonly out: string[] = [];

  translate(): string {
    const body = this.alternation(NO_FLAGS, false);
    if (this.i < this.p.length) invalid("Unmatched closing ')'", this.p, this.i - 1);
    this.out.push(body);
    return this.out.join('');
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
