/**
 * What the force page shows for one test, in words a reader without Proctor's Java background follows: who is
 * in the test (its rule), every allocation (its rule, and each bucket's share of it) and each bucket's state
 * (the visitor's group, forced). Built from the raw matrix document the source holds, so every field's type is
 * checked here; the Mustache template escapes all of it.
 * @internal
 */
import { constantVerdict } from '../rules/rule-string.js';

/** A rule as the page shows it. */
export interface RuleView {
  /** Matches everyone: no rule, a blank one, or one Proctor takes as always true (`${true}`). */
  readonly everyone: boolean;
  /** Proctor never takes it as true (`${false}`, or text not written as `${…}`). */
  readonly never: boolean;
  /** The rule text as written ('' for none). */
  readonly text: string;
  /** A plain reading of a simple rule (`country is 'US' and loggedIn is true`), '' when there is none. */
  readonly reading: string;
}

/** One allocation: a column of the bucket table. */
export interface AllocationView {
  /** 1-based position: the allocations are tried in this order. */
  readonly index: number;
  /** 'Everyone' / 'Everyone else' for an allocation that matches everyone; '' when it has a rule. */
  readonly label: string;
  readonly rule: RuleView;
}

export interface BucketView {
  readonly name: string;
  readonly value: number;
  readonly description: string;
  readonly colorIndex: number;
  /** The bucket's share of each allocation, in allocation order. */
  readonly shares: readonly { readonly percentage: string }[];
  /** The visitor's current group. */
  readonly current: boolean;
  /** The bucket the force string puts the visitor in. */
  readonly forcedHere: boolean;
  readonly href: string;
}

export interface TestView {
  readonly name: string;
  readonly description: string;
  readonly inMatrix: boolean;
  readonly rule: RuleView;
  readonly allocations: readonly AllocationView[];
  /** More than one allocation: the page explains that the first matching one decides. */
  readonly multipleAllocations: boolean;
  readonly buckets: readonly BucketView[];
  readonly assigned: boolean;
  readonly group: string | null;
  readonly value: number | null;
  /** The force string puts the visitor in one of the test's buckets. */
  readonly forced: boolean;
  /** The forced value when it names no bucket of the test ('' otherwise): the engine ignores it. */
  readonly forcedUnknown: string;
  readonly resetHref: string;
}

const RESERVED = new Set(['and', 'or', 'not', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'div', 'mod', 'empty', 'instanceof', 'true', 'false', 'null']);
const TOKEN = /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)|(==|!=|&&|\|\||!))/y;

type Token = { kind: 'literal' | 'path' | 'op'; text: string };

function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  const body = text.trim();
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < body.length) {
    const m = TOKEN.exec(body);
    if (m === null) return null;
    const [, str, num, word, op] = m;
    if (str !== undefined || num !== undefined) tokens.push({ kind: 'literal', text: str ?? num ?? '' });
    else if (op !== undefined) tokens.push({ kind: 'op', text: op });
    else if (word !== undefined) {
      const lower = word.toLowerCase();
      if (lower === 'true' || lower === 'false' || lower === 'null') tokens.push({ kind: 'literal', text: lower });
      else if (RESERVED.has(word)) tokens.push({ kind: 'op', text: { and: '&&', or: '||', not: '!', eq: '==', ne: '!=' }[word] ?? word });
      else tokens.push({ kind: 'path', text: word });
    }
  }
  return tokens;
}

/** One comparison or flag: `x`, `!x`, `x == 'a'`, `'a' != x`; its reading and how many tokens it used. */
function readTerm(t: readonly Token[], i: number): [string, number] | null {
  const [a, b, c] = [t[i], t[i + 1], t[i + 2]];
  if (a?.kind === 'op' && a.text === '!' && b?.kind === 'path') return [`${b.text} is false`, 2];
  if (a === undefined || b?.kind !== 'op' || (b.text !== '==' && b.text !== '!=') || c === undefined) {
    return a?.kind === 'path' ? [`${a.text} is true`, 1] : null;
  }
  const [path, literal] = a.kind === 'path' && c.kind === 'literal' ? [a, c] : c.kind === 'path' && a.kind === 'literal' ? [c, a] : [];
  if (path === undefined || literal === undefined) return null;
  return [`${path.text} is ${b.text === '!=' ? 'not ' : ''}${literal.text}`, 3];
}

