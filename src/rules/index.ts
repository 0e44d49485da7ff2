/**
 * The rule module: the one way in for every Proctor rule string (test rules, allocation rules, payload
 * validators). It implements the Unified EL 2.2 language of Tomcat 7 with Proctor's function libraries
 * (spec §3) and the load-time rule verification of spec §8.1 step 2.
 *
 * `compileRule` parses a rule once, at matrix load, into closures; `evaluate` is then called per request.
 * Rule-string handling follows spec §3.1 exactly (null/blank → true, no `${…}` → false, `${}` → true, the
 * `true…`/`false…` prefix shortcut), and the evaluator never reaches `__proto__`, `constructor`, `prototype` or
 * anything inherited from `Object.prototype`: plain objects expose their own keys only, class instances the
 * getters and methods their own classes define.
 */
import { RuleEvaluationError, RuleSyntaxError } from '../errors.js';
import { forEachChild } from './ast.js';
import type { Expr, RuleAst } from './ast.js';
import { Compiler } from './compiler.js';
import { ElFailure } from './el-failure.js';
import { checkFunction, functionTable } from './functions.js';
import { parseRule } from './parser.js';
import { checkRegexLiterals } from './regex-literals.js';
import { classify, constantVerdict } from './rule-string.js';
import { verifyCompiled } from './verify.js';
import type { VerifiableRule } from './verify.js';

export { ReleaseVersion } from './release-version.js';
export type { MatchPrecision } from './release-version.js';
export { JavaChar, javaChar, JavaDouble, javaDouble, JavaInt, javaInt, javaStringArray, isJavaStringArray } from './values.js';
export { MAX_INPUT_LENGTH, MAX_PATTERN_LENGTH, REGEX_CACHE_SIZE } from '../java/regex/index.js';

/**
 * A function callable from rules as `ns:name(…)`. It receives the evaluated arguments as they are (strings,
 * numbers, booleans, null, the application's own objects; whole-valued EL Doubles as numbers, enum constants
 * by name), with no coercion and no arity check; whatever it throws makes the rule error.
 */
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

/** Options of {@link verifyRule}. */
export interface VerifyRuleOptions {
  /** The test's constants (they shadow provided variables). */
  readonly constants: Readonly<Record<string, unknown>>;
  /**
   * The application's provided context: variable name → Java type name (`String`, `boolean`, `int`,
   * `java.util.HashMap`, `com.example.Foo`…). Absent → syntax-only verification (already done by
   * {@link compileRule}). Names Java would instantiate get a default value (`''`, `true`, `0`, `0.0`, `{}`,
   * `[]`, an empty Set); other types are "uninstantiated" and failures involving them are ignored.
   * `missingExperimentalUnit` is always provided.
   */
  readonly providedContext?: Readonly<Record<string, string>>;
  /**
   * Actual values to verify against instead of defaults, by variable name (Java's `ruleVerificationContext`).
   * Only names also listed in `providedContext` are used.
   */
  readonly verificationContext?: Readonly<Record<string, unknown>>;
}

const NO_VARIABLES: readonly string[] = Object.freeze([]);
/** Where a compiled rule keeps its parsed program for {@link verifyRule} (module-private key). */
const PROGRAM: unique symbol = Symbol('program');

interface WithProgram {
  readonly [PROGRAM]?: VerifiableRule;
}

function collect(e: Expr, identifiers: string[], leaves: Set<string>): void {
  if (e.kind === 'ident') {
    identifiers.push(e.name);
    leaves.add(e.name);
    return;
  }
  if (e.kind === 'value') for (const s of e.suffixes) if (s.name !== null) leaves.add(s.name);
  forEachChild(e, (child) => collect(child, identifiers, leaves));
}

function buildProgram(source: string, options: RuleOptions): VerifiableRule {
  try {
    return parseAndCompile(source, options);
  } catch (error) {
    // A pathological rule (thousands of chained operators) can exhaust the stack while compiling.
    if (error instanceof RangeError) {
      throw new RuleSyntaxError(`Failed to parse the expression [${source}]: ${error.message}`, source, 0, '', {
        cause: error,
      });
    }
    throw error;
  }
}

function parseAndCompile(source: string, options: RuleOptions): VerifiableRule {
  const table = functionTable(options.functions);
  const ast: RuleAst = parseRule(source, (prefix, name, argc, pos) => {
    checkFunction(table, source, prefix, name, argc, pos);
  });
  const identifiers: string[] = [];
  const leafImages = new Set<string>();
  if (ast.kind === 'expression') {
    collect(ast.expr, identifiers, leafImages);
  } else {
    for (const part of ast.parts) {
      if (typeof part === 'string') leafImages.add(part);
      else collect(part, identifiers, leafImages);
    }
  }
  checkRegexLiterals(ast, table, source);
  const check = new Compiler(table).top(ast, source);
  return { source, identifiers, leafImages, check };
}

function toEvaluationError(error: unknown, rule: string): RuleEvaluationError {
  if (error instanceof RuleEvaluationError) return error;
  if (error instanceof ElFailure) return new RuleEvaluationError(`${error.javaType}: ${error.message}`, rule, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new RuleEvaluationError(`Rule failed: ${message}`, rule, { cause: error });
}

/**
 * Compile a rule string. Throws {@link RuleSyntaxError} when the expression cannot be parsed, names an unknown
 * function or calls a built-in with the wrong number of arguments (load-time verification makes the test
 * invalid), even when the §3.1 shortcuts make its run-time verdict constant, as Java's load does.
 */
export function compileRule(source: string | null | undefined, options: RuleOptions = {}): CompiledRule {
  const rule = source ?? null;
  const program = rule !== null && classify(rule, false) !== 'EMPTY' ? buildProgram(rule, options) : null;
  const verdict = constantVerdict(rule);
  const hidden = program === null ? {} : { [PROGRAM]: program };
  if (verdict !== undefined || program === null) {
    const constant = verdict ?? true;
    return Object.freeze({ source: rule, constant, variables: NO_VARIABLES, evaluate: () => constant, ...hidden });
  }
  const check = program.check;
  const text = program.source;
  return Object.freeze({
    source: rule,
    constant: undefined,
    variables: Object.freeze([...new Set(program.identifiers)]),
    evaluate: (scope: RuleScope): boolean => {
      try {
        return check({ constants: scope.constants, context: scope.context, resolved: false });
      } catch (error) {
        throw toEvaluationError(error, text);
      }
    },
    ...hidden,
  });
}

/**
 * Load-time verification of a compiled rule (spec §8.1 step 2). Without `providedContext` the syntax check
 * done by {@link compileRule} is all there is, and this returns null. With it, returns Java's reason when the
 * rule reads a variable that is neither a constant nor provided, does not type-check as boolean, or fails
 * against default values (EL failures involving uninstantiated variables excepted); null when acceptable.
 */
export function verifyRule(rule: CompiledRule, options: VerifyRuleOptions): string | null {
  const program = (rule as WithProgram)[PROGRAM];
  if (program === undefined || options.providedContext === undefined) return null;
  return verifyCompiled(program, {
    constants: options.constants,
    providedContext: options.providedContext,
    verificationContext: options.verificationContext,
  });
}
