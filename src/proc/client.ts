/**
 * `createProctor`: the framework-free heart of what django-proctor gives a web app. It holds the app's test
 * list and a source, and makes one `proc` per request (or per job, with `procFor`).
 */
import { ConfigError } from '../errors.js';
import { procFactory } from './proc.js';
import type { ExposureEvent, ProctorGroups } from './proc.js';
import { consoleLogger, isLogger } from '../logger.js';
import { aggregateRepeats } from '../repeats.js';
import type { Logger } from '../logger.js';
import type { IdentifyRequest, IdentifyResult, MatrixDocument, ProctorSource } from '../contract.js';
import type { TestList, TestNames, TestSet } from '../register.js';

/**
 * Options for {@link createProctor}. `T`: the test names, or their declarations (`ProctorTests` from a module
 * `proctor-node types` generated).
 */
export interface ProctorClientOptions<T extends TestSet> {
  /** Where assignments come from: `localSource(…)`, `pipetSource(…)` or `staticSource(…)`. */
  readonly source: ProctorSource;
  /**
   * The tests the app uses (django's `PROCTOR_TESTS`). Every one exists on `proc`; others throw.
   * A literal list types `proc.<test>`; with tests declared in `Register` (or given as the type parameter),
   * a name they lack is a compile error.
   */
  readonly tests: TestList<T>;
  /**
   * Compute nothing until a test is read. Local/static sources then evaluate each test on first read;
   * a Pipet source needs `await proc.load()` (the Express middleware does it before rendering).
   * @default false
   */
  readonly lazy?: boolean;
  /** Called once per request with the tests the request actually read. @default undefined */
  readonly onExposure?: (event: ExposureEvent) => void;
  /**
   * Count reads of `proc.<test>` in templates (through `res.locals.proc` / `proc.templateView()`) as
   * exposures. Tracking costs a Proxy per request and a call per read, so by default it is on only when
   * `onExposure` is set; reads in JS code and through the template helpers are always counted.
   * @default onExposure !== undefined
   */
  readonly trackTemplateReads?: boolean;
  /**
   * Where problems are logged (`console`, pino, …; `silentLogger` for none); repeated lines are
   * aggregated. The source uses it too, unless it was created with a logger of its own.
   * @default consoleLogger (warnings and errors on stderr)
   */
  readonly logger?: Logger;
  /**
   * Configured tests missing from the matrix are a start-up error: `ready()` rejects naming them. Without
   * it they are one warning at start-up, and those tests read as unassigned.
   * @default false
   */
  readonly strict?: boolean;
  /** The identifier key `procByAccountId` uses. @default 'ACCOUNT' */
  readonly accountIdentifier?: string;
  /** The context `procByAccountId` sends. @default {} */
  readonly accountContext?: Readonly<Record<string, unknown>>;
}

/** Input of {@link ProctorClient.procFor}. */
export interface ProcInput {
  readonly identifiers: Readonly<Record<string, string | null | undefined>>;
  readonly context?: Readonly<Record<string, unknown>>;
  /** A `prforceGroups` string; only pass it for privileged users. */
  readonly forceGroups?: string | null;
}

/** Made by {@link createProctor}. */
export interface ProctorClient<T extends TestSet> {
  readonly tests: readonly TestNames<T>[];
  readonly source: ProctorSource;
  readonly lazy: boolean;
  /**
   * Resolves when the source can answer (first matrix loaded). Rejects when it cannot: a `SourceError`
   * saying why the first load failed, or (with `strict`) a `ConfigError` naming configured tests the matrix
   * lacks. Await it at start-up to fail fast.
   */
  ready(): Promise<void>;
  /**
   * A loaded `proc` for one user (lazy: unloaded until read). Waits for the source's first load. Never
   * rejects: when the source cannot answer, every test is unassigned.
   */
  procFor(input: ProcInput): Promise<ProctorGroups<T>>;
  /** A `proc` without waiting: loaded for synchronous sources, to be `load()`ed for Pipet. */
  procForRequest(input: ProcInput): ProctorGroups<T>;
  /** django's `proc_by_accountid`: a `proc` for an account id, for cron jobs and workers. */
  procByAccountId(accountId: string | number): Promise<ProctorGroups<T>>;
  /** The matrix filtered to the configured tests (django's show-matrix view), or null. */
  getMatrix(): Promise<{ audit: MatrixDocument['audit'] | undefined; tests: Record<string, unknown> } | null>;
  close(): Promise<void>;
}

function toRequest(tests: readonly string[], input: ProcInput): IdentifyRequest {
  const given = input.identifiers ?? {};
  let identifiers = given as Record<string, string>;
  // Copy only when some identifier is missing (null/undefined): sources expect strings.
  for (const k in given) {
    if (typeof given[k] !== 'string') {
      identifiers = {};
      for (const [key, v] of Object.entries(given)) if (typeof v === 'string') identifiers[key] = v;
      break;
    }
  }
  return { tests, identifiers, context: input.context ?? {}, forceGroups: input.forceGroups ? input.forceGroups : null };
}

