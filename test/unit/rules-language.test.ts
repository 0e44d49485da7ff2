/**
 * The rule language beyond the Java vectors: table-driven cases for spec §3.1–§3.5 and §3.9, each written as
 * Java (Tomcat 7.0.109 + Proctor) evaluates it. `'error'` = RuleEvaluationError, `'syntax'` = RuleSyntaxError.
 */
import { describe, expect, it } from 'vitest';
import { RuleEvaluationError, RuleSyntaxError } from '../../src/errors.js';
import { ReleaseVersion, compileRule, javaChar, javaDouble, javaStringArray } from '../../src/rules/index.js';
import type { RuleFunctions } from '../../src/rules/index.js';
import { OracleUA } from '../support/vector-values.js';

type Outcome = boolean | 'error' | 'syntax';

class Account {
  readonly #id: number;
  constructor(id: number) {
    this.#id = id;
  }
  getId(): number {
    return this.#id;
  }
  isActive(): boolean {
    return this.#id > 0;
  }
  get premium(): boolean {
    return this.#id > 100;
  }
  isIOS(): boolean {
    return false;
  }
  getURL(): string {
    return 'https://x';
  }
  matches(s: string): boolean {
    return s === 'yes';
  }
  failing(): boolean {
    throw new Error('boom');
  }
}

const CONTEXT: Record<string, unknown> = {
  country: 'US',
  lang: 'en',
  loggedIn: true,
  off: false,
  age: 30,
  zero: 0,
  half: 0.5,
  nul: null,
  empty: '',
  es: '',
  ws: '  ',
  flagStr: 'true',
  yes: 'yes',
  list: ['a', 'b', 'c'],
  nums: [1, 2, 3],
  emptyList: [],
  map: { a: 1, b: 'x', n: null, flag: true, '1': 'one', nested: { deep: true } },
  emptyMap: {},
  jsMap: new Map<unknown, unknown>([
    ['k', true],
    [1, 'num'],
  ]),
  set: new Set(['s1', 's2']),
  arr: javaStringArray(['x', 'y']),
  big: 9007199254740993n,
  ver: ReleaseVersion.parse('1.2.3.4'),
  verx: ReleaseVersion.parse('1.2.x'),
  ua: new OracleUA({ os: 'android', browser: 'chrome', osMajor: 11, version: '12.3.4.5' }),
  acct: new Account(200),
  text: 'Hello World',
  emoji: '\u{1F600}x',
  chr: javaChar('a'),
  // Java Doubles with whole values: JS alone would make them Longs.
  whole: javaDouble(2),
  wholes: [1.5, javaDouble(2)],
  numStr: '1.5',
  intStr: '10',
  fn: () => true,
};

const CONSTANTS: Record<string, unknown> = { LANGS: ['en', 'fr'], MIN_AGE: 21, country: 'CA' };

function outcome(rule: string, context: Record<string, unknown> = CONTEXT, functions?: RuleFunctions): Outcome {
  let compiled;
  try {
    compiled = compileRule(rule, functions === undefined ? {} : { functions });
  } catch (error) {
    if (error instanceof RuleSyntaxError) return 'syntax';
    throw error;
  }
  try {
    return compiled.evaluate({ constants: CONSTANTS, context });
  } catch (error) {
    if (error instanceof RuleEvaluationError) return 'error';
    throw error;
  }
}

function table(cases: readonly (readonly [string, Outcome])[]): void {
  it.each(cases)('%s → %s', (rule, expected) => {
    expect(outcome(rule)).toBe(expected);
  });
}

describe('rule string handling (§3.1)', () => {
  table([
    ['', true],
    ['   ', true],
    ['\t\n', true],
    ['\u00a0', false],
    ['${}', true],
    ['${ \u2003 }', true],
    [' ${true}', false],
    ['true', false],
    ['#{true}', false],
    ['${trueFlag}', true],
    ['${TrUeish}', true],
    ['${false || loggedIn}', false],
    ['${Falsy}', 'error'],
    ['${fal\u017fe}', false],
    ['${true; false}', 'syntax'],
    ['${loggedIn}${loggedIn}', 'error'],
    ['${loggedIn}}', 'error'],
    ['${loggedIn} ', false],
    ['${a}#{b}', 'syntax'],
    ['${x', 'syntax'],
    ['${}}', 'syntax'],
  ]);

  it('null and undefined are always true', () => {
    expect(compileRule(null).constant).toBe(true);
    expect(compileRule(undefined).evaluate({ constants: {}, context: {} })).toBe(true);
  });

  it('reports constant verdicts and variables', () => {
    expect(compileRule('${true && x}').constant).toBe(true);
    expect(compileRule('loggedIn').constant).toBe(false);
    const rule = compileRule("${country == 'US' && loggedIn || country == 'CA'}");
    expect(rule.constant).toBeUndefined();
    expect(rule.variables).toEqual(['country', 'loggedIn']);
  });
});