/**
 * A plain reading of a simple rule body: flags and comparisons with literals, joined by one kind of `&&`/`||`
 * (`country == 'US' && !bot` → `country is 'US' and bot is false`). Null for anything else (functions,
 * arithmetic, parentheses, mixed and/or): the page then shows the rule text alone.
 */
export function plainReading(rule: string): string | null {
  const trimmed = rule.trim();
  if (!trimmed.startsWith('${') || !trimmed.endsWith('}')) return null;
  const tokens = tokenize(trimmed.slice(2, -1));
  if (tokens === null || tokens.length === 0) return null;
  const parts: string[] = [];
  let joiner: string | null = null;
  for (let i = 0; ; ) {
    const term = readTerm(tokens, i);
    if (term === null) return null;
    parts.push(term[0]);
    i += term[1];
    const next = tokens[i];
    if (next === undefined) break;
    if (next.kind !== 'op' || (next.text !== '&&' && next.text !== '||') || (joiner !== null && joiner !== next.text)) return null;
    joiner = next.text;
    i++;
  }
  return parts.join(joiner === '||' ? ' or ' : ' and ');
}

/** How the page shows a rule field of the matrix (anything but a string counts as no rule). */
export function ruleView(rule: unknown): RuleView {
  const text = typeof rule === 'string' ? rule : '';
  const verdict = constantVerdict(text);
  return {
    everyone: verdict === true,
    never: verdict === false,
    text: text.trim() === '' ? '' : text,
    reading: verdict === undefined ? (plainReading(text) ?? '') : '',
  };
}

const array = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const field = (v: unknown, key: string): unknown => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `30%`, `12.5%`: a range length (0–1) as a percentage, to two decimals. */
function percentage(length: number): string {
  return `${Math.round(length * 10000) / 100}`;
}

/** What {@link testView} needs besides the definition. */
export interface TestState {
  readonly assignment: { readonly group: string | null; readonly value: number | null };
  /** The value the force string gives this test, undefined when it is not forced. */
  readonly forcedValue: number | undefined;
  /** The force page's URL that forces `value` (null: resets the test). */
  readonly href: (value: number | null) => string;
}

/** The force page's view of one configured test; `definition` is the matrix entry, `{}` when missing. */
export function testView(name: string, definition: unknown, state: TestState): TestView {
  const { assignment, forcedValue, href } = state;
  const buckets = array(field(definition, 'buckets'));
  const rawAllocations = array(field(definition, 'allocations'));
  const allocations = rawAllocations.map((allocation, i): AllocationView => {
    const rule = ruleView(field(allocation, 'rule'));
    const label = !rule.everyone ? '' : i === 0 ? 'Everyone' : 'Everyone else';
    return { index: i + 1, label, rule };
  });
  const values = buckets.map((b) => field(b, 'value')).filter((v): v is number => typeof v === 'number');
  return {
    name,
    description: str(field(definition, 'description')),
    inMatrix: buckets.length > 0,
    rule: ruleView(field(definition, 'rule')),
    allocations,
    multipleAllocations: allocations.length > 1,
    assigned: assignment.value !== null,
    group: assignment.group,
    value: assignment.value,
    forced: forcedValue !== undefined && values.includes(forcedValue),
    forcedUnknown: forcedValue !== undefined && !values.includes(forcedValue) ? String(forcedValue) : '',
    resetHref: href(null),
    buckets: buckets.map((bucket, index): BucketView => {
      const raw = field(bucket, 'value');
      const value = typeof raw === 'number' ? raw : 0;
      return {
        name: str(field(bucket, 'name')),
        value,
        description: str(field(bucket, 'description')),
        colorIndex: index % 6,
        shares: rawAllocations.map((allocation) => {
          let length = 0;
          for (const range of array(field(allocation, 'ranges'))) {
            const l = field(range, 'length');
            if (field(range, 'bucketValue') === value && typeof l === 'number') length += l;
          }
          return { percentage: percentage(length) };
        }),
        current: assignment.value === value,
        forcedHere: forcedValue === value,
        href: href(value),
      };
    }),
  };
}
