/**
 * The Pipet-compatible HTTP service (spec §5) on bare `node:http`: the endpoints of Pipet's `RestController`,
 * plus `GET /health`. The matrix reloads in the background; configuration problems throw at creation.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, isProctorError } from '../errors.js';
import { aggregateRepeats } from '../repeats.js';
import { answerClientError, JSON_TYPE, MAX_HEADER_SIZE } from './http-edges.js';
import { MatrixStore } from './matrix-store.js';
import { errorEnvelope } from './responses.js';
import type { PipetResponse } from './responses.js';
import { createRouter } from './router.js';
import { resolveServerOptions } from './server-options.js';
import type { PipetServerOptions } from './server-options.js';

export type { PipetServerOptions } from './server-options.js';

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

/**
 * Create a Pipet-compatible server. Throws {@link ConfigError} (bad option or configuration) or `MatrixError`
 * (a bad matrix object) synchronously; a matrix file or URL is loaded in the background and awaited by `listen()`.
 * @example
 * const pipet = createPipetServer({ matrix: './proctor-tests-matrix.json', config: pipetConfig, logger });
 * const { url } = await pipet.listen(8080);
 * process.once('SIGTERM', () => void pipet.close());
 */
export function createPipetServer(options: PipetServerOptions): PipetServer {
  const settings = resolveServerOptions(options);
  const { logger, config, headersTimeoutMs, shutdownTimeoutMs } = settings;

  const store = new MatrixStore({
    matrix: options.matrix,
    proctorOptions: {
      // Spec §5.6: every test is dynamic, and rules may only use the configured variables (String ones get a
      // dummy "", the others are "uninstantiated").
      specification: { providedContext: config.providedContext, tests: {}, dynamicFilters: [{ type: 'match_all' }] },
      testTypes: settings.testTypes,
      logger: aggregateRepeats(logger),
    },
    reloadMs: settings.reloadSeconds * 1000,
    fetchTimeoutMs: settings.fetchTimeoutMs,
    fetch: settings.fetch,
    logger,
  });
  const initialLoad = store.reload();

  const route = createRouter({ store, config, identifyAllDisabled: settings.identifyAllDisabled, maxQueryLength: settings.maxQueryLength });
  let closing = false;
  let closed: Promise<void> | null = null;

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

  async function listen(port = settings.port, host = settings.host): Promise<{ url: string }> {
    await initialLoad;
    if (closing) throw new ConfigError('listen', 'the server was closed');
    if (store.current === null && settings.requireMatrixAtStartup) {
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
