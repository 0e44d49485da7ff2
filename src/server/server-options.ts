/**
 * The options of the Pipet-compatible server: what a caller may pass to `createPipetServer`, and their
 * validation into the settings the server runs with (a {@link ConfigError} naming the option and value).
 */
import { ConfigError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { describeValue } from '../matrix/parse.js';
import { parsePipetConfig } from './config.js';
import type { PipetConfig, ResolvedPipetConfig } from './config.js';

/** Options of `createPipetServer`. */
export interface PipetServerOptions {
  /**
   * The test matrix: a file path, an `http(s)://` or `file:` URL (reloaded every `reloadSeconds`), or the
   * matrix object itself (loaded once).
   */
  readonly matrix: string | URL | Readonly<Record<string, unknown>>;
  /** The Pipet configuration (`pipet-config.json`): the parsed object or its JSON text. */
  readonly config: PipetConfig | string;
  /**
   * Seconds between the end of one matrix check and the next (`proctor.pipet.reload.seconds`); 0 disables
   * reloading. A new matrix is only compiled when its `audit.version` changed.
   * @default 10
   */
  readonly reloadSeconds?: number;
  /** Where loads, reloads, dropped tests and rule errors are reported. @default silentLogger */
  readonly logger?: Logger;
  /** Port `listen()` uses when called without one (0 picks a free port). @default 8080 */
  readonly port?: number;
  /** Interface `listen()` binds when called without one. @default '127.0.0.1' */
  readonly host?: string;
  /** Test types beyond USER, ACCOUNT, EMAIL, RANDOM, PAGE, COMPANY. @default [] */
  readonly testTypes?: readonly string[];
  /** `proctor.pipet.identify.all.disable`: a request without `test` gets no groups instead of all. @default false */
  readonly identifyAllDisabled?: boolean;
  /**
   * Longest accepted query string of `/groups/identify`, in characters; longer ones get a 400 envelope
   * (Tomcat's default `maxHttpHeaderSize` of 8 KB, which holds the request line, gave Java Pipet a similar bound).
   * @default 8192
   */
  readonly maxQueryLength?: number;
  /**
   * Time a client has to send the request line and headers; a client that takes longer gets a 408 envelope
   * and the connection is closed (Node's `headersTimeout`; Tomcat's `connectionTimeout` is 60 s too).
   * @default 60000
   */
  readonly headersTimeoutMs?: number;
  /** `close()` waits this long for in-flight requests before cutting connections. @default 10000 */
  readonly shutdownTimeoutMs?: number;
  /** Abort a matrix download after this many ms. @default 30000 */
  readonly fetchTimeoutMs?: number;
  /** WHATWG fetch for URL matrices. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * When the first load fails, `listen()` rejects. With false it listens anyway and answers 500
   * ("Could not get Proctor from loader: …") until a reload succeeds, as Java Pipet does.
   * @default true
   */
  readonly requireMatrixAtStartup?: boolean;
}

/** {@link PipetServerOptions} checked, with their defaults filled in. */
export interface ServerSettings {
  readonly logger: Logger;
  readonly reloadSeconds: number;
  readonly port: number;
  readonly host: string;
  readonly maxQueryLength: number;
  readonly headersTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly identifyAllDisabled: boolean;
  readonly testTypes: readonly string[];
  readonly config: ResolvedPipetConfig;
  readonly fetch: typeof globalThis.fetch;
  readonly requireMatrixAtStartup: boolean;
}

function positiveNumber(name: string, value: number | undefined, fallback: number, options: { integer?: boolean; min?: number } = {}): number {
  if (value === undefined) return fallback;
  const min = options.min ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (options.integer === true && !Number.isInteger(value))) {
    throw new ConfigError(name, `expected ${options.integer === true ? 'an integer' : 'a number'} ≥ ${min}, got ${describeValue(value)}`);
  }
  return value;
}

/** Check every option once, at creation; throws {@link ConfigError} naming the option and its value. */
export function resolveServerOptions(options: PipetServerOptions): ServerSettings {
  const port = positiveNumber('port', options.port, 8080, { integer: true });
  if (port > 65535) throw new ConfigError('port', `expected an integer from 0 to 65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new ConfigError('host', `expected a host name or address, got ${describeValue(host)}`);
  const testTypes = options.testTypes ?? [];
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw new ConfigError('fetch', 'no fetch implementation available');
  return {
    logger: options.logger ?? silentLogger,
    reloadSeconds: positiveNumber('reloadSeconds', options.reloadSeconds, 10),
    port,
    host,
    maxQueryLength: positiveNumber('maxQueryLength', options.maxQueryLength, 8192, { integer: true, min: 1 }),
    headersTimeoutMs: positiveNumber('headersTimeoutMs', options.headersTimeoutMs, 60_000, { integer: true, min: 1 }),
    shutdownTimeoutMs: positiveNumber('shutdownTimeoutMs', options.shutdownTimeoutMs, 10_000),
    fetchTimeoutMs: positiveNumber('fetchTimeoutMs', options.fetchTimeoutMs, 30_000, { min: 1 }),
    identifyAllDisabled: options.identifyAllDisabled === true,
    testTypes,
    config: parsePipetConfig(options.config, { testTypes }),
    fetch: fetchFn,
    requireMatrixAtStartup: options.requireMatrixAtStartup !== false,
  };
}
