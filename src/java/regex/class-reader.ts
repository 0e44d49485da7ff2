/**
 * Character classes as Java's `Pattern.clazz`/`range`/`bitsOrSingle` read them, into a {@link CharPred}. Java's
 * cursor moves are mirrored, quirks included: `jpeek` is `Pattern.peek` (which skips whitespace and comments in
 * comments mode), `jnext` is `Pattern.next`, `unread` steps back one code point.
 */
import { caseRanges, caseVariants } from './case-folding.js';
import { and, not, or, set } from './char-class.js';
import type { CharPred } from './char-class.js';
import { PatternReader } from './reader.js';
import { invalid, literal, unsupported } from './syntax.js';
import type { Flags } from './syntax.js';

/** Code points below 256 that Java keeps out of a class's bit set under `(?iu)` (`Pattern.bitsOrSingle`). */
const NOT_BITS = new Set([0xff, 0xb5, 0x49, 0x69, 0x53, 0x73, 0x4b, 0x6b, 0xc5, 0xe5]);

export class ClassReader extends PatternReader {
  protected jpeek(flags: Flags): number {
    this.skipComments(flags);
    return this.peek();
  }

  protected jnext(flags: Flags): number {
    const c = this.peek();
    if (c >= 0) this.i += c > 0xffff ? 2 : 1;
    return this.jpeek(flags);
  }

  protected unread(): void {
    const low = this.p.charCodeAt(this.i - 1);
    const high = this.p.charCodeAt(this.i - 2);
    this.i -= low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
  }

  /**
   * Java's `clazz(consume)`, with the cursor on `[`: members, nested classes (a union), `&&` (an
   * intersection), and Java's precedence: single characters below 256 ("bits") join the class when `&&` or
   * the closing `]` is reached, everything else at once; the operand right of `&&` runs to `]` or the next
   * `&`, and a plain operand there replaces what came before it (`[a&&[b]c]` is `a ∩ c`), as in Java.
   */
  protected clazz(flags: Flags, consume: boolean): CharPred {
    const start = this.i;
    let prev: CharPred | null = null;
    let curr: CharPred | null = null;
    let bits = '';
    let hasBits = false;
    let isNeg = false;
    let ch = this.jnext(flags);
    if (ch === 0x5e && this.p.charAt(this.i - 1) === '[') {
      ch = this.jnext(flags);
      isNeg = true;
    }
    for (;;) {
      if (ch === 0x5b) {
        curr = this.clazz(flags, true);
        prev = prev === null ? curr : or(prev, curr);
        ch = this.jpeek(flags);
        continue;
      }
      if (ch === 0x26) {
        ch = this.jnext(flags);
        if (ch === 0x26) {
          ch = this.jnext(flags);
          let right: CharPred | null = null;
          while (ch !== 0x5d && ch !== 0x26) {
            if (ch < 0) invalid('Unclosed character class', this.p, start);
            if (ch === 0x5b) {
              const nested = this.clazz(flags, true);
              right = right === null ? nested : or(right, nested);
            } else {
              this.unread();
              right = this.clazz(flags, false);
            }
            ch = this.jpeek(flags);
          }
          if (hasBits) {
            const b = set(bits);
            if (prev === null) prev = curr = b;
            else prev = or(prev, b);
            hasBits = false;
          }
          if (right !== null) curr = right;
          if (prev === null) {
            if (right === null) invalid('Bad class syntax', this.p, this.i);
            prev = right;
          } else {
            prev = and(prev, curr ?? prev);
          }
          continue;
        }
        // A single `&` is a member: Java steps back (one position, even onto skipped whitespace) and reads on.
        this.unread();
      } else if (ch < 0) {
        invalid('Unclosed character class', this.p, start);
      } else if (ch === 0x5d && (prev !== null || hasBits)) {
        if (consume) this.jnext(flags);
        const all = prev === null ? set(bits) : hasBits ? or(prev, set(bits)) : prev;
        return isNeg ? not(all) : all;
      }
      curr = this.range(flags, (content) => {
        bits += content;
      });
      if (curr === null) hasBits = true;
      else prev = prev === null ? curr : or(prev, curr);
      ch = this.jpeek(flags);
    }
  }

  /** Java's `range`: one member (a character, a range or an escape's set); null when it went into the bits. */
  private range(flags: Flags, addBits: (content: string) => void): CharPred | null {
    let c = this.jpeek(flags);
    if (c === 0x5c) {
      this.i++;
      const e = this.escape(flags, true, false);
      if ('pred' in e) return e.pred;
      if (!('cp' in e)) return unsupported('an anchor inside a character class');
      c = e.cp;
    } else {
      this.jnext(flags);
    }
    if (this.jpeek(flags) === 0x2d) {
      const endRange = this.p.charAt(this.i + 1);
      if (endRange !== '[' && endRange !== ']' && this.i + 1 < this.p.length) {
        this.jnext(flags);
        if (this.i >= this.p.length) invalid('Unclosed character class', this.p, this.i);
        const m = this.read();
        const b = m === 0x5c ? this.escape(flags, true, true) : { cp: m };
        if (!('cp' in b) || b.cp < c) invalid('Illegal character range', this.p, this.i - 1);
        return set(`${literal(c, true)}-${literal(b.cp, true)}${caseRanges(c, b.cp, flags)}`);
      }
    }
    const content = caseVariants(c, flags)
      .map((v) => literal(v, true))
      .join('');
    if (c < 256 && !(flags.i && flags.u && NOT_BITS.has(c))) {
      addBits(content);
      return null;
    }
    return set(content);
  }
}
