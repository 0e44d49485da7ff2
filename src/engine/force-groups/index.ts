/**
 * Force groups (`prforceGroups`, spec §4): parsing Java's `ForceGroupsOptionsStrings` format (`parse.ts`, with
 * the scanner in `scan.ts`, the JSON reader in `json-reader.ts` and Jackson's coercions in `coerce.ts`),
 * generating it back (`generate.ts`), and merging a forced payload into a bucket's payload (`merge.ts`).
 */

export { EMPTY_FORCE_GROUPS } from './types.js';
export type { ForceGroups, ForceGroupsDefaultMode, ParseForceGroupsOptions } from './types.js';
export { parseForceGroups } from './parse.js';
export { generateForceGroups } from './generate.js';
export { applyForcedPayload } from './merge.js';
