/**
 * Express middleware (Express 4 and 5): one `proc` per request on `req.proc` and `res.locals.proc`,
 * `prforceGroups` for privileged users, and `res.render` that waits for an asynchronous `proc` before any
 * engine renders. Nothing here throws into the app: failures become unassigned groups, a log line, `next()`.
 */
import type { ProctorClient } from '../proc/client.js';
import type { TestSet } from '../register.js';
import type { ProctorGroups } from '../proc/proc.js';
import { createRequestLayer } from '../http/layer.js';
import type { ProctorRequestOptions, RequestAccess } from '../http/layer.js';
import { appendSetCookie } from '../http/request.js';
import { attachProc } from './req-proc.js';

/** The parts of an Express request the middleware uses (structural: no Express import). */
export interface RequestLike {
  readonly url?: string | undefined;
  readonly originalUrl?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly secure?: boolean;
  proc?: unknown;
  /** Express's link to the response (where `req.proc` is kept; see `req-proc.ts`). */
  readonly res?: unknown;
}

/** The parts of an Express response the middleware uses (`locals` and `render` are Express's; plain `node:http` has neither). */
export interface ResponseLike {
  locals?: Record<string, unknown>;
  render?: (...args: never[]) => void;
  append?(field: string, value: string): unknown;
  setHeader(name: string, value: string | string[]): unknown;
  getHeader(name: string): unknown;
  on(event: 'close', listener: () => void): unknown;
  headersSent?: boolean;
}

type Next = (error?: unknown) => void;

/** Options for {@link proctor}: the client's options plus how to read a request (see `http/layer.ts`). */
export type ProctorMiddlewareOptions<T extends TestSet, Req extends RequestLike = RequestLike> = ProctorRequestOptions<T, Req>;

/** The middleware function, with the client it uses. */
export interface ProctorMiddleware<T extends TestSet = string, Req extends RequestLike = RequestLike> {
  (req: Req, res: ResponseLike, next: Next): void;
  readonly client: ProctorClient<T>;
  /**
   * Resolves once the source's first load is done; rejects with the reason when it failed (or, with
   * `strict`, when configured tests are missing). `await mw.ready()` before `app.listen` fails fast.
   * Requests that arrive earlier wait for the first load either way.
   */
  ready(): Promise<void>;
  /** The `isPrivileged` hook the middleware uses (never throws; exceptions count as false). */
  readonly isPrivileged: (req: Req) => boolean;
}

/** How the layer reads an Express (or plain `node:http`) request and writes its response. */
const EXPRESS_ACCESS: RequestAccess<RequestLike, ResponseLike> = {
  url: (req) => req.originalUrl ?? req.url ?? '',
  cookieHeader: (req) => req.headers.cookie,
  secure: (req) => req.secure === true,
  appendSetCookie,
};

/**
 * Create the Proctor middleware.
 * @example
 * const mw = proctor({
 *   source: localSource({ matrix: './matrix.json' }),
 *   tests: ['buttoncolortst', 'newfeaturerollout'],
 *   getIdentifiers: (req) => ({ USER: readCookie(req, 'tk') }),
 *   isPrivileged: isLocalRequest,
 * });
 * app.use(mw);
 * await mw.ready();
 */
export function proctor<const T extends TestSet, Req extends RequestLike = RequestLike>(
  options: ProctorMiddlewareOptions<T, Req>,
): ProctorMiddleware<T, Req> {
  const layer = createRequestLayer<T, Req, ResponseLike>(options, EXPRESS_ACCESS as RequestAccess<Req, ResponseLike>);
  const client = layer.client;
  const reportsExposure = layer.reportsExposure;

  // Express gives every request and response a hidden class of its own, so each property read on them costs
  // a lookup the engine cannot cache: the request path reads as few as it can (`res.locals` once).
  function attach(req: Req, res: ResponseLike, locals: Record<string, unknown> | undefined, proc: ProctorGroups<string>): void {
    attachProc(req, locals, proc);
    // Exposures are reported when the response is done ('close' follows 'finish', and also comes when the
    // client goes away first); without a hook there is nothing to report.
    if (reportsExposure) res.on('close', () => proc.flushExposure());
    // A lazy proc on an asynchronous source goes on before it is loaded (others wait in `handle`), so its
    // rendering waits for the load.
    if (client.lazy && !proc.loaded && typeof res.render === 'function') {
      const render = res.render as (...args: unknown[]) => void;
      res.render = function renderAfterProctorLoad(this: unknown, ...args: unknown[]) {
        proc.load().then(
          () => render.apply(this, args),
          () => render.apply(this, args),
        );
      } as (...args: never[]) => void;
    }
  }

  function handle(req: Req, res: ResponseLike, next: Next): void {
    const proc = layer.procFor(req, res);
    // Plain `node:http` has no `res.locals` (nor `res.render`): `req.proc` is all it gets.
    const locals = res.locals;
    attach(req, res, locals, proc);
    // Templates get their view once the proc is loaded (a loaded proc's view is plain data); a lazy one
    // gets it now and loads on first read, or before `res.render`.
    if (client.lazy || proc.loaded) {
      if (locals !== undefined) locals.proc = proc.templateView();
      next();
      return;
    }
    const proceed = (): void => {
      if (locals !== undefined) locals.proc = proc.templateView();
      next();
    };
    proc.load().then(proceed, proceed);
  }

  const middleware = function proctorMiddleware(req: Req, res: ResponseLike, next: Next): void {
    if (layer.started) return handle(req, res, next);
    layer.firstLoad.then(() => handle(req, res, next), next);
  } as ProctorMiddleware<T, Req>;
  Object.defineProperty(middleware, 'client', { value: client });
  Object.defineProperty(middleware, 'ready', { value: layer.ready });
  Object.defineProperty(middleware, 'isPrivileged', { value: layer.isPrivileged });
  return middleware;
}
