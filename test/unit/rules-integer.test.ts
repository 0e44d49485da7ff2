/**
 * Java's `Integer` in the rule language, beside `Long` (spec §3.8, §3.9). Each expectation is what Tomcat 7's
 * EL does with Proctor's functions:
 * - `ELSupport.equals`/`compare` and `ELArithmetic` coerce every `isLongOp` operand (Integer, Short, Byte,
 *   Character, Long) to Long, so operators never tell an Integer from a Long, and `+ - * %` give a Long;
 * - `AstNegative` keeps the type: `-Integer` is an Integer (`Integer.valueOf(-i)`);
 * - functions and methods see the objects themselves: `ProctorRuleFunctions.inRange` calls
 *   `value.compareTo(lower)`, and `Integer.compareTo(Long)` is a ClassCastException, while
 *   `ProctorRuleFunctions.contains` compares any two integral numbers by `longValue()`; `List.contains` uses
 *   `equals`, and `Integer.valueOf(2).equals(2L)` is false;
 * - Java `int` results (`fn:length`, `fn:indexOf`, `String.length()`, `List.size()`) are Integers.
 */
import { describe, expect, it } from 'vitest';
import { RuleEvaluationError } from '../../src/errors.js';
import { loadMatrix } from '../../src/matrix/load.js';
import { compileRule, javaDouble, javaInt, verifyRule } from '../../src/rules/index.js';
import { javaByte, javaShort } from '../../src/rules/values.js';

function run(rule: string, context: Record<string, unknown>, constants: Record<string, unknown> = {}): boolean | 'error' {
  try {
    return compileRule(rule).evaluate({ constants, context });
  } catch (error) {
    if (error instanceof RuleEvaluationError) return 'error';
    throw error;
  }
}

