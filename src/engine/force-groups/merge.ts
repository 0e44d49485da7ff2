/**
 * Force groups, the payload merge: the payload a forced bucket carries (Java `TestChooser.choose` +
 * `validateForcePayload`, spec §4.4).
 */

import { PAYLOAD_TYPES, type Payload } from '../../matrix/types.js';
import { isJsonDouble, jsonNumberClass, markJsonDouble, markJsonText } from '../../java/json.js';
import { isJavaInt, LONG_MAX_AS_DOUBLE } from '../../java/numbers/index.js';

/** Java `Payload.sameType`: the same slots are filled. */
function sameSlots(a: Payload, b: Payload): boolean {
  for (const type of PAYLOAD_TYPES) {
    if ((a[type] != null) !== (b[type] != null)) return false;
  }
  return true;
}

/** The Java class of a number in a map: Jackson's when the map was read from text, else guessed from its value. */
function numberClass(map: Readonly<Record<string, unknown>>, key: string, value: number): 'Integer' | 'Long' | 'Double' {
  const known = jsonNumberClass(map, key);
  if (known !== undefined) return known;
  // Built by JS code: JS cannot tell Java's Integer (written `2`, which Java refuses to override) from a whole
  // Double (`2.0`); whole numbers within int32 are taken as Doubles, larger ones as Longs.
  return Number.isInteger(value) && !isJavaInt(value) && Math.abs(value) < LONG_MAX_AS_DOUBLE ? 'Long' : 'Double';
}

/**
 * Java `validateForcePayloadMap`: each forced key must exist, and what may replace it depends on the Java class
 * of the current value: anything over a String or a Double, only an Integer over a Long (`Long.valueOf((Integer)
 * forced)`), nothing over an Integer, a List, a Map, a Boolean or null (the whole original payload is kept).
 * Returns the original payload when Java would. The merged map keeps which numbers are Doubles.
 */
function mergeMap(current: Payload, forced: Payload): Payload {
  const base = current.map;
  const overrides = forced.map;
  if (base == null || overrides == null) return current;
  const merged = new Map<string, unknown>(Object.entries(base));
  const doubles = new Set<string>(Object.keys(base).filter((key) => isJsonDouble(base, key)));
  for (const key of Object.keys(overrides)) {
    if (!Object.prototype.hasOwnProperty.call(base, key)) return current;
    const now = base[key];
    const next = overrides[key];
    const nextIsDouble = isJsonDouble(overrides, key);
    if (typeof now === 'string') {
      merged.set(key, next); // Java puts any forced value over a String, unconverted
    } else if (typeof now === 'number') {
      const type = numberClass(base, key, now);
      if (type === 'Integer') return current;
      if (type === 'Long') {
        // Java accepts only an Integer, via Long.valueOf((Integer) forced).
        if (!isJavaInt(next) || nextIsDouble) return current;
        merged.set(key, next);
      } else {
        merged.set(key, next); // a Double: Java puts any forced value, unconverted
      }
    } else {
      // Arrays (Java ArrayList, which matches neither Double[] nor Long[] nor String[]), nested maps,
      // booleans and nulls: Java keeps the whole original payload.
      return current;
    }
    if (nextIsDouble) doubles.add(key);
    else doubles.delete(key);
  }
  const map = Object.fromEntries(merged);
  markJsonText(map);
  for (const key of doubles) markJsonDouble(map, key);
  return Object.freeze({ map: Object.freeze(map) });
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
