// The one matrix loader behind localSource and the Pipet server: real files (stat, utimes), a real node:http
// upstream (ETag, Last-Modified, 304, 500, a stalled answer), fake clocks only where time is the point.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseTestMatrix } from '../../src/matrix/parse.js';
import type { TestMatrix } from '../../src/matrix/types.js';
import { describeError, MatrixLoader, matrixLocation } from '../../src/sources/matrix-loader.js';
import type { MatrixLoaderOptions } from '../../src/sources/matrix-loader.js';

// readFile counted, not changed: whether the loader read the file again is the point of some tests.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, readFile: vi.fn(actual.readFile) };
});
const reads = (): number => vi.mocked(readFile).mock.calls.length;

function matrix(version: string, tests: readonly string[] = ['atst']): string {
  const defs: Record<string, unknown> = {};
  for (const name of tests) defs[name] = { testType: 'USER', salt: name, buckets: [{ name: 'a', value: 0 }], allocations: [{ ranges: [{ bucketValue: 0, length: 1 }] }] };
  return JSON.stringify({ audit: { version, updated: 0, updatedBy: 't' }, tests: defs });
}

interface Compiled {
  readonly version: string;
  readonly tests: readonly string[];
}

/** A compile that checks the document (`parseTestMatrix`) and keeps its version and test names. */
function* compileSteps(document: unknown, check: (m: TestMatrix) => void = () => undefined): Generator<void, Compiled> {
  const m = parseTestMatrix(document);
  check(m);
  yield;
  return { version: m.audit.version, tests: Object.keys(m.tests) };
}

/** A loader whose compile keeps the version and test names, recording what it reports. */
function loaderFor(location: string, options: Partial<MatrixLoaderOptions<Compiled>> = {}) {
  const events: string[] = [];
  const compile = vi.fn((document: unknown) => compileSteps(document));
  const loader = new MatrixLoader<Compiled>({
    location,
    compile,
    loaded: (next, previous) => events.push(`loaded ${next.version} after ${previous?.version ?? 'nothing'}`),
    failed: (failure, current) => events.push(`failed on ${current?.version ?? 'nothing'}: ${failure.reason}`),
    recovered: (version) => events.push(`recovered ${version}`),
    ...options,
  });
  loaders.push(loader);
  return { loader, events, compile };
}

let dir: string;
const loaders: { close(): void }[] = [];
const upstreams: Server[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'matrix-loader-'));
  vi.mocked(readFile).mockClear();
});

afterEach(async () => {
  vi.useRealTimers();
  for (const loader of loaders.splice(0)) loader.close();
  await Promise.all(
    upstreams.splice(0).map((s) => {
      const closed = new Promise((resolve) => s.close(resolve));
      s.closeAllConnections();
      return closed;
    }),
  );
  rmSync(dir, { recursive: true, force: true });
});

/** The clock an hour ahead: every file written so far has settled (its stat may be trusted). */
function settle(): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + 3_600_000);
}

