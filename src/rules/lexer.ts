/**
 * Tokens of Tomcat 7's EL grammar (`ELParser.jjt`): longest match, keywords win ties with identifiers,
 * only space, tab, CR and LF are skipped, anything else unknown is an illegal character.
 */

/** Token kinds: punctuation by its text, keywords by their word, plus the literal kinds. @internal */
export type TokenKind =
  | 'int'
  | 'float'
  | 'string'
  | 'ident'
  | 'illegal'
  | 'eof'
  | 'true'
  | 'false'
  | 'null'
  | 'and'
  | 'or'
  | 'not'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'gt'
  | 'le'
  | 'ge'
  | 'empty'
  | 'div'
  | 'mod'
  | 'instanceof'
  | '}'
  | '.'
  | '('
  | ')'
  | '['
  | ']'
  | ':'
  | ','
  | '>'
  | '<'
  | '>='
  | '<='
  | '=='
  | '!='
  | '!'
  | '&&'
  | '||'
  | '*'
  | '+'
  | '-'
  | '?'
  | '/'
  | '%';

/** One token: kind, source text and 0-based offset. @internal */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
}

const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>(
  (
    [
      'true',
      'false',
      'null',
      'and',
      'or',
      'not',
      'eq',
      'ne',
      'lt',
      'gt',
      'le',
      'ge',
      'empty',
      'div',
      'mod',
      'instanceof',
    ] as const
  ).map((k) => [k, k]),
);

const TWO_CHAR: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ['>=', '>='],
  ['<=', '<='],
  ['==', '=='],
  ['!=', '!='],
  ['&&', '&&'],
  ['||', '||'],
]);

const ONE_CHAR = new Set<string>(['}', '.', '(', ')', '[', ']', ':', ',', '>', '<', '!', '*', '+', '-', '?', '/', '%']);

/** The grammar's LETTER class (the classic JavaCC Java-grammar ranges Tomcat 7 uses). */
function isLetter(c: number): boolean {
  if (c < 0x80) return c === 0x24 || c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x1fff) ||
    (c >= 0x3040 && c <= 0x318f) ||
    (c >= 0x3300 && c <= 0x337f) ||
    (c >= 0x3400 && c <= 0x3d2d) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xf900 && c <= 0xfaff)
  );
}

const DIGIT_RANGES: readonly number[] = [
  0x30, 0x660, 0x6f0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe7, 0xc66, 0xce6, 0xd66, 0xe50, 0xed0, 0x1040,
];

function isDigitChar(c: number): boolean {
  if (c <= 0x39) return c >= 0x30;
  for (const start of DIGIT_RANGES) if (c >= start && c <= start + (start === 0xbe7 ? 8 : 9)) return true;
  return false;
}

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isSkipped(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Length of an exponent (`e`, sign, digits) at `i`, or 0. */
function exponentLength(src: string, i: number): number {
  const c = src.charCodeAt(i);
  if (c !== 0x65 && c !== 0x45) return 0;
  let j = i + 1;
  const s = src.charCodeAt(j);
  if (s === 0x2b || s === 0x2d) j++;
  const digitsStart = j;
  while (isAsciiDigit(src.charCodeAt(j))) j++;
  return j > digitsStart ? j - i : 0;
}

function scanNumber(src: string, start: number): Token {
  let i = start;
  while (isAsciiDigit(src.charCodeAt(i))) i++;
  let isFloat = false;
  if (src.charCodeAt(i) === 0x2e) {
    const intDigits = i > start;
    let j = i + 1;
    while (isAsciiDigit(src.charCodeAt(j))) j++;
    if (intDigits || j > i + 1) {
      isFloat = true;
      i = j;
    }
  }
  const exp = exponentLength(src, i);
  if (exp > 0) {
    isFloat = true;
    i += exp;
  }
  return { kind: isFloat ? 'float' : 'int', text: src.slice(start, i), pos: start };
}

/** A quoted literal where only `\\` and an escaped quote of the same kind are escapes (Tomcat 7). */
function scanString(src: string, start: number): Token | null {
  const quote = src.charCodeAt(start);
  let i = start + 1;
  for (;;) {
    if (i >= src.length) return null;
    const c = src.charCodeAt(i);
    if (c === quote) return { kind: 'string', text: src.slice(start, i + 1), pos: start };
    if (c === 0x5c) {
      const next = src.charCodeAt(i + 1);
      if (next !== 0x5c && next !== quote) return null;
      i += 2;
    } else {
      i++;
    }
  }
}

/** The next token of an expression at or after `pos`. @internal */
export function scanToken(src: string, pos: number): Token {
  let i = pos;
  while (i < src.length && isSkipped(src.charCodeAt(i))) i++;
  if (i >= src.length) return { kind: 'eof', text: '', pos: i };
  const c = src.charCodeAt(i);
  if (isAsciiDigit(c) || (c === 0x2e && isAsciiDigit(src.charCodeAt(i + 1)))) return scanNumber(src, i);
  if (c === 0x22 || c === 0x27) {
    return scanString(src, i) ?? { kind: 'illegal', text: src.charAt(i), pos: i };
  }
  if (isLetter(c) || c === 0x23) {
    let j = i + 1;
    while (j < src.length) {
      const d = src.charCodeAt(j);
      if (!isLetter(d) && !isDigitChar(d)) break;
      j++;
    }
    const text = src.slice(i, j);
    return { kind: KEYWORDS.get(text) ?? 'ident', text, pos: i };
  }
  const two = src.slice(i, i + 2);
  const twoKind = TWO_CHAR.get(two);
  if (twoKind !== undefined) return { kind: twoKind, text: two, pos: i };
  const one = src.charAt(i);
  if (ONE_CHAR.has(one)) return { kind: one as TokenKind, text: one, pos: i };
  const cp = src.codePointAt(i) ?? c;
  return { kind: 'illegal', text: String.fromCodePoint(cp), pos: i };
}

/**
 * End of the literal-text run starting at `pos` (Tomcat 7's LITERAL_EXPRESSION): stops before an
 * unescaped `${`/`#{`, or before a `$`/`#` that ends the input. A backslash escapes a following `$`/`#`.
 * @internal
 */
export function scanLiteralEnd(src: string, pos: number): number {
  let i = pos;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === 0x24 || c === 0x23) {
      if (i + 1 >= src.length || src.charCodeAt(i + 1) === 0x7b) return i;
      i += 2;
    } else if (c === 0x5c) {
      const next = src.charCodeAt(i + 1);
      i += next === 0x24 || next === 0x23 ? 2 : 1;
    } else {
      i++;
    }
  }
  return i;
}
