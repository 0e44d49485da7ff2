/**
 * The application's *specification* (spec §1.9, §8.2, §2.11): which tests the app requires, their buckets,
 * fallback values and payload types, the context it provides, and which other tests it loads dynamically.
 */
import { SpecificationError } from '../errors.js';
import { JavaDouble, javaDouble, JavaInt } from '../java/boxes.js';
import { jsonNumberClass } from '../java/json.js';
import { readJson } from '../java/json-reader.js';
import { compileRule } from '../rules/index.js';
import type { RuleOptions } from '../rules/index.js';
import { TestRejection } from './compile.js';
import { describeValue } from './parse.js';
import { PAYLOAD_TYPES, payloadType, payloadValue } from './types.js';
import type { PayloadType, TestBucket, TestDefinition } from './types.js';

/** How a required test's payload must look. */
export interface PayloadSpecification {
  readonly type: PayloadType;
  /** For `map` payloads: key → payload type of the value. */
  readonly schema?: Readonly<Record<string, PayloadType>>;
  /** A rule that must be true for each bucket's payload (`value`, or the map's keys as variables). */
  readonly validator?: string;
  /** Whether `prforceGroups` may force this test's payload. */
  readonly allowForce?: boolean;
}

/** One required test. */
export interface TestSpecification {
  /** Bucket name → value. */
  readonly buckets: Readonly<Record<string, number>>;
  /** The value the app uses when the test is unassigned. @default -1 */
  readonly fallbackValue: number;
  readonly description?: string;
  readonly payload?: PayloadSpecification;
}

/** Which non-required tests the app also loads (Java dynamic filters). */
export type DynamicFilter =
  | { readonly type: 'match_all' }
  | { readonly type: 'name_prefix'; readonly prefix: string }
  | { readonly type: 'name_pattern'; readonly regex: string }
  | { readonly type: 'meta_tags_filter'; readonly metaTags: readonly string[] };

