/** The frozen, compiled form of a loaded matrix: what the engine evaluates per request. */
import type { CompiledRule } from '../rules/index.js';
import type { Allocation, Audit, Payload, TestBucket, TestDefinition } from './types.js';

/** Which allocation produced a bucket; `null` on a group when it was forced (or MIN_LIVE). */
export interface AllocationRef {
  readonly id: string;
  readonly name: string;
  readonly index: number;
}

/** One test's assignment. */
export interface TestGroup {
  /** Bucket name. */
  readonly name: string;
  /** Bucket value; negative values mean "not in the experiment". */
  readonly value: number;
  /** The bucket payload in the matrix shape (`{ stringValue: '…' }`), after payload forcing. */
  readonly payload: Payload | null;
  readonly allocation: AllocationRef | null;
}

/** One allocation, ready for bucket lookup: cutoffs precomputed, range → bucket resolved. */
export interface CompiledAllocation {
  readonly allocation: Allocation;
  readonly index: number;
  readonly rule: CompiledRule;
  /** Spec §2.5: int32 cutoffs between consecutive ranges. */
  readonly cutoffs: readonly number[];
  /** Bucket of each range, in range order (the last bucket with a value wins, as in Java). */
  readonly rangeBuckets: readonly TestBucket[];
  /** The assignment each range yields, built once (assignment allocates nothing on the common path). */
  readonly rangeGroups: readonly TestGroup[];
  /** Unitless allocations (spec §2.4): the rule text names `missingExperimentalUnit`. */
  readonly mentionsMissingUnit: boolean;
  /**
   * What `default_to_min_live` assigns (spec §2.3): the bucket with the smallest value among the ranges of
   * non-zero length, as a group without an allocation (Java logs it without one); built once. Null when
   * every range is empty.
   */
  readonly minLiveGroup: TestGroup | null;
}

/** One loaded test. */
export interface CompiledTest {
  readonly name: string;
  readonly definition: TestDefinition;
  readonly rule: CompiledRule;
  readonly allocations: readonly CompiledAllocation[];
  /** Bucket by value for forcing (the first bucket with a value wins, as in Java). */
  readonly forceBuckets: ReadonlyMap<number, TestBucket>;
  /**
   * The group forcing each bucket of {@link forceBuckets} yields when no payload is forced: frozen, without
   * an allocation (Java logs forced groups without one), built once. A forced payload that replaces the
   * bucket's gets a new group per request.
   */
  readonly forcedGroups: ReadonlyMap<number, TestGroup>;
  /**
   * Spec §2.10: `payloadExperimentConfig.priority` as the Java long it is compared as; Long.MIN_VALUE when
   * there is no config, no priority or no integer in it. Only payload experiments use it.
   */
  readonly payloadPriority: bigint;
  /** Hash of an identifier for this test (spec §2.6), salt key encoded once. */
  readonly hash: (identifier: string) => number;
  /**
   * The allocation every identified unit gets when nothing is forced, when no rule or dependency can say
   * otherwise (not RANDOM, no `dependsOn`, constant-true test rule, first allocation's rule constant true,
   * no unitless allocations); else null. Such tests take the engine's short path: hash, pick the range.
   */
  readonly direct: CompiledAllocation | null;
  /** Position in {@link CompiledMatrix.sorted}; per-request assignments are arrays indexed by it. */
  readonly slot: number;
  /** The `dependsOn` parent's slot, or -1. */
  readonly parentSlot: number;
}

/** A verified, compiled matrix. */
export interface CompiledMatrix {
  readonly audit: Audit;
  /** Loaded tests by name. */
  readonly tests: ReadonlyMap<string, CompiledTest>;
  /** Dependency order: parents before children (spec §2.9). */
  readonly order: readonly CompiledTest[];
  /** Loaded tests sorted by name (Java's result order, UTF-16 code units). */
  readonly sorted: readonly CompiledTest[];
  /** Tests with a `payloadExperimentConfig` (spec §2.10), in evaluation order; usually empty. */
  readonly payloadExperiments: readonly CompiledTest[];
}