describe('variables (§3.2)', () => {
  table([
    ["${country == 'CA'}", true],
    ['${missing}', 'error'],
    ['${nul}', false],
    ['${nul == null}', true],
    ['${lang == "en"}', true],
  ]);

  it('reads only own keys of constants and context', () => {
    expect(outcome('${toString == null}', {})).toBe('error');
    expect(outcome('${constructor == null}', {})).toBe('error');
    expect(outcome('${__proto__ == null}', {})).toBe('error');
    expect(outcome('${hasOwnProperty}', Object.create({ hasOwnProperty: true }) as Record<string, unknown>)).toBe('error');
  });
});

describe('grammar (§3.3)', () => {
  table([
    ['${1 + 2 * 3 == 7}', true],
    ['${(1 + 2) * 3 == 9}', true],
    ['${10 - 2 - 3 == 5}', true],
    ['${2 * 3 % 4 == 2}', true],
    ['${not loggedIn or loggedIn and off}', false],
    ['${loggedIn || off && off}', true],
    ['${1 < 2 == true}', true],
    ['${1 < 2 < 3}', 'error'],
    ['${- - 5 == 5}', true],
    ['${!!loggedIn}', true],
    ['${empty empty}', 'syntax'],
    ['${not empty list}', true],
    ['${age > 18 ? loggedIn : off}', true],
    ['${age > 40 ? loggedIn : age > 20 ? off : loggedIn}', false],
    ['${loggedIn ? off : loggedIn ? loggedIn : off}', false],
    ['${010 == 10}', true],
    ['${1e3 == 1000}', true],
    ['${1.e3 == 1000}', true],
    ['${.5 == half}', true],
    ['${1. == 1}', true],
    ['${0x10 == 16}', 'syntax'],
    ['${9223372036854775807 > 0}', true],
    ['${9223372036854775808 > 0}', 'error'],
    ["${'it\\'s' == \"it's\"}", true],
    ['${"say \\"hi\\"" == \'say "hi"\'}', true],
    ["${'a\\\\b' == 'a\\\\b'}", true],
    ["${'a\\nb' == 'x'}", 'syntax'],
    ["${'}' == '}'}", true],
    ['${a = 1}', 'syntax'],
    ['${a += 1}', 'syntax'],
    ["${'a' + 'b' == 'ab'}", 'error'],
    ['${[1]}', 'syntax'],
    ['${{1}}', 'syntax'],
    ['${x -> x}', 'syntax'],
    ['${loggedIn &}', 'syntax'],
    ['${loggedIn\f}', 'syntax'],
    ['${loggedIn\r\n}', true],
    ['${AND}', 'error'],
    ['${loggedIn AND off}', 'syntax'],
    ['${gender == null}', 'error'],
    ['${ne == 1}', 'syntax'],
    ['${instanceof}', 'syntax'],
    ['${class == 1}', 'syntax'],
    ['${map.class}', 'syntax'],
    ['${map.new == null}', 'syntax'],
    ['${map.empty}', 'syntax'],
    ["${map['class'] == null}", true],
    ['${$dollar}', 'error'],
    ['${#x}', 'syntax'],
    ['${x:y}', 'syntax'],
    ['${fn:length(list) == 3}', true],
    ['${fn : length ( list ) == 3}', true],
    ['${fn:nope(list)}', 'syntax'],
    ['${fn:length(list, list)}', 'syntax'],
    ['${nope(1)}', 'syntax'],
    ['${loggedIn ? fn:length(list) : off}', 'error'],
    ['${loggedIn ? off : trim(text)}', 'syntax'],
  ]);

  it('reports the offset and the token of a syntax error', () => {
    const cases: [string, number, string][] = [
      ['${country == }', 13, '}'],
      ['${loggedIn | off}', 11, '|'],
      ['${a b}', 4, 'b'],
      ['${"open}', 2, '"'],
      ['${x', 3, '<EOF>'],
      ['${proctor:nope()}', 2, 'proctor:nope'],
      ['${user.class}', 7, 'class'],
    ];
    for (const [rule, position, token] of cases) {
      let error: unknown;
      try {
        compileRule(rule);
      } catch (e) {
        error = e;
      }
      expect(error, rule).toBeInstanceOf(RuleSyntaxError);
      expect((error as RuleSyntaxError).position, rule).toBe(position);
      expect((error as RuleSyntaxError).token, rule).toBe(token);
      expect((error as RuleSyntaxError).rule).toBe(rule);
    }
  });
});

