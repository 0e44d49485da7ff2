import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.js';
import { throttleRuleErrors } from '../../src/server/throttle.js';

describe('throttleRuleErrors', () => {
  it('logs the first rule error per test, then one line per interval with the count it left out', () => {
    const lines: [string, Record<string, unknown> | undefined][] = [];
    const base: Logger = { warn: () => undefined, error: (m, f) => lines.push([m, f]), info: (m, f) => lines.push([m, f]) };
    let now = 0;
    const logger = throttleRuleErrors(base, { intervalMs: 1000, now: () => now });
    for (let i = 0; i < 5; i++) logger.error('rule error', { test: 'a' });
    logger.error('rule error', { test: 'b' });
    logger.error('other', { no: 'test' });
    logger.error('other', { no: 'test' });
    now = 1500;
    logger.error('rule error', { test: 'a' });
    logger.info?.('passes', {});
    expect(lines).toEqual([
      ['rule error', { test: 'a' }],
      ['rule error', { test: 'b' }],
      ['other', { no: 'test' }],
      ['other', { no: 'test' }],
      ['rule error', { test: 'a', suppressed: 4 }],
      ['passes', {}],
    ]);
  });
});
