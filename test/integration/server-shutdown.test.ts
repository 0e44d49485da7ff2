import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/io.js';
import { serve } from '../../src/cli/serve.js';
import { createPipetServer } from '../../src/server/index.js';
import type { PipetServer } from '../../src/server/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exampleMatrix = path.join(root, 'examples/matrix.json');
const configFile = path.join(root, 'test/fixtures/pipet-config.json');
const pipetConfig = readFileSync(configFile, 'utf8');

const running: PipetServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function open(url: string): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect(Number(port), hostname);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    const ended = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('connect', () => resolve({ socket, received: () => data, ended }));
    socket.on('error', reject);
  });
}

describe('graceful close', () => {
  it('stops accepting, lets the in-flight request finish, then resolves', async () => {
    const pipet = createPipetServer({ matrix: exampleMatrix, config: pipetConfig, port: 0, reloadSeconds: 0 });
    running.push(pipet);
    const { url } = await pipet.listen();
    // A request whose headers are still arriving when the shutdown starts.
    const inflight = await open(url);
    const started = new Promise((resolve) => pipet.server.once('request', resolve));
    inflight.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    // An idle keep-alive connection must not hold the shutdown up.
    const idle = await open(url);
    idle.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => {
      const check = (): void => (idle.received().includes('"status":"ok"') ? resolve() : void setImmediate(check));
      check();
    });

    let closed = false;
    const closing = pipet.close().then(() => {
      closed = true;
    });
    await idle.ended;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    expect(closed).toBe(false);

    inflight.socket.write('User-Agent: test\r\n\r\n');
    await started;
    await inflight.ended;
    expect(inflight.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(inflight.received().toLowerCase()).toContain('connection: close');
    expect(inflight.received()).toContain('{"status":"ok","matrixVersion":"1"}');
    await closing;
    expect(closed).toBe(true);
    expect(pipet.close()).toBe(pipet.close()); // idempotent
  });

  it('close() before listen() resolves at once, and listen() afterwards refuses', async () => {
    const pipet = createPipetServer({ matrix: exampleMatrix, config: pipetConfig, port: 0 });
    await pipet.close();
    await expect(pipet.listen()).rejects.toThrow('listen: the server was closed');
  });
});

function captureIO(): { io: { stdin: PassThrough; stdout: PassThrough; stderr: PassThrough }; out: () => string; err: () => string; line: Promise<string> } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8');
  stderr.setEncoding('utf8');
  const line = new Promise<string>((resolve) => {
    stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
  });
  stderr.on('data', (chunk: string) => (err += chunk));
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: () => out, err: () => err, line };
}

describe('proctor-node serve', () => {
  it('prints the URL, serves, logs JSON lines and exits 0 on SIGTERM', async () => {
    const { io, err, line } = captureIO();
    const signals = new EventEmitter();
    const done = serve(['--matrix', exampleMatrix, '--config', configFile, '--port', '0', '--reload-seconds', '1'], io, {
      signals: signals as unknown as NodeJS.Process,
    });
    const url = await line;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', matrixVersion: '1' });
    signals.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    const logs = err()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string; time: string });
    expect(logs.map((l) => l.msg)).toEqual(['pipet: test matrix loaded', 'pipet: listening', 'pipet: shutting down', 'pipet: closed']);
    expect(logs.every((l) => l.level === 'info' && !Number.isNaN(Date.parse(l.time)))).toBe(true);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('stops on an abort signal too', async () => {
    const { io, line } = captureIO();
    const controller = new AbortController();
    const done = serve(['--matrix', exampleMatrix, '--config', configFile, '--port', '0'], io, { signal: controller.signal, signals: new EventEmitter() as unknown as NodeJS.Process });
    await line;
    controller.abort();
    expect(await done).toBe(0);
  });

  it.each([
    [[], /^missing --matrix\nusage: proctor-node serve/],
    [['--matrix', exampleMatrix], /^missing --config\nusage: proctor-node serve/],
    [['--matrix', exampleMatrix, '--config', configFile, '--port', 'http'], /--port expects a port number/],
    [['--matrix', exampleMatrix, '--config', configFile, '--port', '70000'], /--port expects a port number/],
    [['--matrix', exampleMatrix, '--config', configFile, '--reload-seconds=-5'], /--reload-seconds expects a number of seconds/],
    [['--matrix', exampleMatrix, '--config', configFile, '--bogus'], /Unknown option '--bogus'/],
  ])('usage error for %j', async (args, message) => {
    const { io } = captureIO();
    const error = await serve(args, io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
  });

  it('reports a matrix it cannot read on stderr with exit code 66, like an unreadable configuration', async () => {
    const { io, err } = captureIO();
    expect(await serve(['--matrix', path.join(root, 'nope.json'), '--config', configFile, '--port', '0'], io)).toBe(66);
    expect(err()).toMatch(/proctor-node: matrix: cannot load the test matrix: .*ENOENT/);
    const missingConfig = await serve(['--matrix', exampleMatrix, '--config', path.join(root, 'nope-config.json')], captureIO().io).catch((e: unknown) => e);
    expect(missingConfig).toBeInstanceOf(UsageError);
    expect((missingConfig as UsageError).exitCode).toBe(66);
  });
});
