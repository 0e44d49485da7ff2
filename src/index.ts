/**
 * proctor-node: Indeed's Proctor A/B-testing framework for Node.js.
 *
 * The root entry point tells the client story: create a client (`createProctor`) over a source (local
 * matrix, Pipet, static), with its stores, the per-request `proc` and its types, the errors and loggers. It
 * never loads Express or a template engine. The engine, matrix and rule primitives are `proctor-node/engine`;
 * each adapter has its own subpath.
 */
export type { Payload, PayloadType } from './matrix/types.js';

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
export type { Register, RegisteredDeclarations, RegisteredTests, TestDeclaration, TestDeclarations, TestList, TestNames, TestSet } from './register.js';
export type { AssignmentOf, TypedAssignment } from './proc/typed.js';
export type { ProcInput, ProctorClient, ProctorClientOptions } from './proc/client.js';
export { GroupAssignment, UNASSIGNED } from './assignment.js';
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
