/**
 * Force groups, the JSON reader: reads a payload value the scanner delimited into tokens, adding Jackson's
 * own checks. The coercions of those tokens into payload values are in `coerce.ts`.
 */

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, DOT, isDigit, MINUS, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './chars.js';

/** Thrown inside payload parsing only; always caught, standing for Jackson's exceptions. */
export class PayloadError extends Error {}

export function fail(): never {
  throw new PayloadError();
}

export type JsonToken =
  | { readonly kind: 'int' | 'float'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly JsonToken[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [string, JsonToken])[] };

/**
 * Reads the JSON value the scanner delimited. The regex already fixed the structure, so this only adds
 * Jackson's own checks: whitespace is space/tab/CR/LF (not \x0B or \f), no leading zeros, a digit after `.`,
 * and JSON string escapes (no raw control characters).
 */
export class JsonReader {
  private i: number;
  constructor(
    private readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  private space(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else if (c === 11 || c === 12) fail();
      else return;
    }
  }

  read(): JsonToken {
    this.space();
    const c = this.s.charCodeAt(this.i);
    if (c === OPEN_BRACKET) {
      this.i++;
      const items: JsonToken[] = [];
      this.space();
      if (this.s.charCodeAt(this.i) === CLOSE_BRACKET) {
        this.i++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(this.read());
        this.space();
        if (this.s.charCodeAt(this.i++) === CLOSE_BRACKET) return { kind: 'array', items };
      }
    }
    if (c === OPEN_BRACE) {
      this.i++;
      const entries: (readonly [string, JsonToken])[] = [];
      this.space();
      if (this.s.charCodeAt(this.i) === CLOSE_BRACE) {
        this.i++;
        return { kind: 'map', entries };
      }
      for (;;) {
        this.space();
        const key = this.string();
        this.space();
        this.i++; // ':'
        entries.push([key, this.read()]);
        this.space();
        if (this.s.charCodeAt(this.i++) === CLOSE_BRACE) return { kind: 'map', entries };
      }
    }
    if (c === QUOTE) return { kind: 'string', value: this.string() };
    return this.number();
  }

  private string(): string {
    const start = this.i;
    if (this.s.charCodeAt(start) !== QUOTE) fail();
    let j = start + 1;
    for (;;) {
      const c = this.s.charCodeAt(j);
      if (c === QUOTE) break;
      if (j >= this.s.length) fail(); // cannot happen after the scanner; guards against looping forever
      j += c === BACKSLASH ? 2 : 1;
    }
    this.i = j + 1;
    try {
      return JSON.parse(this.s.slice(start, j + 1)) as string;
    } catch {
      return fail();
    }
  }

  private number(): JsonToken {
    const s = this.s;
    const start = this.i;
    let j = start;
    if (s.charCodeAt(j) === MINUS) j++;
    const firstDigit = j;
    while (isDigit(s.charCodeAt(j))) j++;
    if (j === firstDigit) fail(); // cannot happen after the scanner; guards against looping forever
    if (s.charCodeAt(firstDigit) === 48 && j - firstDigit > 1) fail(); // leading zero
    let kind: 'int' | 'float' = 'int';
    if (s.charCodeAt(j) === DOT) {
      kind = 'float';
      j++;
      const fraction = j;
      while (isDigit(s.charCodeAt(j))) j++;
      if (j === fraction) fail(); // "5." : Jackson wants a digit after the point
    }
    this.i = j;
    return { kind, text: s.slice(start, j) };
  }
}
