/** What the Java regex translation shares: flags, error helpers and how a code point is written in JS. */

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

export function unsupported(what: string): never {
  throw new SyntaxError(`Unsupported Java regex construct: ${what}`);
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

/**
 * What an escape stands for (see `PatternReader.escape`): one code point, a set of them (class content, maybe
 * negated: `\d`, `\W`, `\p{L}`…), or — outside a class only — a JS construct (anchor, boundary, back reference).
 */
export type Escape =
  | { readonly cp: number }
  | { readonly set: string; readonly negated: boolean }
  | { readonly source: string };
