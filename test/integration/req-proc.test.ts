// `req.proc` on Express requests without a new own property per request (see src/express/req-proc.ts), on
// real ports, Express 4 and 5: it reads the request's proc in later middleware, routes and after a mounted
// sub-app, can be assigned, wins over an earlier own `proc`, and leaves other apps' requests alone.
import type { IncomingMessage } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { localSource } from '../../src/index.js';
import { proctor } from '../../src/express/index.js';
import exampleMatrix from '../../examples/matrix.json' with { type: 'json' };
import { listen } from '../support/listen.js';

type ExpressFactory = typeof express5;
type Req = IncomingMessage & { proc?: unknown };

function middleware() {
  return proctor({
    source: localSource({ matrix: exampleMatrix }),
    tests: ['buttoncolortst'],
    getIdentifiers: (req) => ({ USER: String(req.headers['x-user'] ?? 'pa5xq0lz4n80') }),
  });
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as ExpressFactory],
])('%s: req.proc', (_name, express) => {
  it('is the proc in later middleware and routes, and no own property of the request', async () => {
    const app = express();
    const mw = middleware();
    let seen: { own: boolean; inReq: boolean; keys: boolean; locals: string[] } | undefined;
    app.use(mw);
    app.use((req, res, next) => {
      seen = { own: Object.hasOwn(req, 'proc'), inReq: 'proc' in req, keys: Object.keys(req).includes('proc'), locals: Object.keys(res.locals) };
      next();
    });
    app.get('/', (req, res) => {
      const proc = (req as Req).proc as { buttoncolortst: { group: string | null } };
      res.send(String(proc.buttoncolortst.group));
    });
    const server = await listen(app);
    try {
      expect(await (await fetch(`${server.base}/`)).text()).toBe('control');
      expect(await (await fetch(`${server.base}/`, { headers: { 'x-user': 'another-user-7' } })).text()).toMatch(/^(control|blue|green|inactive)$/);
      // Express gives each request a hidden class of its own: a property added per request would copy it.
      expect(seen).toEqual({ own: false, inReq: true, keys: false, locals: ['proc'] });
    } finally {
      await server.close();
      await mw.client.close();
    }
  });

  it('can be assigned (then it is an ordinary own, enumerable property) and still reads after a mounted sub-app', async () => {
    const app = express();
    const sub = express();
    const mw = middleware();
    sub.use(mw);
    app.use('/sub', sub);
    app.get('/sub/page', (req, res) => {
      const before = String(((req as Req).proc as { buttoncolortst: { group: string | null } }).buttoncolortst.group);
      (req as Req).proc = 'replaced';
      res.json({ before, after: (req as Req).proc, own: Object.keys(req).includes('proc') });
    });
    const server = await listen(app);
    try {
      expect(await (await fetch(`${server.base}/sub/page`)).json()).toEqual({ before: 'control', after: 'replaced', own: true });
    } finally {
      await server.close();
      await mw.client.close();
    }
  });

  it("wins over an own proc set before it, and another app's requests have none", async () => {
    const app = express();
    const mw = middleware();
    app.use((req, _res, next) => {
      if (req.headers['x-early'] === '1') (req as Req).proc = 'early';
      next();
    });
    app.use(mw);
    app.get('/', (req, res) => res.send(String((req as Req).proc)));
    const other = express();
    other.get('/', (req, res) => res.json({ proc: (req as Req).proc ?? null }));
    const [server, otherServer] = [await listen(app), await listen(other)];
    try {
      expect(await (await fetch(`${server.base}/`, { headers: { 'x-early': '1' } })).text()).toBe('buttoncolortst0');
      expect(await (await fetch(`${otherServer.base}/`)).json()).toEqual({ proc: null });
    } finally {
      await Promise.all([server.close(), otherServer.close()]);
      await mw.client.close();
    }
  });
});
