/**
 * Compiles the AST to closures (no `eval`, no `new Function`). The top level adds Proctor's boolean type check
 * (`RuleEvaluator.checkRuleIsBooleanType`, spec §3.1/§3.9) before the value is computed.
 */
import { arithmetic, divide, modulo, negate } from './arithmetic.js';
import type { Expr, RuleAst, Suffix } from './ast.js';
import { coerceToBoolean, coerceToString, elCompare, elEquals, isEmptyValue, isJavaMap, javaClass, mapGet } from './coerce.js';
import { ElFailure, numberFormat, propertyNotFound, runtimeError, typeError } from './el-failure.js';
import { callFunction } from './functions.js';
import type { FunctionDef, FunctionTable } from './functions.js';
import { parseJavaLong } from '../java/numbers/index.js';
import { getProperty, invoke, propertyType } from './resolvers.js';
import type { EvalContext } from './resolvers.js';
import { JavaChar, JavaInt, double, isDouble } from './values.js';

/** Tomcat's error for a rule whose value is not a Boolean (null counts as false, not as an error). */
function nonBooleanError(type: string, rule: string): ElFailure {
  return typeError(`Received non-boolean return value: ${type} from rule ${rule}`);
}

type Fn = (c: EvalContext) => unknown;

const hasOwn = Object.hasOwn;

function lookup(name: string): Fn {
  const missing = `ELResolver cannot handle a null base Object with identifier [${name}]`;
  return (c) => {
    const constants = c.constants;
    if (hasOwn(constants, name)) {
      const v = constants[name];
      return v === undefined ? null : v;
    }
    const context = c.context;
    if (hasOwn(context, name)) {
      const v = context[name];
      return v === undefined ? null : v;
    }
    throw propertyNotFound(missing);
  };
}

/** The value of a `.name` or `[expr]` suffix. */
function suffixKey(s: Suffix, compile: (e: Expr) => Fn): Fn {
  if (s.index === null) {
    const name = s.name;
    return () => name;
  }
  return compile(s.index);
}

interface CompiledSuffix {
  readonly key: Fn;
  readonly args: readonly Fn[] | null;
}

/** Tomcat `AstFunction.getValue`: arguments evaluated (EL failures among them wrapped), then the call. */
function functionCall(fn: FunctionDef, args: readonly Fn[]): Fn {
  const n = args.length;
  return (c) => {
    const values: unknown[] = new Array<unknown>(n);
    try {
      for (let i = 0; i < n; i++) values[i] = (args[i] as Fn)(c);
    } catch (error) {
      if (error instanceof ElFailure && error.kind === 'el') {
        throw new ElFailure('el', 'javax.el.ELException', `Problems calling function [${fn.qualifiedName}]`, {
          cause: error,
        });
      }
      throw error;
    }
    return callFunction(fn, values);
  };
}

/** Tomcat `AstValue.getValue`: a null at the root is an error unless a resolver already ran (stale flag). */
function chain(prefix: Fn, suffixes: readonly CompiledSuffix[]): Fn {
  const n = suffixes.length;
  return (c) => {
    let base = prefix(c);
    let key: unknown = null;
    for (let i = 0; base !== null && i < n; i++) {
      const s = suffixes[i] as CompiledSuffix;
      key = s.key(c);
      if (s.args !== null) {
        const args = s.args.map((a) => a(c));
        base = invoke(c, base, key, args);
      } else {
        if (key === null) return null;
        c.resolved = false;
        base = getProperty(c, base, key);
      }
    }
    if (!c.resolved) {
      throw propertyNotFound(
        `ELResolver did not handle type: [${base === null ? 'null' : coerceToString(base)}] with property of [${key === null ? 'null' : coerceToString(key)}]`,
      );
    }
    return base;
  };
}

function compare(test: (r: number) => boolean, strict: boolean, left: Fn, right: Fn): Fn {
  if (strict) {
    return (c) => {
      const a = left(c);
      if (a === null) return false;
      const b = right(c);
      if (b === null) return false;
      return test(elCompare(a, b));
    };
  }
  return (c) => {
    const a = left(c);
    const b = right(c);
    if (a === b) return true;
    if (a === null || b === null) return false;
    return test(elCompare(a, b));
  };
}

