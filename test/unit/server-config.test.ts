import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { javaInt, javaShort } from '../../src/java/boxes.js';
import { compileRule, javaChar } from '../../src/rules/index.js';
import { ConfigError } from '../../src/errors.js';
import { parsePipetConfig } from '../../src/server/config.js';
import { ConversionFailure, lookupConverter } from '../../src/server/converters.js';
import { UserAgent } from '../../src/server/user-agent.js';

const fixture = readFileSync(new URL('../fixtures/pipet-config.json', import.meta.url), 'utf8');

function convert(type: string, raw: string): unknown {
  const converter = lookupConverter(type);
  if (converter === undefined) throw new Error(`no converter ${type}`);
  return converter.convert(raw);
}

describe('value converters (spec §5.2)', () => {
  it('registers the simple, boxed and fully-qualified names with Pipet canonical types', () => {
    const expected: Record<string, string> = {
      byte: 'java.lang.Byte',
      Short: 'java.lang.Short',
      int: 'java.lang.Integer',
      Integer: 'java.lang.Integer',
      'java.lang.Integer': 'java.lang.Integer',
      long: 'java.lang.Long',
      float: 'java.lang.Float',
      'java.lang.Double': 'java.lang.Double',
      boolean: 'java.lang.Boolean',
      char: 'java.lang.Character',
      Character: 'java.lang.Character',
      string: 'java.lang.String',
      String: 'java.lang.String',
      UserAgent: 'com.indeed.proctor.pipet.deploy.useragent.UserAgent',
      'com.indeed.proctor.pipet.deploy.useragent.UserAgent': 'com.indeed.proctor.pipet.deploy.useragent.UserAgent',
    };
    for (const [name, javaType] of Object.entries(expected)) expect(lookupConverter(name)?.javaType, name).toBe(javaType);
    for (const unknown of ['integer', 'INT', 'Int', 'str', 'java.lang.Object', 'bool', '']) expect(lookupConverter(unknown)).toBeUndefined();
  });

  it('booleans: "1" and "true" in any case are true, anything else false, never an error', () => {
    for (const raw of ['1', 'true', 'TRUE', 'tRuE']) expect(convert('boolean', raw)).toBe(true);
    for (const raw of ['0', '', 'yes', 'false', ' true', 'true ', 'on', '01', 'truee']) expect(convert('Boolean', raw)).toBe(false);
  });

  it('integers fail with NumberFormatException, range-checked per type', () => {
    // Pipet's converters give Integer.valueOf / Short.valueOf / Long.valueOf: each keeps its Java type for the rules.
    expect(convert('int', '42')).toEqual(javaInt(42));
    expect(convert('short', '-7')).toEqual(javaShort(-7));
    expect(convert('long', '42')).toBe(42);
    expect(convert('int', '2147483648')).toEqual(new ConversionFailure('NumberFormatException'));
    expect(convert('byte', '200')).toEqual(new ConversionFailure('NumberFormatException'));
    expect(convert('long', '9223372036854775807')).toBe(9223372036854775807n);
    expect(convert('double', ' 1e3 ')).toBe(1000);
    expect(convert('double', 'abc')).toBeInstanceOf(ConversionFailure);
  });

  it('chars must be exactly one UTF-16 unit', () => {
    // Pipet's converter gives a Character, which EL compares as its code (`c == 120`), unlike a String.
    expect(convert('char', 'x')).toEqual(javaChar('x'));
    expect(compileRule('${c == 120 && c > 119}').evaluate({ constants: {}, context: { c: convert('char', 'x') } })).toBe(true);
    expect(convert('char', 'xy')).toEqual(new ConversionFailure('Parameter was length 2 but expecting length 1.'));
    expect(convert('char', '')).toEqual(new ConversionFailure('Parameter was length 0 but expecting length 1.'));
    expect(convert('char', '😀')).toEqual(new ConversionFailure('Parameter was length 2 but expecting length 1.'));
  });

  it('strings are unchanged and UserAgent never fails', () => {
    expect(convert('String', ' a b ')).toBe(' a b ');
    expect(convert('UserAgent', '')).toBeInstanceOf(UserAgent);
    expect(convert('UserAgent', '\u0000garbage')).toBeInstanceOf(UserAgent);
  });
});

