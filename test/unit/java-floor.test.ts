/**
 * The Java floor (`src/java/`) is the one place for Java's runtime behaviour: this test fails when a file
 * elsewhere in `src/` writes Java's int/long bounds itself instead of importing them, and when a file in
 * `src/java/` imports upward (rules/, matrix/, engine/, server/…) or reaches for I/O.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const FLOOR = join(SRC, 'java');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function visit(node: ts.Node, fn: (node: ts.Node) => void): void {
  fn(node);
  ts.forEachChild(node, (child) => visit(child, fn));
}

function where(source: ts.SourceFile, node: ts.Node): string {
  const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return `${relative(SRC, source.fileName).split(sep).join('/')}:${line + 1} ${node.getText(source)}`;
}

/** Magnitudes of Java's int and long bounds, 2^32 and the number/bigint boundary of a `Long`. */
const BOUNDS = new Set([2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 53n - 1n]);
/** Exponents and shifts that spell a bound: `2 ** 31`, `2n ** 63n`, `1 << 31`. */
const BOUND_POWERS = new Set(['31', '32', '63', '64']);

function literalValue(node: ts.Node): bigint | null {
  if (ts.isNumericLiteral(node)) {
    const n = Number(node.text);
    return Number.isInteger(n) && Math.abs(n) <= 2 ** 64 ? BigInt(n) : null;
  }
  if (ts.isBigIntLiteral(node)) return BigInt(node.text.slice(0, -1));
  return null;
}

function literalText(node: ts.Node): string | null {
  const value = literalValue(node);
  return value === null ? null : value.toString();
}

/** Places in `source` that write a bound as a literal or a power of two. */
function boundsIn(source: ts.SourceFile): string[] {
  const found: string[] = [];
  visit(source, (node) => {
    const value = literalValue(node);
    if (value !== null && BOUNDS.has(value)) found.push(where(source, node));
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      const power = op === ts.SyntaxKind.AsteriskAsteriskToken && literalText(node.left) === '2';
      const shift = op === ts.SyntaxKind.LessThanLessThanToken && literalText(node.left) === '1';
      const exponent = literalText(node.right);
      if ((power || shift) && exponent !== null && BOUND_POWERS.has(exponent)) found.push(where(source, node));
    }
  });
  return found;
}

/** Module specifiers of static imports, re-exports, `import()` and `require()` in `source`. */
function specifiersIn(source: ts.SourceFile): { node: ts.Node; specifier: string }[] {
  const found: { node: ts.Node; specifier: string }[] = [];
  visit(source, (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push({ node, specifier: node.moduleSpecifier.text });
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const dynamic = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
      const [first] = node.arguments;
      if (dynamic) found.push({ node, specifier: first !== undefined && ts.isStringLiteral(first) ? first.text : '<computed>' });
    }
  });
  return found;
}

/** Packages the floor may use: pure computation, no I/O. */
const FLOOR_PACKAGES = new Set(['lru-cache', 're2js']);
/** Globals that mean I/O, timers or the process. */
const IO_GLOBALS = new Set(['process', 'fetch', 'console', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'Buffer']);

describe('the Java floor (src/java/)', () => {
  const all = sourceFiles(SRC);
  const floor = all.filter((file) => file.startsWith(FLOOR + sep));

  it('exists and holds text, numbers, regex and json', () => {
    const names = floor.map((file) => relative(FLOOR, file).split(sep).join('/'));
    expect(names).toEqual(expect.arrayContaining(['text.ts', 'json.ts', 'numbers/index.ts', 'regex/index.ts']));
  });

  it('is the only place that writes Java int/long bounds (everything else imports them from java/numbers)', () => {
    const outside = all.filter((file) => !file.startsWith(FLOOR + sep));
    expect(outside.flatMap((file) => boundsIn(parse(file)))).toEqual([]);
  });

  it('does write them (the check above would notice a bound)', () => {
    const integers = boundsIn(parse(join(FLOOR, 'numbers', 'integers.ts')));
    expect(integers.length).toBeGreaterThan(0);
    const probe = ts.createSourceFile('probe.ts', 'const a = 0x7fffffff; const b = -(2n ** 63n); const c = 1 << 31;', ts.ScriptTarget.Latest, true);
    expect(boundsIn(probe)).toHaveLength(3);
  });

  it('imports nothing above it and no I/O: only its own files and pure packages', () => {
    const bad: string[] = [];
    for (const file of floor) {
      const source = parse(file);
      for (const { node, specifier } of specifiersIn(source)) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (!target.startsWith(FLOOR + sep)) bad.push(where(source, node));
        } else if (!FLOOR_PACKAGES.has(specifier)) {
          bad.push(where(source, node));
        }
      }
      visit(source, (node) => {
        if (!ts.isIdentifier(node) || !IO_GLOBALS.has(node.text)) return;
        const member = ts.isPropertyAccessExpression(node.parent) && node.parent.name === node;
        if (!member) bad.push(where(source, node));
      });
    }
    expect(bad).toEqual([]);
  });

  it('keeps its files under 400 lines', () => {
    const long = floor.filter((file) => readFileSync(file, 'utf8').split('\n').length > 400);
    expect(long).toEqual([]);
  });
});
