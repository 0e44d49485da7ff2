// Installs the packed tarball the way a user gets it and imports every subpath from ESM and from CJS.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Inside the repository, so the package's own dependencies resolve from the repository's node_modules
// without a network install.
const dir = path.join(root, '.pack-smoke');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const subpaths = Object.keys(pkg.exports)
  .filter((p) => p !== './package.json')
  .map((p) => (p === '.' ? 'proctor-node' : `proctor-node/${p.slice(2)}`));

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'node_modules', 'proctor-node'), { recursive: true });
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1) ?? '';
  execFileSync('tar', ['-xzf', path.join(dir, tarball), '-C', path.join(dir, 'node_modules', 'proctor-node'), '--strip-components=1']);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function node(file: string, source: string): string {
  writeFileSync(path.join(dir, file), source);
  return execFileSync(process.execPath, [path.join(dir, file)], { cwd: dir, encoding: 'utf8' });
}

describe('the packed package', () => {
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
    expect(node('a.cjs', `console.log(require('proctor-node')${call})`).trim()).toBe('control');
    expect(node('a.mjs', `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const m = await import('proctor-node'); console.log(m${call})`).trim()).toBe('control');
  });

  it('ships the CLI and the debug-page templates', () => {
    expect(node('cli.mjs', `import { execFileSync } from 'node:child_process'; console.log(execFileSync(process.execPath, ['node_modules/proctor-node/dist/cli/main.js', 'help'], { encoding: 'utf8' }).split('\\n')[0]);`).trim()).toContain('proctor-node');
    // --version reads package.json relative to the built file: it must be found from the installed package too.
    const version = execFileSync(process.execPath, [path.join(dir, 'node_modules/proctor-node/dist/cli/main.js'), '--version'], { encoding: 'utf8' });
    expect(version).toBe(`${(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    expect(readFileSync(path.join(dir, 'node_modules/proctor-node/templates/force.mustache'), 'utf8')).toContain('force');
  });
});
