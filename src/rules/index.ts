/**
 * The rule module: the one way in for every Proctor rule string (test rules and allocation rules).
 *
 * `compileRule` turns a rule string into a {@link CompiledRule} once, at matrix load; `evaluate` is then
 * called per request. Rule-string handling follows spec §3.1 exactly (null/blank → true, no `${…}` → false,
 * `${}` → true, the `true…`/`false…` prefix shortcut).
 */
import { RuleEvaluationError } from '../errors.js';

/** A function callable from rules as `ns:name(…)`. Arguments arrive as rule values. */
export type RuleFunction = (...args: never[]) => unknown;

/** Extra rule functions by namespace, e.g. `{ app: { isBot: (ua: string) => … } }`. */
export type RuleFunctions = Readonly<Record<string, Readonly<Record<string, RuleFunction>>>>;

/** Options for compiling rules. */
export interface RuleOptions {
  /** Application namespaces/functions, merged over the built-in `proctor:`, `indeed:` and `fn:` libraries. */
  readonly functions?: RuleFunctions;
}

/** Variables visible to a rule: the test's constants shadow the request context. */
export interface RuleScope {
  readonly constants: Readonly<Record<string, unknown>>;
  readonly context: Readonly<Record<string, unknown>>;
}

/** A rule compiled once at load. */
export interface CompiledRule {
  /** The rule string as written in the matrix (null when absent). */
  readonly source: string | null;
  /** `true`/`false` when the verdict does not depend on the scope (spec §3.1 shortcuts), else `undefined`. */
  readonly constant: boolean | undefined;
  /** Root variable names the expression reads (empty for constant rules). */
  readonly variables: readonly string[];
  /**
   * The verdict for one scope. Throws {@link RuleEvaluationError} when Java would throw (missing variable,
   * failed coercion, non-boolean result): the caller treats that as "rule error → no bucket".
   */
  evaluate(scope: RuleScope): boolean;
}

const ALWAYS_TRUE_VARIABLES: readonly string[] = Object.freeze([]);

function constantRule(source: string | null, verdict: boolean): CompiledRule {
  return Object.freeze({
    source,
    constant: verdict,
    variables: ALWAYS_TRUE_VARIABLES,
    evaluate: () => verdict,
  });
}

/** Spec §3.1 step 3: the body of `${…}` after trimming (Java `String.trim`, chars ≤ U+0020). */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

/**
 * Compile a rule string. Throws {@link RuleSyntaxError} when the expression cannot be parsed or names an
 * unknown function (load-time verification makes the test invalid).
 */
export function compileRule(source: string | null | undefined, _options: RuleOptions = {}): CompiledRule {
  const rule = source ?? null;
  if (rule === null || javaTrim(rule) === '') return constantRule(rule, true);
  if (!rule.startsWith('${') || !rule.endsWith('}')) return constantRule(rule, false);
  let body = javaTrim(rule);
  if (body.startsWith('${') && body.endsWith('}')) body = javaTrim(body.slice(2, -1));
  if (body === '') return constantRule(rule, true);
  const head = body.slice(0, 5).toLowerCase();
  if (head.startsWith('true')) return constantRule(rule, true);
  if (head === 'false') return constantRule(rule, false);
  // The full EL language is not wired in yet: Java cannot evaluate what it cannot parse, so the rule errors.
  return Object.freeze({
    source: rule,
    constant: undefined,
    variables: ALWAYS_TRUE_VARIABLES,
    evaluate: (): boolean => {
      throw new RuleEvaluationError(`Rule language not supported: ${rule}`, rule);
    },
  });
}

export { ReleaseVersion } from './release-version.js';
export type { MatchPrecision } from './release-version.js';
export { javaStringArray, isJavaStringArray } from './values.js';
