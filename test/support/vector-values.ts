/**
 * Turns the values of the Java vectors into the JS values the port uses for the same Java values (spec §3.8):
 * plain JSON numbers as Jackson reads them (the vectors README: "integers -> Integer, decimals -> Double"),
 * and the typed wrappers (`{"$long": n}`, `{"$ua": {...}}`).
 */
import { isJsonDouble } from '../../src/java/json.js';
import { readJson } from '../../src/java/json-reader.js';
import { ReleaseVersion, javaChar, javaDouble, javaStringArray } from '../../src/rules/index.js';
import { javaByte, javaInt, javaShort } from '../../src/rules/values.js';
import type { JavaInt } from '../../src/rules/values.js';

/** Fields of a `{"$ua": {...}}` wrapper. */
interface OracleUAFields {
  readonly os?: string | null;
  readonly browser?: string | null;
  readonly osMajor?: number | null;
  readonly version?: string | null;
}

/**
 * The vectors' Java bean `Oracle.OracleUA`. Rules reach it as bean properties (`ua.android` → `isAndroid()`,
 * `ua.osMajor` → `getOsMajor()`, `ua.IOS` → `isIOS()`) and by method calls (`ua.osIs('android')`). The fields
 * are private so that only the getters are visible, as on the Java bean.
 */
export class OracleUA {
  readonly #os: string | null;
  readonly #browser: string | null;
  readonly #osMajor: number;
  readonly #version: string | null;

  constructor(fields: OracleUAFields) {
    this.#os = fields.os ?? null;
    this.#browser = fields.browser ?? null;
    this.#osMajor = fields.osMajor ?? 0;
    this.#version = fields.version ?? null;
  }

  isAndroid(): boolean {
    return this.osIs('android');
  }

  isIOS(): boolean {
    return this.osIs('ios');
  }

  getOs(): string | null {
    return this.#os;
  }

  getBrowser(): string | null {
    return this.#browser;
  }

  /** Java `int getOsMajor()`: an Integer to EL. */
  getOsMajor(): JavaInt {
    return javaInt(this.#osMajor);
  }

  getVersion(): string | null {
    return this.#version;
  }

  getReleaseVersion(): ReleaseVersion | null {
    return this.#version === null ? null : ReleaseVersion.parse(this.#version);
  }

  /** Case-insensitive OS test (`ua.osIs('ANDROID')` is true for Android in the vectors). */
  osIs(os: string): boolean {
    return this.#os !== null && this.#os.toLowerCase() === String(os).toLowerCase();
  }
}

function toLong(n: unknown): number | bigint {
  if (typeof n === 'string') {
    const big = BigInt(n);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  return Number(n);
}

const WRAPPERS: Readonly<Record<string, (v: unknown) => unknown>> = {
  $long: toLong,
  $biginteger: toLong,
  $int: (v) => javaInt(Number(v)),
  $short: (v) => javaShort(Number(v)),
  $byte: (v) => javaByte(Number(v)),
  $double: (v) => javaDouble(Number(v)),
  $float: (v) => javaDouble(Number(v)),
  $bigdecimal: Number,
  $string: String,
  $char: (v) => javaChar(String(v)),
  $stringArray: (v) => javaStringArray((v as unknown[]).map(String)),
  $set: (v) => new Set((v as unknown[]).map((x, i) => fromVectorValue(x, v as unknown[], i))),
  $version: (v) => ReleaseVersion.parse(String(v)),
  $ua: (v) => new OracleUA(v as OracleUAFields),
};

/** A plain JSON number as Jackson reads it into an Object: Integer in the int range, else Long; `2.0` a Double. */
function jacksonNumber(n: number, double: boolean): unknown {
  if (double) return javaDouble(n);
  return Number.isInteger(n) && n >= -2147483648 && n <= 0x7fffffff ? javaInt(n) : n;
}

/**
 * Convert a vector value (context, constants, payload) recursively through arrays and objects. Numbers read
 * by {@link parseVectorJson} become Integers, Longs and Doubles as Jackson would read them.
 */
export function fromVectorValue(v: unknown, container?: object, key?: string | number): unknown {
  if (typeof v === 'number') return jacksonNumber(v, container !== undefined && key !== undefined && isJsonDouble(container, key));
  if (Array.isArray(v)) return v.map((x, i) => fromVectorValue(x, v, i));
  if (typeof v !== 'object' || v === null) return v;
  const keys = Object.keys(v);
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only !== undefined && Object.hasOwn(WRAPPERS, only)) {
    const convert = WRAPPERS[only];
    if (convert) return convert((v as Record<string, unknown>)[only]);
  }
  return Object.fromEntries(keys.map((k) => [k, fromVectorValue((v as Record<string, unknown>)[k], v, k)]));
}

/**
 * `JSON.parse` for vector files that keeps `$long`/`$biginteger` integers beyond 2^53 exact (they become
 * decimal strings, which {@link fromVectorValue} turns into bigints) and remembers which numbers were
 * written as decimals (`2.0`), so that {@link fromVectorValue} makes them Doubles.
 */
export function parseVectorJson(text: string): unknown {
  return readJson(text.replace(/("\$(?:long|biginteger)"\s*:\s*)(-?\d{16,})/g, '$1"$2"'));
}
