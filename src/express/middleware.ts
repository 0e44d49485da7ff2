/**
 * Express middleware (Express 4 and 5): one `proc` per request on `req.proc` and `res.locals.proc`,
 * `prforceGroups` for privileged users, and `res.render` that waits for an asynchronous `proc` before any
 * engine renders. Nothing here throws into the app: failures become unassigned groups, a log line, `next()`.
 */
import { createProctor } from '../proc/client.js';
import type { ProctorClient, ProctorClientOptions } from '../proc/client.js';
import { ConfigError } from '../errors.js';
import { staticSource } from '../sources/static.js';
import type { ProctorGroups } from '../proc/proc.js';
import type { TestList, TestSet } from '../register.js';
import { consoleLogger } from '../logger.js';
import { aggregateRepeats } from '../repeats.js';
import type { Logger } from '../logger.js';
import { forceCookieHeader, queryValue, readForceCookie } from './force-cookie.js';
import { appendSetCookie } from './request.js';

/** The parts of an Express request the middleware uses (structural: no Express import). */
export interface RequestLike {
  readonly url?: string | undefined;
  readonly originalUrl?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly secure?: boolean;
  proc?: unknown;
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

/**
 * Options for {@link proctor}: the client's options plus how to read a request. `T`: the test names, or their
 * declarations (`ProctorTests` from a module `proctor-node types` generated).
 */
export interface ProctorMiddlewareOptions<T extends TestSet, Req extends RequestLike = RequestLike>
  extends Omit<ProctorClientOptions<T>, 'logger' | 'tests'> {
  /** The tests the app uses (see {@link ProctorClientOptions.tests}). */
  readonly tests: TestList<T>;
  /**
   * Identifiers of the request's user by test type (or Pipet source key), e.g.
   * `{ USER: req.cookies.tk, ACCOUNT: req.user?.id }`. Leave out what the user lacks. Required.
   */
  readonly getIdentifiers: (req: Req) => Readonly<Record<string, string | null | undefined>>;
  /** Rule context for the request. @default () => ({}) */
  readonly getContext?: (req: Req) => Readonly<Record<string, unknown>>;
  /**
   * Whether the request may force groups with `prforceGroups`. It may run before your other middleware
   * (after a redirect, say): don't assume `req.user` exists. An exception counts as `false`.
   * @default () => false
   */
  readonly isPrivileged?: (req: Req) => boolean;
  /** Query parameter and cookie name for force groups. @default 'prforceGroups' */
  readonly forceGroupsParam?: string;
  /**
   * Where problems are logged (`console`, pino, …; `silentLogger` for none); also the source's, unless it
   * has its own. @default consoleLogger (warnings and errors on stderr)
   */
  readonly logger?: Logger;
}

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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

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
  if (options === null || typeof options !== 'object') throw new ConfigError('options', 'expected { source, tests, getIdentifiers, … }');
  if (typeof options.getIdentifiers !== 'function') {
    throw new ConfigError('getIdentifiers', 'a function (req) => ({ USER: … }) is required');
  }
  for (const hook of ['getContext', 'isPrivileged'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new ConfigError(hook, `expected a function (req) => …, got ${typeof options[hook]}`);
    }
  }
  // The client checks the shared options (the logger among them) and hands its logger to the source.
  const client = createProctor<T>(options);
  // Hook failures repeat per request: aggregated (the middleware's own lines; the client aggregates its own).
  const logger = aggregateRepeats(options.logger ?? consoleLogger);
  const getContext = options.getContext ?? (() => ({}));
  const isPrivileged = options.isPrivileged ?? (() => false);
  const param = options.forceGroupsParam ?? 'prforceGroups';
  // What a request gets when its hooks fail: every test unassigned.
  const emptyProc = createProctor({ source: staticSource({ groups: {} }), tests: client.tests as TestList<T>, logger });
  const reportsExposure = options.onExposure !== undefined;

  function attach(req: Req, res: ResponseLike, proc: ProctorGroups<string>): void {
    req.proc = proc;
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

  // Requests that arrive while the first matrix is still loading wait for it; a failed first load has been
  // logged by the source, and they go on unassigned.
  let ready = false;
  const firstLoad = client.ready().then(
    () => {
      ready = true;
    },
    () => {
      ready = true;
    },
  );

  /** The `isPrivileged` hook, never throwing: an exception counts as not privileged (and is logged when asked). */
  function privilegedOf(req: Req, log: boolean): boolean {
    try {
      return isPrivileged(req) === true;
    } catch (error) {
      if (log) logger.warn('proctor: isPrivileged threw; treating the request as not privileged', { error: describe(error) });
      return false;
    }
  }

  function handle(req: Req, res: ResponseLike, next: Next): void {
    const privileged = privilegedOf(req, true);
    let proc: ProctorGroups<string>;
    try {
      let forceGroups: string | null = null;
      if (privileged) {
        const query = queryValue(req, param);
        if (query !== null) {
          forceGroups = query;
          appendSetCookie(res, forceCookieHeader(param, query, req.secure === true));
        } else {
          forceGroups = readForceCookie(req.headers.cookie, param);
        }
      }
      proc = client.procForRequest({ identifiers: options.getIdentifiers(req), context: getContext(req), forceGroups });
    } catch (error) {
      logger.error('proctor: could not resolve identifiers/context; every test is unassigned for this request', { error: describe(error) });
      proc = emptyProc.procForRequest({ identifiers: {} });
    }
    attach(req, res, proc);
    // Templates get their view once the proc is loaded (a loaded proc's view is plain data); a lazy one
    // gets it now and loads on first read, or before `res.render`.
    // Plain `node:http` has no `res.locals` (nor `res.render`): `req.proc` is all it gets.
    const locals = res.locals;
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
    if (ready) return handle(req, res, next);
    firstLoad.then(() => handle(req, res, next), next);
  } as ProctorMiddleware<T, Req>;
  Object.defineProperty(middleware, 'client', { value: client });
  Object.defineProperty(middleware, 'ready', { value: (): Promise<void> => client.ready() });
  Object.defineProperty(middleware, 'isPrivileged', { value: (req: Req): boolean => privilegedOf(req, false) });
  return middleware;
}
