/**
 * Private debug pages (django-proctor's views, fixed): `proctor/show` and `showTestMatrix` return the matrix
 * filtered to the configured tests; `proctor/force` lists each test in words (who is in it, every allocation
 * and each bucket's share of it, its buckets) with the visitor's current group and forced group marked, one
 * link to force a bucket and one to reset the test. Every page answers 404 unless the request is privileged.
 * The pages are Mustache templates in `templates/`, independent of the app's view engine; the force page's
 * styles and navigation travel in its body, so any layout keeps them, and everything on it is escaped.
 *
 * Framework-neutral: {@link createDebugPages} answers a {@link DebugRequest} (the URL, the `Cookie` header,
 * the proc, privilege) with a {@link DebugAnswer}; each adapter routes and sends it its own way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';
import { generateForceGroups, parseForceGroups } from '../engine/force-groups/index.js';
import type { ForceGroups } from '../engine/force-groups/index.js';
import { procOf } from '../proc/proc.js';
import type { ProctorGroups } from '../proc/proc.js';
import type { ProctorClient } from '../proc/client.js';
import type { TestSet } from '../register.js';
import { queryParam, readForceCookie } from './force-cookie.js';
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
export interface DebugPagesOptions<Req> {
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

/** What the pages read of a request. */
export interface DebugRequest {
  /** The URL as the client sent it (path and query; the mount prefix included). */
  readonly url: string;
  /** The raw `Cookie` header. */
  readonly cookieHeader: string | string[] | undefined;
  /** The request's proc (from the adapter), if it has one. */
  readonly proc: unknown;
  /** Whether the request may see the pages. */
  readonly privileged: boolean;
}

/** A page to send: status, `Content-Type`, body (send with {@link DEBUG_HEADERS}). */
export interface DebugAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

/** The headers every answer carries besides `Content-Type`. */
export const DEBUG_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });

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

/** Which page a path (no query) names: `…/proctor/show` or `…/showTestMatrix`, `…/proctor/force`, or none. */
export function debugRoute(path: string): 'show' | 'force' | null {
  const p = path.replace(/\/+$/, '');
  return p.endsWith('/proctor/show') || p.endsWith('/showTestMatrix') ? 'show' : p.endsWith('/proctor/force') ? 'force' : null;
}

/** The path of a URL, without its query. */
export function pathOfUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

const NOT_FOUND: DebugAnswer = Object.freeze({ status: 404, type: 'text/plain; charset=utf-8', body: 'Not Found' });

/** The force string in effect: the query parameter, else the cookie, else none. */
function currentForceString(req: DebugRequest, param: string): string {
  return queryParam(req.url, param) ?? readForceCookie(req.cookieHeader, param) ?? '';
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

/** The pages of one client: `answer` gives a request's page, or null when its path names none. */
export interface DebugPages {
  answer(req: DebugRequest): Promise<DebugAnswer> | null;
}

/**
 * The debug pages of `client`, framework-neutral. `answer` is null for paths that are not a page (the
 * adapter passes the request on), a 404 for an unprivileged request, else the page.
 */
export function createDebugPages<T extends TestSet, Req>(client: ProctorClient<T>, options: DebugPagesOptions<Req> = {}): DebugPages {
  const param = options.forceGroupsParam ?? 'prforceGroups';
  const base = options.baseTemplate;
  const layout =
    typeof base === 'function'
      ? base
      : (page: DebugPage) => Mustache.render(base ?? templates().base, page);

  async function show(): Promise<DebugAnswer> {
    const matrix = await client.getMatrix();
    const body = matrix === null ? { tests: {} } : { audit: matrix.audit, tests: matrix.tests };
    return { status: 200, type: 'application/json;charset=UTF-8', body: JSON.stringify(body, null, 2) };
  }

  async function force(req: DebugRequest): Promise<DebugAnswer> {
    const proc = procOf(req.proc) as ProctorGroups<string> | undefined;
    if (proc && !proc.loaded) await proc.load();
    const matrix = await client.getMatrix();
    const forceString = currentForceString(req, param);
    const parsed = parseForceGroups(forceString);
    const forced = parsed.groups;
    const selfPath = pathOfUrl(req.url);
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
    return { status: 200, type: 'text/html; charset=utf-8', body: await layout({ title: 'Proctor: force groups', body }) };
  }

  return {
    answer(req) {
      const route = debugRoute(pathOfUrl(req.url));
      if (route === null) return null;
      if (!req.privileged) return Promise.resolve(NOT_FOUND);
      return route === 'show' ? show() : force(req);
    },
  };
}
