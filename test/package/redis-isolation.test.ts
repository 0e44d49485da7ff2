// ioredis is an optional peer: importing the root entry point (ESM or CJS) must not load it; only
// `proctor-node/redis` does. Each case runs in a fresh Node process over the built package (`npx tsup` first).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { root } from './packed.js';

/** The loaded CommonJS modules (ioredis is one) after `code` ran in a fresh process. */
function loadedAfter(code: string, type: 'module' | 'commonjs'): string[] {
  const report = `console.log(JSON.stringify(Object.keys(require('node:module').createRequire(process.cwd() + '/x').cache)))`;
  const script = type === 'module' ? `${code}; const require = (await import('node:module')).createRequire(import.meta.url); ${report}` : `${code}; ${report}`;
  const r = spawnSync(process.execPath, ['--input-type', type, '-e', script], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as string[];
}

const ioredis = (files: string[]) => files.filter((f) => f.includes('/node_modules/ioredis/'));

describe('ioredis is loaded only by proctor-node/redis', () => {
  it('ESM: the root does not load it; the redis entry does', () => {
    expect(ioredis(loadedAfter(`await import('./dist/index.js')`, 'module'))).toEqual([]);
    expect(ioredis(loadedAfter(`await import('./dist/redis.js')`, 'module')).length).toBeGreaterThan(0);
  });

  it('CJS: the root does not load it; the redis entry does', () => {
    expect(ioredis(loadedAfter(`require('./dist/index.cjs')`, 'commonjs'))).toEqual([]);
    expect(ioredis(loadedAfter(`require('./dist/redis.cjs')`, 'commonjs')).length).toBeGreaterThan(0);
  });
});
