// The Pipet source against a real HTTP server (test/support/fake-pipet.ts), once per HTTP client.
import nodeFetch from 'node-fetch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { memoryStore } from '../../src/cache/store.js';
import { pipetSource } from '../../src/sources/pipet.js';
import type { PipetFetch, PipetSourceOptions } from '../../src/sources/pipet.js';
import type { IdentifyRequest } from '../../src/contract.js';
import { recordingLogger, refusedUrl, startFakePipet } from '../support/fake-pipet.js';
import type { FakeBehaviour, FakeGroup, FakePipet } from '../support/fake-pipet.js';
import { trackUnhandledRejections } from '../support/unhandled-rejections.js';

// null: the source's default transport (an undici Pool).
const clients: [string, PipetFetch | null][] = [
  ['the default transport (undici Pool)', null],
  ['built-in fetch', globalThis.fetch],
  ['node-fetch', nodeFetch],
];

const GROUPS: Record<string, FakeGroup> = {
  buttoncolortst: { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' }, version: '1' },
  newfeaturerollout: { name: 'active', value: 0, version: '1' },
  countryalgotst: { name: 'inactive', value: -1, payload: { longArray: [2, 3, 5] }, version: '1' },
};

const REQUEST: IdentifyRequest = {
  tests: ['buttoncolortst', 'newfeaturerollout', 'countryalgotst', 'mobileonly'],
  identifiers: { USER: 'pa5xq0lz4n80' },
  context: { country: 'US', loggedIn: true },
  forceGroups: null,
};

// Any unhandled rejection during these tests is a bug of the source ("never rejects").
const unhandled = trackUnhandledRejections();
afterEach(async () => {
  // Give late socket errors a chance to surface as rejections before checking.
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled).toEqual([]);
});

