/**
 * proctor-node: Indeed's Proctor A/B-testing framework for Node.js.
 *
 * The root entry point holds the pure core only (matrix, rules, engine); it never loads Express or a
 * template engine.
 */
export { Proctor } from './engine/proctor.js';
export type { DetermineInput, ProctorOptions } from './engine/proctor.js';
export { ProctorResult } from './engine/result.js';
export type { AllocationRef, IdentifierValidator, Identifiers, PayloadProperty, TestGroup } from './engine/types.js';
export { EMPTY_FORCE_GROUPS, generateForceGroups, parseForceGroups } from './engine/force-groups/index.js';
export type { ForceGroups } from './engine/force-groups/index.js';
export { createTestHasher, hashInt } from './hashing/hash.js';
export { explainAssignment } from './engine/explain.js';
export type { Explanation } from './engine/explain.js';

export { loadMatrix, DEFAULT_TEST_TYPES } from './matrix/load.js';
export type { LoadOptions, LoadResult } from './matrix/load.js';
export { TestRejection } from './matrix/compile.js';
export { parseTestMatrix } from './matrix/parse.js';
export { parseSpecification } from './matrix/specification.js';
export type { DynamicFilter, PayloadSpecification, Specification, TestSpecification } from './matrix/specification.js';
export { PAYLOAD_TYPES, payloadType, payloadValue } from './matrix/types.js';
export type {
  Allocation,
  Audit,
  Payload,
  PayloadExperimentConfig,
  PayloadType,
  Range,
  TestBucket,
  TestDefinition,
  TestDependency,
  TestMatrix,
} from './matrix/types.js';
export type { CompiledAllocation, CompiledMatrix, CompiledTest } from './matrix/compiled.js';

export { compileRule, isJavaStringArray, JavaChar, javaChar, javaDouble, javaStringArray, ReleaseVersion, verifyRule } from './rules/index.js';
export type { CompiledRule, MatchPrecision, RuleFunction, RuleFunctions, RuleOptions, RuleScope, VerifyRuleOptions } from './rules/index.js';

export {
  ConfigError,
  isProctorError,
  MatrixError,
  ProctorError,
  RuleEvaluationError,
  RuleSyntaxError,
  SourceError,
  SpecificationError,
} from './errors.js';
export type { ProctorErrorCode } from './errors.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';

export { createProctor } from './proc/client.js';
export type { Register, RegisteredTests } from './register.js';
export type { ProcInput, ProctorClient, ProctorClientOptions } from './proc/client.js';
export { GroupAssignment, UNASSIGNED } from './proc/group-assignment.js';
export { ProcAccessError, procOf } from './proc/proc.js';
export type { ExposureEvent, ProctorGroups, ProctorGroupsMethods, TemplateView } from './proc/proc.js';
export { localSource } from './sources/local.js';
export type { LocalSource, LocalSourceOptions } from './sources/local.js';
export { staticSource } from './sources/static.js';
export type { StaticAssignment, StaticSourceOptions } from './sources/static.js';
export type {
  AssignmentOrigin,
  IdentifyRequest,
  IdentifyResult,
  MatrixDocument,
  ProctorSource,
  SourceAssignment,
  SyncIdentify,
} from './contract.js';
export { pipetSource } from './sources/pipet.js';
export type {
  CircuitBreakerOptions,
  CircuitChange,
  CircuitState,
  CircuitStatus,
  PipetFetch,
  PipetFetchInit,
  PipetFetchResponse,
  PipetSource,
  PipetSourceOptions,
  PipetSourceStatus,
} from './sources/pipet.js';
export { cacheKey, isAssignmentStore, memoryStore, pipetCache } from './cache/index.js';
export type {
  AssignmentStore,
  CacheEntry,
  CacheLookup,
  MemoryStore,
  MemoryStoreOptions,
  PipetCache,
  PipetCacheOptions,
} from './cache/index.js';
export { procScript, procScriptData } from './templating/script/index.js';
export type { ProcScriptMode, ProcScriptOptions, ScriptAssignment } from './templating/script/proc-script.js';
