/**
 * What a Nunjucks, Handlebars or EJS template reads of the tests: the code inside its tags is tokenized (so
 * text, comments and string contents never count) and searched for `proc.<test>` (with `.group`/`.value`
 * compared to a literal, or `.payload`), `proc.get('<test>')`, the `proctor` tag/helper/function with its
 * literal arguments, `procPayload` (its first argument, or the string piped into the Nunjucks filter) and
 * `procScript`. Only literal names can be checked: an argument held in a variable is skipped.
 */

/** The template languages, by file extension. */
export type TemplateEngine = 'nunjucks' | 'handlebars' | 'ejs';

const EXTENSIONS: Readonly<Record<string, TemplateEngine>> = {
  '.njk': 'nunjucks',
  '.nunjucks': 'nunjucks',
  '.hbs': 'handlebars',
  '.handlebars': 'handlebars',
  '.ejs': 'ejs',
};

/** The engine of a template file, by its extension, or null for other files. */
export function engineOf(file: string): TemplateEngine | null {
  const dot = file.lastIndexOf('.');
  return dot < 0 ? null : (EXTENSIONS[file.slice(dot).toLowerCase()] ?? null);
}

/** The extensions read, for messages. */
export const TEMPLATE_EXTENSIONS: readonly string[] = Object.keys(EXTENSIONS);

/** One thing a template reads. */
export type TemplateUse =
  /** The test is read (`proc.<test>`, `procScript('<test>')`, …). */
  | { readonly kind: 'test'; readonly test: string; readonly offset: number; readonly via: string }
  /**
   * The test's bucket is compared with a name or value: `proc.<test>.group == 'blue'` (a name),
   * `proc.<test>.value == 1` (a value), `proctor('<test>', 'blue', 1, '2')` (a name, or a value as a number
   * or in decimal).
   */
  | {
      readonly kind: 'bucket';
      readonly test: string;
      readonly bucket: string | number;
      readonly match: 'name' | 'value' | 'either';
      readonly offset: number;
      readonly via: string;
    }
  /** The test's payload is read (`procPayload('<test>')`, `proc.<test>.payload`). */
  | { readonly kind: 'payload'; readonly test: string; readonly offset: number; readonly via: string };

interface Token {
  readonly type: 'str' | 'num' | 'id' | 'op';
  readonly value: string;
  /** Offset in the template. */
  readonly at: number;
}

/** The code regions of a template (inside its tags), comments left out, with their offsets. */
function regions(text: string, engine: TemplateEngine): { code: string; at: number }[] {
  const pattern =
    engine === 'nunjucks'
      ? /\{#[\s\S]*?#\}|\{%([\s\S]*?)%\}|\{\{([\s\S]*?)\}\}/g
      : engine === 'handlebars'
        ? /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|\{\{([\s\S]*?)\}\}/g
        : /<%[#%][\s\S]*?%>|<%[_=-]?([\s\S]*?)[_-]?%>/g;
  const out: { code: string; at: number }[] = [];
  for (const match of text.matchAll(pattern)) {
    const code = match[1] ?? match[2];
    if (code === undefined) continue;
    out.push({ code, at: (match.index ?? 0) + match[0].indexOf(code) });
  }
  return out;
}

const OPERATORS = ['===', '!==', '==', '!='];

function tokenize(code: string, at: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let value = '';
      while (j < code.length && code[j] !== c) {
        if (code[j] === '\\' && j + 1 < code.length) {
          value += code[j + 1];
          j += 2;
        } else {
          value += code[j];
          j++;
        }
      }
      // A template literal with substitutions is not a name.
      tokens.push({ type: c === '`' && value.includes('${') ? 'op' : 'str', value, at: at + i });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const number = /^[0-9]+(?:\.[0-9]+)?/.exec(code.slice(i))?.[0] ?? c;
      tokens.push({ type: 'num', value: number, at: at + i });
      i += number.length;
    } else if (/[A-Za-z_$@]/.test(c)) {
      const id = /^[A-Za-z_$@][\w$]*/.exec(code.slice(i))?.[0] ?? c;
      tokens.push({ type: 'id', value: id, at: at + i });
      i += id.length;
    } else {
      const op = OPERATORS.find((o) => code.startsWith(o, i)) ?? c;
      tokens.push({ type: 'op', value: op, at: at + i });
      i += op.length;
    }
  }
  return tokens;
}

