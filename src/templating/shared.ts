/**
 * What every template-engine plugin shares: the meaning of the `proctor` tag/helper, of `procPayload`, and of
 * the template-facing `procScript`, so that Nunjucks, Handlebars and EJS behave identically. The plugins only
 * translate their engine's calling conventions (context object, keyword arguments, safe strings).
 *
 * Templates never fail over a test name: an unknown or unconfigured test takes the else branch / the
 * fallback (and is logged once), exactly like an unassigned test.
 */
import { ConfigError } from '../errors.js';
import type { GroupAssignment } from '../assignment.js';
import { procOf } from '../proc/proc.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { PROC_SCRIPT_OPTION_NAMES, procScript, validateProcScriptOptions } from './script/proc-script.js';
import type { ProcScriptMode, ProcScriptOptions } from './script/proc-script.js';

/** Options every engine plugin accepts. */
export interface ProctorTemplateOptions {
  /** The template variable holding the `proc` (what the Express middleware sets in `res.locals`). @default 'proc' */
  readonly contextKey?: string;
  /**
   * The template variable holding the request's CSP nonce; when it is a non-empty string, `procScript`
   * puts it in the `nonce` attribute (a `nonce` argument in the template wins). @default 'cspNonce'
   */
  readonly nonceKey?: string;
  /** Defaults for `procScript` in templates (templates may override each per call). @default {} */
  readonly script?: {
    /** @default 'global' */
    readonly mode?: ProcScriptMode;
    /** @default 'proc' */
    readonly name?: string;
    /** @default 'proc-data' */
    readonly id?: string;
  };
  /** Where unknown test names and a missing `proc` are reported (each unknown name once). @default silentLogger */
  readonly logger?: Logger;
}

/** The most distinct unknown names remembered for "log once"; beyond it they are simply not logged. */
const MAX_REMEMBERED_UNKNOWN = 100;

/**
 * The configured assignment for `test`, or undefined when `proc` is not a proc / template view or the test
 * is not configured. Reading fields of the result counts as an exposure.
 * @param proc - a `proc` or its template view (anything else gives undefined).
 * @param test - the test name.
 */
function assignmentOf(proc: unknown, test: unknown): GroupAssignment | undefined {
  const full = procOf(proc);
  if (full === undefined || typeof test !== 'string' || !full.tests.includes(test)) return undefined;
  return full.get(test);
}

/**
 * Whether the user's group for `test` is one of `groups`: a string matches the bucket NAME, or the bucket
 * VALUE written in canonical decimal (`'1'`, `'-1'`); a number matches the VALUE; arrays are searched one
 * level deep; anything else never matches. Unassigned, unknown or unconfigured tests, and a missing `proc`,
 * give false. Reading the group counts as an exposure.
 *
 * @param proc - a `proc` or its template view.
 * @param test - the test name.
 * @param groups - bucket names and/or values.
 * @example
 * proctorMatches(res.locals.proc, 'buttoncolortst', 'blue', 'green'); // true for blue or green
 * proctorMatches(req.proc, 'buttoncolortst', 1, 2);                    // same, by bucket value
 */
export function proctorMatches(proc: unknown, test: unknown, ...groups: unknown[]): boolean {
  return matchesAssignment(assignmentOf(proc, test), groups);
}

function matchesAssignment(assignment: GroupAssignment | undefined, groups: readonly unknown[]): boolean {
  if (assignment === undefined) return false;
  const name = assignment.group;
  const value = assignment.value;
  if (name === null || value === null) return false;
  return groupsMatch(groups, name, value, true);
}

function groupsMatch(groups: readonly unknown[], name: string, value: number, nested: boolean): boolean {
  for (const g of groups) {
    if (typeof g === 'string') {
      // Bucket names are identifiers, never numerals, so the two readings cannot collide.
      if (g === name || g === String(value)) return true;
    } else if (typeof g === 'number') {
      if (g === value) return true;
    } else if (nested && Array.isArray(g)) {
      if (groupsMatch(g, name, value, false)) return true;
    }
  }
  return false;
}

/**
 * The payload of the user's bucket for `test`, or `fallback` when there is none (null/undefined payload,
 * unassigned, unknown or unconfigured test, missing `proc`). With `index`, one element: `payload[index]` of an
 * array payload (an integer, or an integer string), or the member `index` of a map/JSON payload; `fallback`
 * when that element is missing, null, or the payload has no such shape. Reading the payload is an exposure.
 *
 * @param proc - a `proc` or its template view.
 * @param test - the test name.
 * @param fallback - returned when there is no value. @default undefined
 * @param index - array index or map key; `undefined`/`null` means the whole payload. @default undefined
 * @example
 * procPayload(proc, 'buttontexttst', 'Sign Up'); // the payload string, or 'Sign Up'
 * procPayload(proc, 'countryalgotst', 2, 0);      // payload[0], or 2
 */
export function procPayload(proc: unknown, test: unknown, fallback?: unknown, index?: unknown): unknown {
  return payloadOfAssignment(assignmentOf(proc, test), fallback, index);
}

function payloadOfAssignment(assignment: GroupAssignment | undefined, fallback: unknown, index: unknown): unknown {
  if (assignment === undefined) return fallback;
  const payload = assignment.payload;
  if (payload === null || payload === undefined) return fallback;
  if (index === undefined || index === null) return payload;
  return elementOf(payload, index) ?? fallback;
}

