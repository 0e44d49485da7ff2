import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, MatrixError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { createPipetServer } from '../../src/server/index.js';
import type { PipetServer, PipetServerOptions } from '../../src/server/index.js';

const config = { context: {}, identifiers: { USER: {} } };

function matrix(version: string, testNames: readonly string[]): string {
  const tests: Record<string, unknown> = {};
  for (const name of testNames) {
    tests[name] = {
      testType: 'USER',
      salt: name,
      version,
      buckets: [
        { name: 'control', value: 0 },
        { name: 'test', value: 1 },
      ],
      allocations: [{ ranges: [{ bucketValue: 1, length: 1 }] }],
    };
  }
  return JSON.stringify({ audit: { version, updated: 0, updatedBy: 'reload-test' }, tests });
}

interface Line {
  level: string;
  message: string;
  fields: Record<string, unknown> | undefined;
}

function recorder(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  return { lines, warn: log('warn'), error: log('error'), info: log('info') };
}

let dir: string;
const running: PipetServer[] = [];
const upstreams: Server[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pipet-reload-'));
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(
    upstreams.splice(0).map((s) => {
      const closed = new Promise((resolve) => s.close(resolve));
      s.closeAllConnections(); // a stalled request would otherwise hold the upstream open
      return closed;
    }),
  );
  rmSync(dir, { recursive: true, force: true });
});

function create(options: Partial<PipetServerOptions> & Pick<PipetServerOptions, 'matrix'>): PipetServer {
  const pipet = createPipetServer({ config, port: 0, reloadSeconds: 0, ...options });
  running.push(pipet);
  return pipet;
}

async function testNames(url: string): Promise<string[]> {
  const response = await fetch(`${url}/proctor/matrix`);
  return Object.keys(((await response.json()) as { tests: object }).tests).sort();
}

describe('reloading a matrix file', () => {
  it('swaps only when audit.version changes and keeps the last good matrix on a broken file', async () => {
    const file = path.join(dir, 'matrix.json');
    writeFileSync(file, matrix('1', ['atst']));
    const logger = recorder();
    const pipet = create({ matrix: file, logger });
    const { url } = await pipet.listen();
    expect(pipet.matrixVersion).toBe('1');

    writeFileSync(file, matrix('2', ['atst', 'btst']));
    await pipet.reload();
    expect(pipet.matrixVersion).toBe('2');
    expect(await testNames(url)).toEqual(['atst', 'btst']);
    expect(logger.lines.find((l) => l.message === 'pipet: test matrix loaded' && l.fields?.version === '2')?.fields).toMatchObject({
      previousVersion: '1',
      tests: 2,
      dropped: 0,
    });

    // Same version, different content: Pipet's loader does not look further.
    writeFileSync(file, matrix('2', ['ctst']));
    await pipet.reload();
    expect(await testNames(url)).toEqual(['atst', 'btst']);

    for (const broken of ['{"audit": ', '{"tests": {}}', '[]']) {
      writeFileSync(file, broken);
      await pipet.reload();
      expect(pipet.matrixVersion).toBe('2');
      expect(await testNames(url)).toEqual(['atst', 'btst']);
    }
    rmSync(file);
    await pipet.reload();
    expect(pipet.matrixVersion).toBe('2');
    const warnings = logger.lines.filter((l) => l.message === 'pipet: reload failed, keeping the loaded matrix');
    expect(warnings.map((w) => String(w.fields?.error))).toEqual([
      expect.stringContaining('matrix is not valid JSON'),
      'audit: required field "audit" is missing',
      expect.stringContaining('(root): expected a test matrix object'),
      expect.stringContaining('ENOENT'),
    ]);
    expect(warnings.every((w) => w.fields?.version === '2' && w.fields.source === file)).toBe(true);
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', matrixVersion: '2' });
  });

  it('reloads every reloadSeconds, after each attempt ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const file = path.join(dir, 'matrix.json');
    writeFileSync(file, matrix('1', ['atst']));
    const pipet = create({ matrix: file, reloadSeconds: 5 });
    await pipet.listen();
    writeFileSync(file, matrix('2', ['atst']));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(pipet.matrixVersion).toBe('1');
    await vi.advanceTimersByTimeAsync(1);
    // The timer has fired; the file read itself is real I/O.
    await vi.waitFor(() => expect(pipet.matrixVersion).toBe('2'), { interval: 5, timeout: 2_000 });
    writeFileSync(file, matrix('3', ['atst']));
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(() => expect(pipet.matrixVersion).toBe('3'), { interval: 5, timeout: 2_000 });
    await pipet.close();
    writeFileSync(file, matrix('4', ['atst']));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(pipet.matrixVersion).toBe('3');
  });

  it('reloadSeconds 0 never reloads on its own', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const file = path.join(dir, 'matrix.json');
    writeFileSync(file, matrix('1', ['atst']));
    const pipet = create({ matrix: file, reloadSeconds: 0 });
    await pipet.listen();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the matrix option', () => {
  it('takes a file: URL', async () => {
    const file = path.join(dir, 'matrix.json');
    writeFileSync(file, matrix('4', ['atst']));
    const pipet = create({ matrix: pathToFileURL(file) });
    await pipet.listen();
    expect(pipet.matrixVersion).toBe('4');
  });
});

