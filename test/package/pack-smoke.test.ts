// Installs the packed tarball the way a user gets it and imports every subpath from ESM and from CJS.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packInto, root, subpaths } from './packed.js';
import type { Packed } from './packed.js';

let packed: Packed;
let dir = '';

beforeAll(() => {
  packed = packInto('smoke');
  dir = packed.dir;
}, 120_000);

afterAll(() => {
  packed.remove();
});

function node(file: string, source: string): string {
  writeFileSync(path.join(dir, file), source);
  return execFileSync(process.execPath, [path.join(dir, file)], { cwd: dir, encoding: 'utf8' });
}

describe('the packed package', () => {
  it.each(subpaths)('%s resolves to the installed tarball, not the repository', (subpath) => {
    const spec = JSON.stringify(subpath);
    const cjs = node('where.cjs', `console.log(require.resolve(${spec}))`).trim();
    const esm = node('where.mjs', `console.log(new URL(import.meta.resolve(${spec})).pathname)`).trim();
    expect(cjs.startsWith(packed.pkgDir + path.sep)).toBe(true);
    expect(esm.startsWith(packed.pkgDir + path.sep)).toBe(true);
  });

  it.each(subpaths)('%s imports from ESM', (subpath) => {
    const out = node('esm.mjs', `const m = await import(${JSON.stringify(subpath)}); console.log(Object.keys(m).length);`);
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it.each(subpaths)('%s requires from CJS', (subpath) => {
    const out = node('cjs.cjs', `const m = require(${JSON.stringify(subpath)}); console.log(Object.keys(m).length);`);
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it('assigns from the packed build in both module systems', () => {
    const matrix = readFileSync(path.join(root, 'examples/matrix.json'), 'utf8');
    writeFileSync(path.join(dir, 'matrix.json'), matrix);
    const call = `.Proctor.fromMatrix(require('node:fs').readFileSync('matrix.json','utf8')).determineTestGroups({ identifiers: { USER: 'pa5xq0lz4n80' } }).groups.buttoncolortst.name`;
    expect(node('a.cjs', `console.log(require('proctor-node/engine')${call})`).trim()).toBe('control');
    expect(node('a.mjs', `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const m = await import('proctor-node/engine'); console.log(m${call})`).trim()).toBe('control');
  });

  it('gives the root and the engine entry the same error classes (instanceof holds across them)', () => {
    const names = ['ProctorError', 'MatrixError', 'SpecificationError', 'RuleSyntaxError', 'RuleEvaluationError', 'isProctorError'];
    const same = (a: string, b: string) => `console.log(${JSON.stringify(names)}.every((n) => ${a}[n] === ${b}[n]))`;
    expect(node('same.cjs', same("require('proctor-node')", "require('proctor-node/engine')")).trim()).toBe('true');
    expect(node('same.mjs', `const a = await import('proctor-node'); const b = await import('proctor-node/engine'); ${same('a', 'b')}`).trim()).toBe('true');
    const thrown = `try { e.Proctor.fromMatrix('{'); } catch (err) { console.log(err instanceof r.MatrixError); }`;
    expect(node('throw.cjs', `const r = require('proctor-node'); const e = require('proctor-node/engine'); ${thrown}`).trim()).toBe('true');
  });

  it('ships the CLI and the debug-page templates', () => {
    expect(node('cli.mjs', `import { execFileSync } from 'node:child_process'; console.log(execFileSync(process.execPath, ['node_modules/proctor-node/dist/cli/main.js', 'help'], { encoding: 'utf8' }).split('\\n')[0]);`).trim()).toContain('proctor-node');
    // --version reads package.json relative to the built file: it must be found from the installed package too.
    const version = execFileSync(process.execPath, [path.join(dir, 'node_modules/proctor-node/dist/cli/main.js'), '--version'], { encoding: 'utf8' });
    expect(version).toBe(`${(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    expect(readFileSync(path.join(dir, 'node_modules/proctor-node/templates/force.mustache'), 'utf8')).toContain('force');
  });

  it('ships the Apache-2.0 LICENSE that package.json names', () => {
    const license = readFileSync(path.join(dir, 'node_modules/proctor-node/LICENSE'), 'utf8');
    expect(license).toBe(readFileSync(path.join(root, 'LICENSE'), 'utf8'));
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(JSON.parse(readFileSync(path.join(dir, 'node_modules/proctor-node/package.json'), 'utf8')).license).toBe('Apache-2.0');
  });
});
