/**
 * Query-string parsing with servlet `getParameter` semantics: `&`-separated `name=value` pairs, `+` is a space,
 * UTF-8 percent-encoding, a pair without `=` has the value `""`, and only the **first** occurrence of a name
 * counts (spec §5.4). Unlike Tomcat, which silently drops a parameter it cannot decode, a malformed
 * percent-encoding is reported so the client gets a 400 naming it instead of a confusing downstream error.
 */

/** A query string that cannot be decoded. */
export class QueryError {
  constructor(readonly message: string) {}
}

const PLUS = /\+/g;

function decode(part: string): string | null {
  const plus = part.indexOf('+');
  if (part.indexOf('%') === -1) return plus === -1 ? part : part.replace(PLUS, ' ');
  try {
    // decodeURIComponent refuses bad escapes (`%4`, `%zz`) and invalid UTF-8 (`%FF`, `%E0%A4%A`, overlongs, surrogates).
    return decodeURIComponent(plus === -1 ? part : part.replace(PLUS, ' '));
  } catch {
    return null;
  }
}

function excerpt(s: string): string {
  return s.length > 64 ? `${s.slice(0, 61)}...` : s;
}

/** Parameters by name, first occurrence only. */
export type QueryParameters = ReadonlyMap<string, string>;

const EMPTY: QueryParameters = new Map<string, string>();

/** Parse the part of the request target after `?` (null when there is no `?`). */
export function parseQuery(query: string | null): QueryParameters | QueryError {
  if (query === null || query === '') return EMPTY;
  const params = new Map<string, string>();
  let start = 0;
  const length = query.length;
  while (start <= length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = length;
    if (end > start) {
      const eq = query.indexOf('=', start);
      const hasValue = eq !== -1 && eq < end;
      const rawName = query.slice(start, hasValue ? eq : end);
      const name = decode(rawName);
      if (name === null) return new QueryError(`Malformed percent-encoding in query parameter name '${excerpt(rawName)}'.`);
      const rawValue = hasValue ? query.slice(eq + 1, end) : '';
      const value = decode(rawValue);
      if (value === null) {
        return new QueryError(`Malformed percent-encoding in the value of query parameter '${excerpt(name)}'.`);
      }
      // Servlet containers ignore a pair with an empty name (`=x`).
      if (name !== '' && !params.has(name)) params.set(name, value);
    }
    start = end + 1;
  }
  return params;
}