/** A literal argument: a string, a number, or a list of them; null for anything else (a variable, …). */
type Literal = { readonly value: string | number; readonly at: number } | { readonly list: readonly Literal[] };

/** The literal arguments from `tokens[start]` on (`(a, b)`, `a, b` or `a b`), up to the first that is not one. */
function literalArgs(tokens: readonly Token[], start: number): Literal[] {
  const args: Literal[] = [];
  let j = start;
  if (tokens[j]?.value === '(' && tokens[j]?.type === 'op') j++;
  const one = (): Literal | null => {
    const t = tokens[j];
    if (t === undefined) return null;
    if (t.type === 'str') {
      j++;
      return { value: t.value, at: t.at };
    }
    if (t.type === 'num') {
      j++;
      return { value: Number(t.value), at: t.at };
    }
    if (t.type === 'op' && t.value === '-' && tokens[j + 1]?.type === 'num') {
      j += 2;
      return { value: -Number(tokens[j - 1]?.value), at: t.at };
    }
    return null;
  };
  for (;;) {
    while (tokens[j]?.type === 'op' && tokens[j]?.value === ',') j++;
    const t = tokens[j];
    // `name=value` (Handlebars hash, Nunjucks keyword arguments): options, not names.
    if (t === undefined || (t.type === 'id' && tokens[j + 1]?.value === '=')) break;
    if (t.type === 'op' && t.value === '[') {
      j++;
      const list: Literal[] = [];
      for (;;) {
        while (tokens[j]?.type === 'op' && tokens[j]?.value === ',') j++;
        const item = one();
        if (item === null) break;
        list.push(item);
      }
      if (tokens[j]?.value !== ']') break;
      j++;
      args.push({ list });
      continue;
    }
    const item = one();
    if (item === null) break;
    args.push(item);
  }
  return args;
}

/** The `proc` methods: `proc.toString()` is no test read. */
const PROC_MEMBERS = new Set([
  'get',
  'load',
  'loaded',
  'tests',
  'toString',
  'toJSON',
  'toLoggingString',
  'getGroupStringList',
  'exposures',
  'flushExposure',
  'templateView',
]);

function flatten(args: readonly Literal[]): { value: string | number; at: number }[] {
  return args.flatMap((a) => ('list' in a ? flatten(a.list) : [a]));
}

/** Everything `text` (a template of `engine`) reads of the tests. `contextKey` is the variable holding the proc. */
export function scanTemplate(text: string, engine: TemplateEngine, contextKey = 'proc'): TemplateUse[] {
  const uses: TemplateUse[] = [];
  for (const region of regions(text, engine)) {
    const tokens = tokenize(region.code, region.at);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as Token;
      // `x.proctor(…)` is some other object's method; `locals.proc.x` is still the proc.
      if (t.type !== 'id' || (tokens[i - 1]?.value === '.' && t.value !== contextKey)) continue;
      if (t.value === contextKey) scanProcRead(tokens, i, uses);
      else if (t.value === 'proctor') scanProctor(tokens, i, uses);
      else if (t.value === 'procPayload') scanPayload(tokens, i, uses);
      else if (t.value === 'procScript') {
        for (const arg of flatten(literalArgs(tokens, i + 1))) {
          if (typeof arg.value === 'string') uses.push({ kind: 'test', test: arg.value, offset: arg.at, via: 'procScript' });
        }
      }
    }
  }
  return uses.sort((a, b) => a.offset - b.offset);
}

