/**
 * Query-string parsing as Pipet's servlet container does it (Tomcat's `Parameters.processParameters` behind
 * `getParameter`, spec §5.4): `&`-separated `name=value` pairs, `+` is a space, a pair without `=` has the
 * value `""`, a pair without a name is skipped, and only the **first** occurrence of a name counts.
 *
 * Decoding follows Tomcat 9 too: the percent-escapes of a name or value give bytes (raw characters stand for
 * themselves), which are read as UTF-8 with every malformed sequence replaced by U+FFFD (`ByteChunk.toString`
 * decodes with `CodingErrorAction.REPLACE`). A malformed escape (`%4`, `%zz`: `UDecoder` throws) drops that
 * one pair, as Tomcat does, and the rest of the query still counts.
 */

const PLUS = /\+/g;
const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Tomcat's `UDecoder.convert(bytes, query=true)` then UTF-8 with replacement; null where Tomcat throws. */
function decode(part: string): string | null {
  const percent = part.indexOf('%');
  if (percent === -1 && !/[^\x20-\x7e]/.test(part)) return part.indexOf('+') === -1 ? part : part.replace(PLUS, ' ');
  const bytes = new Uint8Array(part.length * 3);
  let n = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c === 37) {
      // `UDecoder`: "%" needs two more characters, both hex digits.
      if (i + 2 >= part.length) return null;
      const hi = hex(part.charCodeAt(i + 1));
      const lo = hex(part.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return null;
      bytes[n++] = hi * 16 + lo;
      i += 2;
    } else if (c === 43) {
      bytes[n++] = 32;
    } else if (c < 0x80) {
      bytes[n++] = c;
    } else if (c < 0x100) {
      // Node hands over the request target byte by byte (latin1): a raw byte of a UTF-8 sequence.
      bytes[n++] = c;
    } else {
      // Not from the wire (an absolute-form target is re-encoded by URL): its UTF-8 bytes.
      const encoded = new TextEncoder().encode(part.slice(i, i + (c >= 0xd800 && c <= 0xdbff ? 2 : 1)));
      bytes.set(encoded, n);
      n += encoded.length;
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
  }
  return UTF8.decode(bytes.subarray(0, n));
}

/** Parameters by name, first occurrence only. */
export type QueryParameters = ReadonlyMap<string, string>;

const EMPTY: QueryParameters = new Map<string, string>();

/** Parse the part of the request target after `?` (null when there is no `?`). Never throws. */
export function parseQuery(query: string | null): QueryParameters {
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
      const name = decode(query.slice(start, hasValue ? eq : end));
      const value = hasValue ? decode(query.slice(eq + 1, end)) : '';
      // Tomcat skips a pair it cannot decode, and a pair without a name (`=x`).
      if (name !== null && value !== null && name !== '' && !params.has(name)) params.set(name, value);
    }
    start = end + 1;
  }
  return params;
}
