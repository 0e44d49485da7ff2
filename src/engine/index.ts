/**
 * `proctor-node/engine`: the pure engine under the sources, for tools and non-HTTP code. Synchronous, no
 * I/O, no timers, no framework: the `Proctor` class (Java Proctor's `determineTestGroups`), its result,
 * force-group strings, the MD5 bucketing, the matrix model (parse, verify, load), and the EL rule language
 * with its Java value markers.
 *
 * These are primitives: their signatures follow Java Proctor and may evolve with it. Application code that
 * serves pages uses the root entry point (`createProctor` and a source) instead.
 */
export { Proctor } from './proctor.js';
export type { DetermineInput, ProctorOptions } from './proctor.js';
export { ProctorResult } from './result.js';
export type { AllocationRef, IdentifierValidator, Identifiers, PayloadProperty, TestGroup } from './types.js';
export { EMPTY_FORCE_GROUPS, generateForceGroups, parseForceGroups } from './force-groups/index.js';
export type { ForceGroups } from './force-groups/index.js';
export { explainAssignment } from './explain.js';
export type { Explanation } from './explain.js';
export { createTestHasher, hashInt } from '../hashing/hash.js';

export { loadMatrix, DEFAULT_TEST_TYPES } from '../matrix/load.js';
export type { LoadOptions, LoadResult } from '../matrix/load.js';
export { TestRejection } from '../matrix/compile.js';
export { parseTestMatrix } from '../matrix/parse.js';
export { parseSpecification } from '../matrix/specification.js';
export type { DynamicFilter, PayloadSpecification, Specification, TestSpecification } from '../matrix/specification.js';
export { PAYLOAD_TYPES, payloadType, payloadValue } from '../matrix/types.js';
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
} from '../matrix/types.js';
export type { CompiledAllocation, CompiledMatrix, CompiledTest } from '../matrix/compiled.js';

export { compileRule, isJavaStringArray, JavaChar, javaChar, JavaDouble, javaDouble, JavaInt, javaInt, javaStringArray, ReleaseVersion, verifyRule } from '../rules/index.js';
export type { CompiledRule, MatchPrecision, RuleFunction, RuleFunctions, RuleOptions, RuleScope, VerifyRuleOptions } from '../rules/index.js';

export {
  isProctorError,
  MatrixError,
  ProctorError,
  RuleEvaluationError,
  RuleSyntaxError,
  SpecificationError,
} from '../errors.js';
export type { ProctorErrorCode } from '../errors.js';
export type { Logger } from '../logger.js';
