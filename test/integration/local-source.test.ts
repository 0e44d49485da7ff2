import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { localSource, MatrixError, SourceError } from '../../src/index.js';
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
    expect(lines.at(-1)).toMatch(/^ERROR proctor: reloading the test matrix from .* failed; still using version 1$/);

    write(file, '{"tests": {}}'); // not a matrix
    await source.reload();
    expect(lines.filter((l) => l.startsWith('ERROR'))).toHaveLength(2); // a new reason: logged
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
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'proctor-local-')), 'later.json');
    const { lines, logger } = recordingLogger();
    const source = localSource({ matrix: file, reloadIntervalMs: 5000, logger });
    await expect(source.ready()).rejects.toThrow(`could not load the test matrix from ${file}: ENOENT`);
    const before = source.sync.identifySync(request);
    expect(before).toMatchObject({ origin: 'fallback', groups: {} });
    // Several polls find it still missing: one line, and never "keeping the last good matrix".
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(5000);
      await source.reload();
    }
    expect(lines).toEqual([`ERROR proctor: could not load the test matrix from ${file}; every test is unassigned until it loads`]);
    write(file, matrix('3'));
    vi.advanceTimersByTime(5000);
    await vi.waitFor(() => expect(source.current()?.matrixVersion).toBe('3'));
    await expect(source.ready()).resolves.toBeUndefined();
    expect(lines.at(-1)).toBe(`INFO proctor: loaded test matrix version 3 from ${file}`);
    await source.close();
  });

  it('takes a file: URL as its path', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'proctor-local-')), 'matrix.json');
    write(file, matrix('5'));
    const source = localSource({ matrix: pathToFileURL(file), reloadIntervalMs: 0 });
    await source.ready();
    expect(source.current()?.matrixVersion).toBe('5');
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
    expect(lines.at(-1)).toMatch(/^ERROR proctor: reloading the test matrix from http.* failed; still using version 11$/);
    await source.close();
    await new Promise((r) => server.close(r));
  });
});

describe('localSource readiness and the first load', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-ready-'));

  it.each([
    ['invalid JSON, with its position', '{"audit": {"version": "1",}', /could not load the test matrix from .*bad1\.json: matrix is not valid JSON: .*position 26/],
    ['not a matrix, with the field', '{"tests": {}}', /could not load the test matrix from .*bad2\.json: audit: required field "audit" is missing/],
  ])('ready() rejects with a SourceError on %s', async (_what, text, message) => {
    const file = path.join(dir, _what.startsWith('invalid') ? 'bad1.json' : 'bad2.json');
    writeFileSync(file, text);
    const source = localSource({ matrix: file, reloadIntervalMs: 0 });
    const error = await source.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(message);
    expect((error as SourceError).location).toBe(file);
    expect((error as SourceError).cause).toBeInstanceOf(MatrixError);
    await source.close();
  });

  it('ready() rejects with the HTTP status of a URL that fails', async () => {
    const server = createServer((_req, res) => res.writeHead(503).end('down'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.json`;
    const source = localSource({ matrix: url, reloadIntervalMs: 0 });
    await expect(source.ready()).rejects.toThrow(`could not load the test matrix from ${url}: HTTP 503 Service Unavailable`);
    await source.close();
    await new Promise((r) => server.close(r));
  });

  it('a file caught mid-write is read again when the completed file has the same mtime', async () => {
    const file = path.join(dir, 'midwrite.json');
    write(file, matrix('1', 0));
    const source = localSource({ matrix: file, reloadIntervalMs: 0 });
    await source.ready();
    const full = matrix('2', 1);
    writeFileSync(file, full.slice(0, 30));
    const t = new Date(Date.now() + 3_600_000);
    utimesSync(file, t, t);
    await source.reload();
    expect(source.current()?.matrixVersion).toBe('1');
    writeFileSync(file, full);
    utimesSync(file, t, t); // the same mtime as the partial read
    await source.reload();
    expect(source.current()?.matrixVersion).toBe('2');
    await source.close();
  });

  it('reloads never overlap: calls during a read share one more read after it', async () => {
    const file = path.join(dir, 'single.json');
    write(file, matrix('1'));
    const source = localSource({ matrix: file, reloadIntervalMs: 0 });
    await source.ready();
    write(file, matrix('2'));
    const a = source.reload();
    const b = source.reload();
    expect(source.reload()).toBe(b);
    expect(b).not.toBe(a);
    await a;
    expect(source.current()?.matrixVersion).toBe('2');
    await source.close();
  });

  it('uses a logger handed over later (adoptLogger) unless it has its own', async () => {
    const file = path.join(dir, 'absent.json');
    const adopted = recordingLogger();
    const source = localSource({ matrix: file, reloadIntervalMs: 0 });
    source.adoptLogger?.(adopted.logger);
    await source.ready().catch(() => undefined);
    expect(adopted.lines).toEqual([expect.stringMatching(/^ERROR proctor: could not load the test matrix from .*absent\.json/)]);
    const own = recordingLogger();
    const other = localSource({ matrix: file, reloadIntervalMs: 0, logger: own.logger });
    other.adoptLogger?.(adopted.logger);
    await other.ready().catch(() => undefined);
    expect(own.lines).toHaveLength(1);
    expect(adopted.lines).toHaveLength(1);
  });
});