describe('application code that throws (BeanELResolver wraps it)', () => {
  class Broken {
    getBad(): number {
      throw new Error('boom');
    }
    explode(): number {
      throw new Error('bang');
    }
  }
  it.each([
    ['${b.bad == 1}', 'Error reading [bad] on type [Broken]: boom'],
    ['${b.explode() == 1}', 'Error invoking [explode] on type [Broken]: bang'],
  ])('%s fails with %j', (rule, message) => {
    expect(() => compileRule(rule).evaluate({ constants: {}, context: { b: new Broken() } })).toThrow(message);
  });
});

describe('coercions (§3.4)', () => {
  it('coerces a long digit string with a bad tail to an error in one pass (no regex backtracking per split)', () => {
    expect(outcome('${x > 1.5}', { x: `${'1'.repeat(65_536)}x` })).toBe('error');
    expect(outcome('${x > 1.5}', { x: `${'1'.repeat(65_536)}.5` })).toBe(true);
  });

  table([
    ["${age == '30'}", true],
    ["${age == '30.0'}", 'error'],
    ["${'' == 0}", true],
    ['${country == 5}', 'error'],
    ["${'1.0' == 1}", 'error'],
    ["${'1.0' == 1.0}", true],
    ["${'3.50' > 3}", 'error'],
    ["${'3.50' == 3.5}", true],
    ["${'1e3' == 1000}", 'error'],
    ["${'1e3' == 1000.0}", true],
    ["${' 1.5 ' == 1.5}", true],
    ["${' 1 ' == 1}", 'error'],
    ["${'+1' == 1}", true],
    ['${0.0 / 0 == 0.0 / 0}', true],
    ['${0.0 / 0 > 1}', true],
    ['${0.0 / 0 < 1}', false],
    ['${-0.0 == 0}', false],
    ['${-0.0 == 0.0}', false],
    ['${-0.0 < 0.0}', true],
    ['${zero * -1.5 < 0}', true],
    ['${zero * -1 < 0}', false],
    ['${1 / 0 > 9223372036854775807}', true],
    ['${loggedIn == true}', true],
    ["${loggedIn == 'TRUE'}", true],
    ["${off == 'nope'}", true],
    ['${loggedIn == 1}', 'error'],
    ['${loggedIn > off}', true],
    ["${loggedIn > 'a'}", true],
    ['${loggedIn > 0}', 'error'],
    ["${list == '[a, b, c]'}", true],
    ["${map.nested == '{deep=true}'}", true],
    ["${nums == '[1, 2, 3]'}", true],
    ['${list == list}', true],
    ["${ver == '1.2.3.4'}", true],
    ["${ver > '1.10.0.0'}", true],
    ["${verx == '1.2.x'}", true],
    ['${ver == verx}', true],
    ['${ver > verx}', false],
    ['${ver >= verx}', true],
    ['${ver > loggedIn}', 'error'],
    ['${list > list}', false],
    ['${list > nums}', 'error'],
    ['${list <= list}', true],
    ['${nul < 1}', false],
    ['${nul < missing}', false],
    ['${1 < missing}', 'error'],
    ['${nul <= nul}', true],
    ['${nul >= 1}', false],
    ["${empty < 'a'}", 'syntax'],
    ["${'B' < 'a'}", true],
    ["${'\u{1F600}' > '\uffff'}", false],
    ['${big > 9007199254740992}', true],
    ['${big == 9007199254740992}', false],
    ['${big == 9007199254740993}', true],
    ['${big - 1 == 9007199254740992}', true],
    ['${9223372036854775807 + 1 == -9223372036854775807 - 1}', true],
    ["${'9223372036854775808' == 0}", 'error'],
    ['${flagStr}', 'error'],
    ['${flagStr && loggedIn}', true],
    ['${yes || off}', false],
    ['${!yes}', true],
    ['${!empty}', 'syntax'],
    ['${!nul}', true],
    ['${!age}', 'error'],
    ['${age ? loggedIn : off}', 'error'],
    ['${nul ? off : loggedIn}', true],
    ['${empty nul && empty emptyList && empty emptyMap && empty arr == false}', true],
    ['${empty zero}', false],
    ["${empty ''}", true],
    ["${empty ' '}", false],
    ['${empty set}', false],
    ['${empty jsMap}', false],
    ['${empty acct}', false],
  ]);
});

