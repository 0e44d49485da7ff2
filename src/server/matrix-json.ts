/**
 * The matrix as Java serializes it (spec §1.7): Jackson field order, explicit nulls on test definitions and
 * allocations, nulls omitted on buckets and payloads, and every Double marked so the writer can format it
 * (`DecimalFormat("0.0")` for `/proctor/matrix`, `Double.toString` inside the envelope).
 */
import { JavaDouble } from '../java/boxes.js';
import { isJsonDouble } from '../java/json.js';
import type { CompiledMatrix } from '../matrix/compiled.js';
import type { Audit, Payload, TestBucket, TestDefinition } from '../matrix/types.js';
import { JsonNodeValue, writeJson } from './json-writer.js';

/** `Audit` in Jackson's order. */
export function auditTree(audit: Audit): Record<string, unknown> {
  return { version: audit.version, updated: audit.updated, updatedDate: audit.updatedDate, updatedBy: audit.updatedBy };
}

/**
 * A payload with only its non-null keys, doubles marked: `doubleValue` and `doubleArray` always, and inside
 * `map` and `json` the numbers the matrix text wrote as Doubles (`120.0`), which the writer finds by itself.
 */
export function payloadTree(payload: Payload): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (payload.doubleValue != null) out.doubleValue = new JavaDouble(payload.doubleValue);
  if (payload.doubleArray != null) out.doubleArray = payload.doubleArray.map((d) => new JavaDouble(d));
  if (payload.longValue != null) out.longValue = payload.longValue;
  if (payload.longArray != null) out.longArray = payload.longArray;
  if (payload.stringValue != null) out.stringValue = payload.stringValue;
  if (payload.stringArray != null) out.stringArray = payload.stringArray;
  if (payload.map != null) out.map = payload.map;
  if (payload.json != null) {
    const json = payload.json;
    out.json = new JsonNodeValue(typeof json === 'number' && isJsonDouble(payload, 'json') ? new JavaDouble(json) : json);
  }
  return out;
}

function bucketTree(bucket: TestBucket): Record<string, unknown> {
  const out: Record<string, unknown> = { name: bucket.name, value: bucket.value };
  if (bucket.description != null) out.description = bucket.description;
  if (bucket.payload != null) out.payload = payloadTree(bucket.payload);
  return out;
}

/** A `ConsumableTestDefinition` in the field order Pipet writes (spec §5.4 example). */
export function definitionTree(def: TestDefinition): Record<string, unknown> {
  return {
    constants: def.constants,
    version: def.version,
    salt: def.salt,
    rule: def.rule,
    buckets: def.buckets.map(bucketTree),
    allocations: def.allocations.map((a) => ({
      rule: a.rule,
      ranges: a.ranges.map((r) => ({ bucketValue: r.bucketValue, length: new JavaDouble(r.length) })),
      id: a.id,
      name: a.name,
    })),
    silent: def.silent,
    testType: def.testType,
    description: def.description,
    metaTags: def.metaTags,
    dependsOn: def.dependsOn === null ? null : { testName: def.dependsOn.testName, bucketValue: def.dependsOn.bucketValue },
    evaluateForIncognitoUsers: def.evaluateForIncognitoUsers,
    enableUnitlessAllocations: def.enableUnitlessAllocations,
    containsUnitlessAllocation: def.containsUnitlessAllocation,
    forceLogging: def.forceLogging,
    payloadExperimentConfig:
      def.payloadExperimentConfig === null
        ? null
        : { priority: def.payloadExperimentConfig.priority, namespaces: def.payloadExperimentConfig.namespaces },
    dynamic: def.dynamic,
  };
}

/**
 * `/proctor/matrix`: the loaded (verified) tests only, pretty-printed, doubles through `DecimalFormat("0.0")`
 * (Proctor's serializer for every `Double`, in `constants` and `map` payloads too; a `json` payload is a Jackson
 * `JsonNode`, whose doubles keep `Double.toString`). A matrix read from text keeps `120.0` apart from `120`.
 */
export function writeMatrix(matrix: CompiledMatrix): string {
  // A null prototype so a test named `__proto__` is just a key.
  const tests = Object.create(null) as Record<string, unknown>;
  for (const [name, test] of matrix.tests) tests[name] = definitionTree(test.definition);
  return writeJson({ audit: auditTree(matrix.audit), tests }, { style: 'decimal' });
}
