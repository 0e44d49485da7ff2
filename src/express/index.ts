/**
 * `proctor-node/express`: the Express middleware (Express 4 and 5).
 */
export { proctor } from './middleware.js';
export type { ProctorMiddleware, ProctorMiddlewareOptions, RequestLike, ResponseLike } from './middleware.js';
export { forceCookieHeader, readForceCookie } from '../http/force-cookie.js';
export { isLocalRequest, isLoopbackAddress, readCookie, trackingCookie } from '../http/request.js';
export type { CookieRequest, CookieResponse, LocalRequest, TrackingCookieOptions } from '../http/request.js';
export { proctorDebugPages } from './debug-pages.js';
export type { DebugNavLink, DebugPage, DebugPagesOptions } from './debug-pages.js';

import type { ProctorGroups } from '../proc/proc.js';
import type { RegisteredTests } from '../register.js';

declare global {
  // Express's own declaration merging point (as express-session's `req.session`).
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The request's `proc`, set by the `proctor()` middleware. Its test names are those declared in
       * `Register` (`declare module 'proctor-node' { interface Register { tests: 'a' | 'b' } }`), else any.
       */
      proc: ProctorGroups<RegisteredTests>;
    }
  }
}
