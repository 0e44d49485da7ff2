/**
 * `procScript`: hands a request's groups to browser JavaScript (spec §7.2, the seed README's "JavaScript"
 * section) as one `<script>` element, without any template engine. The engine plugins call this.
 */
import { ConfigError } from '../../errors.js';
import { procOf } from '../../proc/proc.js';
import { silentLogger } from '../../logger.js';
import type { Logger } from '../../logger.js';
import { isUsableGlobalName } from './identifier.js';
import { escapeAttribute, serializeForScript } from './serialize.js';

/** What browser JavaScript receives for one test. All three are `null` when the test is unassigned. */
export interface ScriptAssignment {
  readonly group: string | null;
  readonly value: number | null;
  readonly payload: unknown;
}

/** How {@link procScript} delivers the data. */
export type ProcScriptMode = 'global' | 'json';

/** Options of {@link procScript}. */
export interface ProcScriptOptions {
  /**
   * The tests to include, in this order. Names that are not configured tests are left out (and logged):
   * the script never reveals tests the app did not configure, and a template never fails over a name.
   * @default every configured test, in configured order
   */
  readonly tests?: readonly string[] | undefined;
  /**
   * `'global'`: `<script>var proc={…};</script>`, an executable script defining a global variable.
   * `'json'`: `<script type="application/json" id="proc-data">{…}</script>`, a data island that runs nothing,
   * for pages whose Content-Security-Policy allows no inline script; read it with
   * `JSON.parse(document.getElementById('proc-data').textContent)`.
   * @default 'global'
   */
  readonly mode?: ProcScriptMode | undefined;
  /**
   * The global variable (mode `'global'`). It must be a JavaScript identifier that is not a reserved word,
   * a read-only global (`undefined`, `NaN`) or a browser global with side effects (`name`, `location`, …).
   * @default 'proc'
   */
  readonly name?: string | undefined;
  /** The element id (mode `'json'`): non-empty, without whitespace; attribute-escaped. @default 'proc-data' */
  readonly id?: string | undefined;
  /** A CSP nonce for the `nonce` attribute (attribute-escaped); empty or absent means no attribute. @default undefined */
  readonly nonce?: string | undefined;
  /** Where names that are not configured tests, or a missing `proc`, are reported. @default silentLogger */
  readonly logger?: Logger | undefined;
}

const ID = /^[^\t\n\f\r ]+$/;

/** Options that callers (and templates) may set, i.e. all but `tests` and `logger`. */
export const PROC_SCRIPT_OPTION_NAMES: readonly string[] = Object.freeze(['mode', 'name', 'id', 'nonce']);

/**
 * Check the options of {@link procScript}; throws {@link ConfigError} naming the option and the value.
 * The engine plugins call it at registration so that bad defaults fail at startup.
 * @param options - the options to check.
 */
export function validateProcScriptOptions(options: ProcScriptOptions): void {
  const { mode, name, id, nonce, tests } = options;
  if (mode !== undefined && mode !== 'global' && mode !== 'json') {
    throw new ConfigError('mode', `expected 'global' or 'json', got ${describeValue(mode)}`);
  }
  if (name !== undefined && !isUsableGlobalName(name)) {
    throw new ConfigError(
      'name',
      `expected a JavaScript identifier that is not a reserved word or a special browser global, got ${describeValue(name)}`,
    );
  }
  if (id !== undefined && (typeof id !== 'string' || !ID.test(id))) {
    throw new ConfigError('id', `expected a non-empty element id without whitespace, got ${describeValue(id)}`);
  }
  if (nonce !== undefined && typeof nonce !== 'string') {
    throw new ConfigError('nonce', `expected a string, got ${describeValue(nonce)}`);
  }
  if (tests !== undefined && (!Array.isArray(tests) || !tests.every((t) => typeof t === 'string'))) {
    throw new ConfigError('tests', `expected an array of test names, got ${describeValue(tests)}`);
  }
}

/**
 * `{ test: { group, value, payload } }` for the named configured tests (all configured tests when `tests` is
 * undefined). Each test read counts as an exposure. Unconfigured names are skipped and logged; a value that
 * is not a `proc` (or its template view) gives `{}` and a log line.
 *
 * @param proc - a `proc` (`req.proc`) or its template view (`res.locals.proc`).
 * @param tests - the tests to include. @default every configured test
 * @param logger - where skipped names are reported. @default silentLogger
 */
export function procScriptData(
  proc: unknown,
  tests?: readonly string[],
  logger: Logger = silentLogger,
): Record<string, ScriptAssignment> {
  // A null-prototype object: a test named `__proto__` stays an ordinary key.
  const data = Object.create(null) as Record<string, ScriptAssignment>;
  const full = procOf(proc);
  if (full === undefined) {
    logger.warn('proctor: procScript found no proc (is the proctor middleware mounted, or proc passed to render?); emitting no groups');
    return data;
  }
  const configured = full.tests;
  for (const test of tests ?? configured) {
    if (!configured.includes(test)) {
      logger.warn(`proctor: procScript skips ${JSON.stringify(test)}: not a configured test`);
      continue;
    }
    // Read through the GroupAssignment getters, not toJSON(): handing groups to the browser is an exposure.
    const assignment = full.get(test);
    data[test] = { group: assignment.group, value: assignment.value, payload: assignment.payload };
  }
  return data;
}

/**
 * The `<script>` element that hands groups to browser JavaScript.
 *
 * Mode `'global'` writes `<script>var proc={"buttoncolortst":{"group":"blue","value":1,"payload":"#2B60DE"}};</script>`:
 * a `var` declaration (not `window.proc = …`) so that it works in any global scope, and the name is checked to
 * be an identifier that `var` can safely declare. Mode `'json'` writes a JSON island instead. In both, `<`, `>`,
 * `&`, U+2028 and U+2029 are escaped as `\uXXXX`, so no payload can end the element or open an HTML comment,
 * and the browser gets exactly the original values. The matrix and unconfigured tests are never included.
 *
 * Reading a test here counts as an exposure. Throws {@link ConfigError} for invalid options; never throws
 * over test names (unknown ones are skipped and logged).
 *
 * @param proc - a `proc` (`req.proc`) or its template view (`res.locals.proc`).
 * @param options - see {@link ProcScriptOptions}. @default {}
 * @returns HTML: one `<script>` element.
 * @example
 * res.send(`<!doctype html>…${procScript(req.proc, { tests: ['buttoncolortst'], nonce: res.locals.cspNonce })}`);
 */
export function procScript(proc: unknown, options: ProcScriptOptions = {}): string {
  validateProcScriptOptions(options);
  const data = procScriptData(proc, options.tests, options.logger ?? silentLogger);
  const nonce = options.nonce ? ` nonce="${escapeAttribute(options.nonce)}"` : '';
  if (options.mode === 'json') {
    const id = escapeAttribute(options.id ?? 'proc-data');
    return `<script type="application/json" id="${id}"${nonce}>${serializeForScript(data, 'json')}</script>`;
  }
  return `<script${nonce}>var ${options.name ?? 'proc'}=${serializeForScript(data, 'js')};</script>`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}