describe('javaInt: an Integer in the context', () => {
  const age = javaInt(30);

  it.each([
    // inRange: Integer.compareTo(Long) throws (spec §3.9); a Long context value compares with the literals.
    ['${proctor:inRange(age, 18, 65)}', { age }, 'error'],
    ['${proctor:inRange(age, 18, 65)}', { age: 30 }, true],
    ['${proctor:inRange(age, lo, hi)}', { age, lo: javaInt(18), hi: javaInt(65) }, true],
    ['${proctor:inRange(age, lo, hi)}', { age, lo: javaInt(31), hi: javaInt(65) }, false],
    ['${proctor:inRange(age, 18.0, 65.0)}', { age }, 'error'],
    // Short and Integer are different classes too.
    ['${proctor:inRange(s, lo, hi)}', { s: javaShort(3), lo: javaInt(1), hi: javaInt(9) }, 'error'],
    ['${proctor:inRange(s, lo, hi)}', { s: javaShort(3), lo: javaShort(1), hi: javaShort(9) }, true],
    // Operators coerce to Long (ELSupport isLongOp): no difference there.
    ['${age == 30}', { age }, true],
    ['${age eq 30.0}', { age }, true],
    ['${age > 18 && age <= 30}', { age }, true],
    ["${age == '30'}", { age }, true],
    ['${age == b}', { age, b: javaByte(30) }, true],
    // Arithmetic gives a Long, which compares with Long literals.
    ['${proctor:inRange(age + 0, 18, 65)}', { age }, true],
    ['${proctor:inRange(age * 1, 18, 65)}', { age }, true],
    ['${proctor:inRange(age % 100, 18, 65)}', { age }, true],
    // Unary minus keeps the Integer (AstNegative), and wraps as Java's int negation does.
    ['${proctor:inRange(-age, -65, -18)}', { age }, 'error'],
    ['${-min == min}', { min: javaInt(-2147483648) }, true],
    ['${-min < 0}', { min: javaInt(-2147483648) }, true],
    // ProctorRuleFunctions.contains: integral numbers match by value, whatever their class.
    ['${proctor:contains(list, 2)}', { list: [javaInt(1), javaInt(2)] }, true],
    ['${proctor:contains(list, n)}', { list: [1, 2], n: javaInt(2) }, true],
    ['${proctor:contains(list, 2.0)}', { list: [javaInt(2)] }, false],
    // List.contains is Object.equals: an Integer element never equals the Long literal.
    ['${list.contains(2) == true}', { list: [javaInt(1), javaInt(2)] }, false],
    ['${list.contains(n) == true}', { list: [javaInt(1), javaInt(2)], n: javaInt(2) }, true],
    ['${list.indexOf(n) == 1}', { list: [javaInt(1), javaInt(2)], n: javaInt(2) }, true],
    // Printing and indexing.
    ["${fn:trim(age) == '30'}", { age }, true],
    ['${list[i] == 20}', { list: [10, 20], i: javaInt(1) }, true],
    // Not a Boolean: the type check names the primitive.
    ['${age}', { age }, 'error'],
    ['${!age}', { age }, 'error'],
    // An Integer has no bean properties.
    ['${age.value == 30}', { age }, 'error'],
  ] as const)('%s with %o → %s', (rule, context, expected) => {
    expect(run(rule, context)).toBe(expected);
  });

  it('names the Java classes in the failure, as the ClassCastException does', () => {
    let failure: unknown;
    try {
      compileRule('${proctor:inRange(age, 18, 65)}').evaluate({ constants: {}, context: { age } });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(RuleEvaluationError);
    expect((failure as Error).message).toMatch(/Problems calling function \[proctor:inRange\]/);
    let cause = (failure as Error).cause;
    while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
    expect((cause as Error).message).toMatch(/class java\.lang\.Long cannot be cast to class java\.lang\.Integer/);
    expect(() => compileRule('${age}').evaluate({ constants: {}, context: { age } })).toThrow(/Received non-boolean return value: int /);
  });

  it('accepts only whole numbers in the int range, and writes itself as its number', () => {
    expect(javaInt(-2147483648).value).toBe(-2147483648);
    expect(() => javaInt(2147483648)).toThrow(RangeError);
    expect(() => javaInt(1.5)).toThrow(RangeError);
    expect(() => javaShort(40000)).toThrow(RangeError);
    expect(JSON.stringify({ age })).toBe('{"age":30}');
    expect(Object.isFrozen(age)).toBe(true);
  });

  it('is handed to application functions as a number', () => {
    let seen: unknown;
    const rule = compileRule('${app:see(age)}', { functions: { app: { see: (v: unknown) => ((seen = v), true) } } });
    expect(rule.evaluate({ constants: {}, context: { age } })).toBe(true);
    expect(seen).toBe(30);
  });
});

describe('Java int results are Integers', () => {
  it.each([
    ["${proctor:inRange(fn:length(s), 1, 10)}", 'error'],
    ["${proctor:inRange(s.length(), 1, 10)}", 'error'],
    ["${proctor:inRange(list.size(), 1, 10)}", 'error'],
    ["${proctor:inRange(fn:indexOf(s, 'l'), 0, 10)}", 'error'],
    ["${proctor:inRange(fn:length(s), n, m)}", true],
    ['${fn:length(s) == 5 && s.length() > 4 && list.size() == 2}', true],
    ["${proctor:contains(list, fn:length(s) - 4)}", false],
    ["${proctor:contains(ints, fn:indexOf(s, 'e'))}", true],
  ] as const)('%s → %s', (rule, expected) => {
    expect(run(rule, { s: 'hello', list: ['a', 'b'], ints: [1], n: javaInt(1), m: javaInt(10) })).toBe(expected);
  });
});

describe('load-time verification with an int in the provided context', () => {
  // ProctorUtils.convertContextToTestableMap: `int` → 0 (an Integer), `long` → (long) 0, `short` → (short) 0.
  it.each([
    ['int', false],
    ['Integer', false],
    ['short', false],
    ['long', true],
  ] as const)('proctor:inRange(age, 1, 10) with age declared %s: %s', (type, ok) => {
    const problem = verifyRule(compileRule('${proctor:inRange(age, 1, 10)}'), { constants: {}, providedContext: { age: type } });
    expect(problem === null).toBe(ok);
  });
});

describe('matrix constants are read as Jackson reads them', () => {
  const matrix = (constants: string, rule: string): string =>
    `{"audit": {"version": "1", "updated": 0, "updatedBy": "t"}, "tests": {"t": {"testType": "USER", "salt": "t",
      "constants": ${constants}, "buckets": [{"name": "on", "value": 1}],
      "allocations": [{"rule": ${JSON.stringify(rule)}, "ranges": [{"bucketValue": 1, "length": 1.0}]}]}}}`;

  function assigned(constants: string, rule: string, context: Record<string, unknown>): boolean {
    const result = loadMatrix(matrix(constants, rule));
    const test = result.matrix.tests.get('t');
    if (test === undefined) throw new Error(String(result.errors.get('t')));
    return run(rule, context, test.definition.constants) === true;
  }

  it('an integer constant is an Integer: it compares with an Integer context value, not with a Long', () => {
    const rule = '${proctor:inRange(age, MIN_AGE, MAX_AGE)}';
    expect(assigned('{"MIN_AGE": 18, "MAX_AGE": 65}', rule, { age: javaInt(30) })).toBe(true);
    expect(assigned('{"MIN_AGE": 18, "MAX_AGE": 65}', rule, { age: 30 })).toBe(false);
    // Beyond the int range, Jackson makes a Long.
    expect(assigned('{"MIN_AGE": 18, "MAX_AGE": 3000000000}', rule, { age: javaInt(30) })).toBe(false);
  });

  it('a Long constant beyond 2^53 keeps every digit', () => {
    expect(assigned('{"BIG": 9007199254740993}', '${BIG == 9007199254740993 && BIG != 9007199254740992}', {})).toBe(true);
  });

  it('a decimal constant is a Double, whole or not', () => {
    expect(assigned('{"DBLS": [1.5, 2.0]}', '${proctor:contains(DBLS, 2.0)}', {})).toBe(true);
    expect(assigned('{"DBLS": [1.5, 1e3]}', '${proctor:contains(DBLS, 1000.0)}', {})).toBe(true);
    expect(assigned('{"DBLS": [1.5, 2]}', '${proctor:contains(DBLS, 2.0)}', {})).toBe(false);
    expect(assigned('{"RATE": 2.0}', '${proctor:inRange(rate, RATE, 3.0)}', { rate: javaDouble(2) })).toBe(true);
  });
});
