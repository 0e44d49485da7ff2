// The Pipet source's default transport (an undici Pool for Pipet's origin, src/sources/pipet-transport.ts)
// against a real HTTP server. (pipet-transport-load.test.ts: while undici loads; -fallback: without it.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pipetSource } from '../../src/sources/pipet.js';
import type { PipetSource } from '../../src/sources/pipet.js';
import type { IdentifyRequest } from '../../src/contract.js';
import { recordingLogger, startFakePipet } from '../support/fake-pipet.js';
import type { FakePipet } from '../support/fake-pipet.js';

const REQUEST: IdentifyRequest = { tests: ['btntst'], identifiers: { USER: 'u1' }, context: {}, forceGroups: null };
let pipet: FakePipet;
const sources: PipetSource[] = [];

beforeAll(async () => {
  pipet = await startFakePipet(() => ({ btntst: { name: 'blue', value: 1, version: '1' } }));
});
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  pipet.requests.length = 0;
});
afterAll(async () => {
  await pipet.close();
});

describe('the default transport', () => {
  it('keeps the base path of apiRoot, on Pipet’s origin', async () => {
    const logger = recordingLogger();
    const s = pipetSource({ apiRoot: `${pipet.url}/pipet/`, logger });
    sources.push(s);
    await s.ready();
    const result = await s.identify(REQUEST);
    expect(pipet.requests.map((r) => r.path)).toEqual(['/pipet/groups/identify']);
    expect(result.error).toBe('HTTP 404: No handler for /pipet/groups/identify');
    expect(pipet.requests[0]?.headers['accept']).toBe('application/json');
    // Pipet configurations commonly read the User-Agent header (a 400 without one); undici sends none itself.
    expect(pipet.requests[0]?.headers['user-agent']).toBe('proctor-node');
  });

  it('reuses its connections for sequential calls, and close() ends the calls and the pool', async () => {
    const s = pipetSource({ apiRoot: pipet.url });
    sources.push(s);
    await s.ready();
    const before = pipet.connections();
    for (let i = 0; i < 20; i++) expect((await s.identify(REQUEST)).origin).toBe('pipet');
    // A Pool may open a second connection when a call is sent just before the previous one's is released.
    expect(pipet.connections() - before).toBeLessThanOrEqual(2);
    pipet.setBehaviour('stall');
    const pending = s.identify(REQUEST);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await s.close();
    expect(await pending).toMatchObject({ origin: 'fallback', error: 'source closed' });
    expect(await s.identify(REQUEST)).toMatchObject({ origin: 'fallback', error: 'source closed' });
    pipet.setBehaviour('ok');
  });
});

describe('what the default transport reads', () => {
  it('a body over 8 MiB is refused (not buffered further); a UTF-8 BOM is dropped as Response.text() does', async () => {
    const s = pipetSource({ apiRoot: pipet.url, attempts: 1, timeoutMs: 5000 });
    sources.push(s);
    await s.ready();
    pipet.setBehaviour({ status: 200, body: ' '.repeat(9 * 1024 * 1024) });
    expect((await s.identify(REQUEST)).error).toBe('response body over 8388608 bytes');
    const envelope = JSON.stringify({ data: { groups: { btntst: { name: 'é', value: 1 } }, audit: { version: '3' } }, meta: { status: 200 } });
    pipet.setBehaviour({ status: 200, body: `\uFEFF${envelope}` });
    expect(await s.identify(REQUEST)).toMatchObject({ origin: 'pipet', matrixVersion: '3', groups: { btntst: { name: 'é' } } });
    pipet.setBehaviour('ok');
  });
});
