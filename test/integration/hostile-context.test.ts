/**
 * The fault suite's hostile rules against a real request: an Express app passes the live `req` and `res`
 * (an `http.IncomingMessage` and `ServerResponse` on a real socket) into the rule context, and the matrix's
 * rules try to destroy, drain, pause, answer or re-emit them. Rules only call the documented methods (README,
 * "Force groups and security"), so each of those rules fails (its test unassigned, one log line) and the
 * request goes on: its body is still readable and the route answers. Before, `${req.destroy() != null}`
 * destroyed the request and the client saw a reset connection.
 */
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSource } from '../../src/sources/local.js';
import { proctor } from '../../src/express/index.js';
import { recordingLogger } from '../support/fake-pipet.js';
import { listen } from '../support/listen.js';
import type { Running } from '../support/listen.js';

const HOSTILE_RULES: Record<string, string> = {
  destroytst: '${req.destroy() != null}',
  dumptst: '${req._dump() == null}',
  pausetst: '${req.pause() != null}',
  emittst: "${req.emit('end') == true}",
  sockettst: '${req.socket.destroy() != null}',
  timeouttst: '${req.setTimeout(1) != null}',
  endtst: "${res.end('hijacked') != null}",
  headertst: "${res.setHeader('x-hijacked', '1') != null}",
  statustst: '${res.writeHead(500) != null}',
};
// A rule that reads an own data field of the request: allowed, and true.
const ALL_TESTS = [...Object.keys(HOSTILE_RULES), 'methodtst'];

function test(rule: string) {
  return {
    testType: 'USER',
    salt: rule,
    rule,
    buckets: [{ name: 'on', value: 1 }],
    allocations: [{ ranges: [{ bucketValue: 1, length: 1 }] }],
  };
}

const MATRIX = {
  audit: { version: 'hostile-1', updated: 0, updatedBy: 'test' },
  tests: {
    ...Object.fromEntries(Object.entries(HOSTILE_RULES).map(([name, rule]) => [name, test(rule)])),
    methodtst: test("${req.method == 'POST'}"),
  },
};

describe('hostile rules against a live request in the context', () => {
  let server: Running;
  const logger = recordingLogger();

  beforeAll(async () => {
    const app = express();
    app.use(
      proctor({
        source: localSource({ matrix: MATRIX }),
        tests: ALL_TESTS,
        getIdentifiers: () => ({ USER: 'u1' }),
        getContext: (req) => ({ req, res: req.res }),
        logger,
      }),
    );
    app.post('/', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const groups = Object.fromEntries(ALL_TESTS.map((t) => [t, req.proc?.get(t).group ?? null]));
        res.json({ body, groups });
      });
    });
    server = await listen(app);
  });

  afterAll(async () => {
    await server.close();
  });

  it('the request survives: body read, answer sent, every hostile rule failed and its test unassigned', async () => {
    const payload = 'x'.repeat(100_000);
    const res = await fetch(`${server.base}/`, { method: 'POST', body: payload, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hijacked')).toBeNull();
    const answer = (await res.json()) as { body: string; groups: Record<string, string | null> };
    expect(answer.body).toBe(payload);
    expect(answer.groups).toEqual({ ...Object.fromEntries(Object.keys(HOSTILE_RULES).map((t) => [t, null])), methodtst: 'on' });
    const failed = logger.lines.filter((l) => l.level === 'error' && /rule error in test/.test(l.message));
    expect(new Set(failed.map((l) => l.fields?.test))).toEqual(new Set(Object.keys(HOSTILE_RULES)));
    for (const line of failed) expect(String(line.fields?.error), JSON.stringify(line.fields)).toMatch(/^javax\.el\.MethodNotFoundException: Method not found: (IncomingMessage|ServerResponse|Socket)\./);
  });
});