describe('Java double text: Double.valueOf and Double.toString at the edges (§3.4)', () => {
  // A String meeting a Double is read with Double.valueOf; a Double passed as a String argument is printed
  // with Double.toString (same on JDK 17 and JDK 25 for these values).
  table([
    ["${fn:trim(4.9E-324) == '4.9E-324'}", true], // Double.toString(Double.MIN_VALUE)
    ["${fn:trim(-4.9E-324) == '-4.9E-324'}", true],
    ["${fn:trim(6.9E-323) == '6.9E-323'}", true], // Double.toString(14 * Double.MIN_VALUE), not 7.0E-323
    ["${fn:trim(1.7976931348623157E308) == '1.7976931348623157E308'}", true],
    ["${fn:trim(1.0E7) == '1.0E7'}", true],
    ["${fn:trim(0.001) == '0.001'}", true],
    ["${fn:trim(-0.0) == '-0.0'}", true],
    ["${'0x10p-1078' == 4.9E-324}", true], // Double.valueOf("0x10p-1078") == Double.MIN_VALUE
    ["${'0x1.8p-1075' == 4.9E-324}", true], // rounds up to MIN_VALUE
    ["${'0x1.fffffffffffffp-1023' == 2.2250738585072014E-308}", true], // rounds half-even to MIN_NORMAL
    ["${'0x1.000000000000080000000000000001p0' > 1.0}", true], // a bit past the tie rounds up
    ["${'0x0p2147483648' == 0.0}", true], // zero significand: 0.0 whatever the exponent
    ["${' 0x1p0d ' == 1.0}", true],
    ["${'1e5f' == 100000.0}", true],
    ["${'InfinityD' == 1.0}", 'error'], // NumberFormatException
  ]);
});

describe('Java Characters', () => {
  table([
    ['${chr == 97}', true],
    ["${chr == 'a'}", 'error'],
    ['${chr == chr}', true],
    ['${chr + 1 == 98}', true],
    ['${-chr == -97}', true],
    ["${chr > 'Z'}", 'error'],
    ['${chr > 96.5}', true],
    ["${fn:toUpperCase(chr) == 'A'}", true],
    ['${list[chr] == null}', true],
    ['${text.charAt(0) == 72}', true],
    ["${text.charAt(0) == 'H'}", 'error'],
    ['${chr}', 'error'],
    ['${empty chr}', false],
  ]);

  it('only wraps a single UTF-16 unit', () => {
    expect(() => javaChar('ab')).toThrow(RangeError);
    expect(javaChar('x').value).toBe('x');
  });
});

describe('javaDouble: a whole-valued Java Double in the context', () => {
  // Java: Double 2.0 prints as "2.0", is not in a List of Longs, and arithmetic on it stays Double.
  table([
    ["${fn:trim(whole) == '2.0'}", true],
    ['${whole == 2}', true],
    ['${proctor:contains(wholes, 2.0)}', true],
    ['${proctor:contains(wholes, 2)}', false],
    ['${proctor:contains(nums, whole)}', false],
    ["${fn:trim(whole + 1) == '3.0'}", true],
    ["${fn:trim(whole / 2) == '1.0'}", true],
  ]);

  it('wraps only whole numbers (and -0); other numbers are Doubles already', () => {
    expect(javaDouble(1.5)).toBe(1.5);
    expect(javaDouble(2)).not.toBe(2);
    expect(javaDouble(-0)).not.toBe(-0);
    expect(() => javaDouble('2' as unknown as number)).toThrow(TypeError);
  });
});

