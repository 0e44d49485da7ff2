/**
 * `proctor-node/fastify`: a Fastify plugin (Fastify 4 and 5) on the framework-neutral request layer
 * (`http/layer.ts`). It decorates `request.proc`, puts the template view in `reply.locals.proc` (which
 * `@fastify/view` merges into every `reply.view` context, for Nunjucks, Handlebars and EJS alike), reads
 * force groups from the query parameter or the cookie for privileged requests (and sets or clears the force
 * cookie through `reply.header`, no cookie plugin needed), reports exposures when the response is done, and
 * mounts the debug pages under a prefix with the same privilege hook.
 *
 * Fastify is never imported: the types are structural and the plugin follows fastify-plugin's conventions
 * itself (`skip-override`, so the decorators and hooks apply to the whole app; `plugin-meta` naming the
 * Fastify versions it supports).
 */
import { createRequestLayer } from '../http/layer.js';
import type { ProctorRequestOptions, RequestAccess } from '../http/layer.js';
import { createDebugPages, DEBUG_HEADERS } from '../http/debug-pages.js';
import type { DebugPagesOptions } from '../http/debug-pages.js';
import { ConfigError } from '../errors.js';
import type { ProctorClient } from '../proc/client.js';
import type { ProctorGroups } from '../proc/proc.js';
import type { TestSet } from '../register.js';

import { trackingCookie as trackingMiddleware } from '../http/request.js';
import type { TrackingCookieOptions } from '../http/request.js';

export { isLocalRequest, isLoopbackAddress, readCookie } from '../http/request.js';
export type { TrackingCookieOptions } from '../http/request.js';
export { forceCookieHeader, readForceCookie } from '../http/force-cookie.js';
export type { DebugNavLink, DebugPage, DebugPagesOptions } from '../http/debug-pages.js';

/** The parts of a Fastify request the plugin reads (structural). */
export interface FastifyRequestLike {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly protocol?: string;
  /** The parsed query string (`unknown` until a schema types it, as in Fastify). */
  readonly query?: unknown;
  readonly socket?: { readonly remoteAddress?: string | undefined } | null;
  proc?: unknown;
}

/** The parts of a Fastify reply the plugin uses. */
export interface FastifyReplyLike {
  locals?: Record<string, unknown> | null;
  header(name: string, value: unknown): unknown;
  getHeader(name: string): unknown;
  code(status: number): FastifyReplyLike;
  type(contentType: string): FastifyReplyLike;
  send(body?: unknown): unknown;
  readonly raw: { on(event: 'close', listener: () => void): unknown };
}

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  decorate(name: string, value: unknown): unknown;
  decorateRequest(name: string, value: unknown): unknown;
  decorateReply(name: string, value: unknown): unknown;
  hasRequestDecorator(name: string): boolean;
  hasReplyDecorator(name: string): boolean;
  addHook(name: 'onRequest', hook: (request: never, reply: never, done: (error?: Error) => void) => void): unknown;
  get(path: string, handler: (request: never, reply: never) => Promise<unknown>): unknown;
}

/** Options of the plugin: the request layer's options, plus the debug pages. */
export interface ProctorFastifyOptions<T extends TestSet, Req extends FastifyRequestLike = FastifyRequestLike> extends ProctorRequestOptions<T, Req> {
  /**
   * Mount the debug pages (`<prefix>/proctor/force`, `<prefix>/proctor/show`, `<prefix>/showTestMatrix`),
   * answering 404 unless `isPrivileged` (the plugin's, or the one given here) says yes. @default not mounted
   * @example debugPages: { prefix: '/private' }
   */
  readonly debugPages?: (DebugPagesOptions<Req> & { readonly prefix: string }) | false;
}

/** What the plugin decorates the Fastify instance with, as `fastify.proctor`. */
export interface ProctorFastifyDecoration<T extends TestSet = string> {
  readonly client: ProctorClient<T>;
  /** The first load (rejects when it failed, or with `strict` when tests are missing). */
  ready(): Promise<void>;
}

/** An async Fastify plugin (its instance typed loosely, so any Fastify version's instance is accepted). */
export type ProctorFastifyPlugin = (fastify: unknown, options: unknown) => Promise<void>;

const FASTIFY_ACCESS: RequestAccess<FastifyRequestLike, FastifyReplyLike> = {
  url: (req) => req.url,
  cookieHeader: (req) => req.headers.cookie,
  secure: (req) => req.protocol === 'https',
  // Fastify's `reply.header('set-cookie', …)` adds to the lines already set (and Node merges those set on
  // `reply.raw`): one call, the new line only.
  appendSetCookie: (reply, line) => reply.header('set-cookie', line),
};

