/**
 * The Pipet-compatible HTTP service (spec §5) on bare `node:http`: the endpoints of Pipet's `RestController`,
 * plus `GET /health`. The matrix reloads in the background; configuration problems throw at creation.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, isProctorError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import type { CompiledTest } from '../matrix/compiled.js';
import { describeValue } from '../matrix/parse.js';
import { parsePipetConfig } from './config.js';
import type { PipetConfig, ResolvedPipetConfig } from './config.js';
import { identify } from './identify.js';
import { writeJson } from './json-writer.js';
import { auditTree, definitionTree, writeMatrix } from './matrix-json.js';
import { MatrixStore } from './matrix-store.js';
import type { LoadedMatrix } from './matrix-store.js';
import { parseQuery } from './query.js';
import { answerClientError, DEFINITION_PREFIX, EMPTY_BODY, isEndpoint, JSON_TYPE, MAX_HEADER_SIZE, METHOD_NOT_ALLOWED_ALLOW, OPTIONS_ALLOW, readHeader } from './http-edges.js';
import { envelopeAround, errorEnvelope, okEnvelope } from './responses.js';
import type { PipetResponse } from './responses.js';
import { aggregateRepeats } from '../repeats.js';

/** Options of {@link createPipetServer}. */
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

/** A created server. */
export interface PipetServer {
  /** The underlying `node:http` server (not yet listening). */
  readonly server: Server;
  /** Wait for the first matrix load, then listen. Resolves with the base URL, e.g. `http://127.0.0.1:8080`. */
  listen(port?: number, host?: string): Promise<{ url: string }>;
  /** Stop accepting connections and reloading; resolves when in-flight requests have finished. */
  close(): Promise<void>;
  /** Check the matrix file/URL now. Never rejects; a failure keeps the current matrix and is logged. */
  reload(): Promise<void>;
  /** Resolves once the first load attempt has settled (whatever its outcome). */
  ready(): Promise<void>;
  /** `audit.version` of the matrix in service, or null when none could be loaded yet. */
  readonly matrixVersion: string | null;
}

function positiveNumber(name: string, value: number | undefined, fallback: number, options: { integer?: boolean; min?: number } = {}): number {
  if (value === undefined) return fallback;
  const min = options.min ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (options.integer === true && !Number.isInteger(value))) {
    throw new ConfigError(name, `expected ${options.integer === true ? 'an integer' : 'a number'} ≥ ${min}, got ${describeValue(value)}`);
  }
  return value;
}

function configContextData(config: ResolvedPipetConfig): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const v of config.context) {
    out[v.name] = {
      source: v.source,
      sourceKey: v.sourceKey,
      type: v.converter.javaType,
      ...(v.defaultValue === null ? {} : { defaultValue: v.defaultValue }),
    };
  }
  return out;
}

function configIdentifiersData(config: ResolvedPipetConfig): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const id of config.identifiers) out[id.name] = { source: id.source, sourceKey: id.sourceKey };
  return out;
}

/**
 * Create a Pipet-compatible server. Throws {@link ConfigError} (bad option or configuration) or `MatrixError`
 * (a bad matrix object) synchronously; a matrix file or URL is loaded in the background and awaited by `listen()`.
 * @example
 * const pipet = createPipetServer({ matrix: './proctor-tests-matrix.json', config: pipetConfig, logger });
 * const { url } = await pipet.listen(8080);
 * process.once('SIGTERM', () => void pipet.close());
 */
