/**
 * The framework-neutral request layer: what every adapter (Express, Fastify, Koa, plain `node:http`) does per
 * request, in one place that knows no framework. It checks the options once, makes the client, waits for the
 * first load, asks the app's hooks for identifiers, context and privilege, reads force groups from the query
 * parameter or the cookie (and sets or clears the force cookie), and gives back the request's `proc`. Each
 * adapter supplies a {@link RequestAccess}: how to read the URL, the `Cookie` header and https-ness of its
 * request, and how to add a `Set-Cookie` line to its response. Nothing here throws on the request path:
 * failures become unassigned groups and one aggregated log line.
 *
 * Per request the layer allocates nothing of its own beyond what the Express middleware did before it was
 * split out (the force cookie line, when one is set): the accessors are fixed at setup, not closures made
 * per request.
 */
import { createProctor } from '../proc/client.js';
import type { ProctorClient, ProctorClientOptions } from '../proc/client.js';
import { ConfigError } from '../errors.js';
import { staticSource } from '../sources/static.js';
import type { ProctorGroups } from '../proc/proc.js';
import { consoleLogger } from '../logger.js';
import { aggregateRepeats } from '../repeats.js';
import type { Logger } from '../logger.js';
import type { TestList, TestSet } from '../register.js';
import { forceCookie, MAX_FORCE_COOKIE_BYTES, queryParam, readForceCookie } from './force-cookie.js';

