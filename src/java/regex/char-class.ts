/**
 * A Java character class as a predicate on one code point (Java's `CharPredicate`): sets of members, their
 * union (`[a[b]]`), intersection (`[a-z&&[^aeiou]]`) and negation (`[^…]`, `\P{L}`, `\D`), and how each is
 * written for the two engines: JS `u` mode (lookaheads allowed) and RE2 (no lookaround: an intersection is
 * computed into explicit ranges when one side is a finite list, else the pattern needs the JS engine).
 */
import { NeedsBacktracking } from './syntax.js';

/** Members as JS `u`-mode class content (`a-z\p{L}\u{1f600}`), or a combination of predicates. */
export type CharPred =
  | { readonly k: 'set'; readonly content: string }
  | { readonly k: 'not'; readonly p: CharPred }
  | { readonly k: 'or'; readonly ps: readonly CharPred[] }
  | { readonly k: 'and'; readonly a: CharPred; readonly b: CharPred };

export const set = (content: string): CharPred => ({ k: 'set', content });
export const not = (p: CharPred): CharPred => (p.k === 'not' ? p.p : { k: 'not', p });
export const or = (a: CharPred, b: CharPred): CharPred => ({ k: 'or', ps: [...(a.k === 'or' ? a.ps : [a]), ...(b.k === 'or' ? b.ps : [b])] });
export const and = (a: CharPred, b: CharPred): CharPred => ({ k: 'and', a, b });

/** Pushes negations down to the sets (De Morgan), so that `not` only wraps a `set`. */
function normal(p: CharPred, negated = false): CharPred {
  switch (p.k) {
    case 'set':
      return negated ? { k: 'not', p } : p;
    case 'not':
      return normal(p.p, !negated);
    case 'or': {
      const ps = p.ps.map((q) => normal(q, negated));
      return negated ? ps.reduce((x, y) => and(x, y)) : { k: 'or', ps };
    }
    case 'and': {
      const a = normal(p.a, negated);
      const b = normal(p.b, negated);
      return negated ? or(a, b) : and(a, b);
    }
  }
}

/** The predicate as JS `u`-mode source matching exactly one code point. */
export function jsPredicate(p: CharPred): string {
  return js(normal(p));
}

function js(p: CharPred): string {
  switch (p.k) {
    case 'set':
      return `[${p.content}]`;
    case 'not':
      return p.p.k === 'set' ? (p.p.content === '' ? '[^]' : `[^${p.p.content}]`) : `(?:(?!${js(p.p)})[^])`;
    case 'or': {
      const plain = p.ps.filter((q) => q.k === 'set').map((q) => (q.k === 'set' ? q.content : '')).join('');
      const rest = p.ps.filter((q) => q.k !== 'set').map(js);
      const parts = plain === '' && rest.length > 0 ? rest : [`[${plain}]`, ...rest];
      // Alternatives that may overlap (`[\D\s]`: a space is in both) would give a backtracking engine two ways
      // to match one code point, and `[\D\s]+` exponentially many; inside a lookahead (atomic in JS) there is one.
      return parts.length === 1 ? (parts[0] ?? '[]') : `(?:(?=${parts.join('|')})[^])`;
    }
    case 'and': {
      const leaves: CharPred[] = [];
      const collect = (q: CharPred): void => {
        if (q.k === 'and') {
          collect(q.a);
          collect(q.b);
        } else {
          leaves.push(q);
        }
      };
      collect(p);
      const last = leaves.pop();
      return `(?:${leaves.map((q) => `(?=${js(q)})`).join('')}${last === undefined ? '[^]' : js(last)})`;
    }
  }
}

/** Greatest code-point count of a finite side that an RE2 intersection is computed from. */
const MAX_ENUMERATED = 0x10000;

/** The predicate as RE2 syntax matching exactly one code point; throws {@link NeedsBacktracking} when it cannot. */
export function re2Predicate(p: CharPred): string {
  return re2(normal(p));
}

function re2(p: CharPred): string {
  switch (p.k) {
    case 'set':
      return p.content === '' ? '[^\\x{0}-\\x{10FFFF}]' : `[${re2Content(p.content)}]`;
    case 'not':
      return p.p.k === 'set' && p.p.content !== '' ? `[^${re2Content(p.p.content)}]` : p.p.k === 'set' ? '[\\x{0}-\\x{10FFFF}]' : re2(normal(p.p, true));
    case 'or': {
      const plain = p.ps.filter((q) => q.k === 'set').map((q) => (q.k === 'set' ? re2Content(q.content) : '')).join('');
      const rest = p.ps.filter((q) => q.k !== 'set').map(re2);
      const parts = plain === '' && rest.length > 0 ? rest : [plain === '' ? '[^\\x{0}-\\x{10FFFF}]' : `[${plain}]`, ...rest];
      return parts.length === 1 ? (parts[0] ?? '') : `(?:${parts.join('|')})`;
    }
    case 'and':
      return re2Intersection(p);
  }
}