describe('the first load', () => {
  it('listen() rejects when the matrix cannot be loaded', async () => {
    await expect(create({ matrix: path.join(dir, 'missing.json') }).listen()).rejects.toThrow(ConfigError);
    await expect(create({ matrix: path.join(dir, 'missing.json') }).listen()).rejects.toThrow(/matrix: cannot load the test matrix: .*ENOENT/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"audit": {"version": "1"}, "tests": []}');
    await expect(create({ matrix: bad }).listen()).rejects.toThrow(MatrixError);
  });

  it('with requireMatrixAtStartup false, answers 500 until a reload succeeds (as Java Pipet)', async () => {
    const file = path.join(dir, 'late.json');
    const logger = recorder();
    const pipet = create({ matrix: file, requireMatrixAtStartup: false, logger });
    const { url } = await pipet.listen();
    expect(logger.lines.some((l) => l.level === 'error' && l.message === 'pipet: cannot load the test matrix')).toBe(true);
    const identify = await fetch(`${url}/groups/identify?id.USER=u1`);
    expect(identify.status).toBe(500);
    const body = (await identify.json()) as { data: object; meta: { status: number; error: string } };
    expect(body.data).toEqual({});
    expect(body.meta.error).toMatch(/^Could not get Proctor from loader: .*ENOENT/);
    expect((await fetch(`${url}/proctor/matrix`)).status).toBe(500);
    expect((await fetch(`${url}/proctor/matrix/definition/atst`)).status).toBe(500);
    expect(await (await fetch(`${url}/proctor/matrix/audit`)).json()).toEqual({ data: null, meta: { status: 200 } });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable', matrixVersion: null });
    // Configuration endpoints do not need a matrix.
    expect((await fetch(`${url}/config/identifiers`)).status).toBe(200);

    writeFileSync(file, matrix('9', ['atst']));
    await pipet.reload();
    expect((await fetch(`${url}/groups/identify?id.USER=u1`)).status).toBe(200);
  });
});

describe('reloading a matrix URL', () => {
  interface Upstream {
    url: string;
    requests: IncomingHttpHeaders[];
    respond: (status: number, body: string, headers?: Record<string, string>) => void;
    stall: () => void;
  }

  async function upstream(): Promise<Upstream> {
    let reply: { status: number; body: string; headers: Record<string, string> } | 'stall' = { status: 200, body: '', headers: {} };
    const requests: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      requests.push(req.headers);
      if (reply === 'stall') return; // never answers
      const etag = reply.headers.etag;
      if (etag !== undefined && req.headers['if-none-match'] === etag) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
    });
    upstreams.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/matrix.json`,
      requests,
      respond: (status, body, headers = {}) => {
        reply = { status, body, headers };
      },
      stall: () => {
        reply = 'stall';
      },
    };
  }

  it('fetches, revalidates with the ETag, keeps the last good matrix on errors and garbage', async () => {
    const up = await upstream();
    up.respond(200, matrix('1', ['atst']), { etag: '"v1"' });
    const logger = recorder();
    const pipet = create({ matrix: up.url, logger });
    await pipet.listen();
    expect(pipet.matrixVersion).toBe('1');

    await pipet.reload();
    expect(up.requests.at(-1)?.['if-none-match']).toBe('"v1"');
    expect(pipet.matrixVersion).toBe('1');

    up.respond(500, 'oops');
    await pipet.reload();
    up.respond(200, '<html>not json</html>');
    await pipet.reload();
    expect(pipet.matrixVersion).toBe('1');
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => String(l.fields?.error))).toEqual([
      `HTTP 500 Internal Server Error from ${up.url}`,
      expect.stringContaining('matrix is not valid JSON'),
    ]);

    up.respond(200, matrix('2', ['btst']), { etag: '"v2"' });
    await pipet.reload();
    expect(pipet.matrixVersion).toBe('2');
  });

  it('retries a bad download (its ETag is not kept), logs a repeated failure once and says when it reads again', async () => {
    const up = await upstream();
    up.respond(200, matrix('1', ['atst']), { etag: '"v1"' });
    const logger = recorder();
    const pipet = create({ matrix: up.url, logger });
    await pipet.listen();
    up.respond(200, '{"audit": ', { etag: '"v2"' }); // a truncated upload
    await pipet.reload();
    await pipet.reload();
    await pipet.reload();
    expect(up.requests.slice(1).map((h) => h['if-none-match'])).toEqual(['"v1"', '"v1"', '"v1"']);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    up.respond(200, matrix('2', ['btst']), { etag: '"v2"' }); // the upload completed, same ETag
    await pipet.reload();
    expect(pipet.matrixVersion).toBe('2');
    expect(logger.lines.slice(-2).map((l) => [l.message, l.fields?.version])).toEqual([
      ['pipet: test matrix reads again', '2'],
      ['pipet: test matrix loaded', '2'],
    ]);
  });

  it('gives up on a stalled download after fetchTimeoutMs and keeps serving', async () => {
    const up = await upstream();
    up.respond(200, matrix('1', ['atst']));
    const logger = recorder();
    const pipet = create({ matrix: up.url, fetchTimeoutMs: 200, logger });
    const { url } = await pipet.listen();
    up.stall();
    await pipet.reload();
    expect(pipet.matrixVersion).toBe('1');
    expect(logger.lines.some((l) => l.level === 'warn' && /abort/i.test(String(l.fields?.error)))).toBe(true);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});
