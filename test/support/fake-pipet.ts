/**
 * A fake Pipet server for tests: a real `node:http` server on 127.0.0.1, port 0, that speaks Pipet's
 * envelope (spec §5.3–§5.4) and misbehaves on demand, one behaviour per request.
 *
 * @example
 * const pipet = await startFakePipet(() => ({ btntst: { name: 'control', value: 0, version: '1' } }));
 * pipet.setBehaviour(['stall', 'stall', 'ok']); // first two requests stall, the third answers
 * const source = pipetSource({ apiRoot: pipet.url });
 * ...
 * expect(pipet.requests[2]?.query).toMatchObject({ 'id.USER': 'u1', test: 'btntst' });
 * await pipet.close();
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One group as Pipet writes it. */
export interface FakeGroup {
  readonly name: string;
  readonly value: number;
  readonly version?: string | null;
  readonly payload?: Readonly<Record<string, unknown>>;
}

/** What the fake recorded for one request. */
export interface FakePipetRequest {
  readonly method: string;
  /** Path without the query, e.g. `/groups/identify`. */
  readonly path: string;
  /** First value of each query parameter, decoded (Pipet uses only the first occurrence). */
  readonly query: Readonly<Record<string, string>>;
  /** The raw query string without `?`, as sent. */
  readonly search: string;
  readonly headers: IncomingMessage['headers'];
  /** Which TCP connection carried it (1, 2, …): equal ids mean the connection was reused (keep-alive). */
  readonly connection: number;
}

/**
 * Computes the groups for an identify request: every test the user would get. The fake then applies
 * Pipet's `test=` filter itself (absent → all; present → only the listed names, trimmed, empties dropped)
 * unless `filterTests: false` is given to {@link startFakePipet}.
 */
export type FakePipetHandler = (request: FakePipetRequest) => Readonly<Record<string, FakeGroup>>;

/**
 * How the fake answers one request.
 * - `ok`: a proper answer (identify envelope, or the matrix for `/proctor/matrix`).
 * - `stall`: never answers (the socket stays open until the client gives up or the fake closes).
 * - `refuse`: destroys the socket as soon as the request arrives, without a response (a dropped connection;
 *   for a refused one, see {@link FakePipet.refuseConnections}).
 * - `reset`: resets the connection (TCP RST) as soon as the request arrives, without a response.
 * - `reset-mid-body`: 200 headers with a Content-Length, half the body, then a socket reset.
 * - `error-500-envelope`: 500 with `{"data":{},"meta":{"status":500,"error":"Could not get Proctor from loader: boom"}}`.
 * - `error-400-envelope`: 400 with `meta.error` = `Request must have at least one identifier.`.
 * - `error-500-html`: 500 with a Spring-style HTML error page.
 * - `invalid-json`: 200 with a truncated JSON body.
 * - `no-groups`: 200 envelope whose `data` has `context` and `audit` but no `groups`.
 * - `slow-body`: 200 headers at once, then one body byte every `trickleMs` (never finishing in time).
 * - `{ status, body, contentType? }`: exactly this response.
 */
export type FakeBehaviour =
  | 'ok'
  | 'stall'
  | 'refuse'
  | 'reset'
  | 'reset-mid-body'
  | 'error-500-envelope'
  | 'error-400-envelope'
  | 'error-500-html'
  | 'invalid-json'
  | 'no-groups'
  | 'slow-body'
  | { readonly status: number; readonly body: string; readonly contentType?: string };

/** Options of {@link startFakePipet}. */
export interface FakePipetOptions {
  /** Apply Pipet's `test=` filter to the handler's groups. @default true */
  readonly filterTests?: boolean;
  /** `audit.version` served. @default '1' */
  readonly version?: string;
  /** The `tests` served by `/proctor/matrix`. @default {} */
  readonly matrixTests?: Readonly<Record<string, unknown>>;
  /** Interval between body bytes of `slow-body`, in ms. @default 20 */
  readonly trickleMs?: number;
}

/** A behaviour chosen per request: `index` counts the requests received, from 0. */
export type FakeBehaviourFn = (index: number, request: FakePipetRequest) => FakeBehaviour;

/** A running fake. */
export interface FakePipet {
  /** Base URL (`http://127.0.0.1:<port>`), to use as `apiRoot`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: FakePipetRequest[];
  /**
   * A single behaviour applies to every later request; a list applies one per request, in order, and
   * `ok` after the list is used up; a function chooses for each request (e.g. flapping).
   */
  setBehaviour(behaviour: FakeBehaviour | readonly FakeBehaviour[] | FakeBehaviourFn): void;
  /**
   * `true`: stop listening and drop every open connection, so that connections are refused (ECONNREFUSED);
   * `false`: listen again on the same port.
   */
  refuseConnections(refuse: boolean): Promise<void>;
  /** Change the served `audit.version` (a "new matrix"). */
  setVersion(version: string): void;
  /** Replace the groups handler. */
  setHandler(handler: FakePipetHandler): void;
  /** Number of TCP connections accepted so far. */
  connections(): number;
  /** Stop: destroys open sockets (stalled ones included) and closes the server. */
  close(): Promise<void>;
}

const DEFAULT_HANDLER: FakePipetHandler = () => ({});

function envelope(data: unknown, status: number, error?: string): string {
  // Pretty-printed like Pipet's envelope view (spec §5.3).
  return JSON.stringify({ data, meta: error === undefined ? { status } : { status, error } }, null, 2);
}

