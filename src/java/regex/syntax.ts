/** What the Java regex translation shares: flags, error helpers and how a code point is written in JS. */
import type { CharPred } from './char-class.js';

/** Java's inline flags: `i` `m` `s` `x` `u` (UNICODE_CASE) `d` (UNIX_LINES) `U` (UNICODE_CHARACTER_CLASS). */
export interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly x: boolean;
  readonly u: boolean;
  readonly d: boolean;
  readonly U: boolean;
}

export const NO_FLAGS: Flags = { i: false, m: false, s: false, x: false, u: false, d: false, U: false };
export const LINE_TERMINATORS = '\\n\\r\\u0085\\u2028\\u2029';
export const WORD_CHAR = '[\\p{L}\\p{Nd}_]';

/**
 * A construct Java accepts that this port does not run (`\N{…}`, possessive quantifiers, Unicode blocks…). A
 * pattern with one is refused, at rule load when the pattern is written in the rule.
 */
export class UnsupportedRegexError extends SyntaxError {
  constructor(readonly construct: string) {
    super(`Unsupported Java regex construct: ${construct}`);
    this.name = 'UnsupportedRegexError';
  }
}

export function unsupported(what: string): never {
  throw new UnsupportedRegexError(what);
}

/** Thrown while writing RE2 syntax: the pattern needs a construct only the backtracking JS engine has. */
export class NeedsBacktracking extends Error {
  constructor(readonly construct: string) {
    super(`needs the backtracking engine: ${construct}`);
    this.name = 'NeedsBacktracking';
  }
}

export function invalid(what: string, pattern: string, index: number): never {
  throw new SyntaxError(`${what} near index ${index}\n${pattern}`);
}

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** A code point as a JS (u-mode) literal, escaped for use inside or outside a class. */
export function literal(cp: number, inClass: boolean): string {
  const c = String.fromCodePoint(cp);
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029) {
    return hex(cp);
  }
  const special = inClass ? '\\]-[^' : '^$\\.*+?()[]{}|/';
  return special.includes(c) ? `\\${c}` : c;
}

export function applyFlags(flags: Flags, on: string, off: string): Flags {
  const next: Record<keyof Flags, boolean> = { ...flags };
  for (const f of on) next[f as keyof Flags] = true;
  for (const f of off) next[f as keyof Flags] = false;
  return next;
}

/** A zero-width or multi-character escape outside a class: `\b` `\B` `\A`/`\G` `\z` `\Z` `\R`. */
export type Anchor = 'b' | 'B' | 'A' | 'z' | 'Z' | 'R';

/**
 * What an escape stands for (see `PatternReader.escape`): one code point, a set of them (`\d`, `\W`, `\p{L}`…),
 * or — outside a class only — an anchor or a back reference (by number or name).
 */
export type Escape =
  | { readonly cp: number }
  | { readonly pred: CharPred }
  | { readonly anchor: Anchor }
  | { readonly ref: number | string };
