import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/logger.js';
import { aggregateRepeats } from '../../src/repeats.js';

type Line = [string, string, Record<string, unknown> | undefined];

function recorder(): { lines: Line[]; logger: Logger } {
  const lines: Line[] = [];
  return {
    lines,
    logger: {
      warn: (m, f) => lines.push(['warn', m, f]),
      error: (m, f) => lines.push(['error', m, f]),
      info: (m, f) => lines.push(['info', m, f]),
    },
  };
}

describe('aggregateRepeats', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the first line at once and one line per test and cause per interval with the count', () => {
    const { lines, logger } = recorder();
    const log = aggregateRepeats(logger, { intervalMs: 1000 });
    for (let i = 0; i < 2000; i++) log.error('rule error', { test: 'a', error: 'missing variable country' });
    log.error('rule error', { test: 'a', error: 'another cause' });
    log.error('rule error', { test: 'b', error: 'missing variable country' });
    expect(lines.map((l) => l[2])).toEqual([
      { test: 'a', error: 'missing variable country' },
      { test: 'a', error: 'another cause' },
      { test: 'b', error: 'missing variable country' },
    ]);
    vi.advanceTimersByTime(1000);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toEqual(['error', 'rule error (repeated 1999 times in the last 1 s)', { test: 'a', error: 'missing variable country', repeated: 1999 }]);
    // A steady stream: one line per interval.
    for (let i = 0; i < 10; i++) log.error('rule error', { test: 'a', error: 'missing variable country' });
    vi.advanceTimersByTime(1000);
    expect(lines).toHaveLength(5);
    expect(lines[4]?.[2]).toMatchObject({ repeated: 10 });
    // Quiet for an interval: the next occurrence is written at once again.
    vi.advanceTimersByTime(2000);
    log.error('rule error', { test: 'a', error: 'missing variable country' });
    expect(lines).toHaveLength(6);
    expect(lines[5]?.[2]).toEqual({ test: 'a', error: 'missing variable country' });
  });

  it('flush() writes pending counts now; info passes through; wrapping twice is one wrapper', () => {
    const { lines, logger } = recorder();
    const log = aggregateRepeats(logger);
    expect(aggregateRepeats(log)).toBe(log);
    log.warn('same');
    log.warn('same');
    log.warn('same');
    log.info?.('hello');
    log.info?.('hello');
    log.flush();
    expect(lines.map((l) => l[1])).toEqual(['same', 'hello', 'hello', expect.stringMatching(/^same \(repeated 2 times in the last \d+ ms\)$/)]);
    log.flush();
    expect(lines).toHaveLength(4);
    expect(vi.getTimerCount()).toBe(0);
  });
});
