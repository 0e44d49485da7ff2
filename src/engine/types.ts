/** Inputs and outputs of assignment (spec §2.1). */

/** Identifiers by test type, e.g. `{ USER: 'u123', ACCOUNT: '42' }`. */
export type Identifiers = Readonly<Record<string, string | null | undefined>>;

/**
 * Decides whether an identifier may be hashed (spec §2.2 step 2). `noop` accepts everything, including
 * `""`; `noEmpty` rejects `""`. A function gets the test type and the identifier.
 */
export type IdentifierValidator = 'noop' | 'noEmpty' | ((testType: string, identifier: string) => boolean);

export type { AllocationRef, TestGroup } from '../matrix/compiled.js';

/** A payload-experiment property (spec §2.10). */
export interface PayloadProperty {
  readonly value: unknown;
  readonly testName: string;
}
