/**
 * Java's numbers: integral bounds, casts and parsing (`Integer.parseInt`, `Long.parseLong`), floating-point
 * parsing (`Double.parseDouble`, `Float.parseFloat`) and printing (`Double.toString`, `Float.toString`,
 * `DecimalFormat("0.0")`). Everything above `src/java/` takes them from here.
 */
export {
  doubleToInt,
  doubleToLong,
  INT_MAX,
  INT_MIN,
  isJavaInt,
  JAVA_INTEGER_RANGES,
  LONG_MAX,
  LONG_MAX_AS_DOUBLE,
  LONG_MIN,
  LONG_MIN_AS_DOUBLE,
  longToInt,
  normalizeLong,
  parseJavaInt,
  parseJavaInteger,
  parseJavaLong,
} from './integers.js';
export type { JavaIntegerType, Long } from './integers.js';
export { parseJavaDouble, parseJavaFloat } from './parse-floating.js';
export { formatJavaDecimal, javaDoubleToString, javaFloatToString } from './format-floating.js';
