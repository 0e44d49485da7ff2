/**
 * JSON → {@link TestMatrix}: the structural half of loading (spec §1). Like Java's lenient Jackson mapper it
 * ignores unknown keys, coerces scalars (`"version": 1` → `"1"`) and drops tests whose value is `null`.
 * Anything that is not a matrix (bad JSON, missing `audit`, wrong types) throws a {@link MatrixError}
 * naming the JSON path and the value; semantic checks live in `verify.ts`.
 */
import { MatrixError } from '../errors.js';
import { isJavaInt } from '../java/numbers/index.js';
import { isJsonDouble, markJsonDouble } from '../java/json.js';
import { readMatrixJson } from './read-json.js';
import { PAYLOAD_TYPES } from './types.js';
import type {
  Allocation,
  Audit,
  Payload,
  PayloadExperimentConfig,
  Range,
  TestBucket,
  TestDefinition,
  TestDependency,
  TestMatrix,
} from './types.js';

type Json = Record<string, unknown>;

/** Short, safe rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new MatrixError(`${path}: expected ${expected}, got ${describeValue(value)}`, path);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string): Json {
  if (!isObject(value)) fail(path, 'an object', value);
  return value;
}

function array(value: unknown, path: string): unknown[] {
  if (value == null) return [];
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

function optionalString(value: unknown, path: string): string | null {
  if (value == null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(path, 'a string', value);
}

function number(value: unknown, path: string, fallback: number): number {
  if (value == null) return fallback;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return fail(path, 'a number', value);
}

function int32(value: unknown, path: string, fallback: number): number {
  const n = number(value, path, fallback);
  if (!isJavaInt(n)) fail(path, 'a 32-bit integer', value);
  return n;
}

function boolean(value: unknown, path: string): boolean {
  if (value == null) return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return fail(path, 'a boolean', value);
}

function numberArray(value: unknown, path: string, integers: boolean): number[] {
  return array(value, path).map((v, i) =>
    integers ? Math.trunc(number(v, `${path}[${i}]`, 0)) : number(v, `${path}[${i}]`, 0),
  );
}

function parsePayload(value: unknown, path: string): Payload | null {
  if (value == null) return null;
  const raw = object(value, path);
  const payload: Record<string, unknown> = {};
  for (const type of PAYLOAD_TYPES) {
    const v = raw[type];
    if (v == null) continue;
    const p = `${path}.${type}`;
    switch (type) {
      case 'doubleValue':
        payload[type] = number(v, p, 0);
        break;
      case 'longValue':
        payload[type] = Math.trunc(number(v, p, 0));
        break;
      case 'doubleArray':
        payload[type] = numberArray(v, p, false);
        break;
      case 'longArray':
        payload[type] = numberArray(v, p, true);
        break;
      case 'stringValue':
        payload[type] = optionalString(v, p);
        break;
      case 'stringArray':
        payload[type] = array(v, p).map((s, i) => optionalString(s, `${p}[${i}]`));
        break;
      case 'map':
        payload[type] = object(v, p);
        break;
      case 'json':
        payload[type] = v;
        // A whole Double as the whole `json` value (`"json": 2.0`) keeps its mark on the new payload object.
        if (isJsonDouble(raw, type)) markJsonDouble(payload, type);
        break;
    }
  }
  // Java's Payload builder refuses a second type: the whole document fails to load (vector
  // load-multi-typed-payload), so this is a structural error, not a per-test one.
  const types = Object.keys(payload);
  if (types.length > 1) {
    throw new MatrixError(`${path}: a payload has exactly one type, got ${types.join(' and ')}`, path);
  }
  return payload as Payload;
}

function parseBucket(value: unknown, path: string): TestBucket {
  const raw = object(value, path);
  return {
    name: optionalString(raw.name, `${path}.name`) ?? '',
    value: int32(raw.value, `${path}.value`, 0),
    description: optionalString(raw.description, `${path}.description`),
    payload: parsePayload(raw.payload, `${path}.payload`),
  };
}

function parseRange(value: unknown, path: string): Range {
  const raw = object(value, path);
  return {
    bucketValue: int32(raw.bucketValue, `${path}.bucketValue`, 0),
    length: number(raw.length, `${path}.length`, 0),
  };
}

function parseAllocation(value: unknown, path: string): Allocation {
  const raw = object(value, path);
  return {
    rule: optionalString(raw.rule, `${path}.rule`),
    ranges: array(raw.ranges, `${path}.ranges`).map((r, i) => parseRange(r, `${path}.ranges[${i}]`)),
    id: optionalString(raw.id, `${path}.id`) ?? '',
    name: optionalString(raw.name, `${path}.name`) ?? '',
  };
}

function parseDependency(value: unknown, path: string): TestDependency | null {
  if (value == null) return null;
  const raw = object(value, path);
  return {
    testName: optionalString(raw.testName, `${path}.testName`) ?? '',
    bucketValue: int32(raw.bucketValue, `${path}.bucketValue`, 0),
  };
}

function parsePayloadExperimentConfig(value: unknown, path: string): PayloadExperimentConfig | null {
  if (value == null) return null;
  const raw = object(value, path);
  return {
    priority: optionalString(raw.priority, `${path}.priority`),
    namespaces: array(raw.namespaces, `${path}.namespaces`).map(
      (s, i) => optionalString(s, `${path}.namespaces[${i}]`) ?? '',
    ),
  };
}

/** Parse one test definition (a value of `tests`). */
export function parseTestDefinition(value: unknown, path: string): TestDefinition {
  const raw = object(value, path);
  const testType = optionalString(raw.testType, `${path}.testType`);
  if (testType === null) fail(`${path}.testType`, 'a test type such as "USER"', raw.testType);
  return {
    testType,
    salt: optionalString(raw.salt, `${path}.salt`),
    version: optionalString(raw.version, `${path}.version`),
    rule: optionalString(raw.rule, `${path}.rule`),
    constants: raw.constants == null ? {} : object(raw.constants, `${path}.constants`),
    buckets: array(raw.buckets, `${path}.buckets`).map((b, i) => parseBucket(b, `${path}.buckets[${i}]`)),
    allocations: array(raw.allocations, `${path}.allocations`).map((a, i) =>
      parseAllocation(a, `${path}.allocations[${i}]`),
    ),
    silent: boolean(raw.silent, `${path}.silent`),
    description: optionalString(raw.description, `${path}.description`),
    metaTags: array(raw.metaTags, `${path}.metaTags`).map((s, i) => optionalString(s, `${path}.metaTags[${i}]`) ?? ''),
    dependsOn: parseDependency(raw.dependsOn, `${path}.dependsOn`),
    dynamic: boolean(raw.dynamic, `${path}.dynamic`),
    evaluateForIncognitoUsers: boolean(raw.evaluateForIncognitoUsers, `${path}.evaluateForIncognitoUsers`),
    enableUnitlessAllocations: boolean(raw.enableUnitlessAllocations, `${path}.enableUnitlessAllocations`),
    containsUnitlessAllocation: boolean(raw.containsUnitlessAllocation, `${path}.containsUnitlessAllocation`),
    forceLogging: boolean(raw.forceLogging, `${path}.forceLogging`),
    payloadExperimentConfig: parsePayloadExperimentConfig(raw.payloadExperimentConfig, `${path}.payloadExperimentConfig`),
  };
}

