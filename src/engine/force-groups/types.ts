/**
 * Force groups, the parsed value (spec §4): Java's `ForceGroupsOptions`, the options of the parser, and the
 * shared empty value. Parsing is in `parse.ts`, writing back in `generate.ts`, the payload merge in `merge.ts`.
 */

import type { Payload } from '../../matrix/types.js';

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
export function readonlyMap<K, V>(map: Map<K, V>): ReadonlyMap<K, V> {
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
