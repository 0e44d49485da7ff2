/**
 * Property-based tests: compiling never throws anything but RuleSyntaxError (and terminates) on any input,
 * and evaluating never throws anything but RuleEvaluationError on any context.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleEvaluationError, RuleSyntaxError } from '../../src/errors.js';
import { ReleaseVersion, compileRule, javaStringArray, verifyRule } from '../../src/rules/index.js';
import type { CompiledRule } from '../../src/rules/index.js';
import { OracleUA } from '../support/vector-values.js';

const TOKENS = [
  '${', '#{', '}', '{', '$', '#', '\\', ' ', '\n', '(', ')', '[', ']', '.', ',', ':', '?', '!', '-', '+', '*', '/',
  '%', '<', '>', '<=', '>=', '==', '!=', '&&', '||', '&', '|', '=', ';', "'", '"', "\\'", 'true', 'false', 'null',
  'and', 'or', 'not', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'empty', 'div', 'mod', 'instanceof', 'class', 'x', 'ua',
  'map', 'list', 'n', 'fn', 'proctor', 'indeed', 'contains', 'length', 'matches', 'version', 'split', 'join',
  'substring', 'size', 'get', 'toString', 'constructor', '__proto__', '0', '1', '9223372036854775808', '1.5', '.5',
  '1e3', "'a'", "'[a'", "'.*'", "'1.2.x'", '"b"', '\u{1F600}', '\u00e9', '\u0000',
];

const elish = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((parts) => parts.join(''));
const wrapped = elish.map((body) => '${' + body + '}');
const unicode = fc.string({ unit: 'binary', maxLength: 200 });

function compileOrSyntax(source: string): CompiledRule | null {
  try {
    return compileRule(source);
  } catch (error) {
    if (error instanceof RuleSyntaxError) return null;
    throw error;
  }
}

describe('compileRule on arbitrary input', () => {
  it('throws nothing but RuleSyntaxError on EL-ish text', () => {
    fc.assert(
      fc.property(fc.oneof(elish, wrapped), (source) => {
        compileOrSyntax(source);
      }),
      { numRuns: 3000 },
    );
  });

  it('throws nothing but RuleSyntaxError on arbitrary unicode', () => {
    fc.assert(
      fc.property(fc.oneof(unicode, unicode.map((s) => '${' + s + '}')), (source) => {
        compileOrSyntax(source);
      }),
      { numRuns: 2000 },
    );
  });

  it('terminates on long and deeply nested input', () => {
    const long = [
      '${' + 'a + '.repeat(20000) + 'a}',
      '${' + '('.repeat(5000) + 'a' + ')'.repeat(5000) + '}',
      '${' + '!'.repeat(5000) + 'a}',
      '${' + '-'.repeat(5000) + '1 == 1}',
      '${' + 'a ? '.repeat(3000) + 'b' + ' : c'.repeat(3000) + '}',
      '${' + 'x.'.repeat(10000) + 'y}',
      '${' + 'x['.repeat(3000) + '0' + ']'.repeat(3000) + '}',
      '${' + "'".repeat(100001) + '}',
      'x'.repeat(1_000_000),
      '${a}'.repeat(10000),
    ];
    for (const source of long) {
      const rule = compileOrSyntax(source);
      if (rule !== null) {
        try {
          rule.evaluate({ constants: {}, context: { a: 1, b: true, c: false, x: {} } });
        } catch (error) {
          expect(error).toBeInstanceOf(RuleEvaluationError);
        }
      }
    }
  });
});

class Bean {
  getName(): string {
    return 'bean';
  }
  isOn(): boolean {
    return true;
  }
  explode(): never {
    throw new TypeError('explode');
  }
}

const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('true', 'false', '', '1.5', '1e3', '10', '[', 'US', 'android', '1.2.3.4'),
  fc.constant(ReleaseVersion.parse('1.2.x')),
  fc.constant(new OracleUA({ os: 'ios', osMajor: 17 })),
  fc.constant(new Bean()),
  fc.constant(javaStringArray(['a', 'b'])),
  fc.constant(() => true),
  fc.constant(Symbol('s')),
);

const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'n', 'x', 'size', 'constructor', '__proto__', '0'), tie('v'), {
      maxKeys: 4,
    }),
    fc.array(tie('v'), { maxLength: 3 }).map((xs) => new Set(xs)),
    fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), tie('v')), { maxLength: 3 }).map(
      (entries) => new Map(entries),
    ),
  ),
})).v;

const RULES = [
  "${x == 'US' && y}",
  '${x > y || x <= 1}',
  '${x + y * 2 > x / y - x % 3}',
  '${-x == y}',
  '${empty x || not y}',
  '${x ? y : !y}',
  '${x.a.b == y[0]}',
  "${x['n'] eq y.size()}",
  '${x.size() > 0 && y.get(0) == x}',
  '${x}',
  '${x.a}',
  '${x[y]}',
  '${x.b[0].a}',
  '${proctor:contains(x, y)}',
  '${proctor:matches(x, y)}',
  '${proctor:inRange(x, y, x)}',
  '${proctor:versionInRange(x, y, y)}',
  "${proctor:version(x) >= proctor:version('1.x')}",
  "${proctor:maybeAnd(x, y) == 'TRUE'}",
  "${fn:length(x) > fn:indexOf(y, 'a')}",
  "${fn:join(fn:split(x, y), '-') == x}",
  '${fn:substring(x, y, y) == fn:trim(x)}',
  '${fn:contains(x, y) && fn:startsWith(y, x)}',
  '${x.android && x.osMajor >= 10 && x.osIs(y)}',
  '${x.name == y && x.on && x.explode()}',
  '${x.constructor == y.__proto__}',
  '${x.toString() == y.hasOwnProperty(x)}',
];

describe('evaluate on arbitrary contexts', () => {
  const compiled = RULES.map((r) => compileRule(r));

  it('throws nothing but RuleEvaluationError and always returns a boolean', () => {
    fc.assert(
      fc.property(fc.constantFrom(...compiled), value, value, (rule, x, y) => {
        try {
          expect(typeof rule.evaluate({ constants: {}, context: { x, y } })).toBe('boolean');
        } catch (error) {
          if (!(error instanceof RuleEvaluationError)) throw error;
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('verifies against arbitrary instances without throwing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...compiled), value, value, (rule, x, y) => {
        const problem = verifyRule(rule, {
          constants: {},
          providedContext: { x: 'java.lang.Object', y: 'java.lang.Object' },
          verificationContext: { x, y },
        });
        expect(problem === null || typeof problem === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
