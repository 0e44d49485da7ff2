/**
 * Java's named character sets as predicates: POSIX and `java*` classes, Unicode categories, scripts and binary
 * properties, and the predefined `\d` `\w` `\s` `\h` `\v`. The lookup follows JDK 17's `Pattern.family` and
 * `CharPredicates` (`forProperty`, `forUnicodeProperty`, `forPOSIXName`), including their case-insensitive
 * variants: under CASE_INSENSITIVE, `\p{Lower}`/`\p{Upper}` are `[a-zA-Z]` and `\p{Lu}`/`\p{Ll}`/`\p{Lt}`,
 * `\p{javaLowerCase}`, `\p{IsLowercase}`… are all cased letters (JDK-8214245, JDK 13+).
 */
import { not, set } from './char-class.js';
import type { CharPred } from './char-class.js';
import { unsupported } from './syntax.js';
import type { Flags } from './syntax.js';

const CASED = '\\p{Lowercase}\\p{Uppercase}\\p{Lt}';
const CASED_LETTERS = '\\p{Lu}\\p{Ll}\\p{Lt}';
/** `[^…]` of these is Java's GRAPH (not space, control, surrogate or unassigned); PRINT drops Zs from the list. */
const NOT_GRAPH = '\\p{Zs}\\p{Zl}\\p{Zp}\\p{Cc}\\p{Cs}\\p{Cn}';
const NOT_PRINT = '\\p{Zl}\\p{Zp}\\p{Cc}\\p{Cs}\\p{Cn}';
const HEX_DIGIT = '\\p{Nd}\\p{Hex_Digit}';

/** `CharPredicates.forProperty(name, caseIns)`: categories, ASCII POSIX classes, `java*` methods. */
function forProperty(name: string, ci: boolean): CharPred | null {
  if (/^(?:L[mo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfson]?)$/.test(name)) return set(`\\p{${name}}`);
  switch (name) {
    case 'Lu':
    case 'Ll':
    case 'Lt':
      return set(ci ? CASED_LETTERS : `\\p{${name}}`);
    case 'LC':
      return set(CASED_LETTERS);
    case 'LD':
      return set('\\p{L}\\p{Nd}');
    case 'L1':
      return set('\\x00-\\xFF');
    case 'all':
      return set('\\u{0}-\\u{10FFFF}');
    case 'ASCII':
      return set('\\x00-\\x7F');
    case 'Alnum':
      return set('a-zA-Z0-9');
    case 'Alpha':
      return set('a-zA-Z');
    case 'Blank':
      return set(' \\t');
    case 'Cntrl':
      return set('\\x00-\\x1F\\x7F');
    case 'Digit':
      return set('0-9');
    case 'Graph':
      return set('!-~');
    case 'Lower':
      return set(ci ? 'a-zA-Z' : 'a-z');
    case 'Print':
      return set(' -~');
    case 'Punct':
      return set('!-\\/:-@\\[-`{-~');
    case 'Space':
      return set(' \\t\\n\\x0B\\f\\r');
    case 'Upper':
      return set(ci ? 'a-zA-Z' : 'A-Z');
    case 'XDigit':
      return set('0-9a-fA-F');
    case 'javaLowerCase':
      return set(ci ? CASED : '\\p{Lowercase}');
    case 'javaUpperCase':
      return set(ci ? CASED : '\\p{Uppercase}');
    case 'javaTitleCase':
      return set(ci ? CASED : '\\p{Lt}');
    case 'javaAlphabetic':
      return set('\\p{Alphabetic}');
    case 'javaIdeographic':
      return set('\\p{Ideographic}');
    case 'javaDigit':
      return set('\\p{Nd}');
    case 'javaDefined':
      return not(set('\\p{Cn}'));
    case 'javaLetter':
      return set('\\p{L}');
    case 'javaLetterOrDigit':
      return set('\\p{L}\\p{Nd}');
    case 'javaSpaceChar':
      return set('\\p{Zs}\\p{Zl}\\p{Zp}');
    case 'javaWhitespace':
      return set(' \\t\\n\\x0B\\f\\r\\x1C-\\x1F\\u1680\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029\\u205F\\u3000');
    case 'javaISOControl':
      return set('\\x00-\\x1F\\x7F-\\x9F');
    case 'javaMirrored':
      return set('\\p{Bidi_Mirrored}');
    default:
      return null;
  }
}

