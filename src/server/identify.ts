/**
 * `GET /groups/identify` (spec §5.4): extract the configured context variables and identifiers, convert the
 * context with Pipet's converters, assign with RANDOM enabled and the query's `prforceGroups` (groups only,
 * §4.5), and answer with `{groups, context, audit}`. Checks run in Pipet's order: missing required variable,
 * then no identifier, then conversion failures.
 */
import { EMPTY_FORCE_GROUPS } from '../engine/force-groups/index.js';
import type { ForceGroups } from '../engine/force-groups/index.js';
import type { TestGroup } from '../engine/types.js';
import { jsonDouble, jsonNumber, jsonString } from '../java/json.js';
import type { JavaNumber } from '../java/json.js';
import type { CompiledTest } from '../matrix/compiled.js';
import type { ResolvedPipetConfig } from './config.js';
import { ConversionFailure } from './converters.js';
import { indent, writeJson } from './json-writer.js';
import type { LoadedMatrix } from './matrix-store.js';
import { auditTree, payloadTree } from './matrix-json.js';
import type { QueryParameters } from './query.js';
import { BodyBuilder, errorEnvelope } from './responses.js';
import type { PipetResponse } from './responses.js';
import type { UserAgent } from './user-agent.js';
import { JavaChar } from '../rules/values.js';

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
  /** The entry preceded by `{` (first in `groups`) and by `,` (any other). */
  readonly first: Buffer;
  readonly next: Buffer;
}

// A group's JSON depends only on its test, bucket and the test's version, all fixed for a loaded test: render
// each once, as bytes, with its separator, line break and key (`,\n      "name" : {...}`).
const GROUP_CACHE = new WeakMap<CompiledTest, Map<number, CachedGroup>>();
const AUDIT_CACHE = new WeakMap<LoadedMatrix, Buffer>();
const USER_AGENT_CACHE = new WeakMap<UserAgent, Buffer>();

function renderGroup(name: string, test: CompiledTest, group: TestGroup): CachedGroup {
  const tree: Record<string, unknown> = { name: group.name, value: group.value };
  if (group.payload != null) tree.payload = payloadTree(group.payload);
  tree.version = test.definition.version;
  // Level 3: inside the root, `data` and `groups` objects.
  const text = `${indent(3)}${jsonString(name)} : ${writeJson(tree, { level: 3 })}`;
  return { name: group.name, payload: group.payload, first: Buffer.from(`{${text}`), next: Buffer.from(`,${text}`) };
}

/** A group entry, `{` or `,` first. */
function groupEntry(name: string, test: CompiledTest, group: TestGroup, first: boolean): Buffer {
  let byValue = GROUP_CACHE.get(test);
  if (byValue === undefined) {
    byValue = new Map();
    GROUP_CACHE.set(test, byValue);
  }
  let cached = byValue.get(group.value);
  if (cached === undefined || cached.name !== group.name || cached.payload !== group.payload) {
    cached = renderGroup(name, test, group);
    byValue.set(group.value, cached);
  }
  return first ? cached.first : cached.next;
}

/** Everything after the context: the audit, and the envelope's `meta`. */
function auditAndMeta(loaded: LoadedMatrix): Buffer {
  let bytes = AUDIT_CACHE.get(loaded);
  if (bytes === undefined) {
    bytes = Buffer.from(
      `,${indent(2)}"audit" : ${writeJson(auditTree(loaded.audit), { level: 2 })}${indent(1)}},` +
        `${indent(1)}"meta" : {${indent(2)}"status" : 200${indent(1)}}${indent(0)}}`,
    );
    AUDIT_CACHE.set(loaded, bytes);
  }
  return bytes;
}

function echoValue(body: BodyBuilder, value: unknown, kind: string): void {
  switch (kind) {
    case 'integer':
      body.text(jsonNumber(value as JavaNumber));
      return;
    case 'float':
    case 'double':
      // Java's Float.toString / Double.toString; NaN and infinities quoted, as Jackson writes them.
      body.text(jsonDouble(value as number, kind));
      return;
    case 'boolean':
      body.text(value === true ? 'true' : 'false');
      return;
    case 'userAgent': {
      const agent = value as UserAgent;
      let bytes = USER_AGENT_CACHE.get(agent);
      if (bytes === undefined) {
        bytes = Buffer.from(writeJson(agent.toJSON(), { level: 3 }));
        USER_AGENT_CACHE.set(agent, bytes);
      }
      body.bytes(bytes);
      return;
    }
    default:
      body.text(jsonString(value instanceof JavaChar ? value.value : (value as string)));
  }
}

const DATA_START = `{${indent(1)}"data" : {${indent(2)}"groups" : `;
const CONTEXT_START = `,${indent(2)}"context" : `;

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
    const value = v.source === 'QUERY' ? params.get(v.sourceKey) : header(v.headerName);
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
    const value = id.source === 'QUERY' ? params.get(id.sourceKey) : header(id.headerName);
    if (value !== undefined) {
      identifiers[id.testType] = value;
      identifierCount++;
    }
  }
  if (identifierCount === 0) return errorEnvelope(400, 'Request must have at least one identifier.');

  // Conversion (Pipet's Converter).
  // A plain object is fine: the configuration refuses a variable named `__proto__`.
  const context: Record<string, unknown> = {};
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
  }

  const body = new BodyBuilder().text(DATA_START);
  const testParam = params.get('test');
  const tests = testParam === undefined ? undefined : splitTests(testParam);
  let groupCount = 0;
  if ((tests === undefined && !settings.identifyAllDisabled) || (tests !== undefined && tests.length > 0)) {
    const forceParam = params.get('prforceGroups');
    const result = loaded.proctor.determineTestGroups({
      identifiers,
      context,
      forceGroups: groupsOnly(loaded, forceParam),
      ...(tests === undefined ? {} : { tests }),
      randomEnabled: true,
    });
    // `entries()` hands out each assigned test with its compiled definition, sorted by name like Java's map.
    for (const { name, group, test } of result.entries()) {
      body.bytes(groupEntry(name, test, group, groupCount === 0));
      groupCount++;
    }
  }
  body.text(groupCount === 0 ? '{ }' : `${indent(2)}}`).text(CONTEXT_START);
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as (typeof variables)[number];
    body.text(`${i === 0 ? '{' : ','}${v.echoKey}`);
    echoValue(body, context[v.name], v.converter.echo);
  }
  body.text(variables.length === 0 ? '{ }' : `${indent(2)}}`).bytes(auditAndMeta(loaded));
  return { status: 200, body: body.toBuffer() };
}

/**
 * Pipet keeps only the test → bucket map of `prforceGroups`: no default mode, no forced payloads (spec §4.5).
 * An absent or empty parameter parses to nothing forced.
 */
function groupsOnly(loaded: LoadedMatrix, value: string | undefined): ForceGroups {
  const parsed = loaded.proctor.parseForceGroups(value);
  if (parsed.groups.size === 0) return EMPTY_FORCE_GROUPS;
  return { groups: parsed.groups, payloads: EMPTY_FORCE_GROUPS.payloads, defaultMode: 'NONE' };
}
