/**
 * `GroupAssignment`: one test's group, value and payload, as django-proctor exposes it. The value a `proc`
 * gives for each test, and what a source may hand it ready-made (`IdentifyResult.assignmentAt`): so it sits
 * below the source contract, which names it.
 */
import { payloadType, payloadValue } from './matrix/types.js';
import type { Payload, PayloadType } from './matrix/types.js';

/** What a source answers for one test (the contract's `SourceAssignment`, as far as a view needs it). */
export interface AnsweredAssignment {
  readonly name: string;
  readonly value: number;
  readonly payload: Payload | null;
  readonly allocationId: string | null;
}

/**
 * One test's assignment. `group`, `value` and `payload` are all `null` when the test is unassigned (no
 * bucket, no identifier, not in the matrix, or the source failed). Immutable and shared between requests:
 * exposure is recorded by the `proc` when the test is read (`proc.<test>`).
 */
export class GroupAssignment {
  /** The bucket name, e.g. `'blue'`; null when unassigned. */
  readonly group: string | null;
  /** The bucket value (-1 usually inactive, 0 control); null when unassigned. */
  readonly value: number | null;
  /** The payload's value (`'#2B60DE'`, `[2, 3, 5]`, `{…}`), unwrapped; null when none. */
  readonly payload: unknown;
  /** The payload's type (`stringValue`, `longArray`, `map`, …), or null when there is none. */
  readonly payloadType: PayloadType | null;
  /** The allocation id (`#A1`), `''` without one, null when forced, unassigned or unknown. */
  readonly allocationId: string | null;

  constructor(group: string | null, value: number | null, payload: unknown, type: PayloadType | null, allocationId: string | null) {
    this.group = group;
    this.value = value;
    this.payload = payload;
    this.payloadType = type;
    this.allocationId = allocationId;
    Object.freeze(this);
  }

  /** True when the test has a bucket. */
  get assigned(): boolean {
    return this.value !== null;
  }

  /** `{ group, value, payload }`. */
  toJSON(): { group: string | null; value: number | null; payload: unknown } {
    return { group: this.group, value: this.value, payload: this.payload };
  }

  toString(): string {
    return `GroupAssignment(group=${JSON.stringify(this.group)}, value=${this.value}, payload=${JSON.stringify(this.payload) ?? 'null'})`;
  }
}

/** The assignment of every unassigned test. */
export const UNASSIGNED: GroupAssignment = new GroupAssignment(null, null, null, null, null);

/**
 * Sources hand out the same answer objects for the same buckets, so their assignment views are cached: in a
 * hidden slot on the answer when it is extensible (the local source's are), else in a WeakMap.
 */
const VIEW = Symbol('proctor.groupAssignment');
const views = new WeakMap<AnsweredAssignment, GroupAssignment>();

/** The `GroupAssignment` for a source's answer (null → {@link UNASSIGNED}); payload unwrapped like django. */
export function toGroupAssignment(raw: AnsweredAssignment | null): GroupAssignment {
  if (raw === null) return UNASSIGNED;
  const slotted = (raw as { [VIEW]?: GroupAssignment })[VIEW];
  if (slotted !== undefined) return slotted;
  let view = views.get(raw);
  if (view === undefined) {
    view = new GroupAssignment(raw.name, raw.value, payloadValue(raw.payload), payloadType(raw.payload), raw.allocationId);
    if (Object.isExtensible(raw)) Object.defineProperty(raw, VIEW, { value: view });
    else views.set(raw, view);
  }
  return view;
}
