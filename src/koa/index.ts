/**
 * `proctor-node/koa`: Koa middleware (Koa 2 and 3) on the framework-neutral request layer (`http/layer.ts`).
 * It sets `ctx.state.proc` (what `@ladjs/koa-views` / `koa-views` render from) and `ctx.proc`, reads force
 * groups from the query parameter or the cookie for privileged requests (and sets or clears the force
 * cookie), and reports exposures when the response is done. The hooks receive Koa's `ctx` (`ctx.headers`,
 * `ctx.socket`, `ctx.cookies`: `readCookie(ctx, 'tk')` and `isLocalRequest(ctx)` work on it).
 * {@link proctorKoaDebugPages} is a router-agnostic middleware for the debug pages. Koa is never imported.
 */
import { createRequestLayer } from '../http/layer.js';
import type { ProctorRequestOptions, RequestAccess } from '../http/layer.js';
import { createDebugPages, DEBUG_HEADERS, debugRoute } from '../http/debug-pages.js';
import type { DebugPagesOptions } from '../http/debug-pages.js';
import { appendSetCookie, trackingCookie as trackingMiddleware } from '../http/request.js';
import type { TrackingCookieOptions } from '../http/request.js';
import type { ProctorClient } from '../proc/client.js';
import type { ProctorGroups } from '../proc/proc.js';
import type { TestSet } from '../register.js';

export { isLocalRequest, isLoopbackAddress, readCookie } from '../http/request.js';
export type { TrackingCookieOptions } from '../http/request.js';
export { forceCookieHeader, readForceCookie } from '../http/force-cookie.js';
export type { DebugNavLink, DebugPage, DebugPagesOptions } from '../http/debug-pages.js';

/** The parts of a Koa context the middleware reads and writes (structural). */
export interface KoaContextLike {
  readonly originalUrl: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly secure: boolean;
  /** The parsed query string. */
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly socket?: { readonly remoteAddress?: string | undefined } | null;
  state: Record<string, unknown>;
  proc?: unknown;
  status: number;
  type: string;
  body: unknown;
  set(field: string, value: string): void;
  readonly res: { getHeader(name: string): unknown; setHeader(name: string, value: string | string[]): unknown; on(event: 'close', listener: () => void): unknown };
}

type Next = () => Promise<unknown>;

/** The middleware, with the client it uses. */
export interface ProctorKoaMiddleware<T extends TestSet = string, Ctx extends KoaContextLike = KoaContextLike> {
  (ctx: Ctx, next: Next): Promise<void>;
  readonly client: ProctorClient<T>;
  /** The first load (rejects when it failed, or with `strict` when tests are missing). */
  ready(): Promise<void>;
  /** The `isPrivileged` hook (never throws; exceptions count as false). */
  readonly isPrivileged: (ctx: Ctx) => boolean;
}

const KOA_ACCESS: RequestAccess<KoaContextLike, KoaContextLike> = {
  url: (ctx) => ctx.originalUrl,
  cookieHeader: (ctx) => ctx.headers.cookie,
  secure: (ctx) => ctx.secure,
  appendSetCookie: (ctx, line) => appendSetCookie(ctx.res, line),
};

/**
 * Middleware that gives every visitor a stable identifier (the `tk` cookie by default; see `trackingCookie`
 * of `proctor-node/express`); mount it before {@link proctorKoa}: `readCookie(ctx, 'tk')` sees a new
 * visitor's identifier on that same request.
 * @example app.use(trackingCookie());
 */
export function trackingCookie(options: TrackingCookieOptions = {}): (ctx: KoaContextLike, next: Next) => Promise<unknown> {
  const track = trackingMiddleware(options);
  return function proctorTrackingCookie(ctx, next) {
    track(ctx, ctx.res, () => undefined);
    return next();
  };
}

/**
 * Create the Koa middleware; mount it before the routes and after `views(…)`.
 * @example
 * const mw = proctorKoa({ source, tests, getIdentifiers: (ctx) => ({ USER: readCookie(ctx, 'tk') }), isPrivileged: isLocalRequest });
 * app.use(views(dir, { map: { njk: 'nunjucks' }, extension: 'njk', options: { nunjucksEnv: env } }));
 * app.use(mw);
 * await mw.ready();
 */
export function proctorKoa<const T extends TestSet, Ctx extends KoaContextLike = KoaContextLike>(
  options: ProctorRequestOptions<T, Ctx>,
): ProctorKoaMiddleware<T, Ctx> {
  const layer = createRequestLayer<T, Ctx, Ctx>(options, KOA_ACCESS as RequestAccess<Ctx, Ctx>);
  const client = layer.client;
  const reportsExposure = layer.reportsExposure;

  async function handle(ctx: Ctx, next: Next): Promise<void> {
    const proc: ProctorGroups<string> = layer.procFor(ctx, ctx);
    ctx.proc = proc;
    if (reportsExposure) ctx.res.on('close', () => proc.flushExposure());
    // Koa's middleware is asynchronous anyway: an unloaded proc (a lazy one too) loads before the routes run,
    // so templates read plain data.
    if (!proc.loaded) await proc.load().catch(() => undefined);
    ctx.state.proc = proc.templateView();
    await next();
  }

  const middleware = async function proctorKoaMiddleware(ctx: Ctx, next: Next): Promise<void> {
    if (!layer.started) await layer.firstLoad;
    return handle(ctx, next);
  } as ProctorKoaMiddleware<T, Ctx>;
  Object.defineProperty(middleware, 'client', { value: client });
  Object.defineProperty(middleware, 'ready', { value: layer.ready });
  Object.defineProperty(middleware, 'isPrivileged', { value: layer.isPrivileged });
  return middleware;
}

/**
 * The debug pages as router-agnostic Koa middleware: it answers `…/proctor/force`, `…/proctor/show` and
 * `…/showTestMatrix` (404 unless privileged) and passes every other request on. Mount it after
 * {@link proctorKoa}; with `@koa/router`, `router.get(['/private/proctor/force', …], pages)` works too.
 */
export function proctorKoaDebugPages<T extends TestSet, Ctx extends KoaContextLike>(
  middleware: ProctorKoaMiddleware<T, Ctx>,
  options: DebugPagesOptions<Ctx> = {},
): (ctx: Ctx, next: Next) => Promise<void> {
  const isPrivileged = options.isPrivileged ?? middleware.isPrivileged;
  const pages = createDebugPages(middleware.client, options);
  return async function proctorKoaDebugHandler(ctx, next) {
    const answer = debugRoute(ctx.path) === null ? null : pages.answer({ url: ctx.originalUrl, cookieHeader: ctx.headers.cookie, proc: ctx.proc, privileged: isPrivileged(ctx) });
    if (answer === null) {
      await next();
      return;
    }
    const page = await answer;
    for (const [name, value] of Object.entries(DEBUG_HEADERS)) ctx.set(name, value);
    ctx.status = page.status;
    ctx.type = page.type;
    ctx.body = page.body;
  };
}
