/**
 * An OpenFeature server provider over any proctor-node source: a flag is a Proctor test, evaluated for the
 * user the evaluation context describes. Its answers carry the bucket name as `variant`, a reason, an error
 * code when the test is unknown or the type does not fit, and the allocation id and matrix version as flag
 * metadata. It emits configuration-changed when the matrix changes, error and ready when the source fails and
 * recovers, and never throws.
 */
import { ErrorCode, OpenFeatureEventEmitter, ProviderEvents, StandardResolutionReasons } from '@openfeature/server-sdk';
import type { EvaluationContext, FlagMetadata, JsonValue, Provider, ResolutionDetails, ResolutionReason } from '@openfeature/server-sdk';
import type { IdentifyRequest, IdentifyResult, MatrixDocument, ProctorSource, SourceAssignment } from '../contract.js';
import { ConfigError } from '../errors.js';
import { consoleLogger, isLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { payloadType, payloadValue } from '../matrix/types.js';
import { aggregateRepeats } from '../repeats.js';

/** What a context maps to: the identifiers (by test type) and the rule context of the request. */
export interface ProctorRequestParts {
  readonly identifiers: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
}

/** An assignment as the boolean rule sees it. */
export interface ProviderAssignment {
  /** The bucket name. */
  readonly name: string;
  /** The bucket value (-1 usually inactive, 0 control). */
  readonly value: number;
  /** The payload's value, unwrapped (`'#2B60DE'`, `[2, 3, 5]`), or null. */
  readonly payload: unknown;
}

/** Options for {@link proctorProvider}. */
export interface ProctorProviderOptions {
  /** Where assignments come from: `localSource(…)`, `pipetSource(…)` or `staticSource(…)`. */
  readonly source: ProctorSource;
  /** The test type (identifier) the context's `targetingKey` is. @default 'USER' */
  readonly targetingKeyType?: string;
  /**
   * Context attributes that are identifiers rather than rule context, when their value is a string or a
   * number. @default ['USER', 'ACCOUNT', 'EMAIL', 'PAGE', 'COMPANY']
   */
  readonly identifierAttributes?: readonly string[];
  /**
   * Your own mapping from the evaluation context to identifiers and rule context; replaces the default
   * (`targetingKey` → `targetingKeyType`, `identifierAttributes` → identifiers, every other attribute → rule
   * context). @default undefined
   */
  readonly mapContext?: (context: EvaluationContext) => ProctorRequestParts;
  /** What a boolean evaluation answers for an assigned test. @default (assignment) => assignment.value >= 1 */
  readonly booleanValue?: (assignment: ProviderAssignment) => boolean;
  /** Close the source when OpenFeature closes the provider (`OpenFeature.close()`, a provider replaced). @default true */
  readonly closeSource?: boolean;
  /** Where problems are logged (repeated lines are aggregated). @default consoleLogger */
  readonly logger?: Logger;
}

/** The provider {@link proctorProvider} makes. */
export interface ProctorProvider extends Provider {
  readonly metadata: { readonly name: 'proctor-node' };
  readonly runsOn: 'server';
  readonly events: OpenFeatureEventEmitter;
  /** The source it evaluates with. */
  readonly source: ProctorSource;
}

const DEFAULT_IDENTIFIERS: readonly string[] = Object.freeze(['USER', 'ACCOUNT', 'EMAIL', 'PAGE', 'COMPANY']);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The default mapping of an evaluation context (see {@link ProctorProviderOptions.mapContext}). */
function defaultMapping(targetingKeyType: string, identifierAttributes: readonly string[]): (context: EvaluationContext) => ProctorRequestParts {
  const idKeys = new Set(identifierAttributes);
  return (evaluation) => {
    const identifiers: Record<string, string> = {};
    const context: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(evaluation)) {
      if (key === 'targetingKey') continue;
      if (idKeys.has(key) && (typeof value === 'string' || typeof value === 'number')) identifiers[key] = String(value);
      else context[key] = value;
    }
    if (typeof evaluation.targetingKey === 'string' && evaluation.targetingKey !== '') identifiers[targetingKeyType] = evaluation.targetingKey;
    return { identifiers, context };
  };
}