describe('arithmetic (§3.4)', () => {
  table([
    ['${null + null == 0}', true],
    ['${nul + 1 == 1}', true],
    ["${'' + 1 == 1}", true],
    ["${'2' + 3 == 5}", true],
    ["${numStr + 1 == 2.5}", true],
    ["${'.' + 1 == 1}", 'error'],
    ["${'a' + 1 == 1}", 'error'],
    ['${loggedIn + 1 == 2}', 'error'],
    ['${7 / 2 == 3.5}', true],
    ['${4 / 2 == 2}', true],
    ["${4 / 2 == '2'}", true],
    ["${4 / 2 == '2.0'}", true],
    ['${null / null == 0}', true],
    ['${1 / 0 > 1000}', true],
    ['${-1 / 0 < -1000}', true],
    ['${7 % 3 == 1}', true],
    ['${-7 % 3 == -1}', true],
    ['${7.5 % 2 == 1.5}', true],
    ["${'7.5' % 2 == 1.5}", true],
    ['${7 % 0 == 0}', 'error'],
    ['${7.0 % 0 == 0}', false],
    ['${-nul == 0}', true],
    ["${-'5' == -5}", true],
    ["${-'5.5' == -5.5}", true],
    ["${-'' == 0}", 'error'],
    ["${-'x' == 0}", 'error'],
    ['${-loggedIn == 0}', 'error'],
    ['${-age == -30}', true],
    ['${3 * half == 1.5}', true],
    ['${0.1 + 0.2 == 0.30000000000000004}', true],
    ['${age + 1}', 'error'],
    ['${-age}', 'error'],
    ['${1.5}', 'error'],
    ['${1}', 'error'],
    ["${'x'}", 'error'],
    ['${null}', false],
  ]);
});

describe('properties and methods (§3.5)', () => {
  table([
    ['${map.a == 1}', true],
    ["${map['b'] == 'x'}", true],
    ['${map.missing == null}', true],
    ['${map.missing.deeper == null}', true],
    ['${map[1] == null}', true],
    ["${map['1'] == 'one'}", true],
    ['${map[nul] == null}', true],
    ['${map.flag}', true],
    ['${map.nested.deep}', true],
    ['${map.b}', 'error'],
    ['${map.n}', 'error'],
    ['${map.missing}', 'error'],
    ['${emptyMap.x}', 'error'],
    ['${map.nested}', 'error'],
    ['${list[0] == "a"}', true],
    ["${list['1'] == 'b'}", true],
    ['${list[1.9] == "b"}', true],
    ['${list[loggedIn] == "b"}', true],
    ['${list[9] == null}', true],
    ['${list[-1] == null}', true],
    ["${list['x'] == null}", 'error'],
    ['${list[0]}', 'error'],
    ['${list[5]}', 'error'],
    ['${list.size == 3}', 'error'],
    ['${arr[1] == "y"}', true],
    ['${arr[2] == null}', true],
    ['${arr[0]}', 'error'],
    ['${set[0] == null}', 'error'],
    ["${set['empty'] == false}", true],
    ["${text['empty'] == false}", true],
    ["${ws['blank']}", true],
    ["${ws['empty']}", false],
    ['${jsMap.k}', true],
    ['${jsMap[1] == "num"}', true],
    ['${jsMap.zz == null}', true],
    ['${nul.x == null}', 'error'],
    ['${map.a == 1 && nul.x == null}', true],
    ['${loggedIn && nul.x == null}', 'error'],
    ['${nul.x}', 'error'],
    ['${age.x == null}', 'error'],
    ['${country.x == null}', 'error'],
    ["${country.toLowerCase() == 'ca'}", true],
    ["${'abc'.length() == 3}", true],
    ['${text.indexOf("World") == 6}', true],
    ['${text.indexOf(111) == 4}', true],
    ["${text.contains('lo W')}", 'error'],
    ["${text.contains('lo W') == true}", true],
    ["${text.matches('H.*d') == true}", true],
    ["${text.equalsIgnoreCase('hello world') == true}", true],
    ["${text.substring(6) == 'World'}", true],
    ['${text.substring(60) == null}', 'error'],
    ["${text.startsWith('Hell') == true}", true],
    ['${list.size() == 3}', true],
    ["${list.contains('b') == true}", true],
    ['${list.get(1) == "b"}', true],
    ['${list.get(7) == null}', 'error'],
    ['${map.size() == 6}', true],
    ["${map.containsKey('a') == true}", true],
    ["${map.get('a') == 1}", true],
    ['${map.size()}', 'error'],
    ['${set.size() == 2}', true],
    ["${set.contains('s1') == true}", true],
    ['${ver.matchPrecision == "BUILD"}', true],
    ["${ver.matchPrecision == 'bogus'}", 'error'],
    ["${verx.getMatchPrecision() == 'MINOR'}", true],
    ['${ver.compareTo(verx) == 0}', true],
    ['${ver.matchPrecision}', 'error'],
    ['${ua.android}', true],
    ['${ua.IOS}', false],
    ['${ua.iOS}', 'error'],
    ['${ua.osMajor >= 10}', true],
    ["${ua.os == 'android'}", true],
    ["${ua.osIs('ANDROID') == true}", true],
    ["${ua.osIs('ANDROID')}", 'error'],
    ['${ua.isAndroid() && ua.getOsMajor() == 11}', true],
    ['${ua.releaseVersion > proctor:version("12.0.x")}', true],
    ['${ua.nosuch}', 'error'],
    ['${ua.nosuch() == 1}', 'error'],
    ['${ua.os}', 'error'],
    ['${acct.id == 200}', true],
    ['${acct.active}', true],
    ['${acct.premium}', true],
    ['${acct.IOS}', false],
    ["${acct.URL == 'https://x'}", true],
    ["${acct.matches('yes') == true}", true],
    ['${acct.failing() == true}', 'error'],
    ['${acct.failing}', 'error'],
  ]);
});

