/**
 * `GET /groups/identify` (spec §5.4): extract the configured context variables and identifiers, convert the
 * context with Pipet's converters, assign with RANDOM enabled and the query's `prforceGroups` (groups only,
 * §4.5), and answer with `{groups, context, audit}`. Checks run in Pipet's order: missing required variable,
 * then no identifier, then conversion failures.
 */
import { EMPTY_FORCE_GROUPS } from '../engine/force-groups.js';
import type { ForceGroups } from '../engine/force-groups.js';
import type { TestGroup } from '../engine/types.js';
import type { CompiledTest } from '../matrix/compiled.js';
import type { ResolvedPipetConfig } from './config.js';
import { ConversionFailure, echoNumber } from './converters.js';
import { indent, jsonString, writeJson } from './json-writer.js';
import type { LoadedMatrix } from './matrix-store.js';
import { auditTree, payloadTree } from './matrix-json.js';
import type { QueryParameters } from './query.js';
import { envelopeAround, errorEnvelope } from './responses.js';
import type { PipetResponse } from './responses.js';
import type { UserAgent } from './user-agent.js';

/** Reads the first value of a request header by lower-case name. */
export type HeaderReader = (lowerCaseName: string) => string | undefined;

/** What `/groups/identify` needs besides the request. */
export interface IdentifySettings {
  readonly config: ResolvedPipetConfig;
  /** `proctor.pipet.identify.all.disable`: without `test`, answer no groups instead of all. */
  readonly identifyAllDisabled: boolean;
}

// Guava's CharMatcher.whitespace(), which Pipet's `Splitter.trimResults()` uses (not Java's String.trim).
const GUAVA_WHITESPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** Pipet's `test` parameter: split on `,`, trimmed, empties dropped. */
export function splitTests(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const name = part.replace(GUAVA_WHITESPACE, '');
    if (name !== '') out.push(name);
  }
  return out;
}

interface CachedGroup {
  readonly name: string;
  readonly payload: unknown;
  readonly text: string;
}

// A group's JSON depends only on its bucket and the test's version, both fixed for a loaded test: render once.
const GROUP_CACHE = new WeakMap<CompiledTest, Map<number, CachedGroup>>();
const AUDIT_CACHE = new WeakMap<LoadedMatrix, string>();
const USER_AGENT_CACHE = new WeakMap<UserAgent, string>();

/** Level 3: inside the root, `data` and `groups` objects. */
function groupJson(test: CompiledTest | undefined, group: TestGroup): string {
  const render = (): string => {
    const tree: Record<string, unknown> = { name: group.name, value: group.value };
    if (group.payload != null) tree.payload = payloadTree(group.payload);
    tree.version = test?.definition.version ?? null;
    return writeJson(tree, { level: 3 });
  };
  if (test === undefined) return render();
  let byValue = GROUP_CACHE.get(test);
  if (byValue === undefined) {
    byValue = new Map();
    GROUP_CACHE.set(test, byValue);
  }
  const cached = byValue.get(group.value);
  if (cached !== undefined && cached.name === group.name && cached.payload === group.payload) return cached.text;
  const text = render();
  byValue.set(group.value, { name: group.name, payload: group.payload, text });
  return text;
}

function auditJson(loaded: LoadedMatrix): string {
  let text = AUDIT_CACHE.get(loaded);
  if (text === undefined) {
    text = writeJson(auditTree(loaded.audit), { level: 2 });
    AUDIT_CACHE.set(loaded, text);
  }
  return text;
}

function echoValue(value: unknown, kind: string): string {
  switch (kind) {
    case 'integer':
      return typeof value === 'bigint' ? value.toString() : String(value);
    case 'float':
    case 'double':
      return echoNumber(value as number, kind);
    case 'boolean':
      return value === true ? 'true' : 'false';
    case 'userAgent': {
      const agent = value as UserAgent;
      let text = USER_AGENT_CACHE.get(agent);
      if (text === undefined) {
        text = writeJson(agent.toJSON(), { level: 3 });
        USER_AGENT_CACHE.set(agent, text);
      }
      return text;
    }
    default:
      return jsonString(value as string);
  }
}

