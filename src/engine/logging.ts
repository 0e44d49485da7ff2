/** Logging strings (spec §7.1), as Java's `AbstractGroups` and `ProctorGroupsWriter` write them. */
import type { CompiledTest } from '../matrix/compiled.js';
import type { PayloadProperty, TestGroup } from './types.js';

/** One assigned test, in Java's sorted order. */
export interface AssignedEntry {
  readonly name: string;
  readonly group: TestGroup;
  readonly test: CompiledTest;
}

type Entries = readonly AssignedEntry[];

function ownsProperty(name: string, properties: Readonly<Record<string, PayloadProperty>>): boolean {
  return Object.values(properties).some((p) => p.testName === name);
}

function isFullRollout({ group, test }: AssignedEntry): boolean {
  if (group.allocation === null) return false;
  const allocation = test.definition.allocations[group.allocation.index];
  return allocation?.ranges.some((r) => r.length === 1) ?? false;
}

function entry(name: string, group: TestGroup): string | null {
  if (group.allocation === null) return `${name}${group.value}`;
  return group.allocation.id === '' ? null : `${group.allocation.id}:${name}${group.value}`;
}

function collect(entries: Entries, properties: Readonly<Record<string, PayloadProperty>>, filterRollouts: boolean): string {
  const out: string[] = [];
  for (const e of entries) {
    const def = e.test.definition;
    if (def.silent || e.group.value < 0) continue;
    if (filterRollouts && def.payloadExperimentConfig !== null && !ownsProperty(e.name, properties)) continue;
    if (filterRollouts && !def.forceLogging && isFullRollout(e)) continue;
    const text = entry(e.name, e.group);
    if (text !== null) out.push(text);
  }
  return out.join(',');
}

/**
 * Java `toLoggingString()`: `#A1:btntst1` per logged test (`btntst1` when forced); silent tests, 100%
 * rollouts (unless `forceLogging`), payload experiments without a property and negative values are left out.
 */
export function toLoggingString(entries: Entries, properties: Readonly<Record<string, PayloadProperty>>): string {
  return collect(entries, properties, true);
}

/** Java `toVerifyGroupsString()`: like {@link toLoggingString} without the rollout and payload filters. */
export function toVerifyGroupsString(entries: Entries): string {
  return collect(entries, {}, false);
}

/**
 * The legacy two-pass form of `ProctorGroupsWriter` (Indeed's classic setup): every logged test as
 * `test+value`, then every test again with its allocation id (`#A1:test1`; forced tests as `test1`), e.g.
 * `b0,c0,d1,#A:b0,#A:d1`.
 */
export function toLegacyLoggingString(entries: Entries): string {
  const plain: string[] = [];
  const withIds: string[] = [];
  for (const { name, group, test } of entries) {
    if (test.definition.silent || group.value < 0) continue;
    plain.push(`${name}${group.value}`);
    const text = entry(name, group);
    if (text !== null) withIds.push(text);
  }
  return [...plain, ...withIds].join(',');
}

/** Java `toLongString()`: `test-bucketName` for every assigned test. */
export function toLongString(entries: Entries): string {
  return entries.map(({ name, group }) => `${name}-${group.name}`).join(',');
}