/** `==`/`!=`; comparing with a string literal (the common case) skips the general coercion for strings. */
function equality(left: Fn, right: Fn, re: Expr, negated: boolean): Fn {
  if (re.kind === 'string') {
    const lit = re.value;
    return negated
      ? (c) => {
          const a = left(c);
          return typeof a === 'string' ? a !== lit : !elEquals(a, lit);
        }
      : (c) => {
          const a = left(c);
          return typeof a === 'string' ? a === lit : elEquals(a, lit);
        };
  }
  return negated ? (c) => !elEquals(left(c), right(c)) : (c) => elEquals(left(c), right(c));
}

/** Compiles expressions against a function table. @internal */
export class Compiler {
  constructor(private readonly functions: FunctionTable) {}

  expr = (e: Expr): Fn => {
    switch (e.kind) {
      case 'bool': {
        const v = e.value;
        return () => v;
      }
      case 'null':
        return () => null;
      case 'int': {
        const v = parseJavaLong(e.image);
        const image = e.image;
        if (v === null) {
          return () => {
            throw numberFormat(image);
          };
        }
        return () => v;
      }
      case 'float': {
        const v = double(e.value);
        return () => v;
      }
      case 'string': {
        const v = e.value;
        return () => v;
      }
      case 'ident':
        return lookup(e.name);
      case 'func': {
        const fn = this.functions.get(`${e.prefix}:${e.name}`) as FunctionDef;
        return functionCall(fn, e.args.map(this.expr));
      }
      case 'value':
        return chain(
          this.expr(e.prefix),
          e.suffixes.map((s) => ({ key: suffixKey(s, this.expr), args: s.args === null ? null : s.args.map(this.expr) })),
        );
      case 'neg': {
        const arg = this.expr(e.arg);
        return (c) => negate(arg(c));
      }
      case 'not': {
        const arg = this.expr(e.arg);
        return (c) => !coerceToBoolean(arg(c));
      }
      case 'empty': {
        const arg = this.expr(e.arg);
        return (c) => isEmptyValue(arg(c));
      }
      case 'choice': {
        const test = this.expr(e.test);
        const then = this.expr(e.then);
        const otherwise = this.expr(e.otherwise);
        return (c) => (coerceToBoolean(test(c)) ? then(c) : otherwise(c));
      }
      case 'binary':
        return this.binary(e);
    }
  };

  private binary(e: Extract<Expr, { kind: 'binary' }>): Fn {
    const l = this.expr(e.left);
    const r = this.expr(e.right);
    switch (e.op) {
      case '&&':
        return (c) => coerceToBoolean(l(c)) && coerceToBoolean(r(c));
      case '||':
        return (c) => coerceToBoolean(l(c)) || coerceToBoolean(r(c));
      case '==':
        return equality(l, r, e.right, false);
      case '!=':
        return equality(l, r, e.right, true);
      case '<':
        return compare((x) => x < 0, true, l, r);
      case '>':
        return compare((x) => x > 0, true, l, r);
      case '<=':
        return compare((x) => x <= 0, false, l, r);
      case '>=':
        return compare((x) => x >= 0, false, l, r);
      case '/':
        return (c) => divide(l(c), r(c));
      case '%':
        return (c) => modulo(l(c), r(c));
      default: {
        const op = e.op;
        return (c) => arithmetic(op, l(c), r(c));
      }
    }
  }

