/**
 * Force groups, the Jackson coercions: what Jackson's default ObjectMapper makes of the (already
 * regex-checked) payload text, and Java's `parseForcePayloadString` on top of them. Proctor pins
 * jackson-databind 2.9.10, whose scalar coercions differ from later versions' CoercionConfigs.
 */

import type { Payload } from '../../matrix/types.js';
import { markJsonDouble, markJsonText } from '../../java/json.js';
import { LONG_MAX_AS_DOUBLE, LONG_MIN_AS_DOUBLE, parseJavaDouble, parseJavaLong } from '../../java/numbers/index.js';
import { javaTrim } from '../../java/text.js';
import { fail, JsonReader, type JsonToken } from './json-reader.js';

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
export function parsePayload(s: string, typeStart: number, typeEnd: number): Payload | null {
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
        const map = Object.fromEntries(entries);
        // Jackson's classes of the forced values: `1` an Integer, `1.0` a Double (written back as `1.0`).
        markJsonText(map);
        for (const [k, v] of token.entries) if (v.kind === 'float' && Number.isInteger(map[k])) markJsonDouble(map, k);
        payload = { map: Object.freeze(map) };
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