describe.each(clients)('pipetSource with %s', (_name, fetchImpl) => {
  let pipet: FakePipet;
  const sources: { close(): Promise<void> }[] = [];

  function source(options: Partial<PipetSourceOptions> = {}) {
    const logger = recordingLogger();
    const s = pipetSource({ apiRoot: pipet.url, ...(fetchImpl === null ? {} : { fetch: fetchImpl }), logger, ...options });
    sources.push(s);
    return { source: s, logger };
  }

  beforeAll(async () => {
    pipet = await startFakePipet(() => GROUPS);
  });
  afterEach(async () => {
    pipet.setBehaviour('ok');
    pipet.setVersion('1');
    pipet.setHandler(() => GROUPS);
    pipet.requests.length = 0;
    for (const s of sources.splice(0)) await s.close();
  });
  afterAll(async () => {
    await pipet.close();
  });

  describe('wire format', () => {
    it('sends ctx./id./test=/prforceGroups with stringified values', async () => {
      const { source: s } = source();
      await s.identify({
        tests: ['a', 'b'],
        identifiers: { USER: 'u 1&x=é', acctid: '' },
        context: {
          country: 'US',
          loggedIn: true,
          anon: false,
          age: 42,
          ratio: 0.5,
          big: 10n,
          missing: null,
          undef: undefined,
          obj: { a: [1, 'x'] },
          when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
          empty: '',
        },
        forceGroups: 'a1;b0',
      });
      expect(pipet.requests).toHaveLength(1);
      const r = pipet.requests[0];
      expect(r?.method).toBe('GET');
      expect(r?.path).toBe('/groups/identify');
      expect(r?.headers['accept']).toBe('application/json');
      expect(r?.query).toEqual({
        'ctx.country': 'US',
        'ctx.loggedIn': 'true',
        'ctx.anon': 'false',
        'ctx.age': '42',
        'ctx.ratio': '0.5',
        'ctx.big': '10',
        'ctx.obj': '{"a":[1,"x"]}',
        'ctx.when': '2024-01-02T03:04:05.000Z',
        'ctx.empty': '',
        'id.USER': 'u 1&x=é',
        'id.acctid': '',
        test: 'a,b',
        prforceGroups: 'a1;b0',
      });
      // The list separator stays a literal comma on the wire, as django sends it readable.
      expect(r?.search).toContain('test=a,b');
    });

    it('always sends test=, even for an empty list, and omits empty force groups', async () => {
      const { source: s } = source();
      const empty = await s.identify({ tests: [], identifiers: { USER: 'u' }, context: {}, forceGroups: '' });
      await s.identify({ tests: ['x'], identifiers: { USER: 'u' }, context: {}, forceGroups: null });
      expect(pipet.requests.map((r) => r.search)).toEqual(['id.USER=u&test=', 'id.USER=u&test=x']);
      expect(empty).toEqual({ groups: {}, matrixVersion: '1', origin: 'pipet' });
    });

    it('reuses connections (keep-alive)', async () => {
      const { source: s } = source();
      const before = pipet.connections();
      for (let i = 0; i < 10; i++) expect((await s.identify(REQUEST)).origin).toBe('pipet');
      // undici's pool may open a second socket when a request is sent before the previous one is released
      // (and may reuse one from an earlier test); 10 calls must not mean 10 handshakes either way.
      expect(pipet.connections() - before).toBeLessThanOrEqual(2);
      expect(new Set(pipet.requests.map((r) => r.connection)).size).toBeLessThanOrEqual(2);
    });
  });

  describe('success', () => {
    it('returns the requested, assigned tests in request order with payloads in matrix shape', async () => {
      const { source: s, logger } = source();
      const result = await s.identify(REQUEST);
      expect(result).toEqual({
        groups: {
          buttoncolortst: { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' }, allocationId: null, version: '1' },
          newfeaturerollout: { name: 'active', value: 0, payload: null, allocationId: null, version: '1' },
          countryalgotst: { name: 'inactive', value: -1, payload: { longArray: [2, 3, 5] }, allocationId: null, version: '1' },
        },
        matrixVersion: '1',
        origin: 'pipet',
      });
      expect(Object.keys(result.groups)).toEqual(['buttoncolortst', 'newfeaturerollout', 'countryalgotst']);
      expect(logger.lines).toEqual([]);
    });

    it('ignores tests that were not requested and survives an empty payload {}', async () => {
      pipet.setBehaviour({
        status: 200,
        body: JSON.stringify({
          data: {
            groups: {
              wanted: { name: 'test', value: 1, payload: {}, version: null },
              other: { name: 'control', value: 0 },
              broken: { value: 1 },
            },
            audit: { version: '9' },
          },
          meta: { status: 200 },
        }),
      });
      const { source: s, logger } = source();
      const result = await s.identify({ tests: ['wanted', 'broken'], identifiers: { USER: 'u' }, context: {}, forceGroups: null });
      expect(result.groups).toEqual({ wanted: { name: 'test', value: 1, payload: null, allocationId: null, version: null } });
      expect(result.matrixVersion).toBe('9');
      expect(result.origin).toBe('pipet');
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]?.fields?.['malformed']).toEqual(['broken']);
    });

    it('retries timeouts: two stalled attempts, the third answers', async () => {
      pipet.setBehaviour(['stall', 'stall', 'ok']);
      const { source: s, logger } = source({ timeoutMs: 150 });
      const result = await s.identify(REQUEST);
      expect(result.origin).toBe('pipet');
      expect(Object.keys(result.groups)).toHaveLength(3);
      expect(pipet.requests).toHaveLength(3);
      expect(logger.lines).toEqual([]);
    });

    it('retries a connection reset', async () => {
      pipet.setBehaviour(['reset-mid-body', 'ok']);
      const { source: s } = source({ timeoutMs: 200 });
      expect((await s.identify(REQUEST)).origin).toBe('pipet');
      expect(pipet.requests).toHaveLength(2);
    });
  });

  describe('failures fall back within the deadline, log once, never reject', () => {
    const cases: [FakeBehaviour, RegExp, number | null][] = [
      // 60 + 12–25 + 60 + 25–50 + 60 leaves no room for a 4th attempt after its backoff wait.
      ['stall', /timed out after \d+ ms/, null],
      ['refuse', /other side closed|ECONNRESET|socket hang up/, 4],
      ['reset-mid-body', /other side closed|ECONNRESET|terminated|aborted/, 4],
      ['slow-body', /timed out after \d+ ms/, null],
      ['error-500-envelope', /^HTTP 500: Could not get Proctor from loader: boom$/, 1],
      ['error-400-envelope', /^HTTP 400: Request must have at least one identifier\.$/, 1],
      ['error-500-html', /^HTTP 500$/, 1],
      ['invalid-json', /not JSON/, 1],
      ['no-groups', /without data\.groups/, 1],
    ];

    it.each(cases)('%s', async (behaviour, error, requests) => {
      pipet.setBehaviour(behaviour);
      const { source: s, logger } = source({ timeoutMs: 60 });
      const started = performance.now();
      const result = await s.identify(REQUEST);
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ groups: {}, matrixVersion: null, origin: 'fallback' });
      expect(result.error).toMatch(error);
      expect(elapsed).toBeLessThan(60 * 4 + 150);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]?.message).toContain(result.error ?? '?');
      // Identifiers are personal data: the URL's query must not leak into logs through error messages.
      expect(logger.lines[0]?.message).not.toContain('pa5xq0lz4n80');
      if (requests !== null) expect(logger.lines[0]?.fields?.['attempts']).toBe(requests);
      // Statuses are answers: exactly one request, no retry.
      if (requests === 1) expect(pipet.requests).toHaveLength(1);
      else expect(pipet.requests.length).toBeLessThanOrEqual(4);
    });

    it('a refused port: 4 attempts with short backoff waits, then fallback', async () => {
      const { source: s, logger } = source({ apiRoot: await refusedUrl(), timeoutMs: 200 });
      const started = performance.now();
      const result = await s.identify(REQUEST);
      // Waits of 12–25, 25–50 and 50–100 ms between the refused attempts: at least 87 ms, at most 175.
      expect(performance.now() - started).toBeGreaterThanOrEqual(85);
      expect(performance.now() - started).toBeLessThan(400);
      expect(result.origin).toBe('fallback');
      expect(result.error).toMatch(/ECONNREFUSED/);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatchObject({ level: 'warn', fields: { attempts: 4 } });
    });

    it('the overall deadline cuts retries short', async () => {
      pipet.setBehaviour('stall');
      const { source: s, logger } = source({ timeoutMs: 100, attempts: 10, deadlineMs: 250 });
      const started = performance.now();
      const result = await s.identify(REQUEST);
      const elapsed = performance.now() - started;
      expect(result.origin).toBe('fallback');
      expect(elapsed).toBeGreaterThanOrEqual(200);
      expect(elapsed).toBeLessThan(250 + 150);
      // 100 + a 12–25 ms wait + 100, then a 25–50 ms wait: a third attempt has 0–38 ms left, or none.
      expect(logger.lines[0]?.fields?.['attempts']).toBeGreaterThanOrEqual(2);
      expect(logger.lines[0]?.fields?.['attempts']).toBeLessThanOrEqual(3);
    });

    it('a fetch that ignores the abort signal still gives up on time', async () => {
      const deaf: PipetFetch = () => new Promise(() => undefined);
      const { source: s, logger } = source({ fetch: deaf, timeoutMs: 20, attempts: 2 });
      const result = await s.identify(REQUEST);
      expect(result.origin).toBe('fallback');
      expect(logger.lines).toHaveLength(1);
    });

    it('a fetch that throws synchronously is a network error', async () => {
      const throwing: PipetFetch = () => {
        throw new TypeError('bad fetch');
      };
      const { source: s, logger } = source({ fetch: throwing });
      const result = await s.identify(REQUEST);
      expect(result).toMatchObject({ origin: 'fallback', error: 'bad fetch' });
      expect(logger.lines).toHaveLength(1);
    });

    it('close() aborts in-flight requests and later calls fall back', async () => {
      pipet.setBehaviour('stall');
      const { source: s, logger } = source({ timeoutMs: 5_000 });
      const pending = s.identify(REQUEST);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      await s.close();
      const result = await pending;
      expect(performance.now() - started).toBeLessThan(500);
      expect(result).toMatchObject({ origin: 'fallback', error: 'source closed' });
      expect((await s.identify(REQUEST)).origin).toBe('fallback');
      expect(await s.getMatrix()).toBeNull();
      // The second "source closed" identify repeats the first: aggregated, not a second line.
      expect(logger.lines).toHaveLength(2);
    });

    it('a hostile request object resolves with the fallback', async () => {
      const { source: s, logger } = source();
      const hostile = {
        get tests(): string[] {
          throw new Error('boom');
        },
        identifiers: {},
        context: {},
        forceGroups: null,
      };
      const result = await s.identify(hostile);
      expect(result).toMatchObject({ origin: 'fallback', error: 'boom' });
      expect(logger.lines).toHaveLength(1);
    });
  });

  describe('getMatrix', () => {
    it('GETs /proctor/matrix and returns audit and tests', async () => {
      await pipet.close();
      pipet = await startFakePipet(() => GROUPS, { matrixTests: { btntst: { testType: 'USER' } }, version: '3' });
      const { source: s, logger } = source();
      const matrix = await s.getMatrix();
      expect(matrix?.tests).toEqual({ btntst: { testType: 'USER' } });
      expect(matrix?.audit['version']).toBe('3');
      expect(pipet.requests.map((r) => [r.method, r.path, r.search])).toEqual([['GET', '/proctor/matrix', '']]);
      expect(logger.lines).toEqual([]);
    });

    it.each(['error-500-envelope', 'invalid-json', 'stall'] as const)('%s → null and one log line', async (behaviour) => {
      pipet.setBehaviour(behaviour);
      const { source: s, logger } = source({ timeoutMs: 40 });
      expect(await s.getMatrix()).toBeNull();
      expect(logger.lines).toHaveLength(1);
    });

    it('a JSON object without tests → null', async () => {
      pipet.setBehaviour({ status: 200, body: '{"audit":{"version":"1"}}' });
      const { source: s, logger } = source();
      expect(await s.getMatrix()).toBeNull();
      expect(logger.lines[0]?.message).toContain('without tests');
    });
  });

  it('ready() resolves at once without a request', async () => {
    const { source: s } = source();
    await s.ready();
    expect(pipet.requests).toHaveLength(0);
    expect(s.kind).toBe('pipet');
  });

  it('works with a cache (smoke; see pipet-cache.test.ts)', async () => {
    const { source: s } = source({ cache: memoryStore() });
    expect((await s.identify(REQUEST)).origin).toBe('pipet');
    expect((await s.identify(REQUEST)).origin).toBe('cache');
    expect(pipet.requests).toHaveLength(1);
  });
});

