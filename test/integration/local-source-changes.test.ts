// localSource().onMatrixChange: the version of each matrix put in service after the subscription (what the
// OpenFeature provider turns into configuration-changed events), on a real file.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localSource } from '../../src/sources/local.js';
import { exampleMatrix, tempDir } from '../support/cli.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeVersion(file: string, version: string): void {
  const matrix = JSON.parse(readFileSync(exampleMatrix, 'utf8')) as { audit: { version: string } };
  matrix.audit.version = version;
  writeFileSync(file, JSON.stringify(matrix));
}

describe('localSource onMatrixChange', () => {
  it('tells each listener the new version once per matrix put in service, until it unsubscribes', async () => {
    const file = path.join(dir, 'm.json');
    writeVersion(file, 'a');
    const errors: string[] = [];
    const source = localSource({ matrix: file, reloadIntervalMs: 0, logger: { warn: () => undefined, error: (m) => errors.push(m) } });
    await source.ready();
    const seen: string[] = [];
    const stop = source.onMatrixChange?.((version) => seen.push(version));
    source.onMatrixChange?.(() => {
      throw new Error('a listener bug');
    });
    writeVersion(file, 'b');
    await source.reload();
    // Same version again: not a new matrix.
    writeVersion(file, 'b');
    await source.reload();
    stop?.();
    writeVersion(file, 'c');
    await source.reload();
    expect(seen).toEqual(['b']);
    expect(source.current()?.matrixVersion).toBe('c');
    // The throwing listener is logged (repeats aggregated by the source's logger) and spoils nothing.
    expect(errors[0]).toBe('proctor: a matrix change listener threw');
    await source.close();
  });
});
