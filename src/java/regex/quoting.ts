/** Java's `\Q…\E` quoting, rewritten before a pattern is read. */

/**
 * Java's `Pattern.RemoveQEQuoting`, run before parsing: every `\Q…\E` (or `\Q…` to the end) becomes escaped
 * literals, so a quote behaves like the characters it holds, in a class or not. That is why `\Qab\E*` repeats
 * only `b` and `[a-\Qc\E]` is the range `a-c`. As in Java: letters and non-ASCII characters are copied, ASCII
 * punctuation gets a `\`, a digit first in a quote becomes `\x3n` (so it cannot extend an escape before the
 * quote), a `\` not starting `\E` becomes `\\`, and outside quotes an escape pair is copied whole (`\\Q` is not
 * a quote). Works by code point; error messages then quote the rewritten pattern.
 */
export function removeQuoting(pattern: string): string {
  if (!pattern.includes('\\Q')) return pattern;
  const t = Array.from(pattern, (ch) => ch.codePointAt(0) ?? 0);
  const n = t.length;
  const backslash = 0x5c;
  let i = 0;
  while (i < n - 1) {
    if (t[i] !== backslash) i += 1;
    else if (t[i + 1] !== 0x51) i += 2;
    else break;
  }
  if (i >= n - 1) return pattern;
  const out = t.slice(0, i);
  i += 2;
  let inQuote = true;
  let beginQuote = true;
  while (i < n) {
    const c = t[i++] ?? 0;
    if (c > 0x7f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
      out.push(c);
    } else if (c >= 0x30 && c <= 0x39) {
      if (beginQuote) out.push(backslash, 0x78, 0x33);
      out.push(c);
    } else if (c !== backslash) {
      if (inQuote) out.push(backslash);
      out.push(c);
    } else if (inQuote) {
      if (t[i] === 0x45) {
        i++;
        inQuote = false;
      } else {
        out.push(backslash, backslash);
      }
    } else if (t[i] === 0x51) {
      i++;
      inQuote = true;
      beginQuote = true;
      continue;
    } else {
      out.push(c);
      if (i < n) out.push(t[i++] ?? 0);
    }
    beginQuote = false;
  }
  return out.map((cp) => String.fromCodePoint(cp)).join('');
}
