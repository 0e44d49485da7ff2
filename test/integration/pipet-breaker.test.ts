// The Pipet source's circuit breaker and retry backoff, against a real HTTP server (test/support/fake-pipet.ts).
// The breaker's clock (Date) is faked where a probe has to be due; sockets and timeouts run for real.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { pipetSource } from '../../src/sources/pipet.js';
import type { PipetFetch, PipetSource, PipetSourceOptions } from '../../src/sources/pipet.js';
import type { IdentifyRequest } from '../../src/contract.js';
import { recordingLogger, refusedUrl, startFakePipet } from '../support/fake-pipet.js';
import type { FakePipet } from '../support/fake-pipet.js';
import { trackUnhandledRejections } from '../support/unhandled-rejections.js';

const REQUEST: IdentifyRequest = { tests: ['btntst'], identifiers: { USER: 'u1' }, context: {}, forceGroups: null };

const unhandled = trackUnhandledRejections();
let pipet: FakePipet;
const sources: PipetSource[] = [];

function source(options: Partial<PipetSourceOptions> = {}) {
  const logger = recordingLogger();
  const s = pipetSource({ apiRoot: pipet.url, logger, timeoutMs: 100, ...options });
  sources.push(s);
  return { source: s, logger };
}

beforeAll(async () => {
  pipet = await startFakePipet(() => ({ btntst: { name: 'blue', value: 1, version: '1' } }), { matrixTests: { btntst: {} } });
});
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const s of sources.splice(0)) await s.close();
  pipet.setBehaviour('ok');
  pipet.requests.length = 0;
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled).toEqual([]);
});
afterAll(async () => {
  await pipet.close();
});

describe('options', () => {
  it.each([
    [{ circuitBreaker: 'on' }, 'circuitBreaker'],
    [{ circuitBreaker: null }, 'circuitBreaker'],
    [{ circuitBreaker: { failureThreshold: 0 } }, 'circuitBreaker.failureThreshold'],
    [{ circuitBreaker: { failureThreshold: 2.5 } }, 'circuitBreaker.failureThreshold'],
    [{ circuitBreaker: { probeDelayMs: -1 } }, 'circuitBreaker.probeDelayMs'],
    [{ circuitBreaker: { probeDelayMs: Number.POSITIVE_INFINITY } }, 'circuitBreaker.probeDelayMs'],
    [{ circuitBreaker: { probeDelayMs: 5000, maxProbeDelayMs: 1000 } }, 'circuitBreaker.maxProbeDelayMs'],
    [{ circuitBreaker: { onStateChange: 'log' } }, 'circuitBreaker.onStateChange'],
    [{ retryDelayMs: -1 }, 'retryDelayMs'],
    [{ retryDelayMs: Number.NaN }, 'retryDelayMs'],
  ])('%o is a ConfigError naming %s', (options, option) => {
    const build = () => pipetSource({ apiRoot: 'http://pipet', ...(options as Partial<PipetSourceOptions>) });
    expect(build).toThrowError(ConfigError);
    expect(build).toThrowError(new RegExp(`^${option.replace('.', '\\.')}: `));
  });

  it('the defaults: closed, 10 failures, 1 s then up to 30 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    pipet.setBehaviour('error-500-envelope');
    const { source: s } = source();
    expect(s.status()).toMatchObject({ state: 'closed', consecutiveFailures: 0, nextProbeAt: null, lastError: null });
    for (let i = 0; i < 9; i++) await s.identify(REQUEST);
    expect(s.status()).toMatchObject({ state: 'closed', consecutiveFailures: 9, lastError: 'HTTP 500: Could not get Proctor from loader: boom' });
    await s.identify(REQUEST);
    expect(s.status().state).toBe('open');
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const wait = (s.status().nextProbeAt ?? 0) - Date.now();
      waits.push(Math.round(wait / 100) * 100);
      vi.setSystemTime(Date.now() + wait);
      await s.identify(REQUEST); // the probe, failing again
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(pipet.requests).toHaveLength(10 + 7);
  });
});

