/**
 * The Proctor test-matrix model (spec §1), as read from JSON. These are the *input* shapes; the loader turns
 * them into the frozen, compiled form in `compiled.ts`.
 */

/** A bucket payload: exactly one of these keys is set (spec §1.6). */
export interface Payload {
  readonly doubleValue?: number;
  readonly doubleArray?: readonly number[];
  readonly longValue?: number;
  readonly longArray?: readonly number[];
  readonly stringValue?: string;
  readonly stringArray?: readonly string[];
  readonly map?: Readonly<Record<string, unknown>>;
  readonly json?: unknown;
}

/** Payload types in the order Java checks them (`fetchAValue`, type inference). */
export const PAYLOAD_TYPES = [
  'doubleValue',
  'doubleArray',
  'longValue',
  'longArray',
  'stringValue',
  'stringArray',
  'map',
  'json',
] as const;

export type PayloadType = (typeof PAYLOAD_TYPES)[number];

/** The first non-null payload key in Java's order, or null for an empty payload (spec §1.6). */
export function payloadType(payload: Payload | null | undefined): PayloadType | null {
  if (payload == null) return null;
  for (const type of PAYLOAD_TYPES) {
    if (payload[type] != null) return type;
  }
  return null;
}

/** The payload's value (Java `fetchAValue`), or null when the payload is absent or empty. */
export function payloadValue(payload: Payload | null | undefined): unknown {
  const type = payloadType(payload);
  return type === null || payload == null ? null : payload[type];
}

export interface TestBucket {
  readonly name: string;
  readonly value: number;
  readonly description?: string | null;
  readonly payload?: Payload | null;
}

export interface Range {
  readonly bucketValue: number;
  readonly length: number;
}

export interface Allocation {
  readonly rule: string | null;
  readonly ranges: readonly Range[];
  readonly id: string;
  readonly name: string;
}

export interface TestDependency {
  readonly testName: string;
  readonly bucketValue: number;
}

export interface PayloadExperimentConfig {
  readonly priority: string | null;
  readonly namespaces: readonly string[];
}

/** One entry of `tests` (Java `ConsumableTestDefinition`). */
export interface TestDefinition {
  readonly testType: string;
  readonly salt: string | null;
  readonly version: string | null;
  readonly rule: string | null;
  readonly constants: Readonly<Record<string, unknown>>;
  readonly buckets: readonly TestBucket[];
  readonly allocations: readonly Allocation[];
  readonly silent: boolean;
  readonly description: string | null;
  readonly metaTags: readonly string[];
  readonly dependsOn: TestDependency | null;
  readonly dynamic: boolean;
  readonly evaluateForIncognitoUsers: boolean;
  readonly enableUnitlessAllocations: boolean;
  readonly containsUnitlessAllocation: boolean;
  readonly forceLogging: boolean;
  readonly payloadExperimentConfig: PayloadExperimentConfig | null;
}

export interface Audit {
  readonly version: string;
  readonly updated: number;
  readonly updatedDate: string;
  readonly updatedBy: string | null;
}

export interface TestMatrix {
  readonly audit: Audit;
  readonly tests: Readonly<Record<string, TestDefinition>>;
}
