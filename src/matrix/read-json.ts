/**
 * A matrix's JSON text read as Java Proctor reads it (Jackson, spec §3.8): in the tests' `constants`, numbers
 * are Integers, Longs and Doubles by how they are written (`18` an Integer, `2.0` a Double), as the rules see
 * them in Java; in `map` and `json` payloads they stay plain JS numbers for the application, with the ones
 * written as Doubles marked (`isJsonDouble`) so that every writer puts `120.0` back. Pure.
 */
import { markJsonText } from '../java/json.js';
import { readJson, toJavaNumbers } from '../java/json-reader.js';

/** Text that has something for the typed reader: non-empty constants, or `map`/`json` payloads. */
const TYPED = /"constants"\s*:\s*\{\s*"|"(?:map|json)"\s*:/;
/** Sixteen digits in a row: maybe an integer a JS number cannot hold exactly. */
const LONG_DIGITS = /\d{16}/;

function objectOrNull(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * Parse matrix text. Throws a `SyntaxError` when it is not JSON (comments included: Java's matrix loader
 * refuses them too). Plain `JSON.parse` when the text has neither constants nor map/json payloads.
 */
export function readMatrixJson(text: string): unknown {
  if (!TYPED.test(text)) return JSON.parse(text);
  const doc = readJson(text);
  const tests = objectOrNull(objectOrNull(doc)?.tests);
  // Integers beyond ±2^53 (rare) lose digits as plain numbers: then constants come from an exact, typed read.
  const exact = LONG_DIGITS.test(text) ? objectOrNull(objectOrNull(readJson(text, { numbers: 'java' }))?.tests) : null;
  if (tests !== null) {
    for (const name of Object.keys(tests)) {
      const test = objectOrNull(tests[name]);
      if (test === null) continue;
      if (objectOrNull(test.constants) !== null) {
        test.constants = exact === null ? toJavaNumbers(test.constants) : objectOrNull(exact[name])?.constants;
      }
      // A `map` payload's classes decide what a forced payload may replace (TestChooser.validateForcePayloadMap).
      if (Array.isArray(test.buckets)) {
        for (const bucket of test.buckets as unknown[]) {
          const map = objectOrNull(objectOrNull(objectOrNull(bucket)?.payload)?.map);
          if (map !== null) markJsonText(map);
        }
      }
    }
  }
  return doc;
}
