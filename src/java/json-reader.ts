/**
 * JSON read as Jackson reads it into `Object`/`Map` (its untyped deserializer), which `JSON.parse` cannot do:
 * it keeps the type each number literal has in Java. An integer literal is an `Integer` when it fits an int,
 * a `Long` when it fits a long (beyond: a `BigInteger`); a literal with a fraction or an exponent is a
 * `Double`, even when its value is whole (`120.0`, `1e3`). Optionally it accepts comments, as Proctor's lenient
 * mapper (`ALLOW_COMMENTS`) does for specifications.
 *
 * Two ways to hand the numbers over:
 * - `java`: as the rule language's values: {@link JavaInt} for an Integer, a number (a bigint beyond ±2^53,
 *   exact) for a Long or BigInteger, a number for a Double, {@link JavaDouble} for a whole one;
 * - `plain`: plain JS numbers, as `JSON.parse` gives them, each whole Double marked on its container
 *   ({@link isJsonDouble}), so values handed to applications stay plain while writers can still write `120.0`.
 *
 * The reader is iterative (no recursion), so depth costs heap, not stack. Syntax is JSON's (RFC 8259), which
 * is also Jackson's default: no leading zeros, no `NaN`, whitespace is space, tab, CR and LF.
 */
import { JavaDouble, JavaInt } from './boxes.js';
import { jsonDoubleKeys, markJsonDouble, unmarkJsonDouble } from './json.js';
import { INT_MAX, INT_MIN } from './numbers/index.js';

/** Options of {@link readJson}. */
export interface ReadJsonOptions {
  /** How numbers are handed over (see the module comment). @default 'plain' */
  readonly numbers?: 'java' | 'plain';
  /** Jackson's `ALLOW_COMMENTS`: `// …` to the end of the line and `/* … *\/` wherever whitespace may be. @default false */
  readonly comments?: boolean;
}

/** JSON text that cannot be read; the message names the position. */
export class JsonSyntaxError extends SyntaxError {
  constructor(
    message: string,
    /** Offset in the text, in UTF-16 units. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const SAFE_DIGITS = 15;
// eslint-disable-next-line no-control-regex -- control characters must be escaped in JSON strings
const SPECIAL = /[\\\u0000-\u001f]/;

interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  /** The key the next value goes to (objects only). */
  key: string;
}

/**
 * Read one JSON document. Throws {@link JsonSyntaxError} on anything that is not JSON (or, with `comments`,
 * JSON with comments), including content after the document.
 */
export function readJson(text: string, options: ReadJsonOptions = {}): unknown {
  const java = options.numbers === 'java';
  const comments = options.comments === true;
  const length = text.length;
  let i = 0;
  /** Whether the number just read is a Double with a whole value (`plain` mode marks it). */
  let wholeDouble: boolean;

  const fail = (what: string, at = i): never => {
    let line = 1;
    let column = 1;
    for (let k = 0; k < at && k < length; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    const found = at < length ? `${JSON.stringify(text.charAt(at))}` : 'the end of the text';
    throw new JsonSyntaxError(`${what}, found ${found} at line ${line}, column ${column}`, at);
  };

  const space = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++;
      } else if (c === 47 && comments) {
        const next = text.charCodeAt(i + 1);
        if (next === 47) {
          i += 2;
          while (i < length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
        } else if (next === 42) {
          const end = text.indexOf('*/', i + 2);
          if (end < 0) fail('unterminated /* comment', i);
          i = end + 2;
        } else {
          fail("expected '//' or '/*'", i + 1);
        }
      } else {
        return;
      }
    }
  };

  const string = (): string => {
    const start = i; // at the opening quote
    // Most strings have no escape: the next quote ends them, and the text between needs one regex check.
    const end = text.indexOf('"', start + 1);
    if (end > 0) {
      const body = text.slice(start + 1, end);
      if (!SPECIAL.test(body)) {
        i = end + 1;
        return body;
      }
    }
    for (i++; ; i++) {
      if (i >= length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) i++;
      else if (c < 32) fail('control character in a string (it must be escaped)');
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('invalid escape in a string', start);
    }
  };

  const digits = (): number => {
    const from = i;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    return i - from;
  };