/**
 * An `onRequest` hook that gives every visitor a stable identifier (the `tk` cookie by default; see
 * `trackingCookie` of `proctor-node/express`): add it before registering the plugin, and `readCookie(request,
 * 'tk')` sees a new visitor's identifier on that same request.
 * @example app.addHook('onRequest', trackingCookie());
 */
export function trackingCookie(options: TrackingCookieOptions = {}): (request: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void {
  const track = trackingMiddleware(options);
  return function proctorTrackingCookie(request, reply, done) {
    // Through `reply.header` (a line set on `reply.raw` would be replaced by the reply's own Set-Cookie lines).
    track(request, { append: (_field, line) => reply.header('set-cookie', line), getHeader: () => undefined, setHeader: () => undefined }, done);
  };
}

/**
 * The plugin: `await app.register(proctorPlugin({ source, tests, getIdentifiers, … }))`. Registration
 * waits for the source's first load (a failed load has been logged; requests then go on unassigned).
 * @example
 * const app = Fastify();
 * await app.register(fastifyView, { engine: { nunjucks }, root: 'views', options: { onConfigure: (env) => registerProctor(env) } });
 * await app.register(proctorPlugin({ source, tests, getIdentifiers: (req) => ({ USER: readCookie(req, 'tk') }), debugPages: { prefix: '/private' } }));
 * app.get('/', (req, reply) => reply.view('page.njk'));
 */
export function proctorPlugin<const T extends TestSet, Req extends FastifyRequestLike = FastifyRequestLike>(options: ProctorFastifyOptions<T, Req>): ProctorFastifyPlugin {
  const layer = createRequestLayer<T, Req, FastifyReplyLike>(options, FASTIFY_ACCESS as RequestAccess<Req, FastifyReplyLike>);
  const debug = options.debugPages;
  if (debug !== undefined && debug !== false && (typeof debug !== 'object' || typeof debug.prefix !== 'string' || !/^(\/[^/?#]+)*$/.test(debug.prefix))) {
    throw new ConfigError('debugPages.prefix', `expected a path like '/private' (or '' for the root), got ${JSON.stringify((debug as { prefix?: unknown } | null)?.prefix)}`);
  }
  const client = layer.client;
  const reportsExposure = layer.reportsExposure;

  function onRequest(request: Req, reply: FastifyReplyLike, done: (error?: Error) => void): void {
    const proc: ProctorGroups<string> = layer.procFor(request, reply);
    request.proc = proc;
    if (reportsExposure) reply.raw.on('close', () => proc.flushExposure());
    if (client.lazy || proc.loaded) {
      (reply.locals ??= {}).proc = proc.templateView();
      done();
      return;
    }
    const proceed = (): void => {
      (reply.locals ??= {}).proc = proc.templateView();
      done();
    };
    proc.load().then(proceed, proceed);
  }

  const plugin: ProctorFastifyPlugin = async function proctorNode(instance) {
    const fastify = instance as FastifyInstanceLike;
    fastify.decorate('proctor', { client, ready: layer.ready } satisfies ProctorFastifyDecoration<T>);
    if (!fastify.hasRequestDecorator('proc')) fastify.decorateRequest('proc', null);
    // `@fastify/view` merges `reply.locals` into every view; it declares it too, when no one has.
    if (!fastify.hasReplyDecorator('locals')) fastify.decorateReply('locals', null);
    fastify.addHook('onRequest', onRequest as (request: never, reply: never, done: (error?: Error) => void) => void);
    if (debug !== undefined && debug !== false) {
      const pages = createDebugPages(client, debug);
      const isPrivileged = debug.isPrivileged ?? layer.isPrivileged;
      const handler = async (request: Req, reply: FastifyReplyLike): Promise<unknown> => {
        const answer = await pages.answer({ url: request.url, cookieHeader: request.headers.cookie, proc: request.proc, privileged: isPrivileged(request) });
        if (answer === null) return reply.code(404).send();
        for (const [name, value] of Object.entries(DEBUG_HEADERS)) reply.header(name, value);
        return reply.code(answer.status).type(answer.type).send(answer.body);
      };
      for (const page of ['/proctor/force', '/proctor/show', '/showTestMatrix']) {
        fastify.get(`${debug.prefix}${page}`, handler as (request: never, reply: never) => Promise<unknown>);
      }
    }
    await layer.firstLoad;
  };
  // fastify-plugin's conventions, without the dependency: one app-wide plugin, for Fastify 4 and 5.
  Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'proctor-node',
    [Symbol.for('plugin-meta')]: { name: 'proctor-node', fastify: '4.x || 5.x' },
  });
  return plugin;
}