function pick(result: IdentifyResult, test: string): SourceAssignment | null {
  return (result.lookupAt ? result.lookupAt(0) : result.lookup ? result.lookup(test) : Object.hasOwn(result.groups, test) ? result.groups[test] : undefined) ?? null;
}

const REASONS: Readonly<Record<IdentifyResult['origin'], ResolutionReason>> = {
  local: StandardResolutionReasons.SPLIT,
  pipet: StandardResolutionReasons.SPLIT,
  cache: StandardResolutionReasons.CACHED,
  'stale-cache': 'STALE',
  static: StandardResolutionReasons.STATIC,
  fallback: StandardResolutionReasons.ERROR,
};

type FlagType = 'boolean' | 'string' | 'number' | 'object';

function snapshotOf(matrix: MatrixDocument): Map<string, string> {
  return new Map(Object.entries(matrix.tests).map(([name, definition]) => [name, JSON.stringify(definition)]));
}

/** The tests whose definitions differ between two matrix snapshots (test → JSON of its definition). */
function changedTests(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}

/**
 * Create an OpenFeature server provider that evaluates Proctor tests.
 *
 * - **Flag key** = test name. **Context**: `targetingKey` is the `USER` identifier (`targetingKeyType`),
 *   attributes named `USER`, `ACCOUNT`, `EMAIL`, `PAGE` or `COMPANY` are identifiers, every other attribute
 *   is rule context (`country`, `loggedIn`, …); `mapContext` replaces this.
 * - **Values**: string → the bucket name, number → the bucket value, object → the payload (a map, JSON
 *   object or array payload), boolean → `booleanValue(assignment)`, by default `value >= 1` (a treatment
 *   bucket; inactive -1 and control 0 are false).
 * - **Details**: `variant` = bucket name; `reason` `SPLIT` (hash bucketing, local or Pipet), `CACHED`/`STALE`
 *   (Pipet cache), `STATIC` (static source), `DEFAULT` (the user is in no bucket, or the bucket has no
 *   payload for an object evaluation), `ERROR`; `errorCode` `FLAG_NOT_FOUND` (the matrix has no such test),
 *   `TYPE_MISMATCH` (an object evaluation of a string or number payload), `TARGETING_KEY_MISSING` (no
 *   identifier and no bucket), `GENERAL` (the source failed); `flagMetadata` `allocationId`,
 *   `matrixVersion`, `testVersion`, `payloadType` when known.
 * - **Events**: ready when the first matrix is loaded (`initialize` waits for `source.ready()`, and an error
 *   event follows when it fails); configuration-changed with `flagsChanged` when the local source loads a new
 *   matrix version (other sources: when an evaluation sees a new version); error when the source starts
 *   failing and ready when it answers again.
 *
 * @example
 * await OpenFeature.setProviderAndWait(proctorProvider({ source: localSource({ matrix: './proctor-tests-matrix.json' }) }));
 * const color = await OpenFeature.getClient().getStringValue('buttoncolortst', 'grey', { targetingKey: trackingId, country: 'US' });
 */
