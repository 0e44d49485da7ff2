/**
 * Load-time rule verification with an application's provided context (`RuleVerifyUtils.verifyRule` with
 * `shouldEvaluate`, spec §8.1 step 2): every identifier must be a constant or a provided variable, and the
 * rule must pass the boolean type check and evaluate against default values without an error, unless the
 * failure is an EL error involving an identifier that could not be instantiated.
 */
import { ElFailure } from './el-failure.js';
import type { EvalContext } from './resolvers.js';
import { JavaDouble, javaByte, javaInt, javaShort } from './values.js';

/** What verification needs from a compiled rule. @internal */
export interface VerifiableRule {
  readonly source: string;
  /** Root identifiers in AST order (duplicates allowed). */
  readonly identifiers: readonly string[];
  /** Images of the AST's leaves (identifiers, dot-suffix names, literal text) for the "uninstantiated" test. */
  readonly leafImages: ReadonlySet<string>;
  readonly check: (c: EvalContext) => boolean;
}

const UNINSTANTIATED = Symbol('uninstantiated');

/** `convertContextToTestableMap`'s `primitiveVals`: `0` (an Integer), `(long) 0`, `(short) 0`, `(byte) 0`… */
const PRIMITIVES: Readonly<Record<string, () => unknown>> = {
  int: () => javaInt(0),
  integer: () => javaInt(0),
  long: () => 0,
  short: () => javaShort(0),
  byte: () => javaByte(0),
  bool: () => true,
  boolean: () => true,
  string: () => '',
  char: () => '',
  character: () => '',
  double: () => new JavaDouble(0),
};

const MAPS = ['HashMap', 'LinkedHashMap', 'TreeMap', 'Hashtable', 'WeakHashMap', 'IdentityHashMap', 'Properties'];
const LISTS = ['ArrayList', 'LinkedList', 'Vector', 'Stack'];
const SETS = ['HashSet', 'LinkedHashSet', 'TreeSet'];

/** Java classes a default constructor can make, keyed by `Class.forName` name. */
const CONSTRUCTIBLE: ReadonlyMap<string, () => unknown> = new Map<string, () => unknown>([
  ['java.lang.String', () => ''],
  ['java.lang.Object', () => Object.freeze(Object.create(Object.create(null) as object) as object)],
  ...MAPS.map((n): [string, () => unknown] => [`java.util.${n}`, () => Object.create(null) as object]),
  ['java.util.concurrent.ConcurrentHashMap', () => Object.create(null) as object],
  ['java.util.concurrent.ConcurrentSkipListMap', () => Object.create(null) as object],
  ...LISTS.map((n): [string, () => unknown] => [`java.util.${n}`, () => []]),
  ['java.util.concurrent.CopyOnWriteArrayList', () => []],
  ...SETS.map((n): [string, () => unknown] => [`java.util.${n}`, () => new Set()]),
  ['java.util.concurrent.CopyOnWriteArraySet', () => new Set()],
]);

/**
 * `ProctorUtils.convertContextToTestableMap`: the default value for a provided-context type name
 * (primitive names case-insensitively, else a Java class with a public no-argument constructor), or the
 * uninstantiated marker (interfaces, classes without such a constructor, classes unknown to the port).
 */
function dummyValue(typeName: string): unknown {
  const primitive = PRIMITIVES[typeName.toLowerCase()];
  if (primitive !== undefined && Object.hasOwn(PRIMITIVES, typeName.toLowerCase())) return primitive();
  const make = CONSTRUCTIBLE.get(typeName);
  return make === undefined ? UNINSTANTIATED : make();
}

/** Options of {@link verifyCompiled}. @internal */
export interface VerifyOptions {
  readonly constants: Readonly<Record<string, unknown>>;
  readonly providedContext: Readonly<Record<string, string>>;
  readonly verificationContext?: Readonly<Record<string, unknown>> | undefined;
}

/** Verify one parsed rule; null when acceptable, else Java's reason. @internal */
export function verifyCompiled(rule: VerifiableRule, options: VerifyOptions): string | null {
  const { constants, providedContext, verificationContext } = options;
  const context: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const absent = new Set<string>();
  for (const name of Object.keys(providedContext)) {
    if (verificationContext !== undefined && Object.hasOwn(verificationContext, name)) {
      const v = verificationContext[name];
      context[name] = v === undefined ? null : v;
      continue;
    }
    const value = dummyValue(providedContext[name] ?? '');
    if (value === UNINSTANTIATED) {
      absent.add(name);
      context[name] = null;
    } else {
      context[name] = value;
    }
  }
  // Proctor always supplies this variable at run time, so rules may use it without declaring it.
  if (!Object.hasOwn(context, 'missingExperimentalUnit')) context.missingExperimentalUnit = true;

  for (const name of rule.identifiers) {
    if (!Object.hasOwn(constants, name) && !Object.hasOwn(context, name)) {
      return (
        `The variable ${name} is defined in rule ${rule.source}, however it is not defined in the application's ` +
        "test specification. Add the variable to your application's providedContext.json or remove it from the " +
        'rule, or if the application should not load your test report the issue to the Proctor team.'
      );
    }
  }

  try {
    rule.check({ constants, context, resolved: false });
    return null;
  } catch (error) {
    if (!(error instanceof ElFailure)) return error instanceof Error ? error.message : String(error);
    if (error.kind === 'type') {
      return (
        `Unable to evaluate rule ${rule.source} due to a syntax error. Check that your rule is in the correct ` +
        'format and returns a boolean. For more information read: https://opensource.indeedeng.io/proctor/docs/test-rules/.'
      );
    }
    if (error.kind === 'el') {
      for (const name of absent) if (rule.leafImages.has(name)) return null;
      return `Failed to evaluate a rule ${rule.source}: ${error.message}`;
    }
    return `${error.javaType}: ${error.message}`;
  }
}
