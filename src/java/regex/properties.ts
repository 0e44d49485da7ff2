/**
 * Java's character sets as JS class content: POSIX and `java*` classes, Unicode properties, the predefined
 * `\d` `\w` `\s` `\h` `\v`, and how a class with negated members becomes one JS construct.
 */
import { unsupported } from './syntax.js';
import type { Escape, Flags } from './syntax.js';

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

/** `\d` `\w` `\s` `\h` `\v` (ASCII unless `(?U)`) and their upper-case complements, as class content. */
export function predefined(ch: string, flags: Flags): Escape {
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

/** Class content for `\p{name}` (Java names: categories, POSIX, scripts, binary properties, `java*`). */
export function propertySet(name: string, unicode: boolean): string {
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

/**
 * A Java class as JS source: `body` is the class content of its plain members, `complements` the content of each
 * negated escape in it (`\D` → `0-9`, `\P{L}` → `\p{L}`, `\H` → the `\h` set…). Java's class is the union of
 * all members, and `[^…]` negates that whole union (Java 9+). A JS u-mode class cannot hold the complement of a
 * multi-item set (`\H`, `(?U)\W`), so a class with negated escapes becomes a union of one-code-point
 * alternatives, `(?:[body]|[^c1]|[^c2])`, and a negated one its complement by De Morgan,
 * `(?:(?=[c1])(?=[c2])[^body])`. Every part matches exactly one code point, as Java's class predicate does.
 */
export function classSource(body: string, complements: readonly string[], negated: boolean): string {
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
