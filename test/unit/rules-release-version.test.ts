/** `ReleaseVersion` (spec §3.6): strict parsing, wildcard precision, masked comparison. */
import { describe, expect, it } from 'vitest';
import { ReleaseVersion } from '../../src/rules/index.js';

describe('ReleaseVersion.parse', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4', 'BUILD'],
    ['1.2.3.4.5', '1.2.3.4', 'BUILD'],
    ['1.2.3.4.', '1.2.3.4', 'BUILD'],
    ['1.x', '1.x', 'MAJOR'],
    ['1.2.x', '1.2.x', 'MINOR'],
    ['1.2.3.x', '1.2.3.x', 'PATCH'],
    ['1.2.3.4.x', '1.2.3.4', 'BUILD'],
    ['+1.2.3.4', '1.2.3.4', 'BUILD'],
    ['32767.65535.65535.65535', '32767.65535.65535.65535', 'BUILD'],
    ['\u0661.2.3.4', '1.2.3.4', 'BUILD'],
  ])('%s → %s (%s)', (text, shown, precision) => {
    const v = ReleaseVersion.parse(text);
    expect(v.toString()).toBe(shown);
    expect(v.matchPrecision).toBe(precision);
  });

  it.each([
    ['1.2.3', 'ReleaseVersion string must have 4 numbers or end in x: 1.2.3'],
    ['', 'ReleaseVersion string must have 4 numbers or end in x: '],
    ['x', 'Invalid version string: x'],
    ['1.x.x', 'For input string: "x" in 1.x.x'],
    ['1..3.4', 'For input string: "" in 1..3.4'],
    ['1.2.3.65536', 'invalid build number 65536'],
    ['32768.0.0.0', 'invalid major version 32768'],
    ['1.-2.3.4', 'invalid minor version -2'],
    ['1.2.3.a', 'For input string: "a" in 1.2.3.a'],
    ['1.2.3.99999999999', 'For input string: "99999999999" in 1.2.3.99999999999'],
  ])('%s is rejected: %s', (text, message) => {
    expect(() => ReleaseVersion.parse(text)).toThrow(message);
  });

  it('parses leniently on request', () => {
    expect(ReleaseVersion.parseOr('nope', null)).toBeNull();
    expect(ReleaseVersion.parseOr('1.2.3.4', null)?.toString()).toBe('1.2.3.4');
  });
});

describe('ReleaseVersion.compareTo', () => {
  const v = (s: string): ReleaseVersion => ReleaseVersion.parse(s);
  it.each([
    ['1.2.x', '1.2.7.3', 0],
    ['1.2.0.1', '1.2.x', 0],
    ['1.2.0.1', '1.2.0.0', 1],
    ['1.2.3.4', '1.10.0.0', -1],
    ['1.x', '1.9.9.9', 0],
    ['2.x', '1.9.9.9', 1],
    ['1.0.x', '1.0.0.x', 0],
    ['0.0.0.1', '0.0.0.0', 1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(v(a).compareTo(v(b))).toBe(expected);
    expect(v(b).compareTo(v(a))).toBe(expected === 0 ? 0 : -expected);
    expect(v(a).equals(v(b))).toBe(expected === 0);
  });

  it('is immutable and never equal to other types', () => {
    const a = v('1.2.3.4');
    expect(Object.isFrozen(a)).toBe(true);
    expect(a.equals('1.2.3.4')).toBe(false);
    expect([a.major, a.minor, a.patch, a.build]).toEqual([1, 2, 3, 4]);
  });
});