describe('parsePipetConfig (spec §5.1)', () => {
  it('resolves the example configuration', () => {
    const config = parsePipetConfig(fixture);
    expect(config.context.map((v) => [v.name, v.source, v.sourceKey, v.converter.javaType, v.defaultValue, v.extractor])).toEqual([
      ['country', 'QUERY', 'ctx.country', 'java.lang.String', null, 'QUERY:ctx.country'],
      ['loggedIn', 'QUERY', 'ctx.loggedIn', 'java.lang.Boolean', 'false', 'QUERY:ctx.loggedIn'],
      ['userAgent', 'HEADER', 'User-Agent', 'com.indeed.proctor.pipet.deploy.useragent.UserAgent', null, 'HEADER:User-Agent'],
    ]);
    expect(config.context[1]?.convertedDefault).toBe(false);
    expect(config.identifiers.map((i) => [i.name, i.testType, i.sourceKey])).toEqual([
      ['USER', 'USER', 'id.USER'],
      ['ACCOUNT', 'ACCOUNT', 'id.acctid'],
    ]);
    expect(config.providedContext).toEqual({
      country: 'java.lang.String',
      loggedIn: 'java.lang.Boolean',
      userAgent: 'com.indeed.proctor.pipet.deploy.useragent.UserAgent',
    });
  });

  it('matches identifier keys to test types case-insensitively and keeps the key for the parameter', () => {
    const config = parsePipetConfig({ identifiers: { user: {}, Account: { source: 'HEADER', sourceKey: 'X-Account' } } });
    expect(config.identifiers.map((i) => [i.name, i.testType, i.source, i.sourceKey, i.headerName])).toEqual([
      ['user', 'USER', 'QUERY', 'id.user', 'id.user'],
      ['Account', 'ACCOUNT', 'HEADER', 'X-Account', 'x-account'],
    ]);
    expect(parsePipetConfig({ identifiers: { shop: {} } }, { testTypes: ['SHOP'] }).identifiers[0]?.testType).toBe('SHOP');
  });

  it('defaults: source QUERY, sourceKey = name (empty or null sourceKey too), context optional', () => {
    const config = parsePipetConfig({ context: { lang: { type: 'String', sourceKey: '' }, n: { type: 'int', sourceKey: null } }, identifiers: { USER: {} } });
    expect(config.context.map((v) => v.sourceKey)).toEqual(['ctx.lang', 'ctx.n']);
    expect(parsePipetConfig({ identifiers: { USER: {} } }).context).toEqual([]);
  });

  it('stores numeric and boolean defaults as text, as Jackson does', () => {
    const config = parsePipetConfig({ context: { n: { type: 'int', defaultValue: 5 }, b: { type: 'boolean', defaultValue: true } }, identifiers: { USER: {} } });
    expect(config.context.map((v) => [v.defaultValue, v.convertedDefault])).toEqual([
      ['5', javaInt(5)],
      ['true', true],
    ]);
  });

  const bad: [string, unknown, string][] = [
    ['not JSON', '{"identifiers": ', 'config: not valid JSON'],
    ['not an object', [], 'config: expected an object'],
    ['unknown top-level key', { identifiers: { USER: {} }, contexts: {} }, 'config.contexts: unknown property'],
    ['no identifiers', { context: {} }, 'config.identifiers: expected an object'],
    ['empty identifiers', { identifiers: {} }, 'config.identifiers: at least one identifier is required'],
    ['unknown test type', { identifiers: { VISITOR: {} } }, 'config.identifiers.VISITOR: "VISITOR" is not a registered test type'],
    ['duplicate test type', { identifiers: { USER: {}, user: {} } }, 'config.identifiers.user: test type USER is already configured by "USER"'],
    ['bad source', { identifiers: { USER: { source: 'COOKIE' } } }, 'config.identifiers.USER.source: expected "QUERY" or "HEADER", got "COOKIE"'],
    ['lower-case source', { identifiers: { USER: { source: 'query' } } }, 'config.identifiers.USER.source: expected "QUERY" or "HEADER", got "query"'],
    ['unknown identifier key', { identifiers: { USER: { sourcekey: 'u' } } }, 'config.identifiers.USER.sourcekey: unknown property'],
    ['bad header name', { identifiers: { USER: { source: 'HEADER', sourceKey: 'X User' } } }, 'config.identifiers.USER.sourceKey: not a valid HTTP header name: "X User"'],
    ['missing type', { context: { a: { source: 'QUERY' } }, identifiers: { USER: {} } }, 'config.context.a.type: expected a type name'],
    ['unknown type', { context: { a: { type: 'integer' } }, identifiers: { USER: {} } }, "config.context.a.type: Type 'integer' unrecognized"],
    ['bad default', { context: { a: { type: 'int', defaultValue: 'x' } }, identifiers: { USER: {} } }, 'config.context.a.defaultValue: cannot convert "x" to java.lang.Integer: NumberFormatException'],
    ['overflowing default', { context: { a: { type: 'byte', defaultValue: 300 } }, identifiers: { USER: {} } }, 'config.context.a.defaultValue: cannot convert "300" to java.lang.Byte'],
    ['object default', { context: { a: { type: 'String', defaultValue: {} } }, identifiers: { USER: {} } }, 'config.context.a.defaultValue: expected a string, number or boolean'],
    ['variable not an object', { context: { a: 'String' }, identifiers: { USER: {} } }, 'config.context.a: expected an object with "type", got "String"'],
    ['__proto__ variable', '{"context": {"__proto__": {"type": "String"}}, "identifiers": {"USER": {}}}', 'config.context.__proto__: a context variable cannot be named "__proto__"'],
    ['bad sourceKey type', { context: { a: { type: 'String', sourceKey: 5 } }, identifiers: { USER: {} } }, 'config.context.a.sourceKey: expected a string, got 5'],
  ];
  it.each(bad)('%s → ConfigError naming the field and value', (_name, input, message) => {
    let error: unknown;
    try {
      parsePipetConfig(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
  });
});
