// When undici cannot be loaded, the Pipet source falls back to the global fetch and says so once.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { pipetSource } from '../../src/sources/pipet.js';
import { recordingLogger, startFakePipet } from '../support/fake-pipet.js';
import type { FakePipet } from '../support/fake-pipet.js';

vi.mock('undici', () => {
  throw new Error('Cannot find package undici');
});

let pipet: FakePipet;
beforeAll(async () => {
  pipet = await startFakePipet(() => ({ btntst: { name: 'blue', value: 1, version: '1' } }));
});
afterAll(async () => {
  await pipet.close();
});

it('answers through the global fetch, with one warning', async () => {
  const logger = recordingLogger();
  const s = pipetSource({ apiRoot: pipet.url, logger });
  await s.ready();
  for (let i = 0; i < 3; i++) {
    expect(await s.identify({ tests: ['btntst'], identifiers: { USER: 'u' }, context: {}, forceGroups: null })).toMatchObject({ origin: 'pipet' });
  }
  expect(logger.lines.map((l) => l.message)).toEqual(['proctor: could not load undici; the Pipet source uses the global fetch']);
  expect(logger.lines[0]?.fields?.['error']).toEqual(expect.any(String));
  await s.close();
});