export function createPipetServer(options: PipetServerOptions): PipetServer {
  const logger = options.logger ?? silentLogger;
  const reloadSeconds = positiveNumber('reloadSeconds', options.reloadSeconds, 10);
  const defaultPort = positiveNumber('port', options.port, 8080, { integer: true });
  if (defaultPort > 65535) throw new ConfigError('port', `expected an integer from 0 to 65535, got ${defaultPort}`);
  const defaultHost = options.host ?? '127.0.0.1';
  if (typeof defaultHost !== 'string' || defaultHost === '') throw new ConfigError('host', `expected a host name or address, got ${describeValue(defaultHost)}`);
  const maxQueryLength = positiveNumber('maxQueryLength', options.maxQueryLength, 8192, { integer: true, min: 1 });
  const headersTimeoutMs = positiveNumber('headersTimeoutMs', options.headersTimeoutMs, 60_000, { integer: true, min: 1 });
  const shutdownTimeoutMs = positiveNumber('shutdownTimeoutMs', options.shutdownTimeoutMs, 10_000);
  const fetchTimeoutMs = positiveNumber('fetchTimeoutMs', options.fetchTimeoutMs, 30_000, { min: 1 });
  const identifyAllDisabled = options.identifyAllDisabled === true;
  const testTypes = options.testTypes ?? [];
  const config = parsePipetConfig(options.config, { testTypes });
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw new ConfigError('fetch', 'no fetch implementation available');

  const store = new MatrixStore({
    matrix: options.matrix,
    proctorOptions: {
      // Spec §5.6: every test is dynamic, and rules may only use the configured variables (String ones get a
      // dummy "", the others are "uninstantiated").
      specification: { providedContext: config.providedContext, tests: {}, dynamicFilters: [{ type: 'match_all' }] },
      testTypes,
      logger: aggregateRepeats(logger),
    },
    reloadMs: reloadSeconds * 1000,
    fetchTimeoutMs,
    fetch: fetchFn,
    logger,
  });
  const initialLoad = store.reload();

  const encoded = (response: PipetResponse): PipetResponse => ({ ...response, body: Buffer.from(response.body) });
  const contextBody = encoded(okEnvelope(configContextData(config)));
  const identifiersBody = encoded(okEnvelope(configIdentifiersData(config)));
  const settings = { config, identifyAllDisabled };
  // Bodies that only change with the matrix, encoded once.
  const matrixBodies = new WeakMap<LoadedMatrix, Buffer>();
  const definitionBodies = new WeakMap<CompiledTest, Buffer>();
  let closing = false;
  let closed: Promise<void> | null = null;

  function unavailable(): PipetResponse {
    return errorEnvelope(500, `Could not get Proctor from loader: ${store.lastError ?? 'no test matrix loaded'}`);
  }

  function route(req: IncomingMessage): PipetResponse {
    const target = req.url ?? '/';
    let path: string;
    let query: string | null;
    if (target.charCodeAt(0) === 47) {
      const q = target.indexOf('?');
      path = q === -1 ? target : target.slice(0, q);
      query = q === -1 ? null : target.slice(q + 1);
    } else {
      // Absolute-form request target (`GET http://host/path`), legal towards proxies.
      try {
        const url = new URL(target);
        path = url.pathname;
        query = url.search === '' ? null : url.search.slice(1);
      } catch {
        return errorEnvelope(400, 'Malformed request target.');
      }
    }
    // Spring's trailing-slash matching: `/groups/identify/` is `/groups/identify`.
    if (path.length > 1 && path.charCodeAt(path.length - 1) === 47) path = path.slice(0, -1);
    // Spring finds the handler by path first: an unknown path is a 404 whatever the method; a known one
    // answers OPTIONS itself and refuses the other methods with a 405.
    if (!isEndpoint(path)) return errorEnvelope(404, `No endpoint ${req.method ?? 'GET'} ${path}`);
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') return { status: 200, body: EMPTY_BODY, contentType: null, headers: { allow: OPTIONS_ALLOW } };
    if (method !== 'GET' && method !== 'HEAD') {
      return errorEnvelope(405, `Request method '${method}' not supported`, { allow: METHOD_NOT_ALLOWED_ALLOW });
    }

    switch (path) {
      case '/groups/identify': {
        const loaded = store.current;
        if (loaded === null) return unavailable();
        if (query !== null && query.length > maxQueryLength) {
          return errorEnvelope(400, `Query string too long: ${query.length} characters (limit ${maxQueryLength}).`);
        }
        return identify(loaded, parseQuery(query), (name) => readHeader(req, name), settings);
      }
      case '/proctor/matrix': {
        const loaded = store.current;
        if (loaded === null) return unavailable();
        let body = matrixBodies.get(loaded);
        if (body === undefined) {
          body = Buffer.from(writeMatrix(loaded.proctor.loadResult.matrix));
          matrixBodies.set(loaded, body);
        }
        return { status: 200, body };
      }
      case '/proctor/matrix/audit': {
        const loaded = store.current;
        // Pipet answers with its loader's last audit, null before any load.
        return { status: 200, body: envelopeAround(loaded === null ? 'null' : writeJson(auditTree(loaded.audit), { level: 1 })) };
      }
      case '/config/context':
        return contextBody;
      case '/config/identifiers':
        return identifiersBody;
      case '/health': {
        const loaded = store.current;
        return loaded === null
          ? { status: 503, body: JSON.stringify({ status: 'unavailable', matrixVersion: null, error: store.lastError }) }
          : { status: 200, body: JSON.stringify({ status: 'ok', matrixVersion: loaded.version }) };
      }
      default:
        break;
    }
    const prefix = DEFINITION_PREFIX;
    if (path.startsWith(prefix)) {
      const loaded = store.current;
      if (loaded === null) return unavailable();
      let testName: string;
      try {
        testName = decodeURIComponent(path.slice(prefix.length));
      } catch {
        return errorEnvelope(400, `Malformed percent-encoding in test name '${path.slice(prefix.length)}'.`);
      }
      const test = loaded.proctor.loadResult.matrix.tests.get(testName);
      if (test === undefined) return errorEnvelope(404, `'${testName}' test definition not found in test matrix.`);
      let body = definitionBodies.get(test);
      if (body === undefined) {
        body = Buffer.from(envelopeAround(writeJson(definitionTree(test.definition), { level: 1 })));
        definitionBodies.set(test, body);
      }
      return { status: 200, body };
    }
    return errorEnvelope(404, `No endpoint ${method} ${path}`);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    let response: PipetResponse;
    try {
      // Node is told not to refuse these itself (it would answer a bare 400): Tomcat's refusal, as an envelope.
      response =
        req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 && req.headers.host === undefined
          ? errorEnvelope(400, 'The HTTP/1.1 request did not provide a host header.')
          : route(req);
    } catch (error) {
      // The request path must never take the process down: report, answer 500, keep serving.
      logger.error('pipet: request failed', {
        url: req.url,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      response = errorEnvelope(500, 'Internal server error.');
    }
    // Encode once: the body is a concatenated string, and measuring it then writing it would walk it twice.
    const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
    const headers: Record<string, string | number> = { 'content-length': body.length, ...response.headers };
    if (response.contentType !== null) headers['content-type'] = response.contentType ?? JSON_TYPE;
    // While shutting down, finish this request but do not keep the connection for another one.
    if (closing) headers.connection = 'close';
    res.writeHead(response.status, headers);
    res.end(body);
  }

  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_SIZE,
      requireHostHeader: false,
      headersTimeout: headersTimeoutMs,
      // Node checks the timeout this often (30 s by default, which would let a slow client hold on for 90 s).
      connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(headersTimeoutMs / 4))),
      // Node's default request timeout (300 s) may not be below the headers timeout.
      requestTimeout: Math.max(300_000, headersTimeoutMs),
    },
    handle,
  );
  server.on('clientError', answerClientError);

  async function listen(port = defaultPort, host = defaultHost): Promise<{ url: string }> {
    await initialLoad;
    if (closing) throw new ConfigError('listen', 'the server was closed');
    if (store.current === null && options.requireMatrixAtStartup !== false) {
      const failure = store.lastFailure;
      if (isProctorError(failure)) throw failure;
      throw new ConfigError('matrix', `cannot load the test matrix: ${store.lastError ?? 'unknown error'}`, { cause: failure });
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    store.start();
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    logger.info?.('pipet: listening', { url: `http://${shownHost}:${address.port}`, matrixVersion: store.current?.version ?? null });
    return { url: `http://${shownHost}:${address.port}` };
  }

  function close(): Promise<void> {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      store.stop();
      if (!server.listening) {
        resolve();
        return;
      }
      const force = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        logger.info?.('pipet: closed', {});
        resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  }

  return {
    server,
    listen,
    close,
    reload: () => store.reload(),
    ready: () => initialLoad,
    get matrixVersion() {
      return store.current?.version ?? null;
    },
  };
}
