/**
 * Matrix JSON text → document, in steps. `JSON.parse` of a 20,000-test matrix (15 MB) holds the event loop
 * for 150–200 ms in one call; here a large text is cut into its tests first (a scan that tracks strings and
 * brackets only), then each test is parsed on its own, with a pause point after every test and every 64 KB
 * scanned. The result is the document `JSON.parse` would give, with Java's whole decimals in `constants`
 * and map payloads read as `parseTestMatrix` reads text (`matrix/read-json.ts`: Jackson's Integer, Long and
 * Double).
 *
 * Equivalence: the text is the skeleton (the document with `tests` emptied) with each test's text put back
 * in; both the skeleton and each test are parsed by `JSON.parse`, so the whole is valid JSON exactly when
 * they all are. Whenever the scan meets something it does not expect (a second top-level `tests`, a
 * `tests` that is not an object, any syntax error), it gives up and the whole text is parsed at once, which
 * also gives the error message `parseTestMatrix` would.
 */
import { parseTestMatrix } from '../matrix/parse.js';
import { readMatrixJson } from '../matrix/read-json.js';

/** Texts up to this size are parsed in one call (≈ 5 ms or less). */
export const SPLIT_ABOVE = 512 * 1024;

/** Characters scanned between pause points. */
const SCAN_STEP = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Thrown by the scanner when the text is not what it expects; caught below (then: one whole parse). */
class Unexpected extends Error {}

/** A test's key and value as they appear in the text. */
interface Member {
  readonly key: string;
  readonly value: string;
}

class Scanner {
  pos = 0;
  #nextPause = SCAN_STEP;
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  /** True when a pause point was passed since the last call. */
  pauseDue(): boolean {
    if (this.pos < this.#nextPause) return false;
    this.#nextPause = this.pos + SCAN_STEP;
    return true;
  }

  skipSpace(): void {
    const { text } = this;
    while (this.pos < text.length && isSpace(text.charCodeAt(this.pos))) this.pos++;
  }

  expect(c: number): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== c) throw new Unexpected();
    this.pos++;
  }

  /** A string starting at `pos`; returns its text with the quotes. */
  string(): string {
    const { text } = this;
    const start = this.pos;
    if (text.charCodeAt(start) !== QUOTE) throw new Unexpected();
    let i = start + 1;
    for (;;) {
      const end = text.indexOf('"', i);
      if (end < 0) throw new Unexpected();
      // Quoted when preceded by an odd number of backslashes.
      let slashes = 0;
      while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
      i = end + 1;
      if (slashes % 2 === 0) break;
    }
    this.pos = i;
    return text.slice(start, i);
  }

  /** Skip one value of any kind starting at `pos` (after spaces); returns its text. Checks brackets only. */
  *value(): Generator<void, string> {
    this.skipSpace();
    const { text } = this;
    const start = this.pos;
    const first = text.charCodeAt(start);
    if (first === QUOTE) return this.string();
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      // A number, true, false or null: up to the next delimiter; JSON.parse judges it.
      while (this.pos < text.length) {
        const c = text.charCodeAt(this.pos);
        if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
        this.pos++;
      }
      if (this.pos === start) throw new Unexpected();
      return text.slice(start, this.pos);
    }
    const closers: number[] = [];
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === QUOTE) {
        this.string();
        continue;
      }
      this.pos++;
      if (c === OPEN_BRACE) closers.push(CLOSE_BRACE);
      else if (c === OPEN_BRACKET) closers.push(CLOSE_BRACKET);
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (closers.pop() !== c) throw new Unexpected();
        if (closers.length === 0) return text.slice(start, this.pos);
      }
      if (this.pauseDue()) yield;
    }
    throw new Unexpected();
  }

  /**
   * The members of the object starting at `pos`: `each` gets every key and value text, in order. Leaves
   * `pos` after the closing brace.
   */
  *members(each: (key: string, value: string) => void): Generator<void, void> {
    this.expect(OPEN_BRACE);
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.expect(COLON);
      const value = yield* this.value();
      each(key, value);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === CLOSE_BRACE) return;
      if (c !== COMMA) throw new Unexpected();
    }
  }
}

/** The whole text at once; an invalid one throws `parseTestMatrix`'s error for it. */
function parseWhole(text: string): unknown {
  try {
    return readMatrixJson(text);
  } catch {
    parseTestMatrix(text);
    throw new Error('unreachable: the text parsed on the second try');
  }
}

/** Set `key` as an own property like `JSON.parse` does (a `__proto__` key included; the last one wins). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Parse matrix JSON text into a document, yielding at pause points (see the file header). Throws
 * `MatrixError` ("matrix is not valid JSON: …") for invalid JSON. Texts up to `splitAbove` characters are
 * parsed in one call.
 */
export function* parseMatrixTextSteps(text: string, splitAbove: number = SPLIT_ABOVE): Generator<void, unknown> {
  if (text.length <= splitAbove) return parseWhole(text);
  const scanner = new Scanner(text);
  const tests: Member[] = [];
  let span: readonly [number, number] | null = null;
  try {
    // The top-level object: every member skipped but `tests`, whose members are collected.
    scanner.expect(OPEN_BRACE);
    scanner.skipSpace();
    if (text.charCodeAt(scanner.pos) === CLOSE_BRACE) throw new Unexpected();
    for (;;) {
      scanner.skipSpace();
      const key = JSON.parse(scanner.string()) as string;
      scanner.expect(COLON);
      scanner.skipSpace();
      const start = scanner.pos;
      if (key === 'tests' && text.charCodeAt(start) === OPEN_BRACE) {
        // A second `tests` would replace the first: rare enough to leave to JSON.parse.
        if (span !== null) throw new Unexpected();
        yield* scanner.members((name, value) => tests.push({ key: name, value }));
        span = [start, scanner.pos];
      } else {
        yield* scanner.value();
      }
      scanner.skipSpace();
      const c = text.charCodeAt(scanner.pos++);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw new Unexpected();
    }
    if (span === null) throw new Unexpected();
  } catch (error) {
    if (!(error instanceof Unexpected) && !(error instanceof SyntaxError)) throw error;
    return parseWhole(text);
  }
  let doc: Record<string, unknown>;
  const parsed: Record<string, unknown> = {};
  try {
    // Trailing text after the top-level object is left in the skeleton, for JSON.parse to refuse.
    doc = JSON.parse(`${text.slice(0, span[0])}{}${text.slice(span[1])}`) as Record<string, unknown>;
    yield;
    for (const { key, value } of tests) {
      // Read as a one-test matrix, so its constants and map payloads get Jackson's number classes.
      const test: unknown = (readMatrixJson(`{"tests":{"t":${value}}}`) as { tests: { t: unknown } }).tests.t;
      define(parsed, JSON.parse(key) as string, test);
      yield;
    }
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return parseWhole(text);
  }
  define(doc, 'tests', parsed);
  return doc;
}