function elementOf(payload: unknown, index: unknown): unknown {
  if (Array.isArray(payload)) {
    const i = typeof index === 'number' ? index : typeof index === 'string' && index !== '' ? Number(index) : NaN;
    // Number('1e0') is 1, so require the canonical spelling for strings.
    if (!Number.isInteger(i) || i < 0 || i >= payload.length || (typeof index === 'string' && String(i) !== index)) return undefined;
    return payload[i] as unknown;
  }
  if (typeof payload === 'object' && payload !== null && (typeof index === 'string' || typeof index === 'number')) {
    const key = String(index);
    return Object.hasOwn(payload, key) ? (payload as Record<string, unknown>)[key] : undefined;
  }
  return undefined;
}

/** Template-facing `procScript` arguments once an engine has unpacked its calling convention. */
export interface ScriptCall {
  /** Test names, in order; arrays already flattened. Empty means all configured tests. */
  readonly tests: readonly string[];
  /** Named options given in the template (`name`, `mode`, `id`, `nonce`). */
  readonly named: Readonly<Record<string, unknown>>;
}

/**
 * The engine-agnostic implementation behind each plugin: options validated once, lookups by the configured
 * context keys, unknown names logged once.
 */
export interface TemplateHelpers {
  readonly contextKey: string;
  readonly nonceKey: string;
  /** {@link proctorMatches}, logging unknown names. */
  matches(proc: unknown, test: unknown, groups: readonly unknown[]): boolean;
  /** {@link procPayload}, logging unknown names. */
  payload(proc: unknown, test: unknown, fallback: unknown, index: unknown): unknown;
  /** The `<script>` HTML for a template call; `contextNonce` is the value found under `nonceKey`. */
  script(proc: unknown, contextNonce: unknown, call: ScriptCall): string;
}

/**
 * Build the shared helpers for one plugin registration. Throws {@link ConfigError} for bad options, naming
 * the option and the value.
 * @param options - the plugin options. @default {}
 */
export function createTemplateHelpers(options: ProctorTemplateOptions = {}): TemplateHelpers {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', `expected an object, got ${String(options)}`);
  const contextKey = options.contextKey ?? 'proc';
  const nonceKey = options.nonceKey ?? 'cspNonce';
  if (typeof contextKey !== 'string' || contextKey === '') {
    throw new ConfigError('contextKey', `expected a non-empty template variable name, got ${JSON.stringify(contextKey) ?? String(contextKey)}`);
  }
  if (typeof nonceKey !== 'string' || nonceKey === '') {
    throw new ConfigError('nonceKey', `expected a non-empty template variable name, got ${JSON.stringify(nonceKey) ?? String(nonceKey)}`);
  }
  const defaults = options.script ?? {};
  checkNamed(defaults, 'script.');
  try {
    validateProcScriptOptions(defaults);
  } catch (error) {
    // Name the option as the caller wrote it (`script.name`), not as procScript calls it.
    if (error instanceof ConfigError) throw new ConfigError(`script.${error.option}`, error.message.slice(error.option.length + 2));
    throw error;
  }
  const logger = options.logger ?? silentLogger;
  const warned = new Set<string>();

  function noteUnknown(proc: unknown, test: unknown, helper: string): void {
    if (warned.size >= MAX_REMEMBERED_UNKNOWN) return;
    const full = procOf(proc);
    const key = full === undefined ? '\0noproc' : String(test);
    if (warned.has(key)) return;
    warned.add(key);
    if (full === undefined) {
      logger.warn(`proctor: ${helper} found no proc in the template variable "${contextKey}"; using the fallback / else branch`);
    } else {
      logger.warn(`proctor: ${helper}(${JSON.stringify(test) ?? String(test)}): not a configured test; using the fallback / else branch`);
    }
  }

  return {
    contextKey,
    nonceKey,
    matches(proc, test, groups) {
      const assignment = assignmentOf(proc, test);
      if (assignment === undefined) noteUnknown(proc, test, 'proctor');
      return matchesAssignment(assignment, groups);
    },
    payload(proc, test, fallback, index) {
      const assignment = assignmentOf(proc, test);
      if (assignment === undefined) noteUnknown(proc, test, 'procPayload');
      return payloadOfAssignment(assignment, fallback, index);
    },
    script(proc, contextNonce, call) {
      checkNamed(call.named, '');
      const named = call.named as ProcScriptOptions;
      const nonce = named.nonce ?? (typeof contextNonce === 'string' ? contextNonce : undefined);
      return procScript(proc, {
        mode: named.mode ?? defaults.mode,
        name: named.name ?? defaults.name,
        id: named.id ?? defaults.id,
        nonce,
        tests: call.tests.length === 0 ? undefined : call.tests,
        logger,
      });
    },
  };
}

function checkNamed(named: object, prefix: string): void {
  for (const key of Object.keys(named)) {
    if (!PROC_SCRIPT_OPTION_NAMES.includes(key)) {
      throw new ConfigError(`${prefix}${key}`, `unknown procScript option; expected one of ${PROC_SCRIPT_OPTION_NAMES.join(', ')}`);
    }
  }
}

/**
 * Split template arguments of `procScript` into test names and named options: strings are test names,
 * arrays of strings are flattened, a trailing plain object holds named options. Anything else throws a
 * {@link ConfigError} (a template bug, not a runtime condition).
 * @param args - the positional arguments as the template passed them.
 */
export function splitScriptArgs(args: readonly unknown[]): ScriptCall {
  const tests: string[] = [];
  let named: Readonly<Record<string, unknown>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'string') tests.push(arg);
    else if (Array.isArray(arg) && arg.every((t) => typeof t === 'string')) tests.push(...(arg as string[]));
    else if (i === args.length - 1 && typeof arg === 'object' && arg !== null && !Array.isArray(arg)) named = arg as Record<string, unknown>;
    else if (arg !== undefined && arg !== null) {
      throw new ConfigError('procScript', `expected test names (strings or arrays of strings) and optionally an options object last, got ${String(arg)} at position ${i + 1}`);
    }
  }
  return { tests, named };
}