/** `proc.<test>`, `proc['<test>']`, `proc.get('<test>')`, then `.payload` or `.group`/`.value` compared to a literal. */
function scanProcRead(tokens: readonly Token[], i: number, uses: TemplateUse[]): void {
  const proc = (tokens[i] as Token).value;
  let j = i + 1;
  let name: Token | undefined;
  if (tokens[j]?.value === '.' && tokens[j + 1]?.type === 'id') {
    name = tokens[j + 1];
    j += 2;
    if (name !== undefined && PROC_MEMBERS.has(name.value)) {
      if (name.value !== 'get' || tokens[j]?.value !== '(' || tokens[j + 1]?.type !== 'str' || tokens[j + 2]?.value !== ')') return;
      name = tokens[j + 1];
      j += 3;
    }
  } else if (tokens[j]?.value === '[' && tokens[j + 1]?.type === 'str' && tokens[j + 2]?.value === ']') {
    name = tokens[j + 1];
    j += 3;
  }
  if (name === undefined) return;
  const test = name.value;
  const field = tokens[j]?.value === '.' ? tokens[j + 1] : undefined;
  if (field?.value === 'payload') {
    uses.push({ kind: 'payload', test, offset: name.at, via: `${proc}.${test}.payload` });
    return;
  }
  uses.push({ kind: 'test', test, offset: name.at, via: `${proc}.${test}` });
  if (field?.value !== 'group' && field?.value !== 'value') return;
  // `proc.x.group == 'blue'` or `'blue' == proc.x.group`.
  const after = tokens[j + 2];
  const before = tokens[i - 1];
  let op: Token | undefined;
  let literal: Token | undefined;
  if (after !== undefined && OPERATORS.includes(after.value)) {
    op = after;
    literal = tokens[j + 3];
    // `== -1`: the sign is a token of its own.
    const digits = tokens[j + 4];
    if (literal?.value === '-' && literal.type === 'op' && digits?.type === 'num') literal = { type: 'num', value: `-${digits.value}`, at: literal.at };
  } else if (before !== undefined && OPERATORS.includes(before.value)) {
    op = before;
    literal = tokens[i - 2];
    const sign = tokens[i - 3];
    if (literal?.type === 'num' && sign?.value === '-' && sign.type === 'op') literal = { type: 'num', value: `-${literal.value}`, at: sign.at };
  }
  if (op === undefined || literal === undefined || (literal.type !== 'str' && literal.type !== 'num')) return;
  const written = literal.type === 'str' ? JSON.stringify(literal.value) : literal.value;
  const via = after === op ? `${proc}.${test}.${field.value} ${op.value} ${written}` : `${written} ${op.value} ${proc}.${test}.${field.value}`;
  if (field.value === 'group') uses.push({ kind: 'bucket', test, bucket: literal.value, match: 'name', offset: literal.at, via });
  else uses.push({ kind: 'bucket', test, bucket: literal.type === 'num' ? Number(literal.value) : literal.value, match: 'value', offset: literal.at, via });
}

/** `{% proctor 'test', 'blue' %}`, `{{#proctor 'test' 'blue'}}`, `proctor('test', 'blue')`. */
function scanProctor(tokens: readonly Token[], i: number, uses: TemplateUse[]): void {
  const [first, ...groups] = literalArgs(tokens, i + 1);
  if (first === undefined || 'list' in first || typeof first.value !== 'string') return;
  const test = first.value;
  uses.push({ kind: 'test', test, offset: first.at, via: 'proctor' });
  for (const group of flatten(groups)) uses.push({ kind: 'bucket', test, bucket: group.value, match: 'either', offset: group.at, via: 'proctor' });
}

/** `procPayload('test', …)`, `{{procPayload 'test' …}}`, `'test' | procPayload(…)`. */
function scanPayload(tokens: readonly Token[], i: number, uses: TemplateUse[]): void {
  const piped = tokens[i - 1]?.value === '|' ? tokens[i - 2] : undefined;
  if (piped !== undefined) {
    if (piped.type === 'str') uses.push({ kind: 'payload', test: piped.value, offset: piped.at, via: 'procPayload' });
    return;
  }
  const [first] = literalArgs(tokens, i + 1);
  if (first !== undefined && !('list' in first) && typeof first.value === 'string') {
    uses.push({ kind: 'payload', test: first.value, offset: first.at, via: 'procPayload' });
  }
}
