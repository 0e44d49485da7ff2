/**
 * Load-time verification with a provided context (spec §8.1 step 2, `RuleVerifyUtils.verifyRule`): default
 * values per Java type name, uninstantiated identifiers, and Java's messages.
 */
import { describe, expect, it } from 'vitest';
import { compileRule, verifyRule } from '../../src/rules/index.js';

const PROVIDED = {
  country: 'String',
  loggedIn: 'boolean',
  age: 'int',
  count: 'Long',
  score: 'double',
  ratio: 'float',
  initial: 'char',
  user: 'java.util.HashMap',
  tags: 'java.util.ArrayList',
  codes: 'java.util.HashSet',
  props: 'java.util.Map',
  ua: 'com.indeed.example.UserAgent',
  name: 'java.lang.String',
  boxed: 'java.lang.Integer',
  any: 'java.lang.Object',
};

function verify(rule: string, constants: Record<string, unknown> = {}): string | null {
  return verifyRule(compileRule(rule), { constants, providedContext: PROVIDED });
}

describe('verifyRule', () => {
  it('is syntax-only without a provided context', () => {
    expect(verifyRule(compileRule('${nobody.knows}'), { constants: {} })).toBeNull();
    expect(verifyRule(compileRule(null), { constants: {}, providedContext: PROVIDED })).toBeNull();
    expect(verifyRule(compileRule('${ }'), { constants: {}, providedContext: PROVIDED })).toBeNull();
  });

  it.each([
    "${country == 'US' && loggedIn}",
    '${age >= 18 && count < 5 && score > -1 && initial == ""}',
    "${user.profile.age > 30 and not empty tags}",
    "${proctor:contains(codes, country)}",
    '${ua.android && ua.osMajor >= 10}',
    '${props.x == null}',
    "${fn:length(name) == 0}",
    '${boxed + 1 > 0}',
    '${ratio > 1}',
    '${missingExperimentalUnit}',
    '${any == any}',
    '#{loggedIn}',
    "${lang == 'en'}",
  ])('accepts %s', (rule) => {
    expect(verify(rule, { lang: 'en' })).toBeNull();
  });

  it.each([
    ['${appVersion == null}', /^The variable appVersion is defined in rule \$\{appVersion == null\}, however it is not defined/],
    ['${trueish}', /^The variable trueish is defined/],
    ['${loggedIn || missing}', /^The variable missing is defined/],
    ['${country}', /^Unable to evaluate rule \$\{country\} due to a syntax error/],
    ['${user.flag}', /^Unable to evaluate rule \$\{user.flag\} due to a syntax error/],
    [' ${loggedIn}', /^Unable to evaluate rule {2}\$\{loggedIn\} due to a syntax error/],
    ['${age == true}', /^Failed to evaluate a rule \$\{age == true\}: Cannot convert \[true\]/],
    ["${country + 'x' > 0}", /NumberFormatException/],
    ['${age % 0 == 0}', /ArithmeticException/],
    ['${tags[0]}', /^Failed to evaluate a rule \$\{tags\[0\]\}: Array index out of range: 0/],
    ['${any.x == 1}', /^Failed to evaluate a rule/],
    ['${ua.android && 1 % 0 == 0}', null],
  ])('rejects %s', (rule, message) => {
    const problem = verify(rule);
    if (message === null) expect(problem).toBeNull();
    else expect(problem).toMatch(message);
  });

  it('ignores EL failures that involve an uninstantiated identifier', () => {
    expect(verify('${ua.osIs("android")}')).toBeNull();
    expect(verify('${props.deep.x}')).toBeNull();
    expect(verify('${user.ua == 1}')).toBeNull();
  });

  it('lets constants shadow the provided context', () => {
    expect(verify('${country.x == null}', { country: { x: null } })).toBeNull();
    expect(verify('${LIMIT > age}', { LIMIT: 21 })).toBeNull();
  });

  it('verifies against given instances instead of defaults', () => {
    const rule = compileRule('${user.vip}');
    const providedContext = { country: 'String', user: 'java.util.HashMap' };
    expect(verifyRule(rule, { constants: {}, providedContext })).toMatch(/due to a syntax error/);
    expect(
      verifyRule(rule, { constants: {}, providedContext, verificationContext: { user: { vip: true } } }),
    ).toBeNull();
  });
});