describe('a matrix file', () => {
  it('loads, swaps on a new audit.version, and skips the same version without compiling', async () => {
    const file = path.join(dir, 'm.json');
    writeFileSync(file, matrix('1'));
    const { loader, events, compile } = loaderFor(file);
    expect(loader.current).toBeNull();
    await loader.reload();
    expect(loader.current).toEqual({ version: '1', tests: ['atst'] });
    expect(loader.version).toBe('1');
    writeFileSync(file, matrix('2', ['atst', 'btst']));
    await loader.reload();
    expect(loader.current?.tests).toEqual(['atst', 'btst']);
    writeFileSync(file, matrix('2', ['ctst'])); // same version, other content: Pipet does not look further
    await loader.reload();
    expect(loader.current?.tests).toEqual(['atst', 'btst']);
    expect(compile).toHaveBeenCalledTimes(2);
    expect(events).toEqual(['loaded 1 after nothing', 'loaded 2 after 1']);
  });

  it('reads a settled, unchanged file once; a file changed in the last seconds is read on every check', async () => {
    const file = path.join(dir, 'm.json');
    writeFileSync(file, matrix('1'));
    const { loader } = loaderFor(file);
    await loader.reload(); // just written: its stat is not trusted yet
    await loader.reload();
    expect(reads()).toBe(2);
    settle();
    await loader.reload();
    await loader.reload();
    await loader.reload();
    expect(reads()).toBe(3);
    writeFileSync(file, matrix('1')); // same bytes, but written again: its change time moved
    await loader.reload();
    expect(reads()).toBe(4);
  });

  it('a failed compile records nothing: the unchanged file is read and compiled again on the next check', async () => {
    const file = path.join(dir, 'm.json');
    writeFileSync(file, matrix('1'));
    let refuse = false;
    const { loader, events } = loaderFor(file, {
      compile: (document) =>
        compileSteps(document, () => {
          if (refuse) throw new Error('refused once');
        }),
    });
    await loader.reload();
    writeFileSync(file, matrix('2'));
    settle();
    refuse = true;
    await loader.reload();
    expect(loader.version).toBe('1');
    refuse = false;
    await loader.reload();
    expect(loader.version).toBe('2');
    expect(reads()).toBe(3);
    expect(events).toEqual(['loaded 1 after nothing', 'failed on 1: refused once', 'recovered 2', 'loaded 2 after 1']);
  });

  it('before the first load: a failure is reported once per distinct reason, and the first good read is a load', async () => {
    const file = path.join(dir, 'later.json');
    const { loader, events } = loaderFor(file);
    for (let i = 0; i < 3; i++) await loader.reload();
    expect(loader.failure?.reason).toMatch(/^ENOENT: no such file or directory, stat '.*later\.json'$/);
    expect((loader.failure?.error as NodeJS.ErrnoException).code).toBe('ENOENT');
    writeFileSync(file, '{"audit": ');
    await loader.reload();
    await loader.reload();
    writeFileSync(file, matrix('7'));
    await loader.reload();
    expect(loader.failure).toBeNull();
    expect(events).toEqual([
      expect.stringMatching(/^failed on nothing: ENOENT/),
      expect.stringMatching(/^failed on nothing: matrix is not valid JSON: /),
      'loaded 7 after nothing',
    ]);
  });

  it('keeps the last good matrix through bad writes, then reports that it reads again', async () => {
    const file = path.join(dir, 'm.json');
    writeFileSync(file, matrix('1'));
    const { loader, events } = loaderFor(file);
    await loader.reload();
    writeFileSync(file, '{"tests": {}}');
    await loader.reload();
    writeFileSync(file, '{"tests": {"x": null}}'); // other bytes, the same reason: not reported again
    await loader.reload();
    writeFileSync(file, '[]');
    await loader.reload();
    expect(loader.current?.version).toBe('1');
    writeFileSync(file, matrix('1', ['other'])); // good again, same version: nothing to swap
    await loader.reload();
    expect(loader.current?.tests).toEqual(['atst']);
    expect(events).toEqual([
      'loaded 1 after nothing',
      'failed on 1: audit: required field "audit" is missing',
      'failed on 1: (root): expected a test matrix object with "audit" and "tests", got []',
      'recovered 1',
    ]);
  });

  it('a throwing callback neither rejects reload() nor stops the loader', async () => {
    const file = path.join(dir, 'm.json');
    writeFileSync(file, matrix('1'));
    const { loader } = loaderFor(file, {
      loaded: () => {
        throw new Error('bad logger');
      },
    });
    await expect(loader.reload()).resolves.toBeUndefined();
    expect(loader.version).toBe('1');
  });
});

