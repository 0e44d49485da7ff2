/** `ProctorResult`: one user's assignment plus the logging strings Java apps write (spec §2.1, §7.1). */
import type { CompiledTest } from '../matrix/compiled.js';
import { toLegacyLoggingString, toLoggingString, toLongString, toVerifyGroupsString } from './logging.js';
import type { PayloadProperty, TestGroup } from './types.js';

/** The outcome of `determineTestGroups`. */
export class ProctorResult {
  /** `audit.version` of the matrix that produced this result. */
  readonly matrixVersion: string;
  /** Tests that got a bucket, keyed by name in Java's sorted order. Unassigned tests are absent. */
  readonly groups: Readonly<Record<string, TestGroup>>;
  /** Payload-experiment properties (spec §2.10). */
  readonly properties: Readonly<Record<string, PayloadProperty>>;
  readonly #tests: ReadonlyMap<string, CompiledTest>;

  constructor(
    matrixVersion: string,
    groups: Readonly<Record<string, TestGroup>>,
    properties: Readonly<Record<string, PayloadProperty>>,
    tests: ReadonlyMap<string, CompiledTest>,
  ) {
    this.matrixVersion = matrixVersion;
    this.groups = groups;
    this.properties = properties;
    this.#tests = tests;
  }

  /** True when no test has a bucket. */
  isEmpty(): boolean {
    return Object.keys(this.groups).length === 0;
  }

  /** The bucket value of a test, or `fallback` when it is unassigned (Java `getValue`). */
  getValue(testName: string, fallback: number): number {
    return Object.hasOwn(this.groups, testName) ? (this.groups[testName]?.value ?? fallback) : fallback;
  }

  /** Java `toLoggingString()`, e.g. `#A1:btntst1,#B2:newnavtst0`. */
  toLoggingString(): string {
    return toLoggingString(this.groups, this.#tests, this.properties);
  }

  /** Java `toVerifyGroupsString()`. */
  toVerifyGroupsString(): string {
    return toVerifyGroupsString(this.groups, this.#tests);
  }

  /** Legacy two-pass `ProctorGroupsWriter` string, e.g. `btntst1,#A1:btntst1`. */
  toLegacyLoggingString(): string {
    return toLegacyLoggingString(this.groups, this.#tests);
  }

  /** Java `toLongString()`, e.g. `btntst-blue,newnavtst-control`. */
  toLongString(): string {
    return toLongString(this.groups);
  }

  /** `{ testName: value }` for tests with a value ≥ 0 (Java `getJavaScriptConfig`). */
  toJavaScriptConfig(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, group] of Object.entries(this.groups)) if (group.value >= 0) out[name] = group.value;
    return out;
  }

  toJSON(): { matrixVersion: string; groups: Readonly<Record<string, TestGroup>> } {
    return { matrixVersion: this.matrixVersion, groups: this.groups };
  }
}
