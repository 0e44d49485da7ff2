/**
 * `proctor-node/express`: the Express middleware (Express 4 and 5).
 */
export { proctor } from './middleware.js';
export type { ProctorMiddleware, ProctorMiddlewareOptions, RequestLike, ResponseLike } from './middleware.js';
export { forceCookieHeader, readForceCookie } from './force-cookie.js';
export { proctorDebugPages } from './debug-pages.js';
export type { DebugNavLink, DebugPage, DebugPagesOptions } from './debug-pages.js';
