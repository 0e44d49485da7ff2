/**
 * Private debug pages (django-proctor's views, fixed): `proctor/show` and `showTestMatrix` return the matrix
 * filtered to the configured tests; `proctor/force` lists each test in words (who is in it, every allocation
 * and each bucket's share of it, its buckets) with the visitor's current group and forced group marked, one
 * link to force a bucket and one to reset the test. Every page answers 404 unless the request is privileged.
 * The pages are Mustache templates in `templates/`, independent of the app's view engine; the force page's
 * styles and navigation travel in its body, so any layout keeps them, and everything on it is escaped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';
import { generateForceGroups, parseForceGroups } from '../engine/force-groups/index.js';
import type { ForceGroups } from '../engine/force-groups/index.js';
import { procOf } from '../proc/proc.js';
import type { ProctorGroups } from '../proc/proc.js';
import type { ProctorMiddleware, RequestLike } from './middleware.js';
import { queryValue, readForceCookie } from './force-cookie.js';
import { testView } from './debug-view.js';

/** A link of the debug pages' navigation. */
export interface DebugNavLink {
  readonly text: string;
  readonly href: string;
}

/** What a layout receives: the page title and its body, HTML the library already escaped. */
export interface DebugPage {
  readonly title: string;
  readonly body: string;
}

/** Options for {@link proctorDebugPages}. */
export interface DebugPagesOptions<Req extends RequestLike> {
  /** Who may see the pages. @default the middleware's `isPrivileged` */
  readonly isPrivileged?: (req: Req) => boolean;
  /**
   * The layout the force page renders into (django's `PROCTOR_BASE_TEMPLATE`): a Mustache template string
   * with `{{title}}` and `{{{body}}}`, or a function of `{ title, body }` returning the page or a promise of it
   * (body is safe HTML: insert it unescaped). The body carries its own styles, scoped under `.proctor-debug`,
   * and its navigation, so your layout needs nothing else. With Express, render one of your views to a string:
   * `(page) => new Promise((ok, fail) => app.render('debug', page, (e, html) => (e ? fail(e) : ok(html))))`.
   * @default the bundled `templates/base.mustache`, a bare HTML page
   */
  readonly baseTemplate?: string | ((page: DebugPage) => string | Promise<string>);
  /**
   * The links at the top of the force page, or `false` for none (when your layout already links the pages).
   * @default Site home `/`, Force groups and Test matrix (JSON) under the prefix the pages are mounted at:
   *   `/`, `/private/proctor/force`, `/private/proctor/show` for `app.use('/private', proctorDebugPages(mw))`
   */
  readonly nav?: readonly DebugNavLink[] | false;
  /** @default 'prforceGroups' */
  readonly forceGroupsParam?: string;
}

interface DebugResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

let bundled: { base: string; force: string } | undefined;
function templates(): { base: string; force: string } {
  if (bundled === undefined) {
    // `templates/` sits beside `dist/` in the package, and two levels up from this source file.
    const templateDir = ['../templates/', '../../templates/']
      .map((p) => fileURLToPath(new URL(p, import.meta.url)))
      .find((dir) => existsSync(`${dir}force.mustache`)) ?? '';
    bundled = {
      base: readFileSync(`${templateDir}base.mustache`, 'utf8'),
      force: readFileSync(`${templateDir}force.mustache`, 'utf8'),
    };
  }
  return bundled;
}

function send(res: DebugResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(body);
}

function pathOf(req: RequestLike): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return (q < 0 ? url : url.slice(0, q)).replace(/\/+$/, '');
}

/** The force string in effect: the query parameter, else the cookie, else none. */
function currentForceString(req: RequestLike, param: string): string {
  return queryValue(req, param) ?? readForceCookie(req.headers.cookie, param) ?? '';
}

/** The force string with `test` forced to `value` (null: not forced), everything else kept. */
function withForce(parsed: ForceGroups, test: string, value: number | null): string {
  const groups = new Map(parsed.groups);
  groups.delete(test);
  if (value !== null) groups.set(test, value);
  const payloads = new Map(parsed.payloads);
  payloads.delete(test);
  return generateForceGroups({ ...parsed, groups, payloads });
}

/** The default navigation of pages mounted at `mount` (`/private`, or '' at the root). */
function defaultNav(mount: string): DebugNavLink[] {
  return [
    { text: 'Site home', href: '/' },
    { text: 'Force groups', href: `${mount}/proctor/force` },
    { text: 'Test matrix (JSON)', href: `${mount}/proctor/show` },
  ];
}

/**
 * The debug pages as one request handler; mount it under a private prefix, after the proctor middleware.
 * @example
 * const mw = proctor({ … });
 * app.use(mw);
 * app.use('/private', proctorDebugPages(mw));
 * // In your site's layout (views/debug.njk puts `body` in it), whose own nav links the pages:
 * app.use('/private', proctorDebugPages(mw, { baseTemplate: (page) => env.render('debug.njk', page), nav: false }));
 */
export function proctorDebugPages<T extends string, Req extends RequestLike>(
  middleware: ProctorMiddleware<T, Req>,
  options: DebugPagesOptions<Req> = {},
): (req: Req, res: DebugResponse, next: (error?: unknown) => void) => void {
  const client = middleware.client;
  const isPrivileged = options.isPrivileged ?? middleware.isPrivileged;
  const param = options.forceGroupsParam ?? 'prforceGroups';
  const base = options.baseTemplate;
  const layout =
    typeof base === 'function'
      ? base
      : (page: DebugPage) => Mustache.render(base ?? templates().base, page);

  async function show(res: DebugResponse): Promise<void> {
    const matrix = await client.getMatrix();
    const body = matrix === null ? { tests: {} } : { audit: matrix.audit, tests: matrix.tests };
    send(res, 200, 'application/json;charset=UTF-8', JSON.stringify(body, null, 2));
  }

  async function force(req: Req, res: DebugResponse): Promise<void> {
    const proc = procOf(req.proc) as ProctorGroups<string> | undefined;
    if (proc && !proc.loaded) await proc.load();
    const matrix = await client.getMatrix();
    const forceString = currentForceString(req, param);
    const parsed = parseForceGroups(forceString);
    const forced = parsed.groups;
    const selfPath = (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '';
    const href = (value: string): string => `${selfPath}?${new URLSearchParams({ [param]: value }).toString()}`;
    const tests = client.tests.map((name) =>
      testView(name, matrix?.tests[name] ?? {}, {
        assignment: proc?.get(name) ?? { group: null, value: null },
        forcedValue: forced.get(name),
        href: (value) => href(withForce(parsed, name, value)),
      }),
    );
    const here = selfPath.replace(/\/+$/, '');
    const links = options.nav ?? defaultNav(here.slice(0, here.length - '/proctor/force'.length));
    const body = Mustache.render(templates().force, {
      nav: links === false ? [] : links.map((link) => ({ ...link, current: link.href.split('?')[0] === here })),
      matrixVersion: typeof matrix?.audit?.version === 'string' ? matrix.audit.version : 'unknown',
      forceString,
      resetAllHref: href(''),
      tests,
    });
    send(res, 200, 'text/html; charset=utf-8', await layout({ title: 'Proctor: force groups', body }));
  }

  return function proctorDebugHandler(req, res, next) {
    const path = pathOf(req);
    const route = path.endsWith('/proctor/show') || path.endsWith('/showTestMatrix') ? 'show' : path.endsWith('/proctor/force') ? 'force' : null;
    if (route === null) return next();
    if (!isPrivileged(req)) return send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
    (route === 'show' ? show(res) : force(req, res)).catch((error: unknown) => next(error));
  };
}