describe('pipetSource options', () => {
  it('normalizes apiRoot', () => {
    expect(pipetSource({ apiRoot: 'http://pipet:8080/' }).apiRoot).toBe('http://pipet:8080');
    expect(pipetSource({ apiRoot: new URL('https://pipet.example/base//') }).apiRoot).toBe('https://pipet.example/base');
  });

  it.each([
    [{ apiRoot: 'pipet:8080' }, 'apiRoot'],
    [{ apiRoot: 'ftp://pipet' }, 'apiRoot'],
    [{ apiRoot: 'not a url' }, 'apiRoot'],
    [{ apiRoot: 'http://pipet/?x=1' }, 'apiRoot'],
    [{ apiRoot: 'http://pipet/#x' }, 'apiRoot'],
    [{ apiRoot: 'http://user:secret@pipet' }, 'apiRoot'],
    [{ apiRoot: 42 }, 'apiRoot'],
    [{ apiRoot: 'http://pipet', timeoutMs: 0 }, 'timeoutMs'],
    [{ apiRoot: 'http://pipet', timeoutMs: Number.NaN }, 'timeoutMs'],
    [{ apiRoot: 'http://pipet', attempts: 0 }, 'attempts'],
    [{ apiRoot: 'http://pipet', attempts: 1.5 }, 'attempts'],
    [{ apiRoot: 'http://pipet', deadlineMs: -1 }, 'deadlineMs'],
    [{ apiRoot: 'http://pipet', versionCheckIntervalMs: -1 }, 'versionCheckIntervalMs'],
    [{ apiRoot: 'http://pipet', logger: {} }, 'logger'],
    [null, 'options'],
    [{ apiRoot: 'http://pipet', cache: memoryStore(), versionCheckIntervalMs: Number.POSITIVE_INFINITY }, 'versionCheckIntervalMs'],
  ] as [PipetSourceOptions, string][])('rejects %o naming %s', (options, option) => {
    expect(() => pipetSource(options)).toThrowError(ConfigError);
    try {
      pipetSource(options);
    } catch (error) {
      expect(error).toMatchObject({ option });
    }
  });

  it('rejects a non-function fetch and a store without get/set/delete', () => {
    const badFetch = { apiRoot: 'http://pipet', fetch: 'fetch' } as unknown as PipetSourceOptions;
    expect(() => pipetSource(badFetch)).toThrowError(/fetch/);
    const badStore = { apiRoot: 'http://pipet', cache: { get: () => undefined } } as unknown as PipetSourceOptions;
    expect(() => pipetSource(badStore)).toThrowError(/cache/);
  });
});