/**
 * Java writes `updatedDate` from `updated` in zone US/Central (spec §1.2); it is derived, never read.
 * Intl gives the zone rules without a date library.
 */
export function formatUpdatedDate(updated: number): string {
  if (!(updated > 0)) return '';
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Chicago',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(updated));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '').replace(':', '') || '+0000';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}${offset}`;
}

function parseAudit(value: unknown): Audit {
  const raw = object(value, 'audit');
  const updated = number(raw.updated, 'audit.updated', 0);
  return {
    version: optionalString(raw.version, 'audit.version') ?? '',
    updated,
    updatedDate: formatUpdatedDate(updated),
    updatedBy: optionalString(raw.updatedBy, 'audit.updatedBy'),
  };
}

/**
 * Deepest nesting of arrays and objects a matrix document may have, counted from the document itself (level
 * 1); a bucket's payload value starts at level 7, so a `json` or `map` payload may nest 250 levels. Every JSON
 * writer that shows a matrix or a payload (`procScript`, the show page, `serve`, the CLI) recurses, and
 * overflows the stack a few thousand levels down; real matrices nest under 15. Jackson (2.15+) has the same
 * kind of document limit, at 1000.
 */
export const MAX_MATRIX_DEPTH = 256;

/** True when `value` has a container deeper than {@link MAX_MATRIX_DEPTH}; `path` then leads to it. */
function nestsTooDeep(value: object, level: number, path: (string | number)[]): boolean {
  if (level > MAX_MATRIX_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      path.push(i);
      if (nestsTooDeep(item, level + 1, path)) return true;
      path.pop();
    }
    return false;
  }
  for (const key of Object.keys(value)) {
    const item: unknown = (value as Json)[key];
    if (typeof item !== 'object' || item === null) continue;
    path.push(key);
    if (nestsTooDeep(item, level + 1, path)) return true;
    path.pop();
  }
  return false;
}

