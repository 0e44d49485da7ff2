/**
 * The debug pages (`http/debug-pages.ts`) as one Express (or `node:http`) request handler.
 */
import { createDebugPages, DEBUG_HEADERS, debugRoute, pathOfUrl } from '../http/debug-pages.js';
import type { DebugAnswer, DebugPagesOptions } from '../http/debug-pages.js';
import type { ProctorMiddleware, RequestLike } from './middleware.js';
import type { TestSet } from '../register.js';

export type { DebugNavLink, DebugPage, DebugPagesOptions } from '../http/debug-pages.js';

interface DebugResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

function send(res: DebugResponse, answer: DebugAnswer): void {
  res.statusCode = answer.status;
  res.setHeader('Content-Type', answer.type);
  for (const [name, value] of Object.entries(DEBUG_HEADERS)) res.setHeader(name, value);
  res.end(answer.body);
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
export function proctorDebugPages<T extends TestSet, Req extends RequestLike>(
  middleware: ProctorMiddleware<T, Req>,
  options: DebugPagesOptions<Req> = {},
): (req: Req, res: DebugResponse, next: (error?: unknown) => void) => void {
  const isPrivileged = options.isPrivileged ?? middleware.isPrivileged;
  const pages = createDebugPages(middleware.client, options);
  return function proctorDebugHandler(req, res, next) {
    // Routing reads the path inside the mount (`req.url`); the links and the query, the full URL.
    if (debugRoute(pathOfUrl(req.url ?? '')) === null) return next();
    const answer = pages.answer({ url: req.originalUrl ?? req.url ?? '', cookieHeader: req.headers.cookie, proc: req.proc, privileged: isPrivileged(req) });
    if (answer === null) return next();
    answer.then((page) => send(res, page), next);
  };
}