/** An application specification. */
export interface Specification {
  /** Context variable → Java type name (`String`, `boolean`, `int`, …). Rules are verified against it. */
  readonly providedContext?: Readonly<Record<string, string>>;
  readonly tests: Readonly<Record<string, TestSpecification>>;
  readonly dynamicFilters: readonly DynamicFilter[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(path: string, expected: string, value: unknown): never {
  throw new SpecificationError(`${path}: expected ${expected}, got ${describeValue(value)}`, path);
}

function isPayloadType(v: unknown): v is PayloadType {
  return typeof v === 'string' && (PAYLOAD_TYPES as readonly string[]).includes(v);
}

function parsePayloadSpec(v: unknown, path: string): PayloadSpecification | undefined {
  if (v == null) return undefined;
  if (!isObject(v)) bad(path, 'an object', v);
  if (!isPayloadType(v.type)) bad(`${path}.type`, `one of ${PAYLOAD_TYPES.join(', ')}`, v.type);
  const out: { -readonly [K in keyof PayloadSpecification]: PayloadSpecification[K] } = { type: v.type };
  if (v.schema != null) {
    if (!isObject(v.schema)) bad(`${path}.schema`, 'an object', v.schema);
    const schema: Record<string, PayloadType> = {};
    for (const [k, t] of Object.entries(v.schema)) {
      if (!isPayloadType(t)) bad(`${path}.schema.${k}`, 'a payload type', t);
      schema[k] = t;
    }
    out.schema = schema;
  }
  if (v.validator != null) {
    if (typeof v.validator !== 'string') bad(`${path}.validator`, 'a rule string', v.validator);
    out.validator = v.validator;
  }
  if (v.allowForce != null) out.allowForce = v.allowForce === true;
  return out;
}

function parseFilter(v: unknown, path: string): DynamicFilter {
  if (!isObject(v)) bad(path, 'an object', v);
  switch (v.type) {
    case 'match_all':
      return { type: 'match_all' };
    case 'name_prefix':
      if (typeof v.prefix !== 'string') bad(`${path}.prefix`, 'a string', v.prefix);
      return { type: 'name_prefix', prefix: v.prefix };
    case 'name_pattern':
      if (typeof v.regex !== 'string') bad(`${path}.regex`, 'a regular expression', v.regex);
      try {
        new RegExp(v.regex, 'u');
      } catch (error) {
        throw new SpecificationError(`${path}.regex: invalid regular expression ${describeValue(v.regex)}`, path, {
          cause: error,
        });
      }
      return { type: 'name_pattern', regex: v.regex };
    case 'meta_tags_filter': {
      const tags = v.metaTags ?? v.meta_tags;
      if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) bad(`${path}.metaTags`, 'an array of strings', tags);
      return { type: 'meta_tags_filter', metaTags: tags };
    }
    default:
      return bad(`${path}.type`, 'match_all, name_prefix, name_pattern or meta_tags_filter', v.type);
  }
}

/**
 * Parse and check a specification document (JSON text or value). Throws {@link SpecificationError}.
 *
 * Text is read as Java reads it (`ProctorUtils.readSpecification`, Proctor's lenient mapper with Jackson's
 * `ALLOW_COMMENTS`): `//` and `/* *\/` comments are allowed, as is a leading byte-order mark (Jackson skips it
 * when reading bytes). Unlike Java, which ignores whatever follows the document, content after it is refused.
 */
export function parseSpecification(input: unknown): Specification {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = readJson(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input, { comments: true });
    } catch (error) {
      throw new SpecificationError(`specification is not valid JSON: ${(error as Error).message}`, '', { cause: error });
    }
  }
  if (!isObject(doc)) bad('(root)', 'a specification object', doc);
  const tests: Record<string, TestSpecification> = Object.create(null) as Record<string, TestSpecification>;
  if (doc.tests != null) {
    if (!isObject(doc.tests)) bad('tests', 'an object', doc.tests);
    for (const [name, raw] of Object.entries(doc.tests)) {
      const path = `tests.${name}`;
      if (!isObject(raw)) bad(path, 'an object', raw);
      const buckets: Record<string, number> = {};
      if (raw.buckets != null) {
        if (!isObject(raw.buckets)) bad(`${path}.buckets`, 'an object of bucket name → value', raw.buckets);
        for (const [b, value] of Object.entries(raw.buckets)) {
          if (typeof value !== 'number' || !Number.isInteger(value)) bad(`${path}.buckets.${b}`, 'an integer', value);
          buckets[b] = value;
        }
      }
      const fallbackValue = raw.fallbackValue ?? -1;
      if (typeof fallbackValue !== 'number' || !Number.isInteger(fallbackValue)) {
        bad(`${path}.fallbackValue`, 'an integer', raw.fallbackValue);
      }
      const payload = parsePayloadSpec(raw.payload, `${path}.payload`);
      tests[name] = {
        buckets,
        fallbackValue,
        ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
        ...(payload ? { payload } : {}),
      };
    }
  }
  let providedContext: Record<string, string> | undefined;
  if (doc.providedContext != null) {
    if (!isObject(doc.providedContext)) bad('providedContext', 'an object of variable → Java type', doc.providedContext);
    providedContext = {};
    for (const [k, t] of Object.entries(doc.providedContext)) {
      if (typeof t !== 'string') bad(`providedContext.${k}`, 'a Java type name', t);
      providedContext[k] = t;
    }
  }
  const filters = doc.dynamicFilters == null ? [] : doc.dynamicFilters;
  if (!Array.isArray(filters)) bad('dynamicFilters', 'an array', filters);
  return {
    ...(providedContext ? { providedContext } : {}),
    tests,
    dynamicFilters: filters.map((f, i) => parseFilter(f, `dynamicFilters[${i}]`)),
  };
}

/** Whether a dynamic filter selects a test. */
export function matchesDynamicFilters(filters: readonly DynamicFilter[], name: string, def: TestDefinition): boolean {
  return filters.some((f) => {
    switch (f.type) {
      case 'match_all':
        return true;
      case 'name_prefix':
        return name.startsWith(f.prefix);
      case 'name_pattern':
        return new RegExp(`^(?:${f.regex})$`, 'u').test(name);
      case 'meta_tags_filter':
        return def.metaTags.some((t) => f.metaTags.includes(t));
    }
  });
}

function valueMatchesType(value: unknown, type: PayloadType): boolean {
  const isNum = (x: unknown): boolean => typeof x === 'number';
  const isInt = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x);
  switch (type) {
    case 'doubleValue':
      return isNum(value);
    case 'longValue':
      return isInt(value);
    case 'stringValue':
      return typeof value === 'string';
    case 'doubleArray':
      return Array.isArray(value) && value.every(isNum);
    case 'longArray':
      return Array.isArray(value) && value.every(isInt);
    case 'stringArray':
      return Array.isArray(value) && value.every((x) => typeof x === 'string');
    case 'map':
    case 'json':
      return false;
  }
}

/**
 * A map payload as the validator sees it in Java (`payload.getMap()`, read by Jackson): Integers and Doubles
 * by how the matrix text wrote them. A map built by JS code keeps its plain numbers.
 */