/**
 * The deepest nesting of arrays and objects in JSON text, read from the brackets outside strings: a plain
 * character scan, several times faster than walking the parsed document, which is needed only when this
 * finds the text too deep (to name the field).
 */
function textNesting(text: string): number {
  let level = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: its brackets are text.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++level > deepest) deepest = level;
    } else if (c === 0x5d || c === 0x7d) {
      level--;
    }
  }
  return deepest;
}

/** Levels of nesting of `value` and below (1 for `[]`), without recursion; each object is counted once. */
function nestingOf(value: object): number {
  let deepest = 0;
  const seen = new Set<object>();
  const stack: [object, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, level] = top;
    if (seen.has(node)) continue;
    seen.add(node);
    deepest = Math.max(deepest, level);
    for (const item of Array.isArray(node) ? (node as unknown[]) : Object.values(node)) {
      if (typeof item === 'object' && item !== null) stack.push([item, level + 1]);
    }
  }
  return deepest;
}

function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Refuses a document nested deeper than {@link MAX_MATRIX_DEPTH} with a {@link MatrixError} that names the
 * field (`tests.t.buckets[0].payload.json`), the test and bucket when it is a payload, and the depth. Checked
 * before anything else walks the document; the walk recurses at most {@link MAX_MATRIX_DEPTH} deep. `text`,
 * the JSON `doc` was parsed from, makes the common case (not too deep) a character scan.
 */
export function checkMatrixDepth(doc: unknown, text?: string): void {
  if (typeof doc !== 'object' || doc === null) return;
  if (text !== undefined && textNesting(text) <= MAX_MATRIX_DEPTH) return;
  const path: (string | number)[] = [];
  if (!nestsTooDeep(doc, 1, path)) return;
  let node: unknown = doc;
  for (const p of path) node = (node as Record<string | number, unknown>)[p];
  const depth = path.length + nestingOf(node as object);
  // The field the deep value belongs to: a payload (6 segments), a constant (4), any other field.
  const [first, test, field, index] = path;
  const length = first !== 'tests' ? 1 : field === 'buckets' && typeof index === 'number' ? 6 : field === 'constants' ? 4 : 3;
  const shown = pathText(path.slice(0, length));
  let where = '';
  if (first === 'tests' && typeof test === 'string') {
    where = ` (test ${JSON.stringify(test)}`;
    if (field === 'buckets' && typeof index === 'number') {
      const bucket = ((doc as Json).tests as Json)[test] as Json;
      const name = ((bucket.buckets as unknown[])[index] as Json | undefined)?.name;
      where += `, bucket ${typeof name === 'string' ? JSON.stringify(name) : index}`;
    }
    where += ')';
  }
  throw new MatrixError(
    `${shown}: arrays and objects nested ${depth} levels deep${where}; a matrix may nest at most ${MAX_MATRIX_DEPTH} levels`,
    shown,
  );
}

/**
 * Parse a test matrix from JSON text or an already-parsed value. Throws {@link MatrixError} when the
 * document is not a matrix, or nests deeper than {@link MAX_MATRIX_DEPTH}. Comments are rejected, as Java's
 * loader does (vector load-comments-allowed).
 */
export function parseTestMatrix(input: string | unknown): TestMatrix {
  return drain(parseTestMatrixSteps(input));
}

/**
 * Run a stepwise computation ({@link parseTestMatrixSteps}, `loadMatrixSteps`, …) to its end at once.
 * The steps yield nothing: a yield only marks a point where a caller may pause.
 */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * {@link parseTestMatrix} in steps: yields after each test, so that a caller with a large matrix can give
 * the event loop a turn now and then (`sources/` does; the core has no timers). Same result, same errors.
 */
export function* parseTestMatrixSteps(input: string | unknown): Generator<void, TestMatrix> {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = readMatrixJson(input);
    } catch (error) {
      throw new MatrixError(`matrix is not valid JSON: ${(error as Error).message}`, '', { cause: error });
    }
    checkMatrixDepth(doc, input);
  } else {
    checkMatrixDepth(doc);
  }
  if (!isObject(doc)) fail('(root)', 'a test matrix object with "audit" and "tests"', doc);
  if (doc.audit == null) throw new MatrixError('audit: required field "audit" is missing', 'audit');
  const audit = parseAudit(doc.audit);
  // A null prototype so a test named `__proto__` is just a test.
  const tests = Object.create(null) as Record<string, TestDefinition>;
  if (doc.tests != null) {
    const rawTests = object(doc.tests, 'tests');
    for (const name of Object.keys(rawTests)) {
      const value = rawTests[name];
      if (value === null) continue;
      tests[name] = parseTestDefinition(value, `tests.${name}`);
      yield;
    }
  }
  return { audit, tests };
}