/** `CharPredicates.getPosixPredicate` (upper-case names): the Unicode POSIX classes of `(?U)` and `\p{IsAlpha}`. */
function posixPredicate(name: string, ci: boolean): CharPred | null {
  switch (name) {
    case 'ALPHA':
      return set('\\p{Alphabetic}');
    case 'LOWER':
      return set(ci ? CASED : '\\p{Lowercase}');
    case 'UPPER':
      return set(ci ? CASED : '\\p{Uppercase}');
    case 'SPACE':
      return set('\\p{White_Space}');
    case 'PUNCT':
      return set('\\p{P}');
    case 'XDIGIT':
      return set(HEX_DIGIT);
    case 'ALNUM':
      return set('\\p{Alphabetic}\\p{Nd}');
    case 'CNTRL':
      return set('\\p{Cc}');
    case 'DIGIT':
      return set('\\p{Nd}');
    case 'BLANK':
      return set('\\p{Zs}\\t');
    case 'GRAPH':
      return not(set(NOT_GRAPH));
    case 'PRINT':
      return not(set(NOT_PRINT));
    default:
      return null;
  }
}

/** `CharPredicates.getUnicodePredicate` (upper-case names), then the POSIX ones: `\p{IsAlphabetic}`… */
function forUnicodeProperty(name: string, ci: boolean): CharPred | null {
  switch (name) {
    case 'ALPHABETIC':
      return set('\\p{Alphabetic}');
    case 'ASSIGNED':
      return not(set('\\p{Cn}'));
    case 'CONTROL':
      return set('\\p{Cc}');
    case 'HEXDIGIT':
    case 'HEX_DIGIT':
      return set(HEX_DIGIT);
    case 'IDEOGRAPHIC':
      return set('\\p{Ideographic}');
    case 'JOINCONTROL':
    case 'JOIN_CONTROL':
      return set('\\u200C\\u200D');
    case 'LETTER':
      return set('\\p{L}');
    case 'LOWERCASE':
      return set(ci ? CASED : '\\p{Lowercase}');
    case 'NONCHARACTERCODEPOINT':
    case 'NONCHARACTER_CODE_POINT':
      return set('\\p{Noncharacter_Code_Point}');
    case 'TITLECASE':
      return set(ci ? CASED : '\\p{Lt}');
    case 'PUNCTUATION':
      return set('\\p{P}');
    case 'UPPERCASE':
      return set(ci ? CASED : '\\p{Uppercase}');
    case 'WHITESPACE':
    case 'WHITE_SPACE':
      return set('\\p{White_Space}');
    case 'WORD':
      return set(UNICODE_WORD);
    default:
      return posixPredicate(name, ci);
  }
}

const UNICODE_WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u200C\\u200D';

/** `UnicodeScript.forName`, as far as JS knows the script's name (an unknown one is refused, not guessed). */
function script(name: string): CharPred {
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
  } catch {
    return unsupported(`Unicode script ${name}`);
  }
  return set(`\\p{Script=${name}}`);
}

/** `\d` `\w` `\s` `\h` `\v` (ASCII unless `(?U)`) and their upper-case complements. */
export function predefined(ch: string, flags: Flags): CharPred {
  const unicode = flags.U;
  const sets: Readonly<Record<string, string>> = {
    d: unicode ? '\\p{Nd}' : '0-9',
    w: unicode ? UNICODE_WORD : 'a-zA-Z0-9_',
    s: unicode ? '\\p{White_Space}' : ' \\t\\n\\x0B\\f\\r',
    h: ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000',
    v: '\\n\\x0B\\f\\r\\x85\\u2028\\u2029',
  };
  const lower = ch.toLowerCase();
  const p = set(sets[lower] ?? '');
  return ch === lower ? p : not(p);
}

function unknown(name: string): never {
  throw new SyntaxError(`Unknown character property name {${name}}`);
}

/** `Pattern.family`: the predicate for `\p{name}` (Java names: categories, POSIX, scripts, binary properties, `java*`). */
export function propertySet(name: string, flags: Flags): CharPred {
  const ci = flags.i;
  const eq = name.indexOf('=');
  if (eq >= 0) {
    const key = name.slice(0, eq).toLowerCase();
    const value = name.slice(eq + 1);
    if (key === 'sc' || key === 'script') return script(value);
    if (key === 'blk' || key === 'block') return unsupported(`Unicode block ${value}`);
    const p = key === 'gc' || key === 'general_category' ? forProperty(value, ci) : null;
    if (p === null) throw new SyntaxError(`Unknown Unicode property {name=<${key}>, value=<${value}>}`);
    return p;
  }
  if (name.startsWith('In')) return unsupported(`Unicode block ${name}`);
  if (name.startsWith('Is')) {
    const short = name.slice(2);
    const p = forUnicodeProperty(short.toUpperCase(), ci) ?? forProperty(short, ci);
    if (p !== null) return p;
    if (short === '') unknown(name);
    return script(short);
  }
  const p = (flags.U ? posixPredicate(name.toUpperCase(), ci) : null) ?? forProperty(name, ci);
  return p ?? unknown(name);
}