describe('safety: nothing from JS internals is reachable', () => {
  table([
    ['${map.constructor == null}', true],
    ["${map['constructor'] == null}", true],
    ["${map['__proto__'] == null}", true],
    ['${map.__proto__ == null}', true],
    ['${map.constructor}', 'error'],
    ["${map.hasOwnProperty('a') == true}", 'error'],
    ["${map.toString() == ''}", 'error'],
    ['${list.constructor == null}', 'error'],
    ["${list.join(',') == 'a,b,c'}", 'error'],
    ["${list.map == null}", 'error'],
    ["${text.toString() == 'Hello World'}", 'error'],
    ["${text.constructor == null}", 'error'],
    ["${text.replaceAll('l', '') == ''}", 'error'],
    ['${text.length == 11}', 'error'],
    ['${acct.constructor == null}', 'error'],
    ["${acct['__proto__'] == null}", 'error'],
    ["${acct.hasOwnProperty('x') == true}", 'error'],
    ['${acct.toString() == null}', 'error'],
    ["${acct.valueOf() == null}", 'error'],
    ['${fn.call() == null}', 'error'],
    ['${fn.name == null}', 'error'],
    ['${fn.prototype == null}', 'error'],
    ['${fn == null}', false],
    ['${age.toFixed(1) == "30.0"}', 'error'],
    ['${ver.constructor == null}', 'error'],
  ]);

  it('ignores anything added to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    let called = false;
    Object.defineProperty(proto, 'polluted', {
      configurable: true,
      get(): boolean {
        called = true;
        return true;
      },
    });
    try {
      expect(outcome('${map.polluted == null}')).toBe(true);
      expect(outcome('${acct.polluted == null}')).toBe('error');
      expect(outcome('${ua.polluted == null}')).toBe('error');
      expect(outcome('${polluted == null}', {})).toBe('error');
      expect(called).toBe(false);
    } finally {
      delete proto.polluted;
    }
  });

  it('reads accessor properties of plain objects as map entries', () => {
    const trap = Object.defineProperty({}, 'flag', { enumerable: true, get: () => true });
    expect(outcome('${trap.flag}', { trap })).toBe(true);
  });
});

