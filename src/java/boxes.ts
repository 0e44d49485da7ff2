/**
 * Java's boxed numbers that a JS number cannot tell apart. A whole JS `number` (or a `bigint`) stands for a
 * `Long`, any other number for a `Double` (spec §3.8); these boxes carry the other two cases:
 *
 * - {@link JavaDouble}: a `Double` whose value is whole (`2.0`, `-0.0`, `1e3`), which Jackson reads from a
 *   JSON literal with a fraction or an exponent and writes back as `2.0`;
 * - {@link JavaInt}: an `Integer` (or a `Short`, a `Byte`), which Jackson reads from a JSON integer in the int
 *   range, Java methods return for an `int`, and Tomcat's EL keeps apart from a `Long` in `compareTo` and
 *   `equals` (`Integer.valueOf(1).equals(1L)` is false).
 *
 * Both are immutable and write themselves to JSON as their number.
 */
import { INT_MAX, INT_MIN } from './numbers/index.js';

/** A Java `Double` whose value JS would otherwise read as a Long (whole numbers and `-0`). */
export class JavaDouble {
  /** @internal */
  constructor(readonly value: number) {
    Object.freeze(this);
  }

  /** JSON.stringify writes the number (`2`); Jackson-style writers write `2.0`. */
  toJSON(): number {
    return this.value;
  }
}

/**
 * A Java `double`/`Double` for rule contexts. A whole JS number is a Long to the rule language (`2` never
 * equals the Double `2.0` in a List, and prints as `2`); wrap it with this when the application passes a
 * Java Double (`proctor:contains(DBLS, 2.0)` then holds, and it prints as `2.0`). Other numbers are Doubles
 * already and come back unchanged.
 */
export function javaDouble(n: number): number | JavaDouble {
  if (typeof n !== 'number') throw new TypeError(`A Java double is a number, got ${typeof n}`);
  return Number.isInteger(n) || Object.is(n, -0) ? new JavaDouble(n) : n;
}

/** The integral boxes narrower than `Long`, by Java class name. */
export type JavaIntType = 'java.lang.Integer' | 'java.lang.Short' | 'java.lang.Byte';

const RANGES: Readonly<Record<JavaIntType, readonly [number, number]>> = {
  'java.lang.Integer': [INT_MIN, INT_MAX],
  'java.lang.Short': [-32768, 32767],
  'java.lang.Byte': [-128, 127],
};

/** A Java `Integer`, `Short` or `Byte`: an integral number that is not a `Long`. */
export class JavaInt {
  /** @internal */
  constructor(
    readonly value: number,
    readonly javaType: JavaIntType = 'java.lang.Integer',
  ) {
    Object.freeze(this);
  }

  /** JSON writes the number. */
  toJSON(): number {
    return this.value;
  }
}

/** `[MIN_VALUE, MAX_VALUE]` of an integral box. */
export function javaIntRange(type: JavaIntType): readonly [number, number] {
  return RANGES[type];
}

function box(n: number, type: JavaIntType): JavaInt {
  const [min, max] = RANGES[type];
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`A ${type} is a whole number from ${min} to ${max}, got ${String(n)}`);
  }
  return new JavaInt(n + 0, type);
}

/**
 * A Java `int`/`Integer` for rule contexts. A whole JS number is a Long to the rule language; wrap it with this
 * when the application passes a Java int, as Java's EL tells them apart: `proctor:inRange(age, 18, 65)` with an
 * Integer `age` is an error in Java (an Integer cannot be compared with the Long literals), and so it is here.
 * @example
 * proc.context = { age: javaInt(30) } // Java: `int age = 30`
 */
export function javaInt(n: number): JavaInt {
  return box(n, 'java.lang.Integer');
}

/** A Java `short`/`Short` (Pipet's `short` context type, the vectors' `$short`). @internal */
export function javaShort(n: number): JavaInt {
  return box(n, 'java.lang.Short');
}

/** A Java `byte`/`Byte` (Pipet's `byte` context type, the vectors' `$byte`). @internal */
export function javaByte(n: number): JavaInt {
  return box(n, 'java.lang.Byte');
}
