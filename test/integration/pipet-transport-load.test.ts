// The Pipet source's first call while its HTTP client (undici) is still loading: the load, made slow here
// (300 ms), is not counted in the call's attempt time limit (150 ms).
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { pipetSource } from '../../src/sources/pipet.js';
import { startFakePipet } from '../support/fake-pipet.js';
import type { FakePipet } from '../support/fake-pipet.js';

vi.mock('undici', async (importOriginal) => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  return importOriginal();
});

let pipet: FakePipet;
beforeAll(async () => {
  pipet = await startFakePipet(() => ({ btntst: { name: 'blue', value: 1, version: '1' } }));
});
afterAll(async () => {
  await pipet.close();
});

it('a call made while undici loads waits for it, outside its time limit', async () => {
  const s = pipetSource({ apiRoot: pipet.url, timeoutMs: 150, attempts: 1 });
  let ready = false;
  void s.ready().then(() => (ready = true));
  const started = performance.now();
  const result = await s.identify({ tests: ['btntst'], identifiers: { USER: 'u' }, context: {}, forceGroups: null });
  expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  expect(ready).toBe(true);
  expect(result).toMatchObject({ origin: 'pipet', groups: { btntst: { name: 'blue' } } });
  await s.close();
});
