// URL polling with jitter: each wait is drawn from [interval·(1 − jitter), interval], so a fleet started
// together does not poll in step, and no poll comes later than the interval. Fake timers: the delay is the
// point, not real time; Math.random is pinned to the ends of its range.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { localSource } from '../../src/sources/local.js';

const body = JSON.stringify({ audit: { version: '1', updated: 0, updatedBy: 't' }, tests: {} });

function counting(): { fetch: typeof globalThis.fetch; calls: () => number } {
  let calls = 0;
  return {
    fetch: () => {
      calls++;
      return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    },
    calls: () => calls,
  };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('localSource reloadJitter', () => {
  it.each([
    // [Math.random(), jitter option, the wait]
    [0.99, 0.5, 505],
    [0, 0.5, 1000],
    [0.99, undefined, 802], // URL default: 0.2
  ])('random %s, jitter %s: the next poll comes after %s ms', async (random, jitter, wait) => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const f = counting();
    const source = localSource({ matrix: 'http://matrix.example/m.json', reloadIntervalMs: 1000, fetch: f.fetch, ...(jitter === undefined ? {} : { reloadJitter: jitter }) });
    await source.ready();
    expect(f.calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(wait - 1);
    expect(f.calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.calls()).toBe(2);
    await source.close();
  });

  it.each([1, -0.1, Number.NaN])('reloadJitter %s is a ConfigError', (jitter) => {
    expect(() => localSource({ matrix: 'http://matrix.example/m.json', reloadJitter: jitter, fetch: counting().fetch })).toThrow(ConfigError);
  });

  it('a versionChannel without subscribe() is a ConfigError', () => {
    expect(() => localSource({ matrix: 'http://matrix.example/m.json', versionChannel: {} as never, fetch: counting().fetch })).toThrow(/versionChannel/);
  });
});