function javaMapValues(map: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(map)) {
    const v = map[key];
    const type = jsonNumberClass(map, key);
    out[key] = type === 'Integer' ? new JavaInt(v as number) : type === 'Double' && Number.isInteger(v) ? new JavaDouble(v as number) : v;
  }
  return out;
}

/** Spec §8.2: the checks a required test must pass against the app's specification. */
export function checkAgainstSpecification(
  name: string,
  def: TestDefinition,
  spec: TestSpecification,
  ruleOptions: RuleOptions,
): TestRejection | null {
  const specValues = Object.values(spec.buckets);
  if (new Set(specValues).size !== specValues.length) {
    return new TestRejection(name, 'buckets', `the specification's bucket values are not unique: ${specValues.join(',')}`);
  }
  if (specValues.length > 0) {
    const unknown = new Set<number>();
    for (const allocation of def.allocations) {
      for (const range of allocation.ranges) {
        if (range.length > 0 && !specValues.includes(range.bucketValue)) unknown.add(range.bucketValue);
      }
    }
    if (unknown.size > 0) {
      return new TestRejection(
        name,
        'allocations',
        `the application specification does not contain bucket values: ${[...unknown].sort((a, b) => a - b).join(',')}`,
      );
    }
  }
  const payloadSpec = spec.payload;
  if (payloadSpec === undefined) return null;
  const validator = payloadSpec.validator === undefined ? null : compileRule(payloadSpec.validator, ruleOptions);
  for (let i = 0; i < def.buckets.length; i++) {
    const bucket = def.buckets[i] as TestBucket;
    const field = `buckets[${i}].payload`;
    if (bucket.payload == null) continue;
    const type = payloadType(bucket.payload);
    if (type !== payloadSpec.type) {
      return new TestRejection(name, field, `expected a payload of type ${payloadSpec.type}, got ${type ?? 'an empty payload'}`);
    }
    const value = payloadValue(bucket.payload);
    if (type === 'map') {
      const schema = payloadSpec.schema ?? {};
      if (Object.keys(schema).length === 0) {
        return new TestRejection(name, field, 'a map payload needs a non-empty schema in the specification');
      }
      const map = value as Record<string, unknown>;
      for (const [key, keyType] of Object.entries(schema)) {
        if (!Object.hasOwn(map, key)) return new TestRejection(name, `${field}.map.${key}`, 'missing from the map payload');
        if (!valueMatchesType(map[key], keyType)) {
          return new TestRejection(name, `${field}.map.${key}`, `expected ${keyType}, got ${describeValue(map[key])}`);
        }
      }
    }
    if (validator !== null) {
      const context = type === 'map' ? javaMapValues(value as Record<string, unknown>) : { value: type === 'doubleValue' ? javaDouble(value as number) : value };
      let ok: boolean;
      try {
        ok = validator.evaluate({ constants: {}, context });
      } catch {
        ok = false;
      }
      if (!ok) {
        return new TestRejection(name, field, `payload ${describeValue(value)} fails the validator ${payloadSpec.validator}`);
      }
    }
  }
  return null;
}

/**
 * Spec §8.4: what a required test looks like once loaded: spec buckets missing from the matrix are added
 * (so they can be forced), and payloads are stripped when the specification declares none.
 */
export function consolidate(def: TestDefinition, spec: TestSpecification): TestDefinition {
  const buckets: TestBucket[] = def.buckets.map((b) =>
    spec.payload === undefined && b.payload != null ? { ...b, payload: null } : b,
  );
  const present = new Set(buckets.map((b) => b.value));
  for (const [bucketName, value] of Object.entries(spec.buckets)) {
    if (!present.has(value)) {
      buckets.push({ name: bucketName, value, payload: null });
      present.add(value);
    }
  }
  return { ...def, buckets };
}

/** Spec §2.11: the stand-in for a required test that is missing or invalid (RANDOM, 100% fallback). */
export function fallbackDefinition(name: string, spec: TestSpecification): TestDefinition {
  const def: TestDefinition = {
    testType: 'RANDOM',
    salt: name,
    version: 'default',
    rule: null,
    constants: {},
    buckets: [{ name: 'inactive', value: spec.fallbackValue, description: 'fallback because missing in matrix', payload: null }],
    allocations: [{ rule: null, ranges: [{ bucketValue: spec.fallbackValue, length: 1 }], id: '', name: '' }],
    silent: false,
    description: spec.description ?? null,
    metaTags: [],
    dependsOn: null,
    dynamic: false,
    evaluateForIncognitoUsers: false,
    enableUnitlessAllocations: false,
    containsUnitlessAllocation: false,
    forceLogging: false,
    payloadExperimentConfig: null,
  };
  return consolidate(def, spec);
}
