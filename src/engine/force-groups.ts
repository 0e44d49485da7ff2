/**
 * Force groups (`prforceGroups`, spec §4): parsing Java's `ForceGroupsOptionsStrings` format, generating it
 * back, and merging a forced payload into a bucket's payload (`TestChooser.validateForcePayload`).
 *
 * Java scans the string with `Matcher.find()` and this regex (`\w`, `\d`, `\s` are ASCII in Java):
 *
 * ```
 * \w+-?\d+(?:;\w+:(?:NUM|STR|ARRAY|MAP))?|[a-z_]+
 * NUM   = -?\d+\.?\d*                 STR = "(?:\\.|[^"\\]+)*"
 * ARRAY = \[(?:\s*SN(?:\s*,\s*SN)*)?\]   (SN = NUM|STR)
 * MAP   = \{(?:\s*STR\s*:\s*V(?:\s*,\s*STR\s*:\s*V)*)?\}   (V = NUM|STR|ARRAY)
 * ```
 *
 * A JS `RegExp` is not used: the header arrives from untrusted clients, `STR` nests quantifiers (Java itself
 * backtracks exponentially or overflows its stack on some inputs), and JS's `\s` is not Java's. Instead a
 * hand-written scanner reproduces the regex's results. That is possible because every sub-pattern has at most
 * one way to end: NUM is maximal (a shorter NUM would be followed by a digit or `.`, which nothing in the
 * pattern accepts), STR ends at the first unescaped quote, and ARRAY/MAP end at the first bracket that
 * closes them. So a single left-to-right pass with memoised tails gives Java's answer in linear time.
 */

import { PAYLOAD_TYPES, type Payload } from '../matrix/types.js';
import { isJavaInt, LONG_MAX_AS_DOUBLE, LONG_MIN_AS_DOUBLE, parseJavaDouble, parseJavaInt, parseJavaLong } from '../java/numbers/index.js';
import { jsonDouble, jsonString } from '../java/json.js';
import { javaTrim } from '../java/text.js';

/** What Java's `ForceGroupsDefaultMode` does for tests that are not forced (spec §2.3). */
export type ForceGroupsDefaultMode = 'NONE' | 'FALLBACK' | 'MIN_LIVE';

/** A parsed force-groups string: Java's `ForceGroupsOptions`. */
export interface ForceGroups {
  /** Test name to forced bucket value, in the order the tests first appeared. */
  readonly groups: ReadonlyMap<string, number>;
  /** Test name to forced payload (only for tests allowed to force payloads). */
  readonly payloads: ReadonlyMap<string, Payload>;
  /** From the `default_to_fallback` / `default_to_min_live` tokens; the last one wins. */
  readonly defaultMode: ForceGroupsDefaultMode;
}

/** Options of {@link parseForceGroups}. */
export interface ParseForceGroupsOptions {
  /**
   * Tests whose forced payloads are kept (Java: those whose spec payload has `allowForce: true`). Defaults to
   * `'all'`, which keeps every payload; note that Java's one-argument overload keeps none.
   */
  readonly forcePayloadTests?: ReadonlySet<string> | 'all';
}

/** Makes a map read-only at runtime too, since results (and the shared empty value) may be cached. */
function readonlyMap<K, V>(map: Map<K, V>): ReadonlyMap<K, V> {
  const refuse = (): never => {
    throw new TypeError('ForceGroups maps are read-only');
  };
  for (const method of ['set', 'delete', 'clear']) {
    Object.defineProperty(map, method, { value: refuse, enumerable: false });
  }
  return Object.freeze(map);
}

/** The result of parsing an empty or blank string: nothing forced, default mode `NONE`. */
export const EMPTY_FORCE_GROUPS: ForceGroups = Object.freeze({
  groups: readonlyMap(new Map<string, number>()),
  payloads: readonlyMap(new Map<string, Payload>()),
  defaultMode: 'NONE',
});

// ---------------------------------------------------------------------------------------------------------
// Character classes (char codes; `charCodeAt` past the end gives NaN, which every test rejects)

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLowerOrUnderscore(c: number): boolean {
  return (c >= 97 && c <= 122) || c === 95;
}