describe('what counts as a failure', () => {
  it('4xx answers are Pipet answering: they never open the breaker', async () => {
    pipet.setBehaviour('error-400-envelope');
    const { source: s } = source({ circuitBreaker: { failureThreshold: 3 } });
    for (let i = 0; i < 6; i++) expect((await s.identify(REQUEST)).error).toMatch(/^HTTP 400/);
    expect(s.status()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(pipet.requests).toHaveLength(6);
  });

  it('a success resets the count: failures must come in a row', async () => {
    pipet.setBehaviour(['error-500-html', 'error-500-html', 'ok', 'error-500-html', 'error-500-html', 'ok']);
    const { source: s } = source({ circuitBreaker: { failureThreshold: 3 } });
    for (let i = 0; i < 6; i++) await s.identify(REQUEST);
    expect(s.status().state).toBe('closed');
  });

  it('circuitBreaker: false never opens, but status() still counts', async () => {
    pipet.setBehaviour('invalid-json');
    const { source: s, logger } = source({ circuitBreaker: false });
    for (let i = 0; i < 15; i++) await s.identify(REQUEST);
    expect(s.status()).toMatchObject({ state: 'closed', consecutiveFailures: 15 });
    expect(pipet.requests).toHaveLength(15);
    expect(logger.lines.some((l) => l.message.includes('circuit'))).toBe(false);
  });
});

describe('while open', () => {
  it('getMatrix answers null without a request, and can be the probe that closes the breaker', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    pipet.setBehaviour('error-500-envelope');
    const { source: s, logger } = source({ circuitBreaker: { failureThreshold: 2 } });
    await s.identify(REQUEST);
    await s.identify(REQUEST);
    expect(s.status().state).toBe('open');
    pipet.setBehaviour('ok');
    expect(await s.getMatrix()).toBeNull();
    expect(pipet.requests).toHaveLength(2);
    expect(logger.lines.at(-1)?.message).toBe('proctor: Pipet matrix unavailable (circuit open)');
    vi.setSystemTime(Date.now() + 1000);
    expect((await s.getMatrix())?.tests).toEqual({ btntst: {} });
    expect(s.status().state).toBe('closed');
  });

  it('a throwing onStateChange does not break a request', async () => {
    pipet.setBehaviour('error-500-envelope');
    const { source: s } = source({
      circuitBreaker: {
        failureThreshold: 1,
        onStateChange: () => {
          throw new Error('listener bug');
        },
      },
    });
    expect((await s.identify(REQUEST)).origin).toBe('fallback');
    expect(s.status().state).toBe('open');
    expect(await s.identify(REQUEST)).toMatchObject({ origin: 'fallback', error: 'circuit open' });
  });

  it('a probe cut short by close() lets the next call probe (the source is closed: it falls back)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    pipet.setBehaviour('error-500-envelope');
    const { source: s } = source({ circuitBreaker: { failureThreshold: 1 }, timeoutMs: 5000 });
    await s.identify(REQUEST);
    vi.setSystemTime(Date.now() + 1000);
    pipet.setBehaviour('stall');
    const probe = s.identify(REQUEST);
    await vi.waitFor(() => expect(pipet.requests).toHaveLength(2));
    expect(s.status().state).toBe('half-open');
    await s.close();
    expect(await probe).toMatchObject({ origin: 'fallback', error: 'source closed' });
    expect(s.status().state).toBe('open');
  });
});

describe('retries back off within the deadline', () => {
  it('waits 1×, 2×, 4× retryDelayMs (jittered to 50–100 %) between refused attempts', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { source: s, logger } = source({ apiRoot: await refusedUrl(), retryDelayMs: 40, timeoutMs: 1000 });
    const started = performance.now();
    await s.identify(REQUEST);
    const elapsed = performance.now() - started;
    expect(logger.lines[0]?.fields?.['attempts']).toBe(4);
    expect(elapsed).toBeGreaterThanOrEqual(20 + 40 + 80 - 3);
    expect(elapsed).toBeLessThan(1000);
  });

  it('no retry whose wait would end past the deadline', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    let calls = 0;
    const refusing: PipetFetch = () => {
      calls++;
      return Promise.reject(new TypeError('fetch failed'));
    };
    const { source: s } = source({ fetch: refusing, retryDelayMs: 80, deadlineMs: 200, attempts: 10 });
    const started = performance.now();
    await s.identify(REQUEST);
    // 0: attempt; ~80: attempt; the next wait (~160) would end at ~240, past 200: stop.
    expect(calls).toBe(2);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('close() during a backoff wait ends the call at once', async () => {
    const { source: s } = source({ apiRoot: await refusedUrl(), retryDelayMs: 10_000, deadlineMs: 60_000 });
    const pending = s.identify(REQUEST);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await s.close();
    expect(await pending).toMatchObject({ origin: 'fallback', error: 'source closed' });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('a call stops retrying once the breaker opened, even mid-wait', async () => {
    pipet.setBehaviour('reset');
    const { source: s } = source({ circuitBreaker: { failureThreshold: 6 }, retryDelayMs: 30 });
    // Three concurrent calls, 4 attempts each without the breaker: it opens at the 6th failure.
    await Promise.all([s.identify(REQUEST), s.identify(REQUEST), s.identify(REQUEST)]);
    expect(s.status().state).toBe('open');
    expect(pipet.requests).toHaveLength(6);
  });
});
