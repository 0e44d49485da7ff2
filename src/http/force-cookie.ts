/**
 * Where a request's force string comes from: the `prforceGroups` query parameter, and the cookie, read in
 * both forms it exists in the wild (spec §4.1, §10.7): django's raw value (Python cookie quoting, `,`
 * written as `\054`) and Java's `"` + URL-encoded value + `"`. And the cookie that keeps it, within what a
 * browser keeps.
 */
import { generateForceGroups, parseForceGroups } from '../engine/force-groups/index.js';
import type { ForceGroups } from '../engine/force-groups/index.js';

/** Undo Python's cookie quoting: surrounding quotes, `\ooo` octal escapes and `\"`/`\\`. */
function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\([0-3][0-7]{2}|.)/g, (_m, esc: string) =>
    esc.length === 3 ? String.fromCharCode(parseInt(esc, 8)) : esc,
  );
}

function urlDecode(value: string): string {
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * Every `name` cookie in the `Cookie` header, decoded and joined with `,` in header order (later ones win
 * when parsed, as in Java). Null when there is none. Never throws.
 */
export function readForceCookie(cookieHeader: string | string[] | undefined, name: string): string | null {
  const values = rawCookieValues(cookieHeader, name).map((raw) => urlDecode(unquote(raw)));
  return values.length === 0 ? null : values.join(',');
}

/** The raw (undecoded, trimmed) values of every `name` cookie in a `Cookie` header, in header order. */
export function rawCookieValues(cookieHeader: string | string[] | undefined, name: string): string[] {
  if (cookieHeader === undefined) return [];
  const header = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : cookieHeader;
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/** The first `name` query parameter of the request's URL (Express's `originalUrl` when mounted), or null. Never throws. */
export function queryValue(req: { readonly url?: string | undefined; readonly originalUrl?: string | undefined }, name: string): string | null {
  return queryParam(req.originalUrl ?? req.url ?? '', name);
}

/** The first `name` query parameter of a URL (path and query), or null. Never throws. */
export function queryParam(url: string, name: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  try {
    return new URLSearchParams(url.slice(q + 1)).get(name);
  } catch {
    return null;
  }
}

/**
 * The longest `Set-Cookie` value {@link forceCookieHeader} writes: RFC 6265 §6.1 asks browsers to keep at
 * least 4096 bytes per cookie, and Chromium and Firefox drop, silently, a cookie whose name and value pass
 * 4096. Counting the attributes too keeps it under every browser's way of counting.
 */
export const MAX_FORCE_COOKIE_BYTES = 4096;

const NOTHING_FORCED: ForceGroups = parseForceGroups('');
const COMMA_ENCODED = encodeURIComponent(',');

/**
 * The force string reduced to `budget` bytes once URL-encoded: written once per test as the parser reads it
 * (its last value and payload; junk, repeats and unparsable parts gone), then whole tests in order of first
 * appearance while they fit. Each test kept is forced exactly as in `value`; '' when nothing fits. Linear:
 * URL-encoding is per character, so lengths add up. `dropped`: the forced tests that did not fit.
 */
function fittingForceString(value: string, budget: number): { readonly text: string; readonly dropped: number } {
  const parsed = parseForceGroups(value);
  const whole = generateForceGroups(parsed);
  if (encodeURIComponent(whole).length <= budget) return { text: whole, dropped: 0 };
  const parts: string[] = [];
  let used = 0;
  const keep = (token: string): boolean => {
    const size = encodeURIComponent(token).length + (parts.length > 0 ? COMMA_ENCODED.length : 0);
    if (token === '' || used + size > budget) return false;
    parts.push(token);
    used += size;
    return true;
  };
  keep(generateForceGroups({ ...NOTHING_FORCED, defaultMode: parsed.defaultMode }));
  let dropped = 0;
  for (const [test, group] of parsed.groups) {
    const payload = parsed.payloads.get(test);
    const kept = keep(
      generateForceGroups({
        groups: new Map([[test, group]]),
        payloads: payload === undefined ? NOTHING_FORCED.payloads : new Map([[test, payload]]),
        defaultMode: 'NONE',
      }),
    );
    if (!kept) dropped++;
  }
  return { text: parts.join(','), dropped };
}

/**
 * A session cookie that carries the force string (an empty value clears it). A cookie the browser would
 * drop (the header past {@link MAX_FORCE_COOKIE_BYTES}) keeps what fits instead: the force string as the
 * parser reads it, then as many of its tests as fit, in order; the request that sets it is forced by the
 * whole string. (A cookie name is a token, ASCII, and the value is URL-encoded: characters are bytes.)
 */
export function forceCookieHeader(name: string, value: string, secure: boolean): string {
  return forceCookie(name, value, secure).header;
}

/** {@link forceCookieHeader}'s line, and how many forced tests it had to leave out to fit (0: none). */
export function forceCookie(name: string, value: string, secure: boolean): { readonly header: string; readonly dropped: number } {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
  const clear = `${name}=; ${attributes.join('; ')}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  const header = (v: string): string => `${name}=${encodeURIComponent(v)}; ${attributes.join('; ')}`;
  if (value === '') return { header: clear, dropped: 0 };
  const full = header(value);
  if (full.length <= MAX_FORCE_COOKIE_BYTES) return { header: full, dropped: 0 };
  const fitted = fittingForceString(value, MAX_FORCE_COOKIE_BYTES - header('').length);
  return { header: fitted.text === '' ? clear : header(fitted.text), dropped: fitted.dropped };
}
