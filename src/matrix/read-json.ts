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
  if (tests !== null) {
    for (const name of Object.keys(tests)) {
      const test = objectOrNull(tests[name]);
      if (test === null) continue;
      if (objectOrNull(test.constants) !== null) test.constants = toJavaNumbers(test.constants);
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
