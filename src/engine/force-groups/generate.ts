/**
 * Force groups, the generator: writes force groups back in the `prforceGroups` format (Java
 * `generateForceGroupsString`, spec §4.3), so that the parser reads back the same groups.
 */

import type { Payload } from '../../matrix/types.js';
import { jsonDouble, jsonString } from '../../java/json.js';
import { isDigit } from './chars.js';
import type { ForceGroups } from './types.js';

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