describe('functions (§3.6)', () => {
  table([
    ["${proctor:contains(LANGS, 'fr')}", true],
    ["${indeed:contains(LANGS, 'de')}", false],
    ['${proctor:contains(nums, 2)}', true],
    ["${proctor:contains(nums, '2')}", false],
    ['${proctor:contains(nums, 2.0)}', false],
    ["${proctor:contains(set, 's2')}", true],
    ["${proctor:contains(arr, 'x')}", 'error'],
    ["${proctor:contains(map, 'a')}", 'error'],
    ["${proctor:contains(country, 'C')}", 'error'],
    ["${proctor:contains(nul, 'C')}", 'error'],
    ["${proctor:contains(es, 'C')}", 'error'],
    ["${proctor:matches(country, 'C.')}", true],
    ["${proctor:matches(country, 'C')}", false],
    ["${proctor:matches(nul, '')}", true],
    ["${proctor:matches(emoji, '.x')}", true],
    ["${proctor:matches('\u00e9', '\\\\w')}", false],
    ["${proctor:matches(country, '[')}", 'error'],
    ["${proctor:matches(list, '\\\\[a, b, c\\\\]')}", true],
    ["${proctor:matches(age, '3.')}", true],
    ['${proctor:now() > 1600000000000}', true],
    ['${proctor:now()}', 'error'],
    ["${proctor:version('1.2.3.4') == ver}", true],
    ["${proctor:version('1.2.3') == null}", 'error'],
    ["${proctor:version('1.2.x') < proctor:version('1.3.0.0')}", true],
    ["${proctor:version(nul) == null}", 'error'],
    ["${proctor:versionInRange(ver, '1.2.0.0', '1.3.0.0')}", true],
    ["${proctor:versionInRange(ver, '1.2.3.5', '1.3.0.0')}", false],
    ["${proctor:versionInRange(ver, '1.x', '2.x')}", 'error'],
    ["${proctor:versionInRange('1.2.3.4', '1.0.0.0', '2.0.0.0')}", 'error'],
    ["${proctor:versionInRange(nul, '1.0.0.0', '2.0.0.0')}", 'error'],
    ['${proctor:inRange(5, 1, 10)}', true],
    ['${proctor:inRange(10, 1, 10)}', false],
    ['${proctor:inRange(1.5, 1.0, 2.0)}', true],
    ['${proctor:inRange(1.5, 1, 2)}', 'error'],
    ["${proctor:inRange('b', 'a', 'c')}", true],
    ['${proctor:inRange(nul, 1, 2)}', 'error'],
    ['${proctor:inRange(list, 1, 2)}', 'error'],
    ["${proctor:maybeAnd('TRUE', 'UNKNOWN') == 'UNKNOWN'}", true],
    ["${proctor:maybeAnd('TRUE', 'FALSE') == 'FALSE'}", true],
    ["${proctor:maybeOr(nul, 'TRUE') == 'TRUE'}", true],
    ["${proctor:maybeNot('UNKNOWN') == 'UNKNOWN'}", true],
    ["${proctor:maybeNot('bogus') == 'UNKNOWN'}", 'error'],
    ["${proctor:maybeNot(loggedIn) == 'UNKNOWN'}", 'error'],
    ["${proctor:toMaybeBool('yes') == 'FALSE'}", true],
    ["${proctor:toMaybeBool(loggedIn) == 'bogus'}", 'error'],
    ['${proctor:toMaybeBool(loggedIn)}', 'error'],
    ["${fn:toUpperCase('stra\u00dfe') == 'STRASSE'}", true],
    ["${fn:toLowerCase(nul) == ''}", true],
    ["${fn:toLowerCase(loggedIn) == 'true'}", true],
    ["${fn:indexOf(text, 'o') == 4}", true],
    ["${fn:indexOf(text, '') == 0}", true],
    ["${fn:indexOf(nul, 'x') == -1}", true],
    ["${fn:contains(text, '')}", true],
    ["${fn:contains(list, 'b, c')}", true],
    ["${fn:contains(age, 3)}", true],
    ["${fn:containsIgnoreCase(text, 'WORLD')}", true],
    ["${fn:startsWith(nul, '')}", true],
    ["${fn:endsWith(text, 'd')}", true],
    ["${fn:substring(text, 0, 5) == 'Hello'}", true],
    ["${fn:substring(text, 1.7, 3) == 'el'}", true],
    ["${fn:substring(text, -5, 2) == 'He'}", true],
    ["${fn:substring(text, 6, -1) == 'World'}", true],
    ["${fn:substring(text, 6, 99) == 'World'}", true],
    ["${fn:substring(text, 11, 12) == ''}", true],
    ["${fn:substring(text, 5, 2) == ''}", true],
    ["${fn:substring(text, '1', '3') == 'el'}", true],
    ["${fn:substring(text, 'x', 3) == ''}", 'error'],
    ["${fn:substringAfter(text, ' ') == 'World'}", true],
    ["${fn:substringAfter(text, '') == text}", true],
    ["${fn:substringAfter(text, 'zz') == ''}", true],
    ["${fn:substringBefore(text, ' ') == 'Hello'}", true],
    ["${fn:substringBefore(text, '') == ''}", true],
    ["${fn:trim(' \\u0001 x ') == 'x'}", 'syntax'],
    ["${fn:trim('  x ') == 'x'}", true],
    ["${fn:replace(text, 'l', 'L') == 'HeLLo WorLd'}", true],
    ["${fn:replace(text, '', 'L') == text}", true],
    ["${fn:replace('', 'a', 'L') == ''}", true],
    ["${fn:length(fn:split('a,b,,c', ',')) == 3}", true],
    ["${fn:length(fn:split('a,b;c', ',;')) == 3}", true],
    ["${fn:length(fn:split('', ',')) == 1}", true],
    ["${fn:length(fn:split('abc', '')) == 1}", true],
    ["${fn:length(fn:split(',,', ',')) == 0}", true],
    ["${fn:join(fn:split('a b c', ' '), '-') == 'a-b-c'}", true],
    ["${fn:join(arr, '+') == 'x+y'}", true],
    ["${fn:join(list, '+') == 'a+b+c'}", 'error'],
    ["${fn:join(nul, '+') == ''}", true],
    ["${fn:join('', '+') == ''}", true],
    ["${fn:join('abc', '+') == ''}", 'error'],
    ['${fn:length(text) == 11}', true],
    ['${fn:length(emoji) == 3}', true],
    ['${fn:length(map) == 6}', true],
    ['${fn:length(set) == 2}', true],
    ['${fn:length(arr) == 2}', true],
    ['${fn:length(nul) == 0}', true],
    ['${fn:length(age) == 0}', 'error'],
    ['${fn:length(text)}', 'error'],
    ['${fn:escapeXml(text)}', 'syntax'],
    ['${fn:length(missing) == 0}', 'error'],
  ]);

  it('calls application namespaces with the evaluated arguments', () => {
    const seen: unknown[] = [];
    const functions: RuleFunctions = {
      app: {
        isBot: ((ua: unknown) => ua === 'bot') as (...args: never[]) => unknown,
        record: ((...args: unknown[]) => {
          seen.push(...args);
          return true;
        }) as (...args: never[]) => unknown,
        text: (() => 'x') as (...args: never[]) => unknown,
        fail: (() => {
          throw new Error('boom');
        }) as (...args: never[]) => unknown,
      },
      fn: { length: (() => 42) as (...args: never[]) => unknown },
    };
    expect(outcome("${app:isBot('bot')}", CONTEXT, functions)).toBe(true);
    expect(outcome("${app:isBot('human')}", CONTEXT, functions)).toBe(false);
    expect(outcome('${app:record(2.0, nul, ver, proctor:toMaybeBool(loggedIn))}', CONTEXT, functions)).toBe(true);
    expect(seen).toEqual([2, null, CONTEXT.ver, 'TRUE']);
    expect(outcome('${app:text()}', CONTEXT, functions)).toBe('error');
    expect(outcome("${app:text() == 'x'}", CONTEXT, functions)).toBe(true);
    expect(outcome('${app:fail()}', CONTEXT, functions)).toBe('error');
    expect(outcome('${app:missing()}', CONTEXT, functions)).toBe('syntax');
    expect(outcome('${app:toString()}', CONTEXT, functions)).toBe('syntax');
    expect(outcome('${fn:length(list) == 42}', CONTEXT, functions)).toBe(true);
    expect(outcome('${fn:trim(text) == text}', CONTEXT, functions)).toBe(true);
  });
});

describe('the boolean type check on the whole rule (§3.9)', () => {
  table([
    ['${loggedIn}', true],
    ['${country}', 'error'],
    ['${age}', 'error'],
    ['${list}', 'error'],
    ['${map}', 'error'],
    ['${half}', 'error'],
    ['${map.flag}', true],
    ['${map.nested.deep}', true],
    ['${(loggedIn)}', true],
    ['${loggedIn ? loggedIn : off}', true],
    ['${loggedIn ? nul : off}', false],
    ["${loggedIn ? 'true' : off}", 'error'],
    ["${fn:contains(text, 'W')}", true],
    ["${fn:indexOf(text, 'W')}", 'error'],
    ['${proctor:version("1.2.3.4")}', 'error'],
  ]);

  it('turns every failure into a RuleEvaluationError carrying the rule', () => {
    const rule = compileRule('${missing}');
    let error: unknown;
    try {
      rule.evaluate({ constants: {}, context: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleEvaluationError);
    expect((error as RuleEvaluationError).rule).toBe('${missing}');
    expect((error as RuleEvaluationError).message).toContain('missing');
  });
});