  const number = (): unknown => {
    const start = i;
    if (text.charCodeAt(i) === 45) i++;
    const first = text.charCodeAt(i);
    if (first === 48) {
      i++;
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) fail('leading zeros are not allowed');
    } else if (first > 48 && first <= 57) {
      digits();
    } else {
      fail('expected a digit');
    }
    let floating = false;
    if (text.charCodeAt(i) === 46) {
      i++;
      floating = true;
      if (digits() === 0) fail('expected a digit after the decimal point');
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      floating = true;
      const sign = text.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      if (digits() === 0) fail('expected a digit in the exponent');
    }
    const token = text.slice(start, i);
    if (floating) {
      const d = Number(token);
      const whole = Number.isInteger(d) || Object.is(d, -0);
      if (java) return whole ? new JavaDouble(d) : d;
      wholeDouble = whole;
      return d;
    }
    const digitCount = token.length - (token.charCodeAt(0) === 45 ? 1 : 0);
    if (digitCount <= SAFE_DIGITS) {
      const n = Number(token) + 0; // "-0" is the int 0
      return java && n >= INT_MIN && n <= INT_MAX ? new JavaInt(n) : n;
    }
    if (!java) return Number(token);
    const big = BigInt(token);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  };

  const literal = (word: string, value: unknown): unknown => {
    if (!text.startsWith(word, i)) fail('expected a JSON value');
    i += word.length;
    return value;
  };

  /** The key of the next member, with its colon; at the opening quote. */
  const key = (): string => {
    if (text.charCodeAt(i) !== 34) fail('expected a property name in double quotes');
    const k = string();
    space();
    if (text.charCodeAt(i) !== 58) fail("expected ':'");
    i++;
    return k;
  };

  const stack: Frame[] = [];
  let value: unknown;
  space();
  for (;;) {
    // A value starts here.
    wholeDouble = false;
    const c = text.charCodeAt(i);
    if (c === 123) {
      i++;
      space();
      const object: Record<string, unknown> = {};
      if (text.charCodeAt(i) === 125) {
        i++;
        value = object;
      } else {
        stack.push({ container: object, key: key() });
        space();
        continue;
      }
    } else if (c === 91) {
      i++;
      space();
      const array: unknown[] = [];
      if (text.charCodeAt(i) === 93) {
        i++;
        value = array;
      } else {
        stack.push({ container: array, key: '' });
        continue;
      }
    } else if (c === 34) {
      value = string();
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      value = number();
    } else if (c === 116) {
      value = literal('true', true);
    } else if (c === 102) {
      value = literal('false', false);
    } else if (c === 110) {
      value = literal('null', null);
    } else {
      fail('expected a JSON value');
    }
    // The value is complete: store it, then close every container that ends here.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) {
        space();
        if (i < length) fail('expected the end of the document');
        return value;
      }
      const container = frame.container;
      if (Array.isArray(container)) {
        if (wholeDouble) markJsonDouble(container, container.length);
        container.push(value);
      } else {
        const k = frame.key;
        // A `__proto__` key is an own property, as JSON.parse makes it.
        if (k === '__proto__') Object.defineProperty(container, k, { value, enumerable: true, writable: true, configurable: true });
        else container[k] = value;
        if (wholeDouble) markJsonDouble(container, k);
        else unmarkJsonDouble(container, k); // a repeated key: the last one counts, as in Jackson and JSON.parse
      }
      wholeDouble = false;
      space();
      const next = text.charCodeAt(i);
      if (next === 44) {
        i++;
        space();
        if (!Array.isArray(container)) {
          frame.key = key();
          space();
        }
        break;
      }
      if (next === (Array.isArray(container) ? 93 : 125)) {
        i++;
        stack.pop();
        value = container;
        continue;
      }
      fail(Array.isArray(container) ? "expected ',' or ']'" : "expected ',' or '}'");
    }
  }
}

/**
 * A value read in `plain` mode, with its numbers as `java` mode gives them: a whole number not marked as a
 * Double is an Integer in the int range and a Long beyond (as a number, so beyond ±2^53 not exact); one
 * marked as a Double is a {@link JavaDouble}. Objects and arrays are copied; the input is not changed.
 */
export function toJavaNumbers(value: unknown, double = false): unknown {
  if (typeof value === 'number') {
    if (double) return Number.isInteger(value) || Object.is(value, -0) ? new JavaDouble(value) : value;
    return Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX ? new JavaInt(value + 0) : value;
  }
  if (typeof value !== 'object' || value === null || value instanceof JavaInt || value instanceof JavaDouble) return value;
  const doubles = jsonDoubleKeys(value);
  if (Array.isArray(value)) return value.map((x: unknown, i) => toJavaNumbers(x, doubles?.has(i) ?? false));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = toJavaNumbers((value as Record<string, unknown>)[key], doubles?.has(key) ?? false);
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}