describe('polling', () => {
  it('reads intervalMs after the previous read ended, one read at a time; close() stops it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const file = path.join(dir, 'm.json');
    writeFileSync(file, matrix('1'));
    const { loader } = loaderFor(file, { intervalMs: 5000 });
    const first = loader.reload();
    const second = loader.reload();
    expect(second).not.toBe(first);
    expect(loader.reload()).toBe(second); // calls during a read share one more read after it
    loader.start();
    expect(vi.getTimerCount()).toBe(0); // scheduled when the reads in progress end
    await second;
    expect(reads()).toBe(2);
    expect(vi.getTimerCount()).toBe(1);
    writeFileSync(file, matrix('2'));
    await vi.advanceTimersByTimeAsync(4999);
    expect(loader.version).toBe('1');
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(loader.version).toBe('2'), { interval: 5, timeout: 2000 });
    await vi.waitFor(() => expect(vi.getTimerCount()).toBe(1), { interval: 5, timeout: 2000 });
    loader.start(); // a second start() does not add a poller
    expect(vi.getTimerCount()).toBe(1);
    loader.close();
    expect(vi.getTimerCount()).toBe(0);
    writeFileSync(file, matrix('3'));
    await loader.reload(); // closed: nothing is read
    await vi.advanceTimersByTimeAsync(60_000);
    expect(loader.version).toBe('2');
  });

  it('intervalMs 0 never polls', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const file = path.join(dir, 'm.json');
    writeFileSync(file, matrix('1'));
    const { loader } = loaderFor(file);
    loader.start();
    await loader.reload();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a matrix URL', () => {
  type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'stall';
  async function upstream(): Promise<{ url: string; requests: IncomingHttpHeaders[]; reply: (r: Reply) => void }> {
    let reply: Reply = { status: 200 };
    const requests: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      requests.push(req.headers);
      if (reply === 'stall') return;
      const etag = reply.headers?.etag;
      if (etag !== undefined && req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    });
    upstreams.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/matrix.json`, requests, reply: (r) => (reply = r) };
  }

  it('asks conditionally only while a matrix is in service; 304 is unchanged', async () => {
    const up = await upstream();
    const modified = 'Wed, 01 Jan 2025 00:00:00 GMT';
    up.reply({ status: 200, body: matrix('1'), headers: { etag: '"v1"', 'last-modified': modified } });
    const { loader, compile } = loaderFor(up.url);
    await loader.reload();
    await loader.reload();
    expect(up.requests.map((h) => [h.accept, h['if-none-match'], h['if-modified-since']])).toEqual([
      ['application/json', undefined, undefined],
      ['application/json', '"v1"', modified],
    ]);
    expect(compile).toHaveBeenCalledTimes(1);
    expect(loader.version).toBe('1');
  });

  it('a bad download records no validators; an HTTP error is reported once; a 304 afterwards reads again', async () => {
    const up = await upstream();
    up.reply({ status: 200, body: matrix('1'), headers: { etag: '"v1"' } });
    const { loader, events } = loaderFor(up.url);
    await loader.reload();
    up.reply({ status: 200, body: '<html>', headers: { etag: '"v2"' } });
    await loader.reload();
    await loader.reload(); // still "v1" asked: the bad answer's ETag was not kept
    up.reply({ status: 500 });
    await loader.reload();
    await loader.reload();
    up.reply({ status: 200, body: matrix('1'), headers: { etag: '"v1"' } });
    await loader.reload(); // 304
    expect(up.requests.slice(1).map((h) => h['if-none-match'])).toEqual(['"v1"', '"v1"', '"v1"', '"v1"', '"v1"']);
    expect(loader.version).toBe('1');
    expect(events).toEqual([
      'loaded 1 after nothing',
      expect.stringMatching(/^failed on 1: matrix is not valid JSON: /),
      `failed on 1: HTTP 500 Internal Server Error from ${up.url}`,
      'recovered 1',
    ]);
  });

  it('before the first load an HTTP error is a failure, and an unreachable host names the cause', async () => {
    const up = await upstream();
    up.reply({ status: 503 });
    const { loader, events } = loaderFor(up.url);
    await loader.reload();
    expect(loader.failure?.reason).toBe(`HTTP 503 Service Unavailable from ${up.url}`);
    const closed = upstreams.pop() as Server;
    const gone = new Promise((resolve) => closed.close(resolve));
    closed.closeAllConnections();
    await gone;
    await loader.reload();
    expect(loader.failure?.reason).toMatch(/^fetch failed: .*ECONNREFUSED/);
    expect(events).toHaveLength(2);
  });

  it('gives up on a stalled download after timeoutMs; close() aborts one silently', async () => {
    const up = await upstream();
    up.reply({ status: 200, body: matrix('1') });
    const { loader, events } = loaderFor(up.url, { timeoutMs: 100 });
    await loader.reload();
    up.reply('stall');
    await loader.reload();
    expect(loader.version).toBe('1');
    expect(events.at(-1)).toBe('failed on 1: download aborted: no complete answer within 100 ms');
    const { loader: other, events: otherEvents } = loaderFor(up.url, { timeoutMs: 60_000 });
    const pending = other.reload();
    await vi.waitFor(() => expect(up.requests).toHaveLength(3));
    other.close();
    await pending;
    expect(otherEvents).toEqual([]);
    expect(other.failure).toBeNull();
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = (input) => {
      seen.push(String(input));
      return Promise.resolve(new Response(matrix('5'), { status: 200 }));
    };
    const { loader } = loaderFor('https://matrix.example/m.json', { fetch });
    await loader.reload();
    expect(seen).toEqual(['https://matrix.example/m.json']);
    expect(loader.version).toBe('5');
  });
});

describe('matrixLocation and describeError', () => {
  it('takes a path, an http(s) URL or a file: URL; null for a matrix object; refuses the rest', () => {
    expect(matrixLocation('./m.json')).toBe('./m.json');
    expect(matrixLocation('https://x.example/m.json')).toBe('https://x.example/m.json');
    expect(matrixLocation(new URL('http://x.example/m.json'))).toBe('http://x.example/m.json');
    const file = path.join(dir, 'm.json');
    expect(matrixLocation(pathToFileURL(file))).toBe(file);
    expect(matrixLocation({ audit: {}, tests: {} })).toBeNull();
    expect(() => matrixLocation(' ')).toThrow(new ConfigError('matrix', 'expected a file path, an http(s) URL or a matrix object, got ""'));
    expect(() => matrixLocation(new URL('ftp://x.example/m.json'))).toThrow('matrix: expected an http(s) URL or a file: URL, got "ftp://x.example/m.json"');
    for (const bad of [undefined, null, 42, []]) expect(() => matrixLocation(bad)).toThrow(ConfigError);
  });

  it('adds the cause to the message unless the message already says it', () => {
    expect(describeError(new Error('fetch failed', { cause: new Error('connect ECONNREFUSED') }))).toBe('fetch failed: connect ECONNREFUSED');
    expect(describeError(new Error('not JSON: bad token', { cause: new Error('bad token') }))).toBe('not JSON: bad token');
    expect(describeError('plain')).toBe('plain');
  });
});
