import { describe, expect, it } from 'vitest';
import { Proctor } from '../../src/engine/index.js';

const audit = { version: '9', updated: 0, updatedBy: 't' };
function test(salt: string, ranges: [number, number][], extra: Record<string, unknown> = {}) {
  return {
    testType: 'USER',
    salt,
    buckets: [
      { name: 'inactive', value: -1 },
      { name: 'control', value: 0 },
      { name: 'group1', value: 1 },
    ],
    allocations: [{ id: '#A1', ranges: ranges.map(([bucketValue, length]) => ({ bucketValue, length })) }],
    ...extra,
  };
}

// Every test below is 100% one bucket, so the expectations do not depend on the hash.
const proctor = Proctor.fromMatrix({
  audit,
  tests: {
    abtst: test('ab', [[0, 0], [1, 1]], { allocations: [{ id: '#A1', ranges: [{ bucketValue: 0, length: 0.0 }, { bucketValue: 1, length: 1.0 }] }] }),
    bgtst: test('bg', [[0, 1]], { forceLogging: true }),
    rollouttst: test('ro', [[1, 1]]),
    silenttst: test('si', [[1, 1]], { silent: true, forceLogging: true }),
    inactivetst: test('in', [[-1, 1]], { forceLogging: true }),
    noidtst: test('no', [[1, 1]], { forceLogging: true, allocations: [{ id: '', ranges: [{ bucketValue: 1, length: 1 }] }] }),
    splittst: test('sp', [[0, 0.5], [1, 0.5]], { allocations: [{ id: '#B2', rule: '${false}', ranges: [{ bucketValue: 0, length: 1 }] }, { id: '#C3', ranges: [{ bucketValue: 0, length: 0.9999999 }, { bucketValue: 1, length: 0.0000001 }] }] }),
  },
});

describe('logging strings (spec §7.1)', () => {
  const result = proctor.determineTestGroups({ identifiers: { USER: 'u1' } });

  it('toLoggingString: allocation ids, silent/inactive/100% rollouts filtered, forceLogging honoured', () => {
    // abtst and rollouttst have a range of length exactly 1 without forceLogging: hidden.
    expect(result.toLoggingString()).toBe('#A1:bgtst0,#C3:splittst0');
  });

  it('toVerifyGroupsString keeps rollouts', () => {
    expect(result.toVerifyGroupsString()).toBe('#A1:abtst1,#A1:bgtst0,#A1:rollouttst1,#C3:splittst0');
  });

  it('forced tests log in the legacy test+value form', () => {
    const forced = proctor.determineTestGroups({ identifiers: { USER: 'u1' }, forceGroups: 'rollouttst0' });
    expect(forced.groups.rollouttst?.allocation).toBeNull();
    expect(forced.toLoggingString()).toBe('#A1:bgtst0,rollouttst0,#C3:splittst0');
  });

  it('toLegacyLoggingString writes both passes', () => {
    expect(result.toLegacyLoggingString()).toBe(
      'abtst1,bgtst0,noidtst1,rollouttst1,splittst0,#A1:abtst1,#A1:bgtst0,#A1:rollouttst1,#C3:splittst0',
    );
  });

  it('toLongString lists every assigned test with its bucket name', () => {
    expect(result.toLongString()).toBe(
      'abtst-group1,bgtst-control,inactivetst-inactive,noidtst-group1,rollouttst-group1,silenttst-group1,splittst-control',
    );
  });

  it('is empty for a user with no groups', () => {
    const none = proctor.determineTestGroups({ identifiers: {} });
    expect(none.isEmpty()).toBe(true);
    expect(none.toLoggingString()).toBe('');
  });
});