/**
 * Create the per-app Proctor client.
 * @example
 * const proctor = createProctor({ source: localSource({ matrix: './matrix.json' }), tests: ['buttoncolortst'] as const });
 * const proc = await proctor.procFor({ identifiers: { USER: trackingCookie } });
 * proc.buttoncolortst.group; // 'blue' | 'control' | … | null
 */
export function createProctor<const T extends TestSet>(options: ProctorClientOptions<T>): ProctorClient<T> {
  const tests = options.tests as unknown;
  if (typeof tests === 'string') {
    throw new ConfigError('tests', `expected a list of test names, got the string ${JSON.stringify(tests)}; write tests: [${JSON.stringify(tests)}]`);
  }
  if (!Array.isArray(tests) || !tests.every((t) => typeof t === 'string' && t !== '')) {
    throw new ConfigError('tests', `expected an array of non-empty test names, got ${JSON.stringify(tests)}`);
  }
  const source = options.source;
  if (source === null || typeof source !== 'object' || typeof source.identify !== 'function') {
    throw new ConfigError('source', 'expected a source such as localSource({ matrix }), pipetSource({ apiRoot }) or staticSource({ groups })');
  }
  const lazy = options.lazy ?? false;
  if (typeof lazy !== 'boolean') throw new ConfigError('lazy', `expected true or false, got ${JSON.stringify(lazy)}`);
  if (options.onExposure !== undefined && typeof options.onExposure !== 'function') {
    throw new ConfigError('onExposure', `expected a function (event) => void, got ${typeof options.onExposure}`);
  }
  if (options.logger !== undefined && !isLogger(options.logger)) {
    throw new ConfigError('logger', `expected an object with warn() and error() such as console, got ${String(options.logger)}`);
  }
  const strict = options.strict ?? false;
  if (typeof strict !== 'boolean') throw new ConfigError('strict', `expected true or false, got ${JSON.stringify(strict)}`);
  const logger = aggregateRepeats(options.logger ?? consoleLogger);
  source.adoptLogger?.(logger);
  // `TestList<T>` is the test names of `T` (restricted to `Register`'s when it declares any).
  const list = Object.freeze([...new Set(options.tests as readonly TestNames<T>[])]);
  const trackTemplateReads = options.trackTemplateReads ?? options.onExposure !== undefined;
  if (typeof trackTemplateReads !== 'boolean') {
    throw new ConfigError('trackTemplateReads', `expected true or false, got ${JSON.stringify(trackTemplateReads)}`);
  }
  // Declarations only narrow the types of the assignments: at run time every test is a GroupAssignment.
  const make = procFactory(list, { source, lazy, logger, onExposure: options.onExposure, trackTemplateReads }) as unknown as (
    request: IdentifyRequest,
    preloaded?: IdentifyResult,
  ) => ProctorGroups<T>;
  const accountKey = options.accountIdentifier ?? 'ACCOUNT';
  const accountContext = options.accountContext ?? {};

  function procForRequest(input: ProcInput): ProctorGroups<T> {
    const request = toRequest(list, input);
    if (!lazy && source.sync) return make(request, source.sync.identifySync(request));
    return make(request);
  }

  // Configured tests the matrix lacks: one warning (strict: an error from ready()).
  let warnedMissing = false;
  function checkTests(): void {
    const known = source.testNames?.();
    if (known === null || known === undefined) return;
    const have = new Set(known);
    const missing = list.filter((test) => !have.has(test));
    if (missing.length === 0) return;
    const text = `configured test${missing.length === 1 ? '' : 's'} ${missing.map((t) => JSON.stringify(t)).join(', ')} not in the test matrix${
      known.length > 0 ? ` (it has ${known.length}: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})` : ''
    }`;
    if (strict) throw new ConfigError('tests', text);
    if (!warnedMissing) logger.warn(`proctor: ${text}; they read as unassigned`, { missing });
    warnedMissing = true;
  }
  const ready = (): Promise<void> => source.ready().then(checkTests);
  // Nobody may be waiting on the first load: its failure is logged by the source, not an unhandled rejection.
  let firstLoadDone = false;
  const firstLoad = ready().then(
    () => (firstLoadDone = true),
    () => (firstLoadDone = true),
  );

  async function procFor(input: ProcInput): Promise<ProctorGroups<T>> {
    if (!firstLoadDone) await firstLoad;
    const proc = procForRequest(input);
    if (!lazy) await proc.load();
    return proc;
  }

  return {
    tests: list,
    source,
    lazy,
    ready,
    procFor,
    procForRequest,
    procByAccountId: (accountId) => procFor({ identifiers: { [accountKey]: String(accountId) }, context: accountContext }),
    async getMatrix() {
      const matrix = await source.getMatrix();
      if (matrix === null) return null;
      const filtered: Record<string, unknown> = {};
      for (const test of list) filtered[test] = Object.hasOwn(matrix.tests, test) ? matrix.tests[test] : {};
      return { audit: matrix.audit, tests: filtered };
    },
    close: () => source.close(),
  };
}
