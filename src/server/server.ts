/**
 * The Pipet-compatible HTTP service (spec §5) on bare `node:http`: the endpoints of Pipet's `RestController`,
 * plus `GET /health`. The matrix reloads in the background; configuration problems throw at creation.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
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
import { parseQuery, QueryError } from './query.js';
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
   * Longest accepted query string of `/groups/identify`, in characters; longer ones get a 400 (Tomcat's default
   * 8 KB header limit gave Java Pipet a similar bound).
   * @default 8192
   */
  readonly maxQueryLength?: number;
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

const JSON_TYPE = 'application/json;charset=UTF-8';
const ALLOW = 'GET, HEAD';

function positiveNumber(name: string, value: number | undefined, fallback: number, options: { integer?: boolean; min?: number } = {}): number {
  if (value === undefined) return fallback;
  const min = options.min ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (options.integer === true && !Number.isInteger(value))) {
    throw new ConfigError(name, `expected ${options.integer === true ? 'an integer' : 'a number'} ≥ ${min}, got ${describeValue(value)}`);
  }
  return value;
}

// Headers for which Node keeps the first of repeated values (`IncomingMessage` discards the others).
const FIRST_VALUE_HEADERS = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer',
  'retry-after', 'server', 'user-agent',
]);

/** First value of a header, as the servlet API's `getHeader` returns it (Node joins most repeated headers). */
function readHeader(req: IncomingMessage, name: string): string | undefined {
  const joined = req.headers[name];
  if (joined === undefined) return undefined;
  if (typeof joined === 'string' && (FIRST_VALUE_HEADERS.has(name) || !joined.includes(','))) return joined;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === name.length && key.toLowerCase() === name) return raw[i + 1];
  }
  return Array.isArray(joined) ? joined[0] : joined;
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
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      return errorEnvelope(405, `Request method '${method}' not supported`, { allow: ALLOW });
    }

    switch (path) {
      case '/groups/identify': {
        const loaded = store.current;
        if (loaded === null) return unavailable();
        if (query !== null && query.length > maxQueryLength) {
          return errorEnvelope(400, `Query string too long: ${query.length} characters (limit ${maxQueryLength}).`);
        }
        const params = parseQuery(query);
        if (params instanceof QueryError) return errorEnvelope(400, params.message);
        return identify(loaded, params, (name) => readHeader(req, name), settings);
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
    const prefix = '/proctor/matrix/definition/';
    if (path.startsWith(prefix) && path.length > prefix.length && !path.includes('/', prefix.length)) {
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
      response = route(req);
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
    const headers: Record<string, string | number> = {
      'content-type': response.contentType ?? JSON_TYPE,
      'content-length': body.length,
      ...response.headers,
    };
    // While shutting down, finish this request but do not keep the connection for another one.
    if (closing) headers.connection = 'close';
    res.writeHead(response.status, headers);
    res.end(body);
  }

  const server = createServer({ maxHeaderSize: 65536 }, handle);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return;
    // Unparseable HTTP still gets the envelope instead of Node's bare "400 Bad Request".
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const message = status === 431 ? 'Request header fields too large.' : 'Malformed HTTP request.';
    const { body } = errorEnvelope(status, message);
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

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