/** Java regex `\s`: space, \t, \n, \x0B, \f, \r. */
function isRegexSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Java regex `.` refuses line terminators, so `\` before one does not start an escape in STR. */
function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x85 || c === 0x2028 || c === 0x2029;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const COLON = 58;
const SEMICOLON = 59;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/**
 * Finds where the payload sub-patterns of the force-groups regex end. Results are memoised per position, so
 * repeated attempts over the same tail (each `find()` retry after a skipped match) cost nothing extra.
 */
class PayloadScanner {
  private readonly s: string;
  private readonly n: number;
  /** For a fresh STR-content position: index of the closing quote, or -1. Built on first use. */
  private strClose: Int32Array | undefined;
  /** ARRAY continuation after an element: end + 1, -1 for failure, 0 for unknown. */
  private arrayTail: Int32Array | undefined;
  /** MAP continuation after a value: end + 1, -1 for failure, 0 for unknown. */
  private mapTail: Int32Array | undefined;

  constructor(s: string) {
    this.s = s;
    this.n = s.length;
  }

  private code(i: number): number {
    return this.s.charCodeAt(i);
  }

  private skipSpace(i: number): number {
    while (isRegexSpace(this.code(i))) i++;
    return i;
  }

  /** `;\w+:VALUE` at `i` (which holds the `;`): the match end, or -1. */
  payloadEnd(i: number): number {
    let t = i + 1;
    while (isWordChar(this.code(t))) t++;
    if (t === i + 1 || this.code(t) !== COLON) return -1;
    return this.value(t + 1);
  }

  /** NUM | STR | ARRAY | MAP at `i`: the end, or -1. */
  private value(i: number): number {
    const c = this.code(i);
    if (c === OPEN_BRACKET) return this.array(i);
    if (c === OPEN_BRACE) return this.map(i);
    return this.stringOrNumber(i);
  }

  private stringOrNumber(i: number): number {
    const c = this.code(i);
    if (c === QUOTE) return this.str(i);
    if (c === MINUS || isDigit(c)) return this.num(i);
    return -1;
  }

  private num(i: number): number {
    if (this.code(i) === MINUS) i++;
    if (!isDigit(this.code(i))) return -1;
    while (isDigit(this.code(i))) i++;
    if (this.code(i) === DOT) {
      i++;
      while (isDigit(this.code(i))) i++;
    }
    return i;
  }

  private str(i: number): number {
    const close = (this.strClose ??= this.buildStrClose())[i + 1] as number;
    return close < 0 ? -1 : close + 1;
  }

  /** Right-to-left table of where STR content starting at each position closes (linear, built once). */
  private buildStrClose(): Int32Array {
    const n = this.n;
    const close = new Int32Array(n + 2);
    close[n] = -1;
    close[n + 1] = -1;
    for (let i = n - 1; i >= 0; i--) {
      const c = this.code(i);
      if (c === QUOTE) {
        close[i] = i;
      } else if (c === BACKSLASH) {
        close[i] = i + 1 < n && !isLineTerminator(this.code(i + 1)) ? (close[i + 2] as number) : -1;
      } else {
        close[i] = close[i + 1] as number;
      }
    }
    return close;
  }

  private array(i: number): number {
    const first = this.stringOrNumber(this.skipSpace(i + 1));
    if (first >= 0) return this.arrayRest(first);
    return this.code(i + 1) === CLOSE_BRACKET ? i + 2 : -1;
  }

  private arrayRest(start: number): number {
    return this.listRest(start, (this.arrayTail ??= new Int32Array(this.n + 1)), (i) => this.stringOrNumber(i), CLOSE_BRACKET);
  }

  /**
   * The `(,item)*` tail of an array or map starting at `start`, then the closing char: the end, or -1.
   * Every position visited is memoized, so backtracking over a long list stays linear.
   */
  private listRest(start: number, memo: Int32Array, item: (i: number) => number, close: number): number {
    const visited: number[] = [];
    let i = start;
    let result: number;
    for (;;) {
      const known = memo[i] as number;
      if (known !== 0) {
        result = known > 0 ? known - 1 : -1;
        break;
      }
      visited.push(i);
      const comma = this.skipSpace(i);
      if (this.code(comma) === COMMA) {
        const next = item(this.skipSpace(comma + 1));
        if (next >= 0) {
          i = next;
          continue;
        }
      }
      result = this.code(i) === close ? i + 1 : -1;
      break;
    }
    for (const v of visited) memo[v] = result >= 0 ? result + 1 : -1;
    return result;
  }

  /** `STR\s*:\s*(NUM|STR|ARRAY)` at `i`: the end, or -1. */
  private entry(i: number): number {
    if (this.code(i) !== QUOTE) return -1;
    const keyEnd = this.str(i);
    if (keyEnd < 0) return -1;
    const colon = this.skipSpace(keyEnd);
    if (this.code(colon) !== COLON) return -1;
    const v = this.skipSpace(colon + 1);
    return this.code(v) === OPEN_BRACKET ? this.array(v) : this.stringOrNumber(v);
  }

  private map(i: number): number {
    const first = this.entry(this.skipSpace(i + 1));
    if (first >= 0) return this.mapRest(first);
    return this.code(i + 1) === CLOSE_BRACE ? i + 2 : -1;
  }

  private mapRest(start: number): number {
    return this.listRest(start, (this.mapTail ??= new Int32Array(this.n + 1)), (i) => this.entry(i), CLOSE_BRACE);
  }

}

// ---------------------------------------------------------------------------------------------------------
// Payload values: what Jackson's default ObjectMapper makes of the (already regex-checked) text. Proctor
// pins jackson-databind 2.9.10, whose scalar coercions differ from later versions' CoercionConfigs.

/** Thrown inside payload parsing only; always caught, standing for Jackson's exceptions. */
class PayloadError extends Error {}

function fail(): never {
  throw new PayloadError();
}

type JsonToken =
  | { readonly kind: 'int' | 'float'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly JsonToken[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [string, JsonToken])[] };

/**
 * Reads the JSON value the scanner delimited. The regex already fixed the structure, so this only adds
 * Jackson's own checks: whitespace is space/tab/CR/LF (not \x0B or \f), no leading zeros, a digit after `.`,
 * and JSON string escapes (no raw control characters).
 */
class JsonReader {
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

/** Java `Long.parseLong`, giving the nearest double (a payload's `longValue` is a JS number). */
function parseLongToDouble(s: string): number {
  const value = parseJavaLong(s);
  return value === null ? fail() : Number(value) + 0;
}

/** Jackson's `Double` deserializer on one token (null when Jackson yields null). */
function toDouble(t: JsonToken): number | null {
  switch (t.kind) {
    case 'int':
      return Number(t.text) + 0; // an int token "-0" is the int 0, hence 0.0
    case 'float':
      return Number(t.text);
    case 'string': {
      // Jackson 2.9 (Proctor's version): trim, then "" and "null" are null, then its own spellings of the
      // special values, then Double.parseDouble.
      const text = javaTrim(t.value);
      if (text === '' || text === 'null') return null;
      if (text === 'NaN') return NaN;
      if (text === 'Infinity' || text === 'INF') return Infinity;
      if (text === '-Infinity' || text === '-INF') return -Infinity;
      return parseJavaDouble(text) ?? fail();
    }
    default:
      return fail();
  }
}

/** Jackson's `Long` deserializer on one token (null when Jackson yields null). */
function toLong(t: JsonToken): number | null {
  switch (t.kind) {
    case 'int':
      // An int token is `-?[0-9]+` without leading zeros, where Jackson's long reading is Long.parseLong's.
      return parseLongToDouble(t.text);
    case 'float': {
      // ACCEPT_FLOAT_AS_INT: truncation, with Jackson's overflow check against (double) Long.MIN/MAX_VALUE.
      const d = Number(t.text);
      if (d < LONG_MIN_AS_DOUBLE || d > LONG_MAX_AS_DOUBLE) fail();
      return Math.trunc(d) + 0;
    }
    case 'string': {
      const text = javaTrim(t.value);
      return text === '' || text === 'null' ? null : parseLongToDouble(text);
    }
    default:
      return fail();
  }
}

/** Jackson's `String` deserializer: numbers become their source text; arrays and objects fail. */
function toStringValue(t: JsonToken): string {
  if (t.kind === 'string') return t.value;
  if (t.kind === 'int' || t.kind === 'float') return t.text;
  return fail();
}

function items(t: JsonToken): readonly JsonToken[] {
  return t.kind === 'array' ? t.items : fail();
}

/** Jackson's untyped (`Object`) value, as found in a `Map<String, Object>`. */
function toUntyped(t: JsonToken): unknown {
  switch (t.kind) {
    case 'int':
      return Number(t.text) + 0;
    case 'float':
      return Number(t.text);
    case 'string':
      return t.value;
    case 'array':
      return Object.freeze(t.items.map(toUntyped));
    default:
      return fail();
  }
}

// Java keeps null elements in Double[] / Long[] (from "" or "null" strings); so does the port, although the
// Payload type says number[], because the payload is passed on as Java would pass it.
type NullableNumbers = readonly number[];

/**
 * Java `parseForcePayloadString` on `type:value`, where the value already matched the regex.
 * Returns null when Java drops the payload (unknown type, `json`, or any Jackson error).
 */
function parsePayload(s: string, typeStart: number, typeEnd: number): Payload | null {
  const type = s.slice(typeStart, typeEnd);
  try {
    const token = new JsonReader(s, typeEnd + 1).read();
    let payload: Payload;
    switch (type) {
      case 'doubleValue': {
        const v = toDouble(token);
        payload = v === null ? {} : { doubleValue: v };
        break;
      }
      case 'doubleArray':
        payload = { doubleArray: Object.freeze(items(token).map(toDouble)) as NullableNumbers };
        break;
      case 'longValue': {
        const v = toLong(token);
        payload = v === null ? {} : { longValue: v };
        break;
      }
      case 'longArray':
        payload = { longArray: Object.freeze(items(token).map(toLong)) as NullableNumbers };
        break;
      case 'stringValue':
        payload = { stringValue: toStringValue(token) };
        break;
      case 'stringArray':
        payload = { stringArray: Object.freeze(items(token).map(toStringValue)) };
        break;
      case 'map': {
        if (token.kind !== 'map') return null;
        const entries = token.entries.map(([k, v]) => [k, toUntyped(v)] as const);
        payload = { map: Object.freeze(Object.fromEntries(entries)) };
        break;
      }
      default:
        return null; // unknown type names, and `json`, which Java refuses to force
    }
    return Object.freeze(payload);
  } catch {
    // Java catches its parse exceptions here and drops the payload; nothing else can fail in this block,
    // and dropping the payload (never the group) is the safe answer to the unexpected too.
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

/**
 * Parses a force-groups string exactly like Java's `ForceGroupsOptionsStrings.parseForceGroupsString`
 * (spec §4.2). Never throws, whatever the input; runs in linear time.
 *
 * Quirks kept from Java: an element counts only if it is followed by `,` or the end (`"abc1 "` forces
 * nothing); junk before an element is skipped (`foo-bar1` forces `bar`); a one-character test name is never
 * forced (`a1`, though `a-1` is); `ab21` means test `ab`, bucket 21; a payload that does not match the
 * grammar voids the whole element, while one that matches but fails to parse keeps the group.
 *
 * @param input - the raw `prforceGroups` value (URL-decoded)
 * @param options - which tests may force payloads; all by default
 * @returns the forced groups, payloads and default mode; {@link EMPTY_FORCE_GROUPS} when nothing is forced
 */
export function parseForceGroups(input: string, options?: ParseForceGroupsOptions): ForceGroups {
  if (typeof input !== 'string' || input.length === 0) return EMPTY_FORCE_GROUPS;
  const allowed = options?.forcePayloadTests ?? 'all';
  const s = input;
  const n = s.length;
  const scanner = new PayloadScanner(s);
  const groups = new Map<string, number>();
  const payloads = new Map<string, Payload>();
  let defaultMode: ForceGroupsDefaultMode = 'NONE';

  // The \w run around the current position; positions only move forward, so one run is cached at a time.
  let runEnd = -1;
  let lastDigit = -1; // largest digit index in the run
  let dashDigitsEnd = -1; // end of `-\d+` right after the run, or -1

  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (!isWordChar(c)) {
      i++;
      continue;
    }
    if (i >= runEnd) {
      let j = i;
      lastDigit = -1;
      while (isWordChar(s.charCodeAt(j))) {
        if (isDigit(s.charCodeAt(j))) lastDigit = j;
        j++;
      }
      runEnd = j;
      dashDigitsEnd = -1;
      if (s.charCodeAt(j) === MINUS && isDigit(s.charCodeAt(j + 1))) {
        let k = j + 1;
        while (isDigit(s.charCodeAt(k))) k++;
        dashDigitsEnd = k;
      }
    }

    // `\w+-?\d+` at i: greedy \w+ first tries the whole run followed by `-\d+`, then backs off to the
    // last digit of the run (which must leave at least one \w before it).
    let groupEnd = -1;
    if (dashDigitsEnd >= 0) groupEnd = dashDigitsEnd;
    else if (lastDigit > i) groupEnd = lastDigit + 1;

    let matchEnd: number;
    let payloadEnd = -1;
    if (groupEnd >= 0) {
      matchEnd = groupEnd;
      if (s.charCodeAt(groupEnd) === SEMICOLON) {
        payloadEnd = scanner.payloadEnd(groupEnd);
        if (payloadEnd >= 0) matchEnd = payloadEnd;
      }
    } else if (isLowerOrUnderscore(c)) {
      matchEnd = i + 1;
      while (isLowerOrUnderscore(s.charCodeAt(matchEnd))) matchEnd++;
      groupEnd = matchEnd;
    } else {
      i++;
      continue;
    }

    // Java skips a match not followed by ',' or the end, and resumes the search after it either way.
    if (matchEnd === n || s.charCodeAt(matchEnd) === COMMA) {
      const group = s.slice(i, groupEnd);
      if (group === 'default_to_fallback') defaultMode = 'FALLBACK';
      else if (group === 'default_to_min_live') defaultMode = 'MIN_LIVE';

      // Java's getBucketValueStart: trailing digits, a '-' just before them, at least one name char before.
      let k = group.length - 1;
      while (k >= 0 && isDigit(group.charCodeAt(k))) k--;
      if (k !== group.length - 1 && k >= 1) {
        if (group.charCodeAt(k) !== MINUS) k++;
        const value = parseJavaInt(group.slice(k));
        if (value !== null) {
          const name = group.slice(0, k);
          groups.set(name, value === 0 ? 0 : value); // Java ints have no -0 ("a-0" forces a to 0)
          if (payloadEnd >= 0 && (allowed === 'all' || allowed.has(name))) {
            let typeEnd = groupEnd + 1;
            while (isWordChar(s.charCodeAt(typeEnd))) typeEnd++;
            const payload = parsePayload(s, groupEnd + 1, typeEnd);
            if (payload !== null) payloads.set(name, payload);
          }
        }
      }
    }
    i = matchEnd;
  }

  if (groups.size === 0 && payloads.size === 0 && defaultMode === 'NONE') return EMPTY_FORCE_GROUPS;
  return Object.freeze({ groups: readonlyMap(groups), payloads: readonlyMap(payloads), defaultMode });
}

// ---------------------------------------------------------------------------------------------------------
// Generation

/**
 * A double for `doubleValue`/`doubleArray`, without an exponent: Java writes `1.0E10` here, which its own
 * grammar (NUM has no exponent) then rejects, while plain digits round-trip through both parsers. NaN and
 * infinities are the quoted strings Jackson accepts for them.
 */
function doubleText(d: unknown): string {
  if (typeof d !== 'number') return '""'; // null elements: "" reads back as null
  return jsonDouble(d, 'plain');
}

function longText(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'number') return '""';
  if (Number.isInteger(v)) return BigInt(v).toString();
  return doubleText(v);
}

/** Compact JSON for map values of any shape; numbers without exponents, cycles cut off. */
function untypedText(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'number':
      if (Number.isInteger(v) && !Object.is(v, -0)) return BigInt(v).toString();
      return doubleText(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return String(v);
    case 'object': {
      if (v === null || depth > 16) return 'null';
      if (Array.isArray(v)) return '[' + v.map((x) => untypedText(x, depth + 1)).join(',') + ']';
      const parts = Object.entries(v).map(([k, x]) => jsonString(k) + ':' + untypedText(x, depth + 1));
      return '{' + parts.join(',') + '}';
    }
    default:
      return 'null';
  }
}

/** Java `createForcePayloadString`, for the first (normally only) payload slot. */
function payloadText(payload: Payload): string {
  if (payload.doubleValue != null) return 'doubleValue:' + doubleText(payload.doubleValue);
  if (payload.doubleArray != null) {
    return 'doubleArray:[' + Array.from(payload.doubleArray, doubleText).join(',') + ']';
  }
  if (payload.longValue != null) return 'longValue:' + longText(payload.longValue);
  if (payload.longArray != null) return 'longArray:[' + Array.from(payload.longArray, longText).join(',') + ']';
  if (payload.stringValue != null) return 'stringValue:' + jsonString(String(payload.stringValue));
  if (payload.stringArray != null) {
    const parts = Array.from(payload.stringArray, (x) => (x == null ? 'null' : jsonString(String(x))));
    return 'stringArray:[' + parts.join(',') + ']';
  }
  if (payload.map != null) return 'map:' + untypedText(payload.map, 0);
  // An empty payload (Java parses `longValue:""` to one): Java writes `abc1;`, which its parser then drops
  // entirely; `longValue:""` reads back as the same empty payload.
  if (payload.json == null) return 'longValue:""';
  return '';
}

/**
 * Writes force groups back in the `prforceGroups` format (Java `generateForceGroupsString`, spec §4.3): the
 * default-mode token first, then `testNameValue` entries in insertion order, with `;type:value` (compact
 * JSON) where a payload is forced. `parseForceGroups` of the result gives back the same groups.
 *
 * Differences from Java, all so that the output parses back: doubles are written without exponents, NaN and
 * infinities as quoted strings, null array elements as `""`, an empty payload as `longValue:""`, and a `json`
 * payload (which Java cannot force) is left out.
 *
 * @param fg - parsed or hand-built force groups
 * @returns the force-groups string; empty when nothing is forced
 */
export function generateForceGroups(fg: ForceGroups): string {
  const tokens: string[] = [];
  if (fg.defaultMode === 'FALLBACK') tokens.push('default_to_fallback');
  else if (fg.defaultMode === 'MIN_LIVE') tokens.push('default_to_min_live');
  for (const [name, value] of fg.groups) {
    const payload = fg.payloads.get(name);
    let text = '';
    if (payload != null) {
      try {
        text = payloadText(payload);
      } catch {
        text = ''; // like Java on a serialisation error: the group without its payload
      }
    }
    // Java's parser takes every trailing digit as the value and needs two name characters before an
    // unsigned value, so 0 is written `-0` where `name0` would not parse back: one-letter names (`a-0`)
    // and names ending in a digit (`ab2-0`). Positive values cannot be expressed for those names at all.
    const zeroNeedsSign = value === 0 && (name.length === 1 || isDigit(name.charCodeAt(name.length - 1)));
    const group = name + (zeroNeedsSign ? '-0' : String(value));
    tokens.push(text === '' ? group : group + ';' + text);
  }
  return tokens.join(',');
}

// ---------------------------------------------------------------------------------------------------------
// Forced payload merge

/** Java `Payload.sameType`: the same slots are filled. */
function sameSlots(a: Payload, b: Payload): boolean {
  for (const type of PAYLOAD_TYPES) {
    if ((a[type] != null) !== (b[type] != null)) return false;
  }
  return true;
}

/**
 * Java `validateForcePayloadMap`: each forced key must exist, and what may replace it depends on the Java class
 * of the current value. Returns the original payload when Java would.
 */
function mergeMap(current: Payload, forced: Payload): Payload {
  const base = current.map;
  const overrides = forced.map;
  if (base == null || overrides == null) return current;
  const merged = new Map<string, unknown>(Object.entries(base));
  for (const key of Object.keys(overrides)) {
    if (!Object.prototype.hasOwnProperty.call(base, key)) return current;
    const now = base[key];
    const next = overrides[key];
    if (typeof now === 'string') {
      merged.set(key, next); // Java puts any forced value over a String, unconverted
    } else if (typeof now === 'number') {
      if (Number.isInteger(now) && !isJavaInt(now) && Math.abs(now) < LONG_MAX_AS_DOUBLE) {
        // A Long (integer beyond int32): Java accepts only an Integer, via Long.valueOf((Integer) forced).
        if (!isJavaInt(next)) return current;
        merged.set(key, next);
      } else {
        // A Double: Java puts any forced value, unconverted. JS cannot tell Java's Integer (written `2` in
        // the matrix, which Java refuses to override) from a whole Double (`2.0`); whole numbers within int32
        // are taken as Doubles.
        merged.set(key, next);
      }
    } else {
      // Arrays (Java ArrayList, which matches neither Double[] nor Long[] nor String[]), nested maps,
      // booleans and nulls: Java keeps the whole original payload.
      return current;
    }
  }
  return Object.freeze({ map: Object.freeze(Object.fromEntries(merged)) });
}

/**
 * The payload a forced bucket carries (Java `TestChooser.choose` + `validateForcePayload`, spec §4.4): the
 * forced payload replaces the bucket's only when both have the same type and it is not `json`; a forced
 * `map` is merged key by key into a copy of the bucket's map, and any unknown key or unsupported value class
 * keeps the bucket's payload unchanged.
 *
 * @param bucketPayload - the forced bucket's own payload
 * @param forced - the forced payload for the test, if any
 * @returns the payload to report for the bucket (the original object when nothing applies)
 */
export function applyForcedPayload(
  bucketPayload: Payload | null | undefined,
  forced: Payload | undefined,
): Payload | null | undefined {
  if (bucketPayload == null || forced == null) return bucketPayload;
  if (!sameSlots(forced, bucketPayload)) return bucketPayload;
  if (forced.json != null) return bucketPayload;
  if (forced.map != null) return mergeMap(bucketPayload, forced);
  return forced;
}
