/**
 * Every error proctor-node throws on purpose is a {@link ProctorError} with a machine-readable `code`.
 * Setup-time problems throw; the request path never does (it degrades and logs instead).
 */
export type ProctorErrorCode =
  | 'MATRIX_INVALID'
  | 'SPECIFICATION_INVALID'
  | 'RULE_SYNTAX'
  | 'RULE_EVALUATION'
  | 'CONFIG_INVALID'
  | 'SOURCE_UNAVAILABLE';

/** Base class of every error proctor-node throws on purpose. */
export class ProctorError extends Error {
  readonly code: ProctorErrorCode;

  constructor(code: ProctorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProctorError';
    this.code = code;
  }
}

/** A document that is not a Proctor test matrix (bad JSON, missing `audit`/`tests`, wrong types). */
export class MatrixError extends ProctorError {
  /** JSON path of the offending field, e.g. `tests.btntst.buckets[0].payload`. */
  readonly path: string;

  constructor(message: string, path = '', options?: { cause?: unknown }) {
    super('MATRIX_INVALID', message, options);
    this.name = 'MatrixError';
    this.path = path;
  }
}

/** An application specification that cannot be used. */
export class SpecificationError extends ProctorError {
  readonly path: string;

  constructor(message: string, path = '', options?: { cause?: unknown }) {
    super('SPECIFICATION_INVALID', message, options);
    this.name = 'SpecificationError';
    this.path = path;
  }
}

/** Invalid options passed to a proctor-node factory. Names the option and the value. */
export class ConfigError extends ProctorError {
  readonly option: string;

  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', `${option}: ${message}`, options);
    this.name = 'ConfigError';
    this.option = option;
  }
}

/**
 * A source could not give its first answer: the matrix file, URL or document could not be loaded. `ready()`
 * rejects with it; the message says where and why (path and errno, HTTP status, JSON error and position,
 * matrix field), and `cause` holds the underlying error.
 */
export class SourceError extends ProctorError {
  /** The file path or URL the source reads, when it reads one. */
  readonly location: string | null;

  constructor(message: string, location: string | null, options?: { cause?: unknown }) {
    super('SOURCE_UNAVAILABLE', message, options);
    this.name = 'SourceError';
    this.location = location;
  }
}

/** True for any error thrown on purpose by proctor-node. */
export function isProctorError(value: unknown): value is ProctorError {
  return value instanceof ProctorError;
}

/** A rule that is not valid EL: carries the position (0-based offset into the rule string) and the token. */
export class RuleSyntaxError extends ProctorError {
  readonly rule: string;
  readonly position: number;
  readonly token: string;

  constructor(message: string, rule: string, position: number, token: string, options?: { cause?: unknown }) {
    super('RULE_SYNTAX', message, options);
    this.name = 'RuleSyntaxError';
    this.rule = rule;
    this.position = position;
    this.token = token;
  }
}

/** A rule failed while being evaluated (missing variable, coercion failure, non-boolean result...). */
export class RuleEvaluationError extends ProctorError {
  readonly rule: string;

  constructor(message: string, rule: string, options?: { cause?: unknown }) {
    super('RULE_EVALUATION', message, options);
    this.name = 'RuleEvaluationError';
    this.rule = rule;
  }
}