/**
 * An intersection written out: the code points of a side that is a finite list of ranges (no property, not
 * negated), each tested against the whole intersection with its exact JS translation.
 */
function re2Intersection(p: CharPred): string {
  const finite = finiteRanges(p);
  if (finite === null) throw new NeedsBacktracking('an intersection of two infinite character classes');
  const test = new RegExp(`^${jsPredicate(p)}$`, 'u');
  let out = '';
  let start = -1;
  const flush = (end: number): void => {
    if (start >= 0) out += start === end ? cp(start) : `${cp(start)}-${cp(end)}`;
    start = -1;
  };
  for (const [lo, hi] of finite) {
    for (let c = lo; c <= hi; c++) {
      if (test.test(String.fromCodePoint(c))) {
        if (start < 0) start = c;
      } else {
        flush(c - 1);
      }
    }
    flush(hi);
  }
  return out === '' ? '[^\\x{0}-\\x{10FFFF}]' : `[${out}]`;
}

/** The code points of a finite side of an intersection, as ranges; null when no side is small and explicit. */
function finiteRanges(p: CharPred): [number, number][] | null {
  if (p.k === 'set') {
    const items = tokens(p.content);
    if (items.some((t) => typeof t === 'string')) return null;
    const ranges = items.filter((t): t is [number, number] => typeof t !== 'string');
    return ranges.reduce((n, [a, b]) => n + b - a + 1, 0) <= MAX_ENUMERATED ? ranges : null;
  }
  if (p.k === 'or') {
    const all: [number, number][] = [];
    for (const q of p.ps) {
      const r = finiteRanges(q);
      if (r === null) return null;
      all.push(...r);
    }
    return all.reduce((n, [a, b]) => n + b - a + 1, 0) <= MAX_ENUMERATED ? all : null;
  }
  if (p.k === 'and') return finiteRanges(p.a) ?? finiteRanges(p.b);
  return null;
}

const cp = (c: number): string => `\\x{${c.toString(16)}}`;

/** JS property names that RE2 spells differently. */
function re2Property(name: string): string {
  if (name.startsWith('Script=')) return name.slice('Script='.length);
  return name;
}

/**
 * JS class content as written by this module's callers, read back into ranges and `\p{…}` names: code points
 * as themselves or escaped (`\u{1f600}`, `\u1680`, `\x0B`, `\t`, `\-`), `a-b` ranges and properties.
 */
function tokens(content: string): ([number, number] | string)[] {
  const out: ([number, number] | string)[] = [];
  let i = 0;
  const one = (): number | string => {
    const c = content.codePointAt(i) ?? 0;
    if (c !== 0x5c) {
      i += c > 0xffff ? 2 : 1;
      return c;
    }
    const m = /^\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([pP])\{([^}]*)\}|([tnfr])|([^]))/u.exec(content.slice(i));
    if (m === null) throw new SyntaxError(`Cannot read class content ${content}`);
    i += m[0].length;
    const hex = m[1] ?? m[2] ?? m[3];
    if (hex !== undefined) return parseInt(hex, 16);
    if (m[4] !== undefined) return `\\${m[4]}{${re2Property(m[5] ?? '')}}`;
    if (m[6] !== undefined) return { t: 9, n: 10, f: 12, r: 13 }[m[6] as 't' | 'n' | 'f' | 'r'];
    return m[7]?.codePointAt(0) ?? 0;
  };
  while (i < content.length) {
    const a = one();
    if (typeof a === 'string') {
      out.push(a);
      continue;
    }
    if (content[i] === '-' && i + 1 < content.length) {
      i++;
      const b = one();
      if (typeof b === 'string') throw new SyntaxError(`Cannot read class content ${content}`);
      out.push([a, b]);
    } else {
      out.push([a, a]);
    }
  }
  return out;
}

/** JS class content as RE2 class content. */
function re2Content(content: string): string {
  return tokens(content)
    .map((t) => (typeof t === 'string' ? t : t[0] === t[1] ? cp(t[0]) : `${cp(t[0])}-${cp(t[1])}`))
    .join('');
}
