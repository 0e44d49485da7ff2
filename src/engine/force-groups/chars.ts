/**
 * Force groups, character classes and codes shared by the scanner, the JSON reader, the parser and the
 * generator. Char codes: `charCodeAt` past the end gives NaN, which every test here rejects.
 */

export function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isLowerOrUnderscore(c: number): boolean {
  return (c >= 97 && c <= 122) || c === 95;
}

/** Java regex `\s`: space, \t, \n, \x0B, \f, \r. */
export function isRegexSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Java regex `.` refuses line terminators, so `\` before one does not start an escape in STR. */
export function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x85 || c === 0x2028 || c === 0x2029;
}

export const QUOTE = 34;
export const BACKSLASH = 92;
export const COMMA = 44;
export const MINUS = 45;
export const DOT = 46;
export const COLON = 58;
export const SEMICOLON = 59;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
