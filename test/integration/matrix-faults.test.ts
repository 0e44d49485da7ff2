// Matrix reload faults against real files: a write caught half-way, reloads slower than the poll interval,
// an older matrix written over a newer one, a deleted file, and a matrix large enough that compiling it at
// once would hold up the requests served meanwhile. Fake timers only where the poll interval is not the point.
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Proctor } from '../../src/engine/proctor.js';
import type { Logger } from '../../src/logger.js';
import type { Audit } from '../../src/matrix/types.js';
import { MatrixStore } from '../../src/server/matrix-store.js';
import { localSource } from '../../src/sources/local.js';
import type { LocalSource } from '../../src/sources/local.js';
import { isOlderMatrix } from '../../src/sources/matrix-loader.js';
import { bigMatrix, bigMatrixText } from '../support/big-matrix.js';

let dir: string;
let file: string;
const sources: LocalSource[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'matrix-faults-'));
  file = path.join(dir, 'matrix.json');
});
afterEach(async () => {
  vi.useRealTimers();
  for (const s of sources.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function recording() {
  const lines: string[] = [];
  const logger: Logger = { warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`), info: (m) => lines.push(`INFO ${m}`) };
  return { lines, logger };
}

function source(reloadIntervalMs: number, logger?: Logger): LocalSource {
  const s = localSource({ matrix: file, reloadIntervalMs, ...(logger === undefined ? {} : { logger }) });
  sources.push(s);
  return s;
}

/** A small matrix: `count` tests, `audit.version` and `audit.updated` as given. */
function small(version: string, updated: number, count = 3): string {
  return bigMatrixText(count, version, updated);
}

/** Advance the poll timer and wait for the read it starts. */
async function poll(s: LocalSource, intervalMs: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(intervalMs);
  await s.reload();
}

const T = 1_700_000_000_000;

describe('a write caught half-way', () => {
  it('is retried on the next poll, even when the completed file keeps the same mtime: the new matrix loads', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { lines, logger } = recording();
    writeFileSync(file, small('1', T));
    const s = source(1000, logger);
    await s.ready();
    const text = small('2', T + 1);
    const past = new Date(Date.now() - 60_000);
    writeFileSync(file, text.slice(0, text.length >> 1));
    utimesSync(file, past, past);
    await poll(s, 1000);
    expect(s.current()?.matrixVersion).toBe('1');
    writeFileSync(file, text);
    utimesSync(file, past, past);
    await poll(s, 1000);
    expect(s.current()?.matrixVersion).toBe('2');
    await poll(s, 1000);
    expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual([
      expect.stringMatching(/^ERROR proctor: reloading the test matrix from .* failed; still using version 1$/),
    ]);
    expect(lines.at(-1)).toBe('INFO proctor: test matrix version 2 replaces 1');
  });
});

describe('reloads slower than the poll interval', () => {
  it('never overlap and never go back: each version seen is newer than the one before, and the last one wins', async () => {
    // 1,000 tests: each compile takes tens of ms (in slices), the poll interval is 1 ms, a new version is
    // written every 30 ms. Real time: the overlap of slow reloads is the point.
    writeFileSync(file, bigMatrixText(1000, '1', T + 1));
    const s = source(1);
    await s.ready();
    const seen: string[] = [];
    const sampler = setInterval(() => {
      const version = s.current()?.matrixVersion;
      if (version !== undefined && version !== seen.at(-1)) seen.push(version);
    }, 1);
    const compiles = vi.spyOn(Proctor, 'fromMatrixSteps');
    for (let v = 2; v <= 6; v++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      writeFileSync(file, bigMatrixText(1000, String(v), T + v));
    }
    await vi.waitFor(() => expect(s.current()?.matrixVersion).toBe('6'), { timeout: 10_000, interval: 5 });
    clearInterval(sampler);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe('6');
    // One compile per version at most (the same version is skipped), however many polls happened.
    expect(compiles.mock.calls.length).toBeLessThanOrEqual(5);
    compiles.mockRestore();
  });
});

describe('an older matrix written over a newer one', () => {
  it('is refused, logged once, and the next newer one loads', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { lines, logger } = recording();
    writeFileSync(file, small('b7e1f00', T + 2000));
    const s = source(1000, logger);
    await s.ready();
    writeFileSync(file, small('a3c9d11', T + 1000)); // a stale copy: another git hash, built earlier
    for (let i = 0; i < 5; i++) await poll(s, 1000);
    expect(s.current()?.matrixVersion).toBe('b7e1f00');
    expect(lines.filter((l) => !l.startsWith('INFO'))).toEqual([
      `ERROR proctor: reloading the test matrix from ${file} failed; still using version b7e1f00`,
    ]);
    writeFileSync(file, small('c0ffee5', T + 3000));
    await poll(s, 1000);
    expect(s.current()?.matrixVersion).toBe('c0ffee5');
  });

  it('the Pipet server keeps its newer matrix too (the same loader)', async () => {
    const warnings: string[] = [];
    const logger: Logger = { warn: (m, f) => warnings.push(`${m} ${String(f?.['error'])}`), error: () => undefined };
    writeFileSync(file, small('7', T + 7));
    const store = new MatrixStore({ matrix: file, proctorOptions: {}, reloadMs: 0, fetchTimeoutMs: 1000, fetch: globalThis.fetch, logger });
    await store.reload();
    writeFileSync(file, small('6', T + 6));
    await store.reload();
    expect(store.current?.version).toBe('7');
    expect(warnings).toEqual([
      `pipet: reload failed, keeping the loaded matrix matrix version 6, updated ${new Date(T + 6).toISOString()} is older than version 7, updated ${new Date(T + 7).toISOString()} in service; not loaded`,
    ]);
    store.stop();
  });

  it.each<[string, Partial<Audit>, Partial<Audit>, boolean]>([
    ['an earlier audit.updated', { version: 'b', updated: T }, { version: 'a', updated: T + 1 }, true],
    ['a later audit.updated, whatever the versions', { version: '1', updated: T + 1 }, { version: '2', updated: T }, false],
    ['the same audit.updated', { version: 'x', updated: T }, { version: 'y', updated: T }, false],
    ['no timestamps, smaller revision', { version: '99', updated: 0 }, { version: '100', updated: 0 }, true],
    ['no timestamps, larger revision', { version: '101', updated: 0 }, { version: '100', updated: 0 }, false],
    ['no timestamps, git hashes', { version: 'a1b2', updated: 0 }, { version: 'f9e8', updated: 0 }, false],
    ['one timestamp only', { version: '1', updated: 0 }, { version: '2', updated: T }, false],
  ])('isOlderMatrix: %s → %s', (_label, next, current, older) => {
    const audit = (a: Partial<Audit>): Audit => ({ version: '', updated: 0, updatedDate: '', updatedBy: null, ...a });
    expect(isOlderMatrix(audit(next), audit(current))).toBe(older);
  });
});

describe('a deleted file', () => {
  it('is logged once, not on every poll; the matrix stays in service; a new file is picked up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { lines, logger } = recording();
    writeFileSync(file, small('1', T + 1));
    const s = source(1000, logger);
    await s.ready();
    unlinkSync(file);
    for (let i = 0; i < 10; i++) await poll(s, 1000);
    expect(s.current()?.matrixVersion).toBe('1');
    expect(lines.filter((l) => !l.startsWith('INFO'))).toEqual([
      `ERROR proctor: reloading the test matrix from ${file} failed; still using version 1`,
    ]);
    writeFileSync(file, small('2', T + 2));
    await poll(s, 1000);
    expect(s.current()?.matrixVersion).toBe('2');
    expect(lines.slice(-2)).toEqual([`INFO proctor: the test matrix at ${file} reads again`, 'INFO proctor: test matrix version 2 replaces 1']);
  });
});

describe('a large matrix', () => {
  it('5,000 tests load a slice at a time, giving the event loop turns, into the same engine as a load at once', async () => {
    writeFileSync(file, bigMatrixText(5000, '1', T));
    const s = source(0);
    let turns = 0;
    let loading = true;
    const tick = (): void => {
      turns++;
      if (loading) setImmediate(tick);
    };
    setImmediate(tick);
    await s.ready();
    loading = false;
    // Each turn is one pause of the load (a whole-at-once load would give one or two).
    expect(turns).toBeGreaterThan(20);
    const loaded = s.current() as Proctor;
    const atOnce = Proctor.fromMatrix(bigMatrix(5000, '1', T));
    expect(loaded.loadResult.loadedTests).toEqual(atOnce.loadResult.loadedTests);
    for (const user of ['u1', 'u2', 'u3']) {
      const input = { identifiers: { USER: user, ACCOUNT: user }, context: { country: 'US', loggedIn: true, lang: 'en' } };
      expect(loaded.determineTestGroups(input).toLoggingString()).toBe(atOnce.determineTestGroups(input).toLoggingString());
    }
  });
});
