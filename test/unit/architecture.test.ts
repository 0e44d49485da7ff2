// The floors of src/ (ARCHITECTURE.md): each room (a folder, or a file at the root of src/) may import only
// from the rooms listed for it. An import that points up a floor fails here, naming the file and the import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Room → the rooms it may import from (besides itself), lowest floor first. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  // The base: errors, logging, the Register interface.
  errors: [],
  logger: [],
  repeats: ['logger'],
  register: [],
  // Java's runtime, then the pure core: hashing, rules, the matrix model, assignment.
  java: ['errors'],
  hashing: ['java'],
  rules: ['java', 'errors'],
  matrix: ['hashing', 'rules', 'java', 'errors'],
  engine: ['matrix', 'hashing', 'rules', 'java', 'errors', 'logger'],
  // A test's assignment as the proc shows it (and a source may hand it over), the source contract, the
  // sources and their cache, the per-request `proc` and the client that makes it.
  assignment: ['matrix'],
  contract: ['assignment', 'matrix', 'logger'],
  cache: ['contract', 'errors', 'logger'],
  sources: ['contract', 'assignment', 'cache', 'engine', 'matrix', 'errors', 'logger', 'repeats'],
  proc: ['contract', 'assignment', 'matrix', 'register', 'errors', 'logger', 'repeats'],
  // Adapters: template engines (and procScript), Express, the Pipet server, the CLI, OpenFeature, the entry point.
  templating: ['proc', 'assignment', 'contract', 'errors', 'logger'],
  // The framework-neutral request layer (hooks, force groups, the force cookie, debug pages), then the
  // framework adapters on it.
  http: ['proc', 'contract', 'sources', 'engine', 'matrix', 'rules', 'templating', 'register', 'errors', 'logger', 'repeats'],
  express: ['http', 'proc', 'contract', 'sources', 'engine', 'matrix', 'rules', 'templating', 'register', 'errors', 'logger', 'repeats'],
  fastify: ['http', 'proc', 'contract', 'templating', 'register', 'errors', 'logger', 'repeats'],
  koa: ['http', 'proc', 'contract', 'templating', 'register', 'errors', 'logger', 'repeats'],
  server: ['sources', 'engine', 'matrix', 'rules', 'java', 'errors', 'logger', 'repeats'],
  // The Redis store and version channel: an adapter to an outside system (ioredis, an optional peer), so no
  // source or cache room can import it and the root entry never loads ioredis.
  redis: ['cache', 'sources', 'errors', 'logger'],
  cli: ['server', 'sources', 'engine', 'matrix', 'rules', 'java', 'errors', 'logger', 'repeats'],
  openfeature: ['contract', 'matrix', 'errors', 'logger', 'repeats'],
  index: ['*'],
};

function roomOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length > 1 ? (rel[0] ?? '') : (rel[0] ?? '').replace(/\.[jt]s$/, '');
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

const files = sources(src);

describe('the floors of src/', () => {
  it('every room is on a floor', () => {
    const rooms = new Set(files.map(roomOf));
    expect([...rooms].filter((room) => !(room in MAY_IMPORT))).toEqual([]);
  });

  it.each(files.map((f) => [path.relative(src, f), f]))('%s imports only from its own and lower floors', (_name, file) => {
    const room = roomOf(file);
    const allowed = MAY_IMPORT[room] ?? [];
    const text = readFileSync(file, 'utf8');
    const wrong: string[] = [];
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = roomOf(path.resolve(path.dirname(file), match[1] ?? ''));
      if (target !== room && !allowed.includes(target) && !allowed.includes('*')) wrong.push(`${match[1]} (${room} → ${target})`);
    }
    expect(wrong).toEqual([]);
  });

  it('the core rooms import no framework, template engine or I/O module', () => {
    const core = new Set(['java', 'hashing', 'rules', 'matrix', 'engine', 'errors', 'logger', 'register']);
    const io = /from '(node:(fs|http|https|net|child_process|fs\/promises)|express|nunjucks|handlebars|express-handlebars|ejs)'/;
    expect(files.filter((f) => core.has(roomOf(f)) && io.test(readFileSync(f, 'utf8'))).map((f) => path.relative(src, f))).toEqual([]);
  });
});
