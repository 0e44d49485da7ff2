import { afterAll, beforeAll } from 'vitest';

/**
 * Collects every unhandled rejection while the calling test file runs: sources promise never to reject,
 * so tests assert the returned list stays empty.
 */
export function trackUnhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  return unhandled;
}
