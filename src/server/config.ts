/**
 * The Pipet configuration (`pipet-config.json`, spec §5.1): which context variables and identifiers a request
 * carries, where they come from (query `ctx.`/`id.` parameters or headers) and how context values are typed.
 * Checked once at startup: every problem throws a {@link ConfigError} naming the field and the value.
 */
import { ConfigError } from '../errors.js';
import { DEFAULT_TEST_TYPES } from '../matrix/load.js';
import { describeValue } from '../matrix/parse.js';
import { ConversionFailure, CONVERTER_TYPE_NAMES, lookupConverter } from './converters.js';
import type { ValueConverter } from './converters.js';
import { jsonString } from '../java/json.js';
import { indent } from './json-writer.js';

/** Where a context variable or identifier is read from in a request: a query parameter or a header. */
export type ValueSource = 'QUERY' | 'HEADER';

/** One identifier in the configuration file. */
export interface PipetVariableConfig {
  /** `QUERY` reads the `id.<sourceKey>` (or `ctx.<sourceKey>`) parameter; `HEADER` reads a header. @default 'QUERY' */
  readonly source?: ValueSource;
  /** Parameter name (without the prefix) or header name. @default the variable's key */
  readonly sourceKey?: string | null;
}

/** One context variable in the configuration file. */
export interface PipetContextVariableConfig extends PipetVariableConfig {
  /**
   * Java type: `byte`, `short`, `int`, `long`, `float`, `double`, `boolean`, `char`, `String`, `UserAgent`,
   * their boxed names (`Integer`) or fully-qualified names (`java.lang.Integer`).
   */
  readonly type: string;
  /** Used when the request lacks the variable; without it the variable is required. Converted like a request value. */
  readonly defaultValue?: string | number | boolean | null;
}

/** The `pipet-config.json` document. */
export interface PipetConfig {
  /** Context variables by rule variable name. @default {} */
  readonly context?: Readonly<Record<string, PipetContextVariableConfig>>;
  /** Identifiers by test type (matched case-insensitively, e.g. `USER`, `account`). At least one. */
  readonly identifiers: Readonly<Record<string, PipetVariableConfig>>;
}

/** A configured context variable, resolved. */
export interface ContextVariable {
  /** The rule variable name (config key). */
  readonly name: string;
  readonly source: ValueSource;
  /** The query parameter (`ctx.country`) or header name (`User-Agent`). */
  readonly sourceKey: string;
  /** `sourceKey` lower-cased, for header lookups. */
  readonly headerName: string;
  readonly converter: ValueConverter;
  /** The configured default as Pipet stores it (text), or null when the variable is required. */
  readonly defaultValue: string | null;
  /** The default, converted once at startup. */
  readonly convertedDefault: unknown;
  /** Pipet's extractor description: `QUERY:ctx.country`, `HEADER:User-Agent`. */
  readonly extractor: string;
  /** The variable's line start in the `context` echo: `\n      "country" : `. */
  readonly echoKey: string;
}

/** A configured identifier, resolved. */
export interface IdentifierVariable {
  /** The config key, as written (`USER`, `account`). */
  readonly name: string;
  /** The registered test type it feeds (`USER`). */
  readonly testType: string;
  readonly source: ValueSource;
  readonly sourceKey: string;
  readonly headerName: string;
}

/** A validated configuration. */
export interface ResolvedPipetConfig {
  readonly context: readonly ContextVariable[];
  readonly identifiers: readonly IdentifierVariable[];
  /** Rule variable → canonical Java type, the `providedContext` matrix verification uses (spec §5.6). */
  readonly providedContext: Readonly<Record<string, string>>;
}

