/** `ProctorResult`: one user's assignment plus the logging strings Java apps write (spec §2.1, §7.1). */
import type { Assignment } from './determine.js';
import { toLegacyLoggingString, toLoggingString, toLongString, toVerifyGroupsString } from './logging.js';
import type { AssignedEntry } from './logging.js';
import type { PayloadProperty, TestGroup } from './types.js';

/** The outcome of `determineTestGroups`. */
export class ProctorResult {
  /** `audit.version` of the matrix that produced this result. */
  readonly matrixVersion: string;
  /** Payload-experiment properties (spec §2.10). */
  readonly properties: Readonly<Record<string, PayloadProperty>>;
  readonly #assignment: Assignment;
  #entries: AssignedEntry[] | undefined;
  #groups: Readonly<Record<string, TestGroup>> | undefined;

  constructor(matrixVersion: string, assignment: Assignment) {
    this.matrixVersion = matrixVersion;
    this.properties = assignment.properties;
    this.#assignment = assignment;
  }

  /** The assigned tests in Java's order (sorted by name). */
  entries(): readonly AssignedEntry[] {
    if (this.#entries === undefined) {
      const { slots, selection } = this.#assignment;
      const out: AssignedEntry[] = [];
      for (const { name, test, slot } of selection.reported) {
        const group = slots[slot];
        if (group !== undefined) out.push({ name, group, test });
      }
      this.#entries = out;
    }
    return this.#entries;
  }

  /**
   * Tests that got a bucket, keyed by name in Java's sorted order; unassigned tests are absent. Built on
   * first access (reading single tests with {@link get} is cheaper).
   */
  get groups(): Readonly<Record<string, TestGroup>> {
    if (this.#groups === undefined) {
      const groups: Record<string, TestGroup> = {};
      for (const { name, group } of this.entries()) groups[name] = group;
      this.#groups = Object.freeze(groups);
    }
    return this.#groups;
  }

  /** One test's assignment, or undefined when it is unassigned (or not in the result). */
  get(testName: string): TestGroup | undefined {
    const slot = this.#assignment.selection.slotOf.get(testName);
    return slot === undefined ? undefined : this.#assignment.slots[slot];
  }

  /** The assignment of the `index`-th test of the `tests` filter the result was asked with. */
  getAt(index: number): TestGroup | undefined {
    const slot = this.#assignment.selection.requestedSlots?.[index];
    return slot === undefined || slot < 0 ? undefined : this.#assignment.slots[slot];
  }

  /** True when no test has a bucket. */
  isEmpty(): boolean {
    return this.entries().length === 0;
  }

  /** The bucket value of a test, or `fallback` when it is unassigned (Java `getValue`). */
  getValue(testName: string, fallback: number): number {
    return this.get(testName)?.value ?? fallback;
  }

  /** Java `toLoggingString()`, e.g. `#A1:btntst1,#B2:newnavtst0`. */
  toLoggingString(): string {
    return toLoggingString(this.entries(), this.properties);
  }

  /** Java `toVerifyGroupsString()`. */
  toVerifyGroupsString(): string {
    return toVerifyGroupsString(this.entries());
  }

  /** Legacy two-pass `ProctorGroupsWriter` string, e.g. `btntst1,#A1:btntst1`. */
  toLegacyLoggingString(): string {
    return toLegacyLoggingString(this.entries());
  }

  /** Java `toLongString()`, e.g. `btntst-blue,newnavtst-control`. */
  toLongString(): string {
    return toLongString(this.entries());
  }

  /** `{ testName: value }` for tests with a value ≥ 0 (Java `getJavaScriptConfig`). */
  toJavaScriptConfig(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { name, group } of this.entries()) if (group.value >= 0) out[name] = group.value;
    return out;
  }

  toJSON(): { matrixVersion: string; groups: Readonly<Record<string, TestGroup>> } {
    return { matrixVersion: this.matrixVersion, groups: this.groups };
  }
}
