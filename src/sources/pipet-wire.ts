/**
 * Pipet's wire format (spec §5.3–§5.4, §6.2–§6.3): building the `/groups/identify` query and reading the
 * response envelope. Pure functions, no I/O.
 */
import { checkMatrixDepth } from '../matrix/parse.js';
import { payloadType } from '../matrix/types.js';
import type { Payload } from '../matrix/types.js';
import type { IdentifyRequest, MatrixDocument, SourceAssignment } from '../contract.js';

/**
 * How one context or identifier value is written in the query string; null means "omit the parameter".
 *
 * - strings as they are (an empty string is kept: Pipet hashes `""` like any identifier);
 * - booleans → `"true"` / `"false"` (Pipet's converter also accepts these; django sends `True`);
 * - numbers and bigints → `String(n)` (`NaN` and `Infinity` included: Java's `Double.valueOf` reads them);
 * - `Date` → ISO-8601, or omitted when invalid;
 * - other objects and arrays → `JSON.stringify`, because no Pipet converter reads structured values and JSON
 *   is at least deterministic and readable by a `String` context variable; omitted when not serializable;
 * - null, undefined, symbols and functions → omitted (django drops `None`).
 */
export function wireValue(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return String(value);
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      try {
        return JSON.stringify(value) ?? null;
      } catch {
        // Cycles and bigints inside objects cannot be serialized; dropping the value beats failing the request.
        return null;
      }
    }
    default:
      return null;
  }
}

/**
 * `<prefix><encoded key>=` by prefix and key: context and identifier names repeat on every request. Bounded,
 * in case an app passes names that do not (it is only a cache).
 */
const keyParts = new Map<string, string>();

function keyPart(prefix: string, key: string): string {
  const id = prefix + key;
  let part = keyParts.get(id);
  if (part === undefined) {
    part = `${prefix}${encodeURIComponent(key)}=`;
    if (keyParts.size >= 1024) keyParts.clear();
    keyParts.set(id, part);
  }
  return part;
}

function appendMap(query: string, prefix: string, map: Readonly<Record<string, unknown>> | null | undefined): string {
  if (typeof map !== 'object' || map === null) return query;
  const keys = Object.keys(map);
  // Sorted so that the same inputs in another key order give the same URL, hence the same cache entry.
  if (keys.length > 1) keys.sort();
  for (const key of keys) {
    const value = wireValue(map[key]);
    if (value !== null) query += `${keyPart(prefix, key)}${encodeURIComponent(value)}&`;
  }
  return query;
}

/** The `test=` parameter and the cache params' test list, per list: apps pass the same list every time. */
const testParts = new WeakMap<readonly string[], { readonly param: string; readonly lines: string }>();

function testPart(tests: readonly string[]): { readonly param: string; readonly lines: string } {
  let part = testParts.get(tests);
  if (part === undefined) {
    part = { param: `test=${tests.map((t) => encodeURIComponent(t)).join(',')}`, lines: tests.join('\n') };
    // Only a list that cannot change may be remembered.
    if (Object.isFrozen(tests)) testParts.set(tests, part);
  }
  return part;
}

/**
 * The query string (without `?`) for `/groups/identify`: `ctx.<k>=<v>` and `id.<k>=<v>` sorted by key,
 * then `test=<a,b,c>` always (an empty list sends `test=`, which asks Pipet for zero tests rather than all),
 * then `prforceGroups=<s>` only when non-empty.
 */
export function identifyQuery(request: IdentifyRequest): string {
  let query = appendMap('', 'ctx.', request.context);
  query = appendMap(query, 'id.', request.identifiers);
  query += testPart(Array.isArray(request.tests) ? request.tests : []).param;
  if (typeof request.forceGroups === 'string' && request.forceGroups !== '') {
    query += `&prforceGroups=${encodeURIComponent(request.forceGroups)}`;
  }
  return query;
}

/**
 * The cache params for a request: the full identify URL (which already encodes API root, identifiers,
 * context and force groups canonically) plus the test list. The list is repeated because the URL joins it
 * with commas, and `['a,b']` and `['a', 'b']` must not share an entry.
 */
export function cacheParams(url: string, tests: readonly string[]): string {
  return `${url}\n${testPart(tests).lines}`;
}

