import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { localSource } from '../../src/index.js';
import type { Logger } from '../../src/index.js';

function matrix(version: string, bucket = 1) {
  return JSON.stringify({
    audit: { version, updated: 0, updatedBy: 't' },
    tests: {
      onetst: {
        testType: 'USER',
        salt: 'onetst',
        buckets: [
          { name: 'a', value: 0 },
          { name: 'b', value: 1 },
        ],
        allocations: [{ ranges: [{ bucketValue: bucket, length: 1 }] }],
      },
    },
  });
}

function recordingLogger() {
  const lines: string[] = [];
  const logger: Logger = { warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`), info: (m) => lines.push(`INFO ${m}`) };
  return { lines, logger };
}

const request = { tests: ['onetst'], identifiers: { USER: 'u' }, context: {}, forceGroups: null };
let bump = 0;
function write(file: string, text: string) {
  writeFileSync(file, text);
  bump += 10;
  const t = new Date(Date.now() + bump * 1000);
  utimesSync(file, t, t); // distinct mtimes even within one clock tick
}

afterEach(() => {
  vi.useRealTimers();
});

describe('localSource from a file', () => {
  it('loads, reloads on a new version, and keeps the last good matrix on partial or invalid writes', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'proctor-local-')), 'matrix.json');
    write(file, matrix('1', 0));
    const { lines, logger } = recordingLogger();
    const source = localSource({ matrix: file, reloadIntervalMs: 0, logger });
    await source.ready();
    expect(source.sync.identifySync(request).groups.onetst?.name).toBe('a');

    write(file, matrix('1', 1).slice(0, 40)); // partial write
    await source.reload();
    expect(source.current()?.matrixVersion).toBe('1');
    expect(lines.at(-1)).toMatch(/^ERROR proctor: matrix reload from .* failed; keeping the last good matrix/);

    write(file, '{"tests": {}}'); // not a matrix
    await source.reload();
    expect(source.sync.identifySync(request).groups.onetst?.name).toBe('a');

    write(file, matrix('2', 1));
    await source.reload();
    expect(source.current()?.matrixVersion).toBe('2');
    expect(source.sync.identifySync(request).groups.onetst?.name).toBe('b');

    write(file, matrix('2', 0)); // same version: skipped, as Java does
    await source.reload();
    expect(source.sync.identifySync(request).groups.onetst?.name).toBe('b');
    await source.close();
  });

  it('answers unassigned with an error until a missing file appears, then polls it in', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'proctor-local-')), 'later.json');
    const { lines, logger } = recordingLogger();
    const source = localSource({ matrix: file, reloadIntervalMs: 5000, logger });
    await source.ready();
    const before = source.sync.identifySync(request);
    expect(before).toMatchObject({ origin: 'fallback', groups: {} });
    expect(lines.some((l) => l.startsWith('ERROR proctor: cannot read matrix'))).toBe(true);
    write(file, matrix('3'));
    vi.advanceTimersByTime(5000);
    await vi.waitFor(() => expect(source.current()?.matrixVersion).toBe('3'));
    await source.close();
  });
});

describe('localSource from a URL', () => {
  it('uses ETag / If-None-Match and keeps the last good matrix when the server fails', async () => {
    let body = matrix('10');
    let fail = false;
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers['if-none-match']);
      if (fail) return res.writeHead(500).end('boom');
      const etag = `"v${(JSON.parse(body) as { audit: { version: string } }).audit.version}"`;
      if (req.headers['if-none-match'] === etag) return res.writeHead(304).end();
      res.writeHead(200, { etag, 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/matrix.json`;
    const { lines, logger } = recordingLogger();
    const source = localSource({ matrix: url, reloadIntervalMs: 0, logger });
    await source.ready();
    expect(source.current()?.matrixVersion).toBe('10');
    await source.reload();
    expect(seen).toEqual([undefined, '"v10"']); // conditional request sent; 304 answered
    body = matrix('11');
    await source.reload();
    expect(source.current()?.matrixVersion).toBe('11');
    fail = true;
    await source.reload();
    expect(source.current()?.matrixVersion).toBe('11');
    expect(lines.at(-1)).toMatch(/cannot read matrix .*keeping the last good matrix/);
    await source.close();
    await new Promise((r) => server.close(r));
  });
});
