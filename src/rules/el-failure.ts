/**
 * Internal failure raised while a rule runs. It records which Java exception the real evaluator would throw,
 * because load-time verification treats them differently (spec §8.1 step 2): `javax.el.ELException` and its
 * subclasses may be ignored when an uninstantiated identifier is involved, an `IllegalArgumentException` from
 * the boolean type check is reported as a syntax problem, anything else always fails.
 * It never leaves the module: `evaluate` turns it into a `RuleEvaluationError`.
 */

/** How verification treats the failure. @internal */
export type FailureKind = 'el' | 'type' | 'runtime';

/** @internal */
export class ElFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly javaType: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ElFailure';
  }
}

/** `javax.el.ELException`. @internal */
export function elError(message: string, cause?: unknown): ElFailure {
  return new ElFailure('el', 'javax.el.ELException', message, cause === undefined ? undefined : { cause });
}

/** `javax.el.PropertyNotFoundException`. @internal */
export function propertyNotFound(message: string): ElFailure {
  return new ElFailure('el', 'javax.el.PropertyNotFoundException', message);
}

/** `javax.el.MethodNotFoundException`. @internal */
export function methodNotFound(message: string): ElFailure {
  return new ElFailure('el', 'javax.el.MethodNotFoundException', message);
}

/** `Cannot convert [x] of type [class T] to [U]` (ELSupport's `error.convert`). @internal */
export function cannotConvert(shown: string, fromType: string, toType: string): ElFailure {
  return elError(`Cannot convert [${shown}] of type [${fromType}] to [${toType}]`);
}

/** `java.lang.NumberFormatException`. @internal */
export function numberFormat(input: string): ElFailure {
  return new ElFailure('runtime', 'java.lang.NumberFormatException', `For input string: "${input}"`);
}

/** Any other unchecked Java exception (ArithmeticException, ClassCastException, NullPointerException...). @internal */
export function runtimeError(javaType: string, message: string): ElFailure {
  return new ElFailure('runtime', javaType, message);
}

/** The `IllegalArgumentException` of `RuleEvaluator.checkRuleIsBooleanType`. @internal */
export function typeError(message: string): ElFailure {
  return new ElFailure('type', 'java.lang.IllegalArgumentException', message);
}
