/**
 * The HTTP edges of `proctor-node serve`, on a real port with raw sockets (node:net), each stating the Spring
 * MVC / Tomcat behaviour of a Java Pipet it reproduces.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipetServer } from '../../src/server/index.js';
import type { PipetServer } from '../../src/server/index.js';
import { cli, runCli, tempDir } from '../support/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exampleMatrix = path.join(root, 'examples/matrix.json');
const config = { context: { country: { type: 'String' } }, identifiers: { USER: {} } };

let pipet: PipetServer;
let port: number;

beforeAll(async () => {
  pipet = createPipetServer({ matrix: exampleMatrix, config, port: 0, reloadSeconds: 0, headersTimeoutMs: 400 });
  port = Number(new URL((await pipet.listen()).url).port);
});

afterAll(async () => {
  await pipet.close();
});

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Write `payload` to a fresh connection (optionally leaving it open) and read until the server closes it. */
function raw(payload: string, options: { keepOpen?: boolean } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      if (options.keepOpen) socket.write(payload);
      else socket.end(payload);
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const split = data.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = data.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body: data.slice(split + 4) });
    });
  });
}

function meta(reply: RawReply): unknown {
  const envelope = JSON.parse(reply.body) as { data: unknown; meta: unknown };
  expect(envelope.data).toEqual({});
  return envelope.meta;
}

describe('requests Node would refuse with a bare answer get the envelope', () => {
  it('an HTTP/1.1 request without Host: 400 (Tomcat: "http11processor.request.noHostHeader")', async () => {
    const reply = await raw('GET /groups/identify?id.USER=u1&ctx.country=US HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(meta(reply)).toEqual({ status: 400, error: 'The HTTP/1.1 request did not provide a host header.' });
  });

  it('HTTP/1.0 needs no Host', async () => {
    const reply = await raw('GET /groups/identify?id.USER=u1&ctx.country=US HTTP/1.0\r\n\r\n');
    expect(reply.status).toBe(200);
  });

  it('a client that does not finish its headers in time: a 408 envelope, then the connection is closed', async () => {
    const started = Date.now();
    const reply = await raw('GET /groups/identify?id.USER=u1 HTTP/1.1\r\nHost: x\r\nX-Slow: ', { keepOpen: true });
    expect(reply.status).toBe(408);
    expect(meta(reply)).toEqual({ status: 408, error: 'Request timeout: the request line and headers did not arrive in time.' });
    expect(reply.headers.connection).toBe('close');
    // headersTimeoutMs is 400; Node checks it every 100 ms here.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('methods on the read-only endpoints, as Spring MVC answers them', () => {
  it('OPTIONS: 200, no body, Allow "GET,HEAD,OPTIONS" (RequestMappingInfoHandlerMapping.HttpOptionsHandler)', async () => {
    for (const target of ['/groups/identify', '/proctor/matrix', '/proctor/matrix/definition/buttoncolortst', '/config/context']) {
      const reply = await raw(`OPTIONS ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(reply.status, target).toBe(200);
      expect(reply.headers.allow, target).toBe('GET,HEAD,OPTIONS');
      expect(reply.headers['content-length']).toBe('0');
      expect(reply.body).toBe('');
    }
  });

  it('POST, PUT, DELETE, PATCH: 405 with Allow "GET" (DefaultHandlerExceptionResolver)', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await raw(`${method} /groups/identify HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(reply.status, method).toBe(405);
      expect(reply.headers.allow).toBe('GET');
      expect(meta(reply)).toEqual({ status: 405, error: `Request method '${method}' not supported` });
    }
  });

  it('an unknown path is a 404 whatever the method (the handler is looked up by path first)', async () => {
    for (const method of ['GET', 'POST', 'OPTIONS']) {
      const reply = await raw(`${method} /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(reply.status, method).toBe(404);
    }
  });
});

describe('query strings, as Tomcat 9 decodes them', () => {
  it('a malformed %-escape drops that parameter only (Parameters.processParameters skips it)', async () => {
    const reply = await raw('GET /groups/identify?id.USER=u1&ctx.country=US&ctx.country2=%zz&test=buttoncolortst HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply.status).toBe(200);
    const dropped = await raw('GET /groups/identify?id.USER=%G1&ctx.country=US HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(meta(dropped)).toEqual({ status: 400, error: 'Request must have at least one identifier.' });
  });

  it('invalid UTF-8 reads as U+FFFD (ByteChunk.toString decodes with REPLACE)', async () => {
    const reply = await raw('GET /groups/identify?id.USER=u1&ctx.country=U%FFS HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply.status).toBe(200);
    expect((JSON.parse(reply.body) as { data: { context: unknown } }).data.context).toEqual({ country: 'U\ufffdS' });
  });
});

describe('serve --max-query-length', () => {
  it('is an option of the command, checked, and listed with every limit in --help', () => {
    const help = runCli(['serve', '--help']).stdout;
    for (const limit of ['--max-query-length', '8192', '64 KiB', '60 s: 408', 'Allow: GET,HEAD,OPTIONS', 'dropped']) expect(help).toContain(limit);
    const bad = runCli(['serve', '--matrix', exampleMatrix, '--config', 'x.json', '--max-query-length', '0']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--max-query-length expects a number of characters ≥ 1, got "0"');
  });

  it('sets the limit of the running server', async () => {
    const configFile = path.join(tempDir(), 'pipet-config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const child = spawn(process.execPath, [cli, 'serve', '--matrix', exampleMatrix, '--config', configFile, '--port', '0', '--max-query-length', '40']);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.trim());
        });
      });
      expect((await fetch(`${url}/groups/identify?id.USER=u1&ctx.country=US`)).status).toBe(200);
      const long = await fetch(`${url}/groups/identify?id.USER=u1&ctx.country=${'x'.repeat(40)}`);
      expect(long.status).toBe(400);
      expect(((await long.json()) as { meta: { error: string } }).meta.error).toBe('Query string too long: 63 characters (limit 40).');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
