/**
 * Empty and whitespace-only rules, in every spelling and every place Proctor reads a rule (spec §3.1). Java:
 * `RuleEvaluator.evaluateBooleanRuleWithValueExpr` answers true for `StringUtils.isBlank(rule)` and for
 * `clasifyElExpression(rule) == EMPTY` (`${}` with only `Character.isWhitespace` inside);
 * `RuleVerifyUtils.verifyRule` skips a rule whose `removeElExpressionBraces` is blank; and
 * `verifyInternallyConsistentDefinition` refuses such a rule on any allocation but the last
 * (`isEmptyElExpression`).
 */
import { describe, expect, it } from 'vitest';
import { Proctor } from '../../src/engine/proctor.js';
import { loadMatrix } from '../../src/matrix/load.js';
import { compileRule, verifyRule } from '../../src/rules/index.js';

const SPELLINGS = [null, '', '  ', '\t\n', '${}', '${ }', '${  \n }', '${\u2003}', '${\u001c}'] as const;

const matrix = (test: Record<string, unknown>): Record<string, unknown> => ({
  audit: { version: '1', updated: 0, updatedBy: 't' },
  tests: {
    t: {
      testType: 'USER',
      salt: 't',
      buckets: [
        { name: 'a', value: 0, payload: { stringValue: 'x' } },
        { name: 'b', value: 1, payload: { stringValue: 'y' } },
      ],
      allocations: [{ id: '#A1', ranges: [{ bucketValue: 1, length: 1 }] }],
      ...test,
    },
  },
});

const spec = (validator?: string | null) => ({
  providedContext: { country: 'String' },
  tests: { t: { buckets: { a: 0, b: 1 }, fallbackValue: -1, payload: { type: 'stringValue', ...(validator === undefined ? {} : { validator }) } } },
  dynamicFilters: [],
});

function group(m: Record<string, unknown>, options: Parameters<typeof Proctor.fromMatrix>[1] = {}): string | undefined {
  return Proctor.fromMatrix(m, options).determineTestGroups({ identifiers: { USER: 'u1' }, context: { country: 'US' } }).get('t')?.name;
}

describe.each(SPELLINGS.map((s) => [JSON.stringify(s), s] as const))('the rule %s', (_name, rule) => {
  it('is true, without evaluating, and verifies', () => {
    const compiled = compileRule(rule);
    expect(compiled.constant).toBe(true);
    expect(compiled.evaluate({ constants: {}, context: {} })).toBe(true);
    expect(verifyRule(compiled, { constants: {}, providedContext: { country: 'String' } })).toBeNull();
  });

  it('as the test rule or the last allocation rule, lets everyone in, with or without a specification', () => {
    expect(group(matrix({ rule }))).toBe('b');
    expect(group(matrix({ allocations: [{ id: '#A1', rule, ranges: [{ bucketValue: 1, length: 1 }] }] }))).toBe('b');
    expect(group(matrix({ rule }), { specification: spec() })).toBe('b');
  });

  it('on an allocation that is not the last, makes the test invalid', () => {
    const result = loadMatrix(
      matrix({
        allocations: [
          { id: '#A1', rule, ranges: [{ bucketValue: 0, length: 1 }] },
          { id: '#A2', ranges: [{ bucketValue: 1, length: 1 }] },
        ],
      }),
    );
    expect(result.errors.get('t')?.message).toMatch(/every allocation but the last needs a rule/);
  });

  it('as a payload validator, accepts every payload', () => {
    const result = loadMatrix(matrix({}), { specification: spec(rule) });
    expect(result.errors.size).toBe(0);
  });
});

describe('what is not blank', () => {
  it.each([
    // Not `${...}` exactly, with no trimming: "Invalid rule", false.
    [' ${} ', false],
    [' ${ }', false],
    // A no-break space is not Character.isWhitespace: the rule is parsed, and EL has no such character.
    ['\u00a0', false],
  ] as const)('%j → %s', (rule, verdict) => {
    expect(compileRule(rule).evaluate({ constants: {}, context: {} })).toBe(verdict);
  });

  it('${\\u00a0} does not parse (the EL lexer knows space, tab, CR and LF only)', () => {
    expect(() => compileRule('${\u00a0}')).toThrow(/illegal character/);
  });
});
