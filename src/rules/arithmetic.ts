/**
 * Tomcat 7 `ELArithmetic` and `AstNegative` (spec §3.4): Long arithmetic wraps at 64 bits, Double when an
 * operand is a Double or a String that looks like one, `/` always Double, `null op null` is Long 0.
 */
import { cannotConvert, numberFormat, runtimeError } from './el-failure.js';
import type { ElFailure } from './el-failure.js';
import { coerceToLong, doubleValue, javaClass, javaToString } from './coerce.js';
import { javaIntRange } from '../java/boxes.js';
import { normalizeLong, parseJavaDouble, parseJavaLong } from '../java/numbers/index.js';
import type { Long } from '../java/numbers/index.js';
import { JavaChar, JavaDouble, JavaInt, double, isDouble } from './values.js';

/** ELSupport `isStringFloat`: longer than one char and contains `.`, `e` or `E`. @internal */
export function isStringFloat(s: string): boolean {
  return s.length > 1 && /[.eE]/.test(s);
}

function looksDouble(v: unknown): boolean {
  return isDouble(v) || (typeof v === 'string' && isStringFloat(v));
}

/** ELArithmetic's `IllegalArgumentException` for a value that is not a number. */
function notANumber(v: unknown): ElFailure {
  const e = cannotConvert(javaToString(v), javaClass(v), 'Number');
  return runtimeError('java.lang.IllegalArgumentException', e.message);
}

/**
 * ELArithmetic's own coercion of an operand to a Double. It accepts what `coerce.ts`'s `coerceToDouble`
 * (ELSupport) accepts, but Java fails differently here (`NumberFormatException`, `IllegalArgumentException`
 * instead of ELSupport's `ELException`), and the failure's class reaches the logs: kept apart on purpose.
 */
function toDoubleOperand(v: unknown): number {
  if (typeof v === 'number') return v === 0 ? 0 : v;
  if (v instanceof JavaDouble || v instanceof JavaInt) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === '') return 0;
  if (typeof v === 'string') {
    const d = parseJavaDouble(v);
    if (d === null) throw numberFormat(v);
    return d;
  }
  if (v instanceof JavaChar) return v.value.charCodeAt(0);
  throw notANumber(v);
}

function toLongOperand(v: unknown): Long {
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof JavaInt || v instanceof JavaChar) return coerceToLong(v);
  if (v === null || v === '') return 0;
  if (typeof v === 'string') {
    const l = parseJavaLong(v);
    if (l === null) throw numberFormat(v);
    return l;
  }
  throw notANumber(v);
}

type Op = '+' | '-' | '*';

function longOp(op: Op, a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return normalizeLong(BigInt.asIntN(64, op === '+' ? x + y : op === '-' ? x - y : x * y));
}

/** `+`, `-`, `*`. @internal */
export function arithmetic(op: Op, a: unknown, b: unknown): unknown {
  if (a === null && b === null) return 0;
  if (looksDouble(a) || looksDouble(b)) {
    const x = toDoubleOperand(a);
    const y = toDoubleOperand(b);
    return double(op === '+' ? x + y : op === '-' ? x - y : x * y);
  }
  return longOp(op, toLongOperand(a), toLongOperand(b));
}

/** `/` and `div`: always Double (division by zero gives ±Infinity or NaN). @internal */
export function divide(a: unknown, b: unknown): unknown {
  if (a === null && b === null) return 0;
  return double(toDoubleOperand(a) / toDoubleOperand(b));
}

/** `%` and `mod`: Long unless an operand looks like a Double; Long `% 0` throws ArithmeticException. @internal */
export function modulo(a: unknown, b: unknown): unknown {
  if (a === null && b === null) return 0;
  if (looksDouble(a) || looksDouble(b)) return double(toDoubleOperand(a) % toDoubleOperand(b));
  const x = toLongOperand(a);
  const y = toLongOperand(b);
  if (y === 0 || y === 0n) throw runtimeError('java.lang.ArithmeticException', '/ by zero');
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x % y;
    return r === 0 ? 0 : r;
  }
  return normalizeLong(BigInt(x) % BigInt(y));
}

/**
 * Unary minus (`AstNegative`): an Integer, Short or Byte stays one, wrapping as Java's `-` does on its own
 * type (`-Integer.MIN_VALUE` is itself). @internal
 */
export function negate(v: unknown): unknown {
  if (v === null) return 0;
  if (v instanceof JavaInt) return v.value === javaIntRange(v.javaType)[0] ? v : new JavaInt(-v.value + 0, v.javaType);
  if (typeof v === 'string') {
    if (isStringFloat(v)) {
      const d = parseJavaDouble(v);
      if (d === null) throw numberFormat(v);
      return double(-d);
    }
    const l = parseJavaLong(v);
    if (l === null) throw numberFormat(v);
    return longOp('-', 0, l);
  }
  if (isDouble(v)) return double(-doubleValue(v));
  return longOp('-', 0, coerceToLong(v));
}