/** Answer one `/groups/identify` request. Never throws for any parameter or header. */
export function identify(
  loaded: LoadedMatrix,
  params: QueryParameters,
  header: HeaderReader,
  settings: IdentifySettings,
): PipetResponse {
  const { config } = settings;
  const variables = config.context;

  // Extraction (Pipet's Extractor): raw strings, defaults for absent values.
  const raw: (string | null)[] = new Array<string | null>(variables.length);
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as (typeof variables)[number];
    const value = v.source === 'QUERY' ? params[v.sourceKey] : header(v.headerName);
    if (value === undefined) {
      if (v.defaultValue === null) {
        return errorEnvelope(400, `Required variable '${v.name}' not found by '${v.extractor}'. See the pipet configuration.`);
      }
      raw[i] = null; // use the default converted at startup
    } else {
      raw[i] = value;
    }
  }
  const identifiers: Record<string, string> = {};
  let identifierCount = 0;
  for (const id of config.identifiers) {
    const value = id.source === 'QUERY' ? params[id.sourceKey] : header(id.headerName);
    if (value !== undefined) {
      identifiers[id.testType] = value;
      identifierCount++;
    }
  }
  if (identifierCount === 0) return errorEnvelope(400, 'Request must have at least one identifier.');

  // Conversion (Pipet's Converter).
  // A null prototype: a variable named `__proto__` is just a variable.
  const context = Object.create(null) as Record<string, unknown>;
  let contextJson = '';
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as (typeof variables)[number];
    const rawValue = raw[i];
    const value = rawValue === null || rawValue === undefined ? v.convertedDefault : v.converter.convert(rawValue);
    if (value instanceof ConversionFailure) {
      return errorEnvelope(
        400,
        `Could not convert raw value '${rawValue ?? ''}' to type '${v.converter.javaType}' for context variable '${v.name}': ${value.reason}`,
      );
    }
    context[v.name] = value;
    contextJson += `${i === 0 ? '' : ','}${indent(3)}${jsonString(v.name)} : ${echoValue(value, v.converter.echo)}`;
  }

  const testParam = params.test;
  const tests = testParam === undefined ? undefined : splitTests(testParam);
  let groupsJson = '';
  if ((tests === undefined && !settings.identifyAllDisabled) || (tests !== undefined && tests.length > 0)) {
    const forceParam = params.prforceGroups;
    const result = loaded.proctor.determineTestGroups({
      identifiers,
      context,
      forceGroups: forceParam === undefined || forceParam === '' ? EMPTY_FORCE_GROUPS : groupsOnly(loaded, forceParam),
      ...(tests === undefined ? {} : { tests }),
      randomEnabled: true,
    });
    const definitions = loaded.proctor.loadResult.matrix.tests;
    let count = 0;
    for (const name of Object.keys(result.groups)) {
      const group = result.groups[name] as TestGroup;
      groupsJson += `${count === 0 ? '' : ','}${indent(3)}${jsonString(name)} : ${groupJson(definitions.get(name), group)}`;
      count++;
    }
  }

  const data =
    `{${indent(2)}"groups" : ${groupsJson === '' ? '{ }' : `{${groupsJson}${indent(2)}}`},` +
    `${indent(2)}"context" : ${contextJson === '' ? '{ }' : `{${contextJson}${indent(2)}}`},` +
    `${indent(2)}"audit" : ${auditJson(loaded)}${indent(1)}}`;
  return { status: 200, body: envelopeAround(data) };
}

/** Pipet keeps only the test → bucket map of `prforceGroups`: no default mode, no forced payloads (spec §4.5). */
function groupsOnly(loaded: LoadedMatrix, value: string): ForceGroups {
  const parsed = loaded.proctor.parseForceGroups(value);
  if (parsed.groups.size === 0) return EMPTY_FORCE_GROUPS;
  return { groups: parsed.groups, payloads: EMPTY_FORCE_GROUPS.payloads, defaultMode: 'NONE' };
}