/** A parsed Pipet answer, or why it is unusable. */
export type ParsedIdentify =
  | {
      readonly ok: true;
      /** Requested, assigned tests in request order. */
      readonly groups: Record<string, SourceAssignment>;
      readonly matrixVersion: string | null;
      /** Requested tests whose group entry was malformed (treated as unassigned). */
      readonly malformed: readonly string[];
    }
  | { readonly ok: false; readonly error: string; readonly level: 'warn' | 'error' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A payload object with at least one recognized key (spec §1.6); `{}` and unknown keys are not payloads. */
function isPayload(value: unknown): value is Payload {
  return isRecord(value) && payloadType(value) !== null;
}

function versionOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  // Java writes versions as strings; a number here would come from a hand-written matrix, keep it usable.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/** `HTTP <status>` plus the envelope's `meta.error` when the body is enveloped JSON (spec §6.2). */
export function describeHttpError(status: number, body: string): string {
  const parsed = parseJson(body);
  if (parsed.ok && isRecord(parsed.value) && isRecord(parsed.value['meta'])) {
    const error = parsed.value['meta']['error'];
    if (typeof error === 'string' && error !== '') return `HTTP ${status}: ${error}`;
  }
  return `HTTP ${status}`;
}

function toAssignment(raw: unknown): SourceAssignment | null {
  if (!isRecord(raw)) return null;
  const name = raw['name'];
  const value = raw['value'];
  if (typeof name !== 'string' || typeof value !== 'number' || !Number.isInteger(value)) return null;
  const payload = raw['payload'];
  return {
    name,
    value,
    // django crashes on `{}` (popitem on an empty dict); an empty or unrecognized payload reads as none here.
    payload: isPayload(payload) ? payload : null,
    // Pipet does not report allocations.
    allocationId: null,
    version: versionOf(raw['version']),
  };
}

/**
 * Read a `/groups/identify` response (spec §6.2–§6.3). Only `tests` are looked up, in that order; anything
 * else Pipet returned is ignored. A status other than 200, a body that is not JSON, or a 200 without an
 * object `data.groups` is a failure.
 */
export function parseIdentifyResponse(status: number, body: string, tests: readonly string[]): ParsedIdentify {
  if (status !== 200) return { ok: false, error: describeHttpError(status, body), level: 'error' };
  const parsed = parseJson(body);
  if (!parsed.ok) return { ok: false, error: 'HTTP 200 with a body that is not JSON', level: 'error' };
  const data = isRecord(parsed.value) ? parsed.value['data'] : undefined;
  const rawGroups = isRecord(data) ? data['groups'] : undefined;
  if (!isRecord(data) || !isRecord(rawGroups)) {
    return { ok: false, error: 'HTTP 200 without data.groups', level: 'error' };
  }
  const groups: Record<string, SourceAssignment> = {};
  const malformed: string[] = [];
  for (const test of tests) {
    // `__proto__` would set the result's prototype instead of a key; no real test has that name.
    if (test === '__proto__' || !Object.hasOwn(rawGroups, test)) continue;
    const assignment = toAssignment(rawGroups[test]);
    if (assignment === null) malformed.push(test);
    else groups[test] = assignment;
  }
  const audit = data['audit'];
  return { ok: true, groups, matrixVersion: isRecord(audit) ? versionOf(audit['version']) : null, malformed };
}

/** Read a `/proctor/matrix` response: any JSON object with an object `tests` (spec §5.3, §6.2). */
export function parseMatrixResponse(status: number, body: string): { ok: true; matrix: MatrixDocument } | { ok: false; error: string } {
  if (status !== 200) return { ok: false, error: describeHttpError(status, body) };
  const parsed = parseJson(body);
  if (!parsed.ok) return { ok: false, error: 'HTTP 200 with a body that is not JSON' };
  if (!isRecord(parsed.value) || !isRecord(parsed.value['tests'])) return { ok: false, error: 'HTTP 200 without tests' };
  // The show page and tools write this document back out: refuse what the matrix loader refuses.
  try {
    checkMatrixDepth(parsed.value, body);
  } catch (error) {
    return { ok: false, error: `HTTP 200 with a matrix the loader refuses: ${(error as Error).message}` };
  }
  const audit = parsed.value['audit'];
  return { ok: true, matrix: { audit: isRecord(audit) ? audit : {}, tests: parsed.value['tests'] } };
}

/** `audit.version` of a matrix document, when present. */
export function matrixDocumentVersion(matrix: MatrixDocument): string | null {
  return versionOf(matrix.audit['version']);
}
