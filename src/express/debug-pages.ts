/**
 * Private debug pages (django-proctor's views, fixed): `proctor/show` and `showTestMatrix` return the matrix
 * filtered to the configured tests; `proctor/force` lists each test's buckets, allocation percentages and
 * the current assignment, with one link to force a bucket and one to reset the test. Every page answers 404
 * unless the request is privileged. The pages are Mustache templates in `templates/`, independent of the
 * app's view engine, and everything on them is escaped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';
import { generateForceGroups, parseForceGroups } from '../engine/force-groups.js';
import type { ForceGroups } from '../engine/force-groups.js';
import { procOf } from '../groups/proc.js';
import type { ProctorGroups } from '../groups/proc.js';
import type { ProctorMiddleware, RequestLike } from './middleware.js';
import { queryValue, readForceCookie } from './force-cookie.js';

/** Options for {@link proctorDebugPages}. */
export interface DebugPagesOptions<Req extends RequestLike> {
  /** Who may see the pages. @default the middleware's `isPrivileged` */
  readonly isPrivileged?: (req: Req) => boolean;
  /**
   * The layout the force page renders into (django's `PROCTOR_BASE_TEMPLATE`): a Mustache template
   * string with `{{title}}` and `{{{body}}}`, or a function of `{ title, body }` (body is safe HTML).
   * @default the bundled `templates/base.mustache`
   */
  readonly baseTemplate?: string | ((page: { title: string; body: string }) => string);
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

interface Definition {
  description?: unknown;
  buckets?: { name?: unknown; value?: unknown }[];
  allocations?: { ranges?: { bucketValue?: unknown; length?: unknown }[] }[];
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

/**
 * The debug pages as one request handler; mount it under a private prefix, after the proctor middleware.
 * @example
 * const mw = proctor({ … });
 * app.use(mw);
 * app.use('/private', proctorDebugPages(mw));
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
      : (page: { title: string; body: string }) => Mustache.render(base ?? templates().base, page);

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
    const tests = client.tests.map((name) => {
      const def = (matrix?.tests[name] ?? {}) as Definition;
      const assignment = proc?.get(name).toJSON() ?? { group: null, value: null };
      const buckets = Array.isArray(def.buckets) ? def.buckets : [];
      const ranges = def.allocations?.[0]?.ranges ?? [];
      return {
        name,
        description: typeof def.description === 'string' ? def.description : null,
        assigned: assignment.value !== null,
        group: assignment.group,
        value: assignment.value,
        forced: forced.has(name),
        resetHref: href(withForce(parsed, name, null)),
        buckets: buckets.map((b, index) => {
          const value = typeof b.value === 'number' ? b.value : 0;
          const length = ranges.filter((r) => r.bucketValue === value).reduce((sum, r) => sum + (typeof r.length === 'number' ? r.length : 0), 0);
          return {
            name: typeof b.name === 'string' ? b.name : '',
            value,
            colorIndex: index % 6,
            percentage: Math.round(length * 100 * 100) / 100,
            current: assignment.value === value,
            forcedHere: forced.get(name) === value,
            href: href(withForce(parsed, name, value)),
          };
        }),
      };
    });
    const body = Mustache.render(templates().force, {
      matrixVersion: typeof matrix?.audit?.version === 'string' ? matrix.audit.version : 'unknown',
      forceString,
      resetAllHref: href(''),
      tests,
    });
    send(res, 200, 'text/html; charset=utf-8', layout({ title: 'Proctor: force groups', body }));
  }

  return function proctorDebugHandler(req, res, next) {
    const path = pathOf(req);
    const route = path.endsWith('/proctor/show') || path.endsWith('/showTestMatrix') ? 'show' : path.endsWith('/proctor/force') ? 'force' : null;
    if (route === null) return next();
    if (!isPrivileged(req)) return send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
    (route === 'show' ? show(res) : force(req, res)).catch((error: unknown) => next(error));
  };
}
