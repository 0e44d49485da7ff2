// Frameworks stay optional (issue 17): importing one adapter's entry point loads no other framework. A child
// Node process imports the BUILT entry (run `npx tsup` first) with a resolve hook that prints every bare
// specifier resolved (for CommonJS, the packages in require.cache); the list must name no framework the entry does not serve.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './packed.js';

const HOOK = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('file:') && !specifier.startsWith('node:') && !specifier.startsWith('data:')) process.stdout.write('LOADED ' + specifier + '\\\\n');
  return next(specifier, context);
}\`));
`;

/** The bare modules a fresh Node process resolves when it imports (or requires) `file` from dist/. */
function bareModulesOf(file: string, how: 'import' | 'require'): string[] {
  const target = path.join(root, 'dist', file);
  // Node 20's resolve hooks do not see require(): there, the modules in require.cache after the require.
  const code =
    how === 'import'
      ? `await import(${JSON.stringify(target)});`
      : `require(${JSON.stringify(target)}); for (const k of Object.keys(require.cache)) { const m = /node_modules.((?:@[^/]+.)?[^/]+)/.exec(k); if (m) console.log('LOADED ' + m[1]); }`;
  const out = execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(HOOK)}`, ...(how === 'import' ? ['--input-type=module', '-e', code] : ['-e', code])], {
    cwd: root,
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length));
}

const FRAMEWORKS = /^(express|express4|fastify|@fastify\/|fastify-plugin|koa|@koa\/|@ladjs\/koa-views|koa-views)/;

describe('each adapter entry loads no other framework', () => {
  it.each([
    ['express.js', 'import'],
    ['express.cjs', 'require'],
    ['fastify.js', 'import'],
    ['koa.js', 'import'],
    ['index.js', 'import'],
  ] as const)('dist/%s (%s)', (file, how) => {
    const loaded = bareModulesOf(file, how);
    // The hook sees the entry's own dependencies (mustache, say): it does report what is loaded.
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((name) => FRAMEWORKS.test(name))).toEqual([]);
  });

  it('the hook does see a framework when one is loaded (the check can fail)', () => {
    const out = execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(HOOK)}`, '--input-type=module', '-e', "await import('koa');"], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('LOADED koa');
  });
});