export function proctorProvider(options: ProctorProviderOptions): ProctorProvider {
  if (options === null || typeof options !== 'object') throw new ConfigError('options', 'expected { source, … }');
  const source = options.source;
  if (source === null || typeof source !== 'object' || typeof source.identify !== 'function') {
    throw new ConfigError('source', 'expected a source such as localSource({ matrix }), pipetSource({ apiRoot }) or staticSource({ groups })');
  }
  const targetingKeyType = options.targetingKeyType ?? 'USER';
  if (typeof targetingKeyType !== 'string' || targetingKeyType === '') {
    throw new ConfigError('targetingKeyType', `expected a test type such as 'USER', got ${JSON.stringify(targetingKeyType)}`);
  }
  const identifierAttributes = options.identifierAttributes ?? DEFAULT_IDENTIFIERS;
  if (!Array.isArray(identifierAttributes) || !identifierAttributes.every((a) => typeof a === 'string')) {
    throw new ConfigError('identifierAttributes', `expected a list of attribute names, got ${JSON.stringify(identifierAttributes)}`);
  }
  for (const hook of ['mapContext', 'booleanValue'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new ConfigError(hook, `expected a function, got ${typeof options[hook]}`);
    }
  }
  const closeSource = options.closeSource ?? true;
  if (typeof closeSource !== 'boolean') throw new ConfigError('closeSource', `expected true or false, got ${JSON.stringify(closeSource)}`);
  if (options.logger !== undefined && !isLogger(options.logger)) {
    throw new ConfigError('logger', `expected an object with warn() and error() such as console, got ${String(options.logger)}`);
  }
  const logger = aggregateRepeats(options.logger ?? consoleLogger);
  source.adoptLogger?.(logger);
  const mapContext = options.mapContext ?? defaultMapping(targetingKeyType, identifierAttributes);
  const booleanValue = options.booleanValue ?? ((assignment: ProviderAssignment) => assignment.value >= 1);
  const events = new OpenFeatureEventEmitter();

  /** 'pending' until initialize settles; 'failing' while the source cannot answer. */
  let state: 'pending' | 'ready' | 'failing' = 'pending';
  let version: string | null = null;
  let snapshot: Map<string, string> | null = null;
  let unsubscribe: (() => void) | undefined;

  /** Test → JSON of its definition, for `flagsChanged` (only for sources that report their changes). */
  async function takeSnapshot(): Promise<Map<string, string> | null> {
    const matrix = await source.getMatrix();
    return matrix === null ? null : snapshotOf(matrix);
  }

  // The matrix's tests as a set, rebuilt when the source hands out a new list (a new matrix).
  let knownList: readonly string[] | null = null;
  let knownSet = new Set<string>();
  function isKnown(test: string): boolean {
    const list = source.testNames?.() ?? null;
    if (list === null) return true;
    if (list !== knownList) [knownList, knownSet] = [list, new Set(list)];
    return knownSet.has(test);
  }

  async function matrixChanged(next: string): Promise<void> {
    if (state === 'pending' || next === version) return;
    const previous = version;
    version = next;
    if (state === 'failing') {
      state = 'ready';
      snapshot = await takeSnapshot();
      events.emit(ProviderEvents.Ready, { message: `test matrix version ${next} loaded`, metadata: { matrixVersion: next } });
      return;
    }
    const after = await takeSnapshot();
    const flagsChanged = snapshot !== null && after !== null ? changedTests(snapshot, after) : undefined;
    snapshot = after;
    events.emit(ProviderEvents.ConfigurationChanged, {
      message: `test matrix version ${next} replaces ${previous ?? 'none'}`,
      metadata: { matrixVersion: next },
      ...(flagsChanged === undefined ? {} : { flagsChanged }),
    });
  }

  /** What an evaluation's answer says about the source: failing, recovered, or a new matrix version. */
  function observe(result: IdentifyResult): void {
    if (state === 'pending') return;
    if (result.origin === 'fallback') {
      if (state === 'ready') {
        state = 'failing';
        events.emit(ProviderEvents.Error, { message: `proctor-node source (${source.kind}) failed: ${result.error ?? 'unknown reason'}` });
      }
      return;
    }
    if (state === 'failing' && unsubscribe === undefined) {
      state = 'ready';
      version = result.matrixVersion ?? version;
      events.emit(ProviderEvents.Ready, { message: `proctor-node source (${source.kind}) answers again` });
      return;
    }
    // Sources that report their changes do so themselves (with the tests that changed).
    if (unsubscribe === undefined && result.matrixVersion !== null && result.matrixVersion !== version) {
      const previous = version;
      version = result.matrixVersion;
      if (previous !== null) {
        events.emit(ProviderEvents.ConfigurationChanged, {
          message: `test matrix version ${version} replaces ${previous}`,
          metadata: { matrixVersion: version },
        });
      }
    }
  }

  async function identify(test: string, context: EvaluationContext): Promise<{ result: IdentifyResult; request: IdentifyRequest }> {
    const parts = mapContext(context);
    const request: IdentifyRequest = { tests: [test], identifiers: parts.identifiers, context: parts.context ?? {}, forceGroups: null };
    const result = source.sync ? source.sync.identifySync(request) : await source.identify(request);
    return { result, request };
  }

  async function resolve<T>(type: FlagType, test: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    try {
      if (!isKnown(test)) {
        return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.FLAG_NOT_FOUND, errorMessage: `no test ${JSON.stringify(test)} in the test matrix` };
      }
      const { result, request } = await identify(test, context);
      observe(result);
      const flagMetadata: FlagMetadata = result.matrixVersion === null ? {} : { matrixVersion: result.matrixVersion };
      if (result.origin === 'fallback') {
        return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.GENERAL, errorMessage: result.error ?? 'the source failed', flagMetadata };
      }
      const assignment = pick(result, test);
      if (assignment === null) {
        if (Object.keys(request.identifiers).length === 0) {
          return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TARGETING_KEY_MISSING, errorMessage: 'no targetingKey or identifier attribute in the evaluation context', flagMetadata };
        }
        return { value: defaultValue, reason: StandardResolutionReasons.DEFAULT, flagMetadata };
      }
      if (assignment.allocationId !== null) flagMetadata.allocationId = assignment.allocationId;
      if (assignment.version !== null) flagMetadata.testVersion = assignment.version;
      const kind = payloadType(assignment.payload);
      if (kind !== null) flagMetadata.payloadType = kind;
      const details = { variant: assignment.name, reason: REASONS[result.origin], flagMetadata };
      const payload = payloadValue(assignment.payload);
      switch (type) {
        case 'string':
          return { ...details, value: assignment.name as T };
        case 'number':
          return { ...details, value: assignment.value as T };
        case 'boolean':
          return { ...details, value: (booleanValue({ name: assignment.name, value: assignment.value, payload }) === true) as T };
        case 'object':
          if (payload === null) return { ...details, value: defaultValue, reason: StandardResolutionReasons.DEFAULT };
          if (typeof payload !== 'object') {
            return { ...details, value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH, errorMessage: `test ${test}'s payload is a ${kind}, not an object or array` };
          }
          return { ...details, value: payload as T };
      }
    } catch (error) {
      logger.error(`proctor: OpenFeature evaluation of ${test} failed`, { error: describe(error) });
      return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.GENERAL, errorMessage: describe(error) };
    }
  }

  return {
    metadata: { name: 'proctor-node' },
    runsOn: 'server',
    events,
    source,
    async initialize(): Promise<void> {
      unsubscribe = source.onMatrixChange?.((next) => {
        matrixChanged(next).catch((error: unknown) => logger.error('proctor: OpenFeature change event failed', { error: describe(error) }));
      });
      try {
        await source.ready();
      } catch (error) {
        // The SDK emits the error event; a later load (the local source keeps polling) emits ready.
        state = 'failing';
        throw error;
      }
      // Sources that report their changes: the version and the tests now, to tell what a change changed.
      if (unsubscribe !== undefined) {
        const matrix = await source.getMatrix();
        version = typeof matrix?.audit.version === 'string' ? matrix.audit.version : null;
        snapshot = matrix === null ? null : snapshotOf(matrix);
      }
      state = 'ready';
    },
    async onClose(): Promise<void> {
      unsubscribe?.();
      unsubscribe = undefined;
      if (closeSource) await source.close();
      logger.flush();
    },
    resolveBooleanEvaluation: (flagKey: string, defaultValue: boolean, context: EvaluationContext) => resolve('boolean', flagKey, defaultValue, context),
    resolveStringEvaluation: (flagKey: string, defaultValue: string, context: EvaluationContext) => resolve('string', flagKey, defaultValue, context),
    resolveNumberEvaluation: (flagKey: string, defaultValue: number, context: EvaluationContext) => resolve('number', flagKey, defaultValue, context),
    resolveObjectEvaluation: <T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext) => resolve('object', flagKey, defaultValue, context),
  };
}
