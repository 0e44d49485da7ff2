/**
 * `proctor-node check-templates <dir> (--matrix <file> | --spec <file>)`: every test, bucket and payload read
 * the templates under `<dir>` make (see `check-templates-scan.ts`), checked against the tests the matrix or
 * specification declares. Each problem is one line, `file:line:column: …`, on stdout; exit 1 when any.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CliIO } from './io.js';
import { EXIT, readText, UsageError } from './io.js';
import { engineOf, scanTemplate, TEMPLATE_EXTENSIONS } from './check-templates-scan.js';
import type { TemplateUse } from './check-templates-scan.js';
import type { Declared, DeclaredTest } from './types-model.js';
import { readDeclared } from './types.js';
import { parseCommandArgs, usageError } from './usage.js';

/** The template files under `dir`, sorted, skipping `node_modules` and dot folders. */
function templatesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(full);
      } else if (engineOf(entry.name) !== null) {
        out.push(full);
      }
    }
  };
  walk(dir);
  return out;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

function suggestion(name: string, candidates: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(name.length / 4)) + 1;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === null ? '' : ` (did you mean ${JSON.stringify(best)}?)`;
}

function bucketList(test: DeclaredTest): string {
  return (test.buckets ?? []).map((b) => `${b.name} ${b.value}`).join(', ');
}

/** Whether a literal compared with the test's bucket can match one of its buckets. */
function hasBucket(test: DeclaredTest, bucket: string | number, match: 'name' | 'value' | 'either'): boolean {
  return (test.buckets ?? []).some((b) => {
    if (typeof bucket === 'number') return match !== 'name' && b.value === bucket;
    if (match !== 'value' && b.name === bucket) return true;
    return match !== 'name' && String(b.value) === bucket;
  });
}

/** The problem with one use, or null. */
function problemOf(use: TemplateUse, tests: ReadonlyMap<string, DeclaredTest>, declared: Declared): string | null {
  const test = tests.get(use.test);
  // A comparison's test is reported by the read it comes with (`proc.x`, the tag's first argument).
  if (test === undefined && use.kind === 'bucket') return null;
  if (test === undefined) {
    return `${use.via}: no test ${JSON.stringify(use.test)} in the ${declared.kind}${suggestion(use.test, [...tests.keys()])}`;
  }
  if (use.kind === 'payload' && test.payload === null) return `${use.via}: test ${use.test} has no payload`;
  if (use.kind === 'bucket' && test.buckets !== null && !hasBucket(test, use.bucket, use.match)) {
    const what = use.match === 'name' ? 'bucket named' : use.match === 'value' ? 'bucket value' : 'bucket';
    const names = test.buckets.map((b) => b.name);
    const hint = typeof use.bucket === 'string' && use.match !== 'value' ? suggestion(use.bucket, names) : '';
    return `${use.via}: test ${use.test} has no ${what} ${JSON.stringify(use.bucket)}${hint} (its buckets: ${bucketList(test)})`;
  }
  return null;
}

/** Line and column (1-based) of `offset` in `text`. */
function position(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `${line}:${offset - start + 1}`;
}

export function checkTemplatesCommand(args: string[], io: CliIO): number {
  const { values, positionals } = parseCommandArgs(
    'check-templates',
    args,
    { matrix: { type: 'string' }, spec: { type: 'string' }, 'context-key': { type: 'string' } },
    true,
  );
  if (positionals.length !== 1) {
    throw usageError('check-templates', positionals.length === 0 ? 'missing the template folder' : `one template folder at a time, got ${positionals.length}`);
  }
  if ((values.spec === undefined) === (values.matrix === undefined)) {
    throw usageError('check-templates', values.spec === undefined ? 'missing --matrix or --spec' : 'give --matrix or --spec, not both');
  }
  const contextKey = values['context-key'] ?? 'proc';
  if (!/^[A-Za-z_$][\w$]*$/.test(contextKey)) throw usageError('check-templates', `--context-key must be a variable name, got ${JSON.stringify(contextKey)}`);
  const dir = positionals[0] as string;
  const input = (values.spec ?? values.matrix) as string;
  const kind = values.spec !== undefined ? 'specification' : 'matrix';
  const declared = readDeclared(input, kind, io);
  if (typeof declared === 'number') return declared;
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    files = templatesUnder(dir);
  } catch (error) {
    throw new UsageError(`cannot read the template folder ${dir}: ${(error as Error).message}`, EXIT.noInput);
  }
  const tests = new Map(declared.tests.map((t) => [t.name, t]));
  let problems = 0;
  for (const file of files) {
    const template = readText(file, 'template');
    for (const use of scanTemplate(template, engineOf(file) ?? 'nunjucks', contextKey)) {
      const problem = problemOf(use, tests, declared);
      if (problem === null) continue;
      problems++;
      io.stdout.write(`${file}:${position(template, use.offset)}: ${problem}\n`);
    }
  }
  const checked = `${files.length} template${files.length === 1 ? '' : 's'} (${TEMPLATE_EXTENSIONS.join(', ')}) under ${dir}`;
  io.stdout.write(problems === 0 ? `${checked}: no problems\n` : `${checked}: ${problems} problem${problems === 1 ? '' : 's'}\n`);
  return problems === 0 ? EXIT.ok : EXIT.findings;
}