/** Options every adapter takes: the client's options plus how to read a request (`Req`: the framework's request, or Koa's `ctx`). */
export interface ProctorRequestOptions<T extends TestSet, Req> extends Omit<ProctorClientOptions<T>, 'logger' | 'tests'> {
  /** The tests the app uses (see {@link ProctorClientOptions.tests}). */
  readonly tests: TestList<T>;
  /**
   * Identifiers of the request's user by test type (or Pipet source key), e.g.
   * `{ USER: req.cookies.tk, ACCOUNT: req.user?.id }`. Leave out what the user lacks. Required.
   */
  readonly getIdentifiers: (req: Req) => Readonly<Record<string, string | null | undefined>>;
  /** Rule context for the request. @default an empty context (`{}`, frozen and shared) */
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

/** How an adapter reads its request and writes its response (functions fixed at setup). */
export interface RequestAccess<Req, Res> {
  /** The request's URL as the client sent it (path and query; the mount prefix included). */
  url(req: Req): string;
  /** The raw `Cookie` header. */
  cookieHeader(req: Req): string | string[] | undefined;
  /** Whether the request came over https (the force cookie is then `Secure`). */
  secure(req: Req): boolean;
  /** Add a `Set-Cookie` line to the response without dropping the ones already set. */
  appendSetCookie(res: Res, line: string): void;
}

/** The layer an adapter is built on. */
export interface ProctorRequestLayer<T extends TestSet, Req, Res> {
  readonly client: ProctorClient<T>;
  /** The layer's logger (aggregating repeats). */
  readonly logger: Logger;
  /** The query parameter and cookie name for force groups. */
  readonly forceGroupsParam: string;
  /** Whether exposures are reported (an `onExposure` hook): then the adapter calls `proc.flushExposure()` at response end. */
  readonly reportsExposure: boolean;
  /** True once the source's first load has settled (requests before then wait for {@link firstLoad}). */
  readonly started: boolean;
  /** Settles (never rejects) when the first load is done, failed or not. */
  readonly firstLoad: Promise<void>;
  /** The request's proc (force groups read, the force cookie set through `access`). Never throws. */
  procFor(req: Req, res: Res): ProctorGroups<string>;
  /** The `isPrivileged` hook, never throwing (exceptions count as false and are not logged). */
  isPrivileged(req: Req): boolean;
  /** The source's first load, rejecting on failure (see the adapters' `ready()`). */
  ready(): Promise<void>;
}

/** The context of requests when there is no `getContext` hook (frozen: shared by every request). */
const NO_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Check the hook options (a `ConfigError` naming the option), then build the layer. */
export function createRequestLayer<const T extends TestSet, Req, Res>(
  options: ProctorRequestOptions<T, Req>,
  access: RequestAccess<Req, Res>,
): ProctorRequestLayer<T, Req, Res> {
  if (options === null || typeof options !== 'object') throw new ConfigError('options', 'expected { source, tests, getIdentifiers, … }');
  if (typeof options.getIdentifiers !== 'function') {
    throw new ConfigError('getIdentifiers', 'a function (req) => ({ USER: … }) is required');
  }
  for (const hook of ['getContext', 'isPrivileged'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new ConfigError(hook, `expected a function (req) => …, got ${typeof options[hook]}`);
    }
  }
  if (options.forceGroupsParam !== undefined && (typeof options.forceGroupsParam !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(options.forceGroupsParam))) {
    throw new ConfigError('forceGroupsParam', `expected a cookie name (letters, digits, !#$%&'*+-.^_\`|~), got ${JSON.stringify(options.forceGroupsParam)}`);
  }
  // The client checks the shared options (the logger among them) and hands its logger to the source.
  const client = createProctor<T>(options);
  // Hook failures repeat per request: aggregated (the layer's own lines; the client aggregates its own).
  const logger = aggregateRepeats(options.logger ?? consoleLogger);
  const getIdentifiers = options.getIdentifiers;
  const getContext = options.getContext;
  const privilegedHook = options.isPrivileged;
  const param = options.forceGroupsParam ?? 'prforceGroups';
  // What a request gets when its hooks fail: every test unassigned.
  const emptyProc = createProctor({ source: staticSource({ groups: {} }), tests: client.tests as TestList<T>, logger });

  /** The `isPrivileged` hook, never throwing: an exception counts as not privileged (and is logged when asked). */
  function privilegedOf(req: Req, log: boolean): boolean {
    if (privilegedHook === undefined) return false;
    try {
      return privilegedHook(req) === true;
    } catch (error) {
      if (log) logger.warn('proctor: isPrivileged threw; treating the request as not privileged', { error: describe(error) });
      return false;
    }
  }

  const layer = {
    client,
    logger,
    forceGroupsParam: param,
    reportsExposure: options.onExposure !== undefined,
    started: false,
    // Requests that arrive while the first matrix is still loading wait for it; a failed first load has
    // been logged by the source, and they go on unassigned.
    firstLoad: client.ready().then(
      () => {
        layer.started = true;
      },
      () => {
        layer.started = true;
      },
    ),
    procFor(req: Req, res: Res): ProctorGroups<string> {
      const privileged = privilegedOf(req, true);
      try {
        let forceGroups: string | null = null;
        if (privileged) {
          const query = queryParam(access.url(req), param);
          if (query !== null) {
            forceGroups = query;
            const cookie = forceCookie(param, query, access.secure(req));
            access.appendSetCookie(res, cookie.header);
            if (cookie.dropped > 0) {
              logger.warn(
                `proctor: the ${param} cookie would pass ${MAX_FORCE_COOKIE_BYTES} bytes, which browsers drop; it keeps the forced tests that fit, in order (this request is forced by all of them)`,
                { dropped: cookie.dropped },
              );
            }
          } else {
            forceGroups = readForceCookie(access.cookieHeader(req), param);
          }
        }
        return client.procForRequest({ identifiers: getIdentifiers(req), context: getContext === undefined ? NO_CONTEXT : getContext(req), forceGroups });
      } catch (error) {
        logger.error('proctor: could not resolve identifiers/context; every test is unassigned for this request', { error: describe(error) });
        return emptyProc.procForRequest({ identifiers: {} });
      }
    },
    isPrivileged: (req: Req): boolean => privilegedOf(req, false),
    ready: (): Promise<void> => client.ready(),
  };
  return layer;
}
