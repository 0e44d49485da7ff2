/** Running the built `proctor-node` command as a user does: `node dist/cli/main.js …` (build with `npx tsup`). */
import { spawnSync } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cli = path.join(root, 'dist/cli/main.js');
export const exampleMatrix = path.join(root, 'examples/matrix.json');
export const pipetConfig = path.join(root, 'test/fixtures/pipet-config.json');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI to completion with `input` on stdin. */
export function runCli(args: readonly string[], input = '', options: { cwd?: string; stdio?: StdioOptions } = {}): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', ...options });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'proctor-cli-'));
}

/** Write a matrix with `tests` (audit version "7") into `dir`; returns its path. */
export function writeMatrix(dir: string, name: string, tests: Record<string, unknown>): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ audit: { version: '7', updated: 0, updatedBy: 't' }, tests }));
  return file;
}

/** A valid USER test, half control, half test. */
export const okTest = {
  testType: 'USER',
  salt: 'oktst',
  buckets: [
    { name: 'control', value: 0 },
    { name: 'test', value: 1 },
  ],
  allocations: [{ id: '#A1', ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 1, length: 0.5 }] }],
};

/** A request to `assign` with all the context examples/matrix.json's rules read. */
export function fullRequest(user: string): string {
  return JSON.stringify({ identifiers: { USER: user }, context: { country: 'US', loggedIn: true, userAgent: { mobileDevice: false } } });
}
