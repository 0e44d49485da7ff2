/** The force page's plain reading of rules: simple rules read as words, anything else shows as written. */
import { describe, expect, it } from 'vitest';
import { plainReading, ruleView } from '../../src/http/debug-view.js';

describe('plainReading', () => {
  it.each([
    ['${loggedIn}', 'loggedIn is true'],
    ['${!loggedIn}', 'loggedIn is false'],
    ['${not loggedIn}', 'loggedIn is false'],
    ["${country == 'US'}", "country is 'US'"],
    ["${country eq 'US' && loggedIn}", "country is 'US' and loggedIn is true"],
    ["${'FR' != country}", "country is not 'FR'"],
    ['${userAgent.mobileDevice or userAgent.tablet == true}', 'userAgent.mobileDevice is true or userAgent.tablet is true'],
    ['${version == -1}', 'version is -1'],
    ["${country == 'US && FR'}", "country is 'US && FR'"],
  ])('%s → %s', (rule, reading) => {
    expect(plainReading(rule)).toBe(reading);
  });

  it.each([
    'loggedIn',
    '${}',
    '${a && b || c}',
    '${(a)}',
    '${a == b}',
    '${a > 3}',
    '${a lt 3}',
    "${fn:contains(country, 'U')}",
    "${country == 'US'",
    "${country == 'US}",
    '${a &&}',
  ])('%s has no plain reading', (rule) => {
    expect(plainReading(rule)).toBeNull();
  });
});

describe('ruleView', () => {
  it('no rule, blank or ${true} match everyone; ${false} and unwrapped text match nobody', () => {
    for (const rule of [null, undefined, 42, '', '  ', '${}', '${true}']) expect(ruleView(rule).everyone, String(rule)).toBe(true);
    for (const rule of ['${false}', 'loggedIn']) expect(ruleView(rule)).toMatchObject({ everyone: false, never: true, reading: '' });
    expect(ruleView('${loggedIn}')).toEqual({ everyone: false, never: false, text: '${loggedIn}', reading: 'loggedIn is true' });
  });
});
