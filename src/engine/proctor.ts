/** The `Proctor` facade: load a matrix once, then `determineTestGroups` per user (Java's names). */
import { loadMatrixSteps } from '../matrix/load.js';
import { drain } from '../matrix/parse.js';
import type { LoadOptions, LoadResult } from '../matrix/load.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { ConfigError } from '../errors.js';
import { assign } from './determine.js';
import type { EngineOptions } from './determine.js';
import { EMPTY_FORCE_GROUPS, parseForceGroups } from './force-groups/index.js';
import type { ForceGroups } from './force-groups/index.js';
import { ProctorResult } from './result.js';
import type { IdentifierValidator, Identifiers } from './types.js';

/** Options for {@link Proctor.fromMatrix}. */
export interface ProctorOptions extends LoadOptions {
  /**
   * Which identifiers may be hashed: `noop` accepts everything including `""`, `noEmpty` treats `""` as
   * missing (spec §2.2), or a function.
   * @default 'noop'
   */
  readonly identifierValidator?: IdentifierValidator;
  /**
   * Tests whose payload `prforceGroups` may force. Default: with a specification, the tests whose
   * payload says `allowForce: true`; without one, every test.
   */
  readonly forcePayloadTests?: 'all' | readonly string[];
  /** Uniform random numbers in [0, 1) for RANDOM tests. @default Math.random */
  readonly random?: () => number;
  /** Where rule errors are reported (they never throw). @default silentLogger */
  readonly logger?: Logger;
}

/** One assignment request. */
export interface DetermineInput {
  /** Identifier per test type, e.g. `{ USER: 'u123' }`. */
  readonly identifiers: Identifiers;
  /** Rule variables, e.g. `{ country: 'US', loggedIn: true }`. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** A `prforceGroups` string or already-parsed force groups. Apply only for privileged users. */
  readonly forceGroups?: string | ForceGroups | null;
  /** Evaluate only these tests (plus their parents). Absent or empty = all. */
  readonly tests?: readonly string[];
  /** Evaluate RANDOM tests. @default false */
  readonly randomEnabled?: boolean;
}

const VALIDATORS = new Set(['noop', 'noEmpty']);

/** A loaded matrix, ready to assign users. Immutable; share one instance across requests. */
export class Proctor {
  /** What loading produced: loaded tests, per-test errors, matrix version. */
  readonly loadResult: LoadResult;
  readonly #engine: EngineOptions;
  readonly #forcePayloadTests: ReadonlySet<string> | 'all';

  private constructor(loadResult: LoadResult, engine: EngineOptions, forcePayloadTests: ReadonlySet<string> | 'all') {
    this.loadResult = loadResult;
    this.#engine = engine;
    this.#forcePayloadTests = forcePayloadTests;
  }

  /**
   * Load a test matrix (JSON text or parsed JSON). Invalid tests are dropped (see `loadResult.errors`);
   * a document that is not a matrix throws `MatrixError`.
   * @example
   * const proctor = Proctor.fromMatrix(fs.readFileSync('matrix.json', 'utf8'));
   * const result = proctor.determineTestGroups({ identifiers: { USER: 'u123' }, context: { country: 'US' } });
   */
  static fromMatrix(matrix: string | unknown, options: ProctorOptions = {}): Proctor {
    return drain(Proctor.fromMatrixSteps(matrix, options));
  }

  /**
   * {@link Proctor.fromMatrix} in steps: yields after each test parsed and compiled, so that a large matrix
   * can be loaded a slice at a time between other work (the local source and the Pipet server do).
   */
  static *fromMatrixSteps(matrix: string | unknown, options: ProctorOptions = {}): Generator<void, Proctor> {
    const validator = options.identifierValidator ?? 'noop';
    if (typeof validator !== 'function' && !VALIDATORS.has(validator)) {
      throw new ConfigError('identifierValidator', `expected 'noop', 'noEmpty' or a function, got ${JSON.stringify(validator)}`);
    }
    const loadResult = yield* loadMatrixSteps(matrix, options);
    const logger = options.logger ?? silentLogger;
    let forcePayloadTests: ReadonlySet<string> | 'all';
    if (options.forcePayloadTests !== undefined) {
      forcePayloadTests = options.forcePayloadTests === 'all' ? 'all' : new Set(options.forcePayloadTests);
    } else if (options.specification !== undefined) {
      const spec = loadResult.specification;
      forcePayloadTests = new Set(Object.keys(spec.tests).filter((name) => spec.tests[name]?.payload?.allowForce === true));
    } else {
      forcePayloadTests = 'all';
    }
    return new Proctor(
      loadResult,
      {
        identifierValidator: validator,
        random: options.random ?? Math.random,
        onRuleError: (testName, rule, error) =>
          logger.error(`proctor: rule error in test ${testName}, test left unassigned`, {
            test: testName,
            rule,
            error: error instanceof Error ? error.message : String(error),
          }),
      },
      forcePayloadTests,
    );
  }

  /** `audit.version` of the loaded matrix. */
  get matrixVersion(): string {
    return this.loadResult.matrixVersion;
  }

  // The last force string parsed and its value. A request's force string comes back for every test a lazy
  // `proc` reads, for its logging string and for `explain`: it is parsed once, not once per call.
  #lastForceString = '';
  #lastForceGroups: ForceGroups = EMPTY_FORCE_GROUPS;

  /**
   * Parse a `prforceGroups` string with this instance's payload-forcing policy; already-parsed force groups
   * pass through. The last string parsed is remembered (parsing is pure), so repeating it costs a string
   * comparison. Never throws. An empty string is nothing forced: the parser says so, and it is also the
   * remembered string the instance starts with.
   */
  parseForceGroups(value: string | ForceGroups | null | undefined): ForceGroups {
    if (typeof value !== 'string') return value ?? EMPTY_FORCE_GROUPS;
    if (value !== this.#lastForceString) {
      this.#lastForceGroups = parseForceGroups(value, { forcePayloadTests: this.#forcePayloadTests });
      this.#lastForceString = value;
    }
    return this.#lastForceGroups;
  }

  /** Assign one user to every test (spec §2). Never throws for any identifier, context or force string. */
  determineTestGroups(input: DetermineInput): ProctorResult {
    // The input goes to the engine as it is (no per-request copy); its force string is parsed beside it.
    const assignment = assign(this.loadResult.matrix, input, this.parseForceGroups(input.forceGroups), this.#engine);
    return new ProctorResult(this.loadResult.matrixVersion, assignment);
  }
}
