// Shared by the package tests: pack the built package (run `npx tsup` first) the way `npm publish` would
// and install the tarball into a scratch folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface PackageJson {
  readonly name: string;
  readonly license: string;
  readonly exports: Readonly<Record<string, unknown>>;
  readonly typesVersions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;

/** The import specifier of every entry point (`proctor-node`, `proctor-node/express`, …), from `exports`. */
export const subpaths: readonly string[] = Object.keys(pkg.exports)
  .filter((p) => p !== './package.json')
  .map((p) => (p === '.' ? pkg.name : `${pkg.name}/${p.slice(2)}`));

export interface Packed {
  /** The scratch folder (`.pack-<name>/` in the repository). */
  readonly dir: string;
  /** The tarball `npm pack` wrote, inside `dir`. */
  readonly tarball: string;
  /** The tarball's contents, at `dir/node_modules/proctor-node`. */
  readonly pkgDir: string;
  remove(): void;
}

/**
 * `npm pack` into `.pack-<name>/` and extract the tarball as its `node_modules/proctor-node`. The folder is
 * inside the repository so the package's own dependencies (and `@types/node`) resolve from the
 * repository's node_modules without a network install. Each test file uses its own name: files run in
 * parallel.
 */
export function packInto(name: string): Packed {
  const dir = path.join(root, `.pack-${name}`);
  const pkgDir = path.join(dir, 'node_modules', pkg.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(pkgDir, { recursive: true });
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  const tarball = path.join(dir, out.trim().split('\n').at(-1) ?? '');
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  // A package scope of its own: without it the repository's package.json (name proctor-node, with
  // `exports`) is the nearest one, and Node and TypeScript resolve `proctor-node` to the repository
  // itself (package self-reference) instead of the installed tarball.
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'proctor-node-consumer', private: true }));
  return { dir, tarball, pkgDir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
