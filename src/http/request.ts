/**
 * Small request helpers the Quick start needs and Express does not bring: a cookie read that works without
 * a cookie parser, a tracking cookie that gives a first-time visitor a stable identifier, and a check for a
 * request from this machine (Node's dual-stack listener reports `::ffff:127.0.0.1` or `::1`, never only
 * `127.0.0.1`). Structural types only: they work on Express 4/5 and on plain `node:http`.
 */
import { randomUUID } from 'node:crypto';
import { rawCookieValues } from './force-cookie.js';

/** What {@link readCookie} reads: a parsed `req.cookies` (cookie-parser) when there is one, else the header. */
export interface CookieRequest {
  readonly headers: { readonly cookie?: string | string[] | undefined };
  readonly cookies?: unknown;
}

/** Identifiers minted by {@link trackingCookie} for requests that came without one, by cookie name. */
const minted = new WeakMap<object, Map<string, string>>();

function decode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The value of cookie `name` on the request, or undefined. Reads `req.cookies` when a cookie parser filled
 * it, else the `Cookie` header itself (so no extra middleware is needed), and sees an identifier that
 * {@link trackingCookie} has just given a first-time visitor. Never throws.
 * @example
 * getIdentifiers: (req) => ({ USER: readCookie(req, 'tk') })
 */
export function readCookie(req: CookieRequest, name: string): string | undefined {
  const fresh = minted.get(req)?.get(name);
  if (fresh !== undefined) return fresh;
  const parsed = req.cookies;
  if (typeof parsed === 'object' && parsed !== null) {
    const value = (parsed as Record<string, unknown>)[name];
    if (typeof value === 'string' && Object.hasOwn(parsed, name)) return value;
  }
  // The first one, as cookie parsers read it.
  let value = rawCookieValues(req.headers?.cookie, name)[0];
  if (value === undefined) return undefined;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return decode(value);
}

/** Options for {@link trackingCookie}. */
export interface TrackingCookieOptions {
  /** The cookie's name. @default 'tk' */
  readonly name?: string;
  /** How long the browser keeps it, in days. @default 365 */
  readonly maxAgeDays?: number;
  /** Makes a new identifier. @default crypto.randomUUID */
  readonly generate?: () => string;
  /** Which existing values are kept; others are replaced by a new identifier. @default /^[\w.-]{1,128}$/ */
  readonly accept?: RegExp;
}

/** The parts of a response {@link trackingCookie} uses (Express's `append` when there is one). */
export interface CookieResponse {
  append?(field: string, value: string): unknown;
  getHeader(name: string): unknown;
  setHeader(name: string, value: string | string[]): unknown;
}

/** Add a `Set-Cookie` line without dropping the ones already set. */
export function appendSetCookie(res: CookieResponse, line: string): void {
  if (typeof res.append === 'function') {
    res.append('Set-Cookie', line);
    return;
  }
  const previous = res.getHeader('Set-Cookie');
  const lines = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
  res.setHeader('Set-Cookie', [...lines, line]);
}

/**
 * Middleware that gives every visitor a stable identifier: when the request has no (acceptable) `name`
 * cookie, it makes one (a random UUID), sets it for `maxAgeDays` (HttpOnly, SameSite=Lax, Secure on
 * https), and {@link readCookie} returns it for this same request. Mount it before `proctor(…)`.
 * @example
 * app.use(trackingCookie());   // the `tk` cookie
 * app.use(proctor({ …, getIdentifiers: (req) => ({ USER: readCookie(req, 'tk') }) }));
 */
export function trackingCookie(options: TrackingCookieOptions = {}): (req: CookieRequest & { readonly secure?: boolean }, res: CookieResponse, next: () => void) => void {
  const name = options.name ?? 'tk';
  if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw new TypeError(`trackingCookie: name must be a cookie name (letters, digits, !#$%&'*+-.^_\`|~), got ${JSON.stringify(name)}`);
  }
  const days = options.maxAgeDays ?? 365;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) {
    throw new TypeError(`trackingCookie: maxAgeDays must be a positive number of days, got ${String(days)}`);
  }
  const generate = options.generate ?? randomUUID;
  const accept = options.accept ?? /^[\w.-]{1,128}$/;
  const attributes = `Path=/; Max-Age=${Math.round(days * 86_400)}; HttpOnly; SameSite=Lax`;
  return function proctorTrackingCookie(req, res, next) {
    const current = readCookie(req, name);
    if (current === undefined || !accept.test(current)) {
      const id = generate();
      let byName = minted.get(req);
      if (byName === undefined) minted.set(req, (byName = new Map()));
      byName.set(name, id);
      appendSetCookie(res, `${name}=${encodeURIComponent(id)}; ${attributes}${req.secure === true ? '; Secure' : ''}`);
    }
    next();
  };
}

/** What {@link isLocalRequest} reads: the socket's peer address and the forwarding headers. */
export interface LocalRequest {
  readonly socket?: { readonly remoteAddress?: string | undefined } | null;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** `127.0.0.0/8`, `::1`, and IPv4 loopback written as IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1' || address === '0:0:0:0:0:0:0:1') return true;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * True for a request from this machine: the connection comes from a loopback address (`127.0.0.1`, `::1`
 * or `::ffff:127.0.0.1`) and carries no `Forwarded` / `X-Forwarded-For` / `X-Real-IP` header. Meant for
 * development (`isPrivileged: isLocalRequest`): behind a reverse proxy on the same host that does not add
 * those headers, every request would look local, so use your own check (a staff login, say) in production.
 * @example
 * app.use(proctor({ …, isPrivileged: isLocalRequest }));
 */
export function isLocalRequest(req: LocalRequest): boolean {
  if (!isLoopbackAddress(req.socket?.remoteAddress)) return false;
  for (const header of FORWARDED) if (req.headers[header] !== undefined) return false;
  return true;
}