const CONTEXT_KEYS = new Set(['source', 'sourceKey', 'type', 'defaultValue']);
const IDENTIFIER_KEYS = new Set(['source', 'sourceKey']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(raw: Record<string, unknown>, allowed: ReadonlySet<string>, path: string): void {
  for (const key of Object.keys(raw)) {
    // Pipet's Jackson mapper refuses unknown properties; a typo (`sourcekey`) would otherwise be silently ignored.
    if (!allowed.has(key)) throw new ConfigError(`${path}.${key}`, `unknown property (expected one of ${[...allowed].join(', ')})`);
  }
}

function parseSource(value: unknown, path: string): ValueSource {
  if (value === undefined || value === null) return 'QUERY';
  if (value === 'QUERY' || value === 'HEADER') return value;
  throw new ConfigError(path, `expected "QUERY" or "HEADER", got ${describeValue(value)}`);
}

function parseSourceKey(value: unknown, path: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new ConfigError(path, `expected a string, got ${describeValue(value)}`);
  return value;
}

/** Pipet's `computeSourceKey`: the key (default: the variable name), with the prefix for query parameters. */
function sourceKeyOf(name: string, source: ValueSource, sourceKey: string | null, prefix: 'ctx' | 'id'): string {
  const key = sourceKey ?? name;
  return source === 'QUERY' ? `${prefix}.${key}` : key;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkHeaderName(key: string, path: string): void {
  if (!HEADER_NAME.test(key)) throw new ConfigError(path, `not a valid HTTP header name: ${describeValue(key)}`);
}

function parseContextVariable(name: string, raw: unknown, path: string): ContextVariable {
  if (!isRecord(raw)) throw new ConfigError(path, `expected an object with "type", got ${describeValue(raw)}`);
  checkKeys(raw, CONTEXT_KEYS, path);
  if (name === '') throw new ConfigError(path, 'a context variable needs a non-empty name');
  // Rule contexts are plain objects, where this one name would set the prototype instead of a variable.
  if (name === '__proto__') throw new ConfigError(path, 'a context variable cannot be named "__proto__"');
  const source = parseSource(raw.source, `${path}.source`);
  const key = parseSourceKey(raw.sourceKey, `${path}.sourceKey`);
  const sourceKey = sourceKeyOf(name, source, key, 'ctx');
  if (source === 'HEADER') checkHeaderName(sourceKey, `${path}.sourceKey`);
  if (typeof raw.type !== 'string') {
    throw new ConfigError(`${path}.type`, `expected a type name such as "String" or "int", got ${describeValue(raw.type)}`);
  }
  const converter = lookupConverter(raw.type);
  if (converter === undefined) {
    throw new ConfigError(
      `${path}.type`,
      `Type '${raw.type}' unrecognized (known: ${CONVERTER_TYPE_NAMES.join(', ')})`,
    );
  }
  let defaultValue: string | null = null;
  let convertedDefault: unknown = undefined;
  if (raw.defaultValue !== undefined && raw.defaultValue !== null) {
    const d = raw.defaultValue;
    // Pipet reads defaultValue as a String; Jackson turns `false` or `5` into "false" / "5".
    if (typeof d !== 'string' && typeof d !== 'number' && typeof d !== 'boolean') {
      throw new ConfigError(`${path}.defaultValue`, `expected a string, number or boolean, got ${describeValue(d)}`);
    }
    defaultValue = String(d);
    convertedDefault = converter.convert(defaultValue);
    // Java would answer 400 to every request that relies on this default; refuse it at startup instead.
    if (convertedDefault instanceof ConversionFailure) {
      throw new ConfigError(
        `${path}.defaultValue`,
        `cannot convert ${describeValue(defaultValue)} to ${converter.javaType}: ${convertedDefault.reason}`,
      );
    }
  }
  return Object.freeze({
    name,
    source,
    sourceKey,
    headerName: sourceKey.toLowerCase(),
    converter,
    defaultValue,
    convertedDefault,
    extractor: `${source}:${sourceKey}`,
    echoKey: `${indent(3)}${jsonString(name)} : `,
  });
}

function parseIdentifier(name: string, raw: unknown, path: string, testTypes: readonly string[]): IdentifierVariable {
  if (!isRecord(raw)) throw new ConfigError(path, `expected an object, got ${describeValue(raw)}`);
  checkKeys(raw, IDENTIFIER_KEYS, path);
  const lower = name.toLowerCase();
  const testType = testTypes.find((t) => t.toLowerCase() === lower);
  if (testType === undefined) {
    throw new ConfigError(path, `${describeValue(name)} is not a registered test type (registered: ${testTypes.join(', ')})`);
  }
  const source = parseSource(raw.source, `${path}.source`);
  const key = parseSourceKey(raw.sourceKey, `${path}.sourceKey`);
  const sourceKey = sourceKeyOf(name, source, key, 'id');
  if (source === 'HEADER') checkHeaderName(sourceKey, `${path}.sourceKey`);
  return Object.freeze({ name, testType, source, sourceKey, headerName: sourceKey.toLowerCase() });
}

/** Options for {@link parsePipetConfig}. */
export interface ParsePipetConfigOptions {
  /** Test types beyond USER, ACCOUNT, EMAIL, RANDOM, PAGE, COMPANY that identifiers may name. @default [] */
  readonly testTypes?: readonly string[];
}

/**
 * Parse and check a Pipet configuration (object or JSON text). Throws {@link ConfigError} naming the field,
 * e.g. `config.context.age.type: Type 'integer' unrecognized ...`.
 * @example
 * parsePipetConfig({ context: { country: { type: 'String' } }, identifiers: { USER: { source: 'QUERY' } } });
 */
export function parsePipetConfig(input: PipetConfig | string | unknown, options: ParsePipetConfigOptions = {}): ResolvedPipetConfig {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (error) {
      throw new ConfigError('config', `not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!isRecord(doc)) throw new ConfigError('config', `expected an object with "context" and "identifiers", got ${describeValue(doc)}`);
  checkKeys(doc, new Set(['context', 'identifiers']), 'config');
  const testTypes = [...DEFAULT_TEST_TYPES, ...(options.testTypes ?? [])];

  const context: ContextVariable[] = [];
  if (doc.context !== undefined && doc.context !== null) {
    if (!isRecord(doc.context)) throw new ConfigError('config.context', `expected an object, got ${describeValue(doc.context)}`);
    for (const [name, raw] of Object.entries(doc.context)) {
      context.push(parseContextVariable(name, raw, `config.context.${name}`));
    }
  }

  if (!isRecord(doc.identifiers)) {
    throw new ConfigError('config.identifiers', `expected an object of test type → source, got ${describeValue(doc.identifiers)}`);
  }
  const identifiers: IdentifierVariable[] = [];
  const byType = new Map<string, string>();
  for (const [name, raw] of Object.entries(doc.identifiers)) {
    const id = parseIdentifier(name, raw, `config.identifiers.${name}`, testTypes);
    const previous = byType.get(id.testType);
    if (previous !== undefined) {
      throw new ConfigError(`config.identifiers.${name}`, `test type ${id.testType} is already configured by ${describeValue(previous)}`);
    }
    byType.set(id.testType, name);
    identifiers.push(id);
  }
  if (identifiers.length === 0) {
    // Every request would fail with "Request must have at least one identifier."
    throw new ConfigError('config.identifiers', 'at least one identifier is required');
  }

  const providedContext: Record<string, string> = {};
  for (const variable of context) providedContext[variable.name] = variable.converter.javaType;
  return Object.freeze({
    context: Object.freeze(context),
    identifiers: Object.freeze(identifiers),
    providedContext: Object.freeze(providedContext),
  });
}