  /**
   * The whole rule as Proctor evaluates it: the boolean type check, then the value coerced to boolean
   * (null → false). Throws `ElFailure`.
   */
  top(ast: RuleAst, rule: string): (c: EvalContext) => boolean {
    const nonBoolean =
      (type: string): ((c: EvalContext) => boolean) =>
      () => {
        throw nonBooleanError(type, rule);
      };
    if (ast.kind === 'composite') return nonBoolean('class java.lang.String');
    const e = ast.expr;
    switch (e.kind) {
      case 'bool':
      case 'not':
      case 'empty': {
        const f = this.expr(e);
        return (c) => f(c) as boolean;
      }
      case 'binary': {
        if ('+-*/%'.includes(e.op)) return nonBoolean('class java.lang.Number');
        const f = this.expr(e);
        return (c) => f(c) as boolean;
      }
      case 'null':
        return () => false;
      case 'int': {
        const image = e.image;
        if (parseJavaLong(image) === null) {
          return () => {
            throw numberFormat(image);
          };
        }
        return nonBoolean('long');
      }
      case 'float':
        return nonBoolean('double');
      case 'string':
        return nonBoolean('class java.lang.String');
      case 'neg':
        return nonBoolean('class java.lang.Number');
      case 'func': {
        const fn = this.functions.get(`${e.prefix}:${e.name}`) as FunctionDef;
        if (fn.returns !== null && fn.returns !== 'boolean') return nonBoolean(fn.returns);
        return this.dynamic(this.expr(e), rule);
      }
      case 'ident':
      case 'choice':
        return this.dynamic(this.expr(e), rule);
      case 'value':
        return this.bareChain(e, rule);
    }
  }

  /** Type known only from the value: it must be a Boolean or null. */
  private dynamic(f: Fn, rule: string): (c: EvalContext) => boolean {
    return (c) => {
      const v = f(c);
      if (typeof v === 'boolean') return v;
      if (v === null) return false;
      throw nonBooleanError(primitiveName(v), rule);
    };
  }

  /**
   * A bare property chain (`${user.prefs.remote}`): Tomcat's `getTarget` + `getType`, then Proctor's look at
   * the Map value for `Object`-typed properties, then the value itself.
   */
  private bareChain(e: Extract<Expr, { kind: 'value' }>, rule: string): (c: EvalContext) => boolean {
    const prefix = this.expr(e.prefix);
    const suffixes = e.suffixes.map((s) => ({
      key: suffixKey(s, this.expr),
      args: s.args === null ? null : s.args.map(this.expr),
    }));
    const value = chain(prefix, suffixes);
    const root = e.prefix.kind === 'ident' ? e.prefix.name : e.prefix.kind;
    const firstIsCall = e.suffixes[0]?.args != null;
    const n = suffixes.length;
    const check = (v: unknown): void => {
      if (v !== null && typeof v !== 'boolean') {
        throw nonBooleanError(primitiveName(v), rule);
      }
    };
    return (c) => {
      let base = prefix(c);
      if (base === null) throw propertyNotFound(`Target Unreachable, identifier [${root}] resolved to null`);
      let key: unknown = null;
      for (let i = 0; i < n; i++) {
        const s = suffixes[i] as CompiledSuffix;
        if (i < n - 1) {
          key = s.key(c);
          if (s.args !== null) {
            base = invoke(c, base, key, s.args.map((a) => a(c)));
          } else {
            c.resolved = false;
            base = getProperty(c, base, key);
          }
        } else {
          c.resolved = false;
          key = s.key(c);
          if (key === null) throw propertyNotFound('Target Unreachable, [null] returned null');
        }
        if (base === null) throw propertyNotFound(`Target Unreachable, [${coerceToString(key)}] returned null`);
      }
      const type = propertyType(c, base, key);
      if ('object' in type) {
        if (!isJavaMap(base)) throw nonBooleanError('class java.lang.Object', rule);
        if (firstIsCall) throw runtimeError('java.lang.NullPointerException', 'value reference of a method call is null');
        const v = mapGet(base, key);
        if (v === null) {
          throw typeError(
            `Received nested value which does not exist in context map: value ${coerceToString(key)} in rule ${rule}`,
          );
        }
        check(v);
      } else {
        check(type.value);
      }
      const result = value(c);
      return result === null ? false : coerceToBoolean(result);
    };
  }
}

/** How the type check names a value's class: wrappers by their primitive (`int`, `double`). */
function primitiveName(v: unknown): string {
  if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') return 'long';
  if (v instanceof JavaInt) return v.javaType === 'java.lang.Integer' ? 'int' : v.javaType === 'java.lang.Short' ? 'short' : 'byte';
  if (isDouble(v)) return 'double';
  if (v instanceof JavaChar) return 'char';
  return javaClass(v);
}
