/**
 * Where a request's force string comes from: the `prforceGroups` query parameter, and the cookie, read in
 * both forms it exists in the wild (spec §4.1, §10.7): django's raw value (Python cookie quoting, `,`
 * written as `\054`) and Java's `"` + URL-encoded value + `"`.
 */

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

/** A session cookie that carries the force string (an empty value clears it). */
export function forceCookieHeader(name: string, value: string, secure: boolean): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
  if (value === '') return `${name}=; ${attributes.join('; ')}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  return `${name}=${encodeURIComponent(value)}; ${attributes.join('; ')}`;
}
