/**
 * Java reads a JSON decimal literal as a Double even when its value is whole (`2.0`, `1e3`), while
 * `JSON.parse` gives the JS number `2`, which the rule language takes for a Long (spec §3.8). For a matrix
 * given as text, the tests' `constants` are where that shows (`proctor:contains(DBLS, 2.0)` with
 * `"DBLS": [1.5, 2.0]`), so there such literals become {@link javaDouble} values. Pure.
 */
import { javaDouble } from '../rules/values.js';

/** A string, or a number literal; strings are matched first so digits inside them are left alone. */
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g;
/** The key of the marker object a whole decimal literal is wrapped in for the second parse. */
const MARK = '\u0000double';

/**
 * JSON text with every whole decimal literal outside strings (`2.0`, `1e3`) wrapped as `{"<key>": 2.0}`, so
 * a parse keeps them apart from integers; null when the text has none. `key` is written as a JSON string.
 */
export function wrapWholeDecimals(text: string, key: string): string | null {
  let found = false;
  const wrapped = text.replace(TOKENS, (token) => {
    if (token.startsWith('"') || !/[.eE]/.test(token) || !Number.isInteger(Number(token))) return token;
    found = true;
    return `{${JSON.stringify(key)}:${token}}`;
  });
  return found ? wrapped : null;
}

function restore(marked: unknown): unknown {
  if (Array.isArray(marked)) return marked.map(restore);
  if (typeof marked !== 'object' || marked === null) return marked;
  const keys = Object.keys(marked);
  if (keys.length === 1 && keys[0] === MARK) return javaDouble((marked as Record<string, number>)[MARK] as number);
  // fromEntries defines properties, so a `__proto__` key stays a key.
  return Object.fromEntries(keys.map((key) => [key, restore((marked as Record<string, unknown>)[key])]));
}

function objectOrNull(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * Gives the `constants` of every test in `doc` (the `JSON.parse` of `text`) Java's Doubles for whole
 * decimal literals. Does nothing when the text has none; costs a second parse when it has some.
 */
export function restoreConstantDoubles(doc: unknown, text: string): void {
  const tests = objectOrNull(objectOrNull(doc)?.tests);
  // Most matrices have no constants: then there is nothing to look for.
  if (tests === null || !Object.values(tests).some((test) => Object.keys(objectOrNull(objectOrNull(test)?.constants) ?? {}).length > 0)) return;
  const marked = wrapWholeDecimals(text, MARK);
  if (marked === null) return;
  const markedTests = objectOrNull(objectOrNull(JSON.parse(marked))?.tests);
  for (const name of Object.keys(tests)) {
    const test = objectOrNull(tests[name]);
    const constants = objectOrNull(objectOrNull(markedTests?.[name])?.constants);
    if (test !== null && constants !== null && objectOrNull(test.constants) !== null) test.constants = restore(constants);
  }
}