function filterGroups(groups: Readonly<Record<string, FakeGroup>>, query: Readonly<Record<string, string>>): Record<string, FakeGroup> {
  const test = query['test'];
  if (test === undefined) return { ...groups };
  const wanted = new Set(
    test
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
  );
  const out: Record<string, FakeGroup> = {};
  for (const [name, group] of Object.entries(groups)) if (wanted.has(name)) out[name] = group;
  return out;
}

function isList(value: FakeBehaviour | readonly FakeBehaviour[] | FakeBehaviourFn): value is readonly FakeBehaviour[] {
  return Array.isArray(value);
}

/** An http URL on which nothing listens (connections are refused). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Start a fake Pipet on an ephemeral port. */
export async function startFakePipet(handler: FakePipetHandler = DEFAULT_HANDLER, options: FakePipetOptions = {}): Promise<FakePipet> {
  let currentHandler = handler;
  let version = options.version ?? '1';
  const filterTests = options.filterTests ?? true;
  const trickleMs = options.trickleMs ?? 20;
  const matrixTests = options.matrixTests ?? {};
  let always: FakeBehaviour | FakeBehaviourFn = 'ok';
  let queue: FakeBehaviour[] = [];
  const requests: FakePipetRequest[] = [];
  const sockets = new Set<Socket>();
  const socketIds = new WeakMap<Socket, number>();
  const timers = new Set<ReturnType<typeof setInterval>>();
  let connectionCount = 0;

  function audit(): Record<string, unknown> {
    return { version, updated: 1, updatedDate: '1969-12-31T18:00-0600', updatedBy: 'fake-pipet' };
  }

  function okBody(request: FakePipetRequest): string {
    if (request.path === '/proctor/matrix') return JSON.stringify({ audit: audit(), tests: matrixTests }, null, 2);
    const groups = currentHandler(request);
    const context: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.query)) if (key.startsWith('ctx.')) context[key.slice(4)] = value;
    return envelope({ groups: filterTests ? filterGroups(groups, request.query) : groups, context, audit: audit() }, 200);
  }

  function send(res: ServerResponse, status: number, body: string, contentType = 'application/json;charset=UTF-8'): void {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  function respond(behaviour: FakeBehaviour, request: FakePipetRequest, res: ServerResponse): void {
    if (typeof behaviour === 'object') {
      send(res, behaviour.status, behaviour.body, behaviour.contentType);
      return;
    }
    switch (behaviour) {
      case 'ok':
        send(res, 200, okBody(request));
        return;
      case 'stall':
        return;
      case 'refuse':
        res.socket?.destroy();
        return;
      case 'reset':
        res.socket?.resetAndDestroy();
        return;
      case 'reset-mid-body': {
        const body = okBody(request);
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
        res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.resetAndDestroy());
        return;
      }
      case 'error-500-envelope':
        send(res, 500, envelope({}, 500, 'Could not get Proctor from loader: boom'));
        return;
      case 'error-400-envelope':
        send(res, 400, envelope({}, 400, 'Request must have at least one identifier.'));
        return;
      case 'error-500-html':
        send(res, 500, '<html><body><h1>Whitelabel Error Page</h1><p>Internal Server Error</p></body></html>', 'text/html;charset=UTF-8');
        return;
      case 'invalid-json':
        send(res, 200, okBody(request).slice(0, 20));
        return;
      case 'no-groups':
        send(res, 200, envelope({ context: {}, audit: audit() }, 200));
        return;
      case 'slow-body': {
        const body = okBody(request);
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
        let sent = 0;
        const timer = setInterval(() => {
          // Stop one byte short: the body must never complete, however slow the client is.
          if (res.destroyed || sent >= body.length - 1) {
            clearInterval(timer);
            timers.delete(timer);
            return;
          }
          res.write(body.charAt(sent++));
        }, trickleMs);
        timers.add(timer);
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string> = {};
    for (const [key, value] of parsed.searchParams) if (!(key in query)) query[key] = value;
    const request: FakePipetRequest = {
      method: req.method ?? 'GET',
      path: parsed.pathname,
      query,
      search: parsed.search.replace(/^\?/, ''),
      headers: req.headers,
      connection: socketIds.get(req.socket) ?? 0,
    };
    requests.push(request);
    const behaviour = queue.shift() ?? (typeof always === 'function' ? always(requests.length - 1, request) : always);
    if (request.path !== '/groups/identify' && request.path !== '/proctor/matrix') {
      send(res, 404, envelope({}, 404, `No handler for ${request.path}`));
      return;
    }
    respond(behaviour, request, res);
  });
  server.on('connection', (socket) => {
    connectionCount++;
    socketIds.set(socket, connectionCount);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setBehaviour(behaviour) {
      if (typeof behaviour === 'function') {
        always = behaviour;
        queue = [];
      } else if (isList(behaviour)) {
        always = 'ok';
        queue = [...behaviour];
      } else {
        always = behaviour;
        queue = [];
      }
    },
    setVersion(next) {
      version = next;
    },
    setHandler(next) {
      currentHandler = next;
    },
    connections: () => connectionCount,
    async refuseConnections(refuse) {
      if (refuse === !server.listening) return;
      if (refuse) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
      } else {
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      }
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One line written to a {@link recordingLogger}. */
export interface LogLine {
  readonly level: 'warn' | 'error' | 'info' | 'debug';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

/** A Logger that keeps every line, to assert "exactly one log line per failed request". */
export function recordingLogger(): {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  readonly lines: LogLine[];
} {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  return { warn: at('warn'), error: at('error'), info: at('info'), debug: at('debug'), lines };
}
