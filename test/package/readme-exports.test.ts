// README's "What to import from where" table against the built entry points (run `npx tsup` first): every
// name it lists is a value export of that entry point, and every value export is listed, in ESM and in CJS.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pkg, root, subpaths } from './packed.js';

const require = createRequire(import.meta.url);

interface Conditions {
  readonly import: { readonly default: string };
  readonly require: { readonly default: string };
}

/** Entry point (`proctor-node/express`) → the names its table rows list. */
function readmeTable(): Map<string, string[]> {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## What to import from where\n');
  expect(start, 'README section "What to import from where"').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  const rows = readme
    .slice(start, end === -1 ? undefined : end)
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  const table = new Map<string, string[]>();
  for (const row of rows) {
    const cells = row.split('|').slice(1, -1).map((cell) => cell.trim());
    const entry = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    expect(entry, row).toBeDefined();
    const names = [...(cells.at(-1) ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    table.set(entry ?? '', [...(table.get(entry ?? '') ?? []), ...names]);
  }
  return table;
}

function target(subpath: string): Conditions {
  const key = subpath === pkg.name ? '.' : `./${subpath.slice(pkg.name.length + 1)}`;
  return pkg.exports[key] as Conditions;
}

const table = readmeTable();

describe('README entry-point table', () => {
  it('has a row for every entry point in package.json exports, and no other', () => {
    expect([...table.keys()].sort()).toEqual([...subpaths].sort());
  });

  it('lists each name once per entry point', () => {
    for (const [entry, names] of table) expect(names, entry).toEqual([...new Set(names)]);
  });

  it.each(subpaths)('%s: the table lists exactly its value exports (ESM and CJS)', async (subpath) => {
    const conditions = target(subpath);
    const esm = Object.keys((await import(pathToFileURL(path.join(root, conditions.import.default)).href)) as object);
    const cjs = Object.keys(require(path.join(root, conditions.require.default)) as object);
    const listed = [...(table.get(subpath) ?? [])].sort();
    expect(listed).toEqual([...esm].sort());
    expect(listed).toEqual([...cjs].filter((name) => name !== '__esModule').sort());
  });
});
