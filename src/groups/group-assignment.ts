/** `GroupAssignment`: one test's group, value and payload for one request, as django-proctor exposes it. */
import type { PayloadType } from '../matrix/types.js';

/** Receives reads, so the `proc` can report which tests a request actually looked at. */
export interface ExposureSink {
  expose(testName: string): void;
}

/**
 * One test's assignment. `group`, `value` and `payload` are all `null` when the test is unassigned (no
 * bucket, no identifier, not in the matrix, or the source failed). Reading any of them counts as an exposure.
 */
export class GroupAssignment {
  readonly #sink: ExposureSink | null;
  readonly #test: string;
  readonly #group: string | null;
  readonly #value: number | null;
  readonly #payload: unknown;
  /** The payload's type (`stringValue`, `longArray`, `map`, …), or null when there is none. */
  readonly payloadType: PayloadType | null;
  /** The allocation id (`#A1`), `''` without one, null when forced, unassigned or unknown. */
  readonly allocationId: string | null;

  constructor(
    sink: ExposureSink | null,
    test: string,
    group: string | null,
    value: number | null,
    payload: unknown,
    payloadType: PayloadType | null,
    allocationId: string | null,
  ) {
    this.#sink = sink;
    this.#test = test;
    this.#group = group;
    this.#value = value;
    this.#payload = payload;
    this.payloadType = payloadType;
    this.allocationId = allocationId;
  }

  /** The bucket name, e.g. `'blue'`; null when unassigned. */
  get group(): string | null {
    this.#sink?.expose(this.#test);
    return this.#group;
  }

  /** The bucket value (-1 usually inactive, 0 control); null when unassigned. */
  get value(): number | null {
    this.#sink?.expose(this.#test);
    return this.#value;
  }

  /** The payload's value (`'#2B60DE'`, `[2, 3, 5]`, `{…}`), unwrapped; null when none. */
  get payload(): unknown {
    this.#sink?.expose(this.#test);
    return this.#payload;
  }

  /** True when the test has a bucket. Does not count as an exposure. */
  get assigned(): boolean {
    return this.#value !== null;
  }

  /** `{ group, value, payload }` without recording an exposure. */
  toJSON(): { group: string | null; value: number | null; payload: unknown } {
    return { group: this.#group, value: this.#value, payload: this.#payload };
  }

  toString(): string {
    return `GroupAssignment(group=${JSON.stringify(this.#group)}, value=${this.#value}, payload=${JSON.stringify(this.#payload) ?? 'null'})`;
  }
}
