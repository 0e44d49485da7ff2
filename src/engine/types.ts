/** Inputs and outputs of assignment (spec §2.1). */
import type { Payload } from '../matrix/types.js';

/** Identifiers by test type, e.g. `{ USER: 'u123', ACCOUNT: '42' }`. */
export type Identifiers = Readonly<Record<string, string | null | undefined>>;

/**
 * Decides whether an identifier may be hashed (spec §2.2 step 2). `noop` accepts everything, including
 * `""`; `noEmpty` rejects `""`. A function gets the test type and the identifier.
 */
export type IdentifierValidator = 'noop' | 'noEmpty' | ((testType: string, identifier: string) => boolean);

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

/** A payload-experiment property (spec §2.10). */
export interface PayloadProperty {
  readonly value: unknown;
  readonly testName: string;
}
