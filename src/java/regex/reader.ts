/**
 * The cursor over a Java pattern and its one escape decoder (Java's `Pattern.escape`), which the translator
 * uses for plain atoms and for character-class members alike.
 */
import { propertySet, predefined } from './properties.js';
import { invalid, unsupported } from './syntax.js';
import type { Anchor, Escape, Flags } from './syntax.js';
import { removeQuoting } from './quoting.js';
import { not } from './char-class.js';
import type { CharPred } from './char-class.js';

/** A Java pattern (its `\Q…\E` quotes already rewritten) read by code point. */
export class PatternReader {
  protected i = 0;
  protected groupCount = 0;
  protected readonly p: string;

  constructor(pattern: string) {
    this.p = removeQuoting(pattern);
  }

  protected peek(): number {
    return this.p.codePointAt(this.i) ?? -1;
  }

  protected read(): number {
    const cp = this.p.codePointAt(this.i);
    if (cp === undefined) invalid('Unexpected end of pattern', this.p, this.i);
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  protected skipComments(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
        this.i++;
      } else if (c === 0x23) {
        // A comment runs to a line separator (only `\n` under UNIX_LINES, as Pattern.isLineSeparator).
        const ends = flags.d ? '\n' : '\n\r\u0085\u2028\u2029';
        while (this.i < this.p.length && !ends.includes(this.p.charAt(this.i))) this.i++;
      } else {
        return;
      }
    }
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
  protected escape(flags: Flags, inClass: boolean, rangeEnd: boolean): Escape {
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
        return { pred: predefined(ch, flags) };
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
      case 'h':
      case 'H':
      case 'V':
        return { pred: predefined(ch, flags) };
      case 'p':
      case 'P': {
        const p = this.property(flags);
        return { pred: ch === 'P' ? not(p) : p };
      }
      case 'N':
        return unsupported('\\N{…} (a character by its Unicode name)');
      default:
        break;
    }
    if (!inClass) {
      switch (ch) {
        case 'b':
          if (this.peek() === 0x7b) unsupported('\\b{g}');
          return { anchor: 'b' };
        case 'B':
        case 'A':
        case 'z':
        case 'Z':
        case 'R':
          return { anchor: ch as Anchor };
        case 'G':
          return { anchor: 'A' };
        case 'k': {
          const m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.p.slice(this.i));
          if (m === null) invalid('\\k is not followed by \'<\' for named capturing group', this.p, at);
          this.i += m[0].length;
          return { ref: m[1] ?? '' };
        }
        case 'X':
          return unsupported('\\X');
        default:
          break;
      }
      if (c >= 0x31 && c <= 0x39) return { ref: this.backReference(c - 0x30, at) };
    }
    if (/^[a-zA-Z0-9]$/.test(ch)) invalid('Illegal/unsupported escape sequence', this.p, at);
    return { cp: c };
  }

  protected backReference(first: number, at: number): number {
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
    return ref;
  }

  protected octal(): number {
    const m = /^([0-3][0-7]{2}|[0-7]{1,2})/.exec(this.p.slice(this.i));
    if (m === null) invalid('Illegal octal escape sequence', this.p, this.i);
    this.i += m[0].length;
    return parseInt(m[0], 8);
  }

  protected hexEscape(): number {
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

  protected unicodeEscape(): number {
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
  protected property(flags: Flags): CharPred {
    let name: string;
    if (this.peek() === 0x7b) {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) invalid('Unclosed character family', this.p, this.i);
      name = this.p.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = String.fromCodePoint(this.read());
    }
    return propertySet(name, flags);
  }
}
