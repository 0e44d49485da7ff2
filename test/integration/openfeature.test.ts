// proctor-node/openfeature, driven through the real OpenFeature server SDK: values and details for each flag
// type, hooks, and the provider's events (a matrix reload seen as configuration-changed, a source that fails
// and recovers) with a local source on a real file and a Pipet source against a real Pipet server.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import type { EvaluationDetails, EventDetails, FlagValue, Hook } from '@openfeature/server-sdk';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { proctorProvider } from '../../src/openfeature/provider.js';
import { createProctor } from '../../src/proc/client.js';
import { createPipetServer } from '../../src/server/server.js';
import { localSource } from '../../src/sources/local.js';
import { pipetSource } from '../../src/sources/pipet.js';
import { staticSource } from '../../src/sources/static.js';
import { silentLogger } from '../../src/logger.js';
import type { Logger } from '../../src/logger.js';
import { exampleMatrix, pipetConfig, tempDir } from '../support/cli.js';

const dir = tempDir();
const matrixText = readFileSync(exampleMatrix, 'utf8');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await OpenFeature.close();
});

/** The example matrix with another audit version, and optionally everyone in buttoncolortst's green bucket. */
function writeMatrix(file: string, version: string, allGreen = false): void {
  const matrix = JSON.parse(matrixText) as { audit: { version: string }; tests: Record<string, { allocations: { ranges: unknown[] }[] }> };
  matrix.audit.version = version;
  if (allGreen) (matrix.tests.buttoncolortst?.allocations[0] as { ranges: unknown[] }).ranges = [{ bucketValue: 2, length: 1 }];
  writeFileSync(file, JSON.stringify(matrix));
}

/** The next event of `type` on the domain's client. */
function nextEvent(domain: string, type: ProviderEvents): Promise<EventDetails> {
  return new Promise((resolve) => {
    const client = OpenFeature.getClient(domain);
    const handler = (details?: EventDetails): void => {
      client.removeHandler(type, handler);
      resolve(details as EventDetails);
    };
    client.addHandler(type, handler);
  });
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`) };
}

describe('proctor-node/openfeature with a local source', () => {
  const user = { targetingKey: 'pa5xq0lz4n80', country: 'US', loggedIn: true, userAgent: { mobileDevice: false } };

  it('resolves a test as string (bucket name), number (value), boolean (value ≥ 1) and object (payload), with details', async () => {
    const source = localSource({ matrix: exampleMatrix, reloadIntervalMs: 0 });
    await OpenFeature.setProviderAndWait('local', proctorProvider({ source, logger: silentLogger }));
    const client = OpenFeature.getClient('local');

    const color = await client.getStringDetails('buttoncolortst', 'grey', user);
    expect(color).toEqual({
      flagKey: 'buttoncolortst',
      value: 'control',
      variant: 'control',
      reason: 'SPLIT',
      flagMetadata: { matrixVersion: '1', allocationId: '#A1', testVersion: '1', payloadType: 'stringValue' },
    });
    expect(await client.getNumberValue('buttoncolortst', -2, user)).toBe(0);
    expect(await client.getBooleanValue('buttoncolortst', true, user)).toBe(false);
    const algo = await client.getObjectDetails('countryalgotst', [], user);
    expect(algo.value).toEqual([2, 3, 5]);
    expect(algo.variant).toBe((await client.getStringValue('countryalgotst', '', user)));
    // The rule context comes from the other attributes: newfeaturerollout needs loggedIn.
    expect(await client.getStringValue('newfeaturerollout', 'off', user)).toBe('active');
  });

  it('answers as the proctor-node client does, user by user', async () => {
    const source = localSource({ matrix: exampleMatrix, reloadIntervalMs: 0 });
    await OpenFeature.setProviderAndWait('local', proctorProvider({ source, closeSource: false, logger: silentLogger }));
    const client = OpenFeature.getClient('local');
    const proctor = createProctor({ source, tests: ['buttoncolortst', 'buttontexttst'], logger: silentLogger });
    let treated = 0;
    for (let i = 0; i < 40; i++) {
      const context = { targetingKey: `user-${i}`, country: 'US' };
      const proc = await proctor.procFor({ identifiers: { USER: `user-${i}` }, context });
      expect(await client.getStringValue('buttoncolortst', 'grey', context)).toBe(proc.buttoncolortst.group);
      expect(await client.getNumberValue('buttontexttst', -2, context)).toBe(proc.buttontexttst.value);
      const on = await client.getBooleanValue('buttoncolortst', false, context);
      expect(on).toBe((proc.buttoncolortst.value ?? -1) >= 1);
      if (on) treated++;
    }
    expect(treated).toBeGreaterThan(0);
    expect(treated).toBeLessThan(40);
    await source.close();
  });

  it('reports an unknown test, a type mismatch, a missing targeting key and an unassigned user, never throwing', async () => {
    const logger = recordingLogger();
    await OpenFeature.setProviderAndWait('local', proctorProvider({ source: localSource({ matrix: exampleMatrix, reloadIntervalMs: 0 }), logger }));
    const client = OpenFeature.getClient('local');
    const unknown = await client.getStringDetails('buttoncolrtst', 'grey', user);
    expect(unknown).toMatchObject({ value: 'grey', reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND, errorMessage: 'no test "buttoncolrtst" in the test matrix' });
    // A string payload is no object.
    const mismatch = await client.getObjectDetails('buttoncolortst', { color: 'grey' }, user);
    expect(mismatch).toMatchObject({ value: { color: 'grey' }, reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH });
    // A bucket without a payload: the default, for a reason.
    const none = await client.getObjectDetails('newfeaturerollout', { on: false }, user);
    expect(none).toMatchObject({ value: { on: false }, variant: 'active', reason: 'DEFAULT' });
    expect(none.errorCode).toBeUndefined();
    const anonymous = await client.getStringDetails('buttoncolortst', 'grey', { country: 'US' });
    expect(anonymous).toMatchObject({ value: 'grey', reason: 'ERROR', errorCode: ErrorCode.TARGETING_KEY_MISSING });
    // Not logged in: the test's rule leaves the user out.
    const excluded = await client.getStringDetails('newfeaturerollout', 'off', { targetingKey: 'pa5xq0lz4n80', loggedIn: false });
    expect(excluded).toMatchObject({ value: 'off', reason: 'DEFAULT', flagMetadata: { matrixVersion: '1' } });
    expect(excluded.errorCode).toBeUndefined();
    expect(logger.lines).toEqual([]);
  });

  it('maps the context as configured: identifier attributes, targetingKeyType, mapContext, booleanValue', async () => {
    const source = staticSource({
      groups: (request) => (request.identifiers.ACCOUNT === '42' && request.context.plan === 'pro' ? { buttoncolortst: { name: 'blue', value: 1 } } : {}),
    });
    await OpenFeature.setProviderAndWait('static', proctorProvider({ source, targetingKeyType: 'ACCOUNT' }));
    const client = OpenFeature.getClient('static');
    expect(await client.getStringDetails('buttoncolortst', 'grey', { targetingKey: '42', plan: 'pro' })).toMatchObject({ value: 'blue', reason: 'STATIC' });
    expect(await client.getStringValue('buttoncolortst', 'grey', { ACCOUNT: 42, plan: 'pro' })).toBe('blue');
    expect(await client.getStringValue('buttoncolortst', 'grey', { targetingKey: '43', plan: 'pro' })).toBe('grey');

    const mapped = proctorProvider({
      source,
      mapContext: (context) => ({ identifiers: { ACCOUNT: String(context.account) }, context: { plan: context.tier } }),
      booleanValue: (assignment) => assignment.name === 'blue',
    });
    await OpenFeature.setProviderAndWait('mapped', mapped);
    const other = OpenFeature.getClient('mapped');
    expect(await other.getBooleanValue('buttoncolortst', false, { account: 42, tier: 'pro' })).toBe(true);
  });

  it('runs the client hooks with the details: variant, reason, flag metadata; the error hook for an unknown test', async () => {
    await OpenFeature.setProviderAndWait('hooks', proctorProvider({ source: localSource({ matrix: exampleMatrix, reloadIntervalMs: 0 }) }));
    const client = OpenFeature.getClient('hooks');
    const seen: EvaluationDetails<FlagValue>[] = [];
    const errors: string[] = [];
    const hook: Hook = {
      before: () => ({ country: 'US' }),
      after: (_context, details) => void seen.push(details),
      error: (context, error) => void errors.push(`${context.flagKey}: ${(error as Error).message}`),
    };
    client.addHooks(hook);
    expect(await client.getStringValue('buttontexttst', 'Sign Up', { targetingKey: 'pa5xq0lz4n80' })).toBe('start');
    expect(seen).toEqual([
      expect.objectContaining({ flagKey: 'buttontexttst', variant: 'start', reason: 'SPLIT', flagMetadata: expect.objectContaining({ allocationId: '#B1' }) }),
    ]);
    expect(await client.getStringValue('nosuchtest', 'x', { targetingKey: 'pa5xq0lz4n80' })).toBe('x');
    expect(errors).toEqual(['nosuchtest: no test "nosuchtest" in the test matrix']);
  });

  it('emits configuration-changed, with the tests that changed, when the matrix file is reloaded', async () => {
    const file = path.join(dir, 'reload.json');
    writeMatrix(file, 'v1');
    const source = localSource({ matrix: file, reloadIntervalMs: 0 });
    await OpenFeature.setProviderAndWait('reload', proctorProvider({ source, logger: silentLogger }));
    const client = OpenFeature.getClient('reload');
    const before = await client.getStringDetails('buttoncolortst', 'grey', user);
    expect(before.flagMetadata.matrixVersion).toBe('v1');

    const changed = nextEvent('reload', ProviderEvents.ConfigurationChanged);
    writeMatrix(file, 'v2', true);
    await source.reload();
    const event = await changed;
    expect(event).toMatchObject({ flagsChanged: ['buttoncolortst'], metadata: { matrixVersion: 'v2' }, providerName: 'proctor-node', domain: 'reload' });
    expect(event.message).toBe('test matrix version v2 replaces v1');
    const after = await client.getStringDetails('buttoncolortst', 'grey', user);
    expect(after).toMatchObject({ value: 'green', flagMetadata: { matrixVersion: 'v2' } });
  });

  it('fails to initialise when the matrix cannot load (error event), then becomes ready when it loads', async () => {
    const file = path.join(dir, 'later.json');
    const source = localSource({ matrix: file, reloadIntervalMs: 0, logger: silentLogger });
    const provider = proctorProvider({ source });
    const errored = nextEvent('later', ProviderEvents.Error);
    await expect(OpenFeature.setProviderAndWait('later', provider)).rejects.toThrow(/could not load the test matrix from .*later\.json/);
    expect((await errored).message).toMatch(/ENOENT/);
    const client = OpenFeature.getClient('later');
    expect(client.providerStatus).toBe('ERROR');
    expect(await client.getStringDetails('buttoncolortst', 'grey', user)).toMatchObject({ value: 'grey', reason: 'ERROR', errorCode: ErrorCode.GENERAL });

    const ready = nextEvent('later', ProviderEvents.Ready);
    writeMatrix(file, 'v7');
    await source.reload();
    expect(await ready).toMatchObject({ metadata: { matrixVersion: 'v7' } });
    expect(client.providerStatus).toBe('READY');
    expect(await client.getStringValue('buttoncolortst', 'grey', user)).toBe('control');
  });

  it('checks its options at setup, naming the option', () => {
    expect(() => proctorProvider({} as never)).toThrow(ConfigError);
    expect(() => proctorProvider({} as never)).toThrow(/^source: /);
    const source = staticSource({ groups: {} });
    expect(() => proctorProvider({ source, targetingKeyType: '' })).toThrow(/^targetingKeyType: /);
    expect(() => proctorProvider({ source, identifierAttributes: 'USER' as never })).toThrow(/^identifierAttributes: /);
    expect(() => proctorProvider({ source, booleanValue: true as never })).toThrow(/^booleanValue: /);
    expect(() => proctorProvider({ source, closeSource: 'yes' as never })).toThrow(/^closeSource: /);
  });
});

describe('proctor-node/openfeature with a Pipet source', () => {
  it('sees a new matrix version in the answers (configuration-changed), the service failing (error) and answering again (ready)', async () => {
    const file = path.join(dir, 'pipet.json');
    writeMatrix(file, 'p1');
    const config = readFileSync(pipetConfig, 'utf8');
    let pipet = createPipetServer({ matrix: file, config, reloadSeconds: 0 });
    const { url } = await pipet.listen(0, '127.0.0.1');
    const port = Number(new URL(url).port);
    const logger = recordingLogger();
    const source = pipetSource({ apiRoot: url, timeoutMs: 2000, attempts: 1 });
    await OpenFeature.setProviderAndWait('pipet', proctorProvider({ source, logger }));
    const client = OpenFeature.getClient('pipet');
    const context = { targetingKey: 'pa5xq0lz4n80', country: 'US' };
    try {
      expect(await client.getStringDetails('buttoncolortst', 'grey', context)).toMatchObject({ value: 'control', reason: 'SPLIT', flagMetadata: { matrixVersion: 'p1' } });

      const changed = nextEvent('pipet', ProviderEvents.ConfigurationChanged);
      writeMatrix(file, 'p2', true);
      await pipet.reload();
      expect(await client.getStringValue('buttoncolortst', 'grey', context)).toBe('green');
      expect(await changed).toMatchObject({ metadata: { matrixVersion: 'p2' }, message: 'test matrix version p2 replaces p1' });

      const errored = nextEvent('pipet', ProviderEvents.Error);
      await pipet.close();
      const down = await client.getStringDetails('buttoncolortst', 'grey', context);
      expect(down).toMatchObject({ value: 'grey', reason: 'ERROR', errorCode: ErrorCode.GENERAL });
      expect((await errored).message).toMatch(/^proctor-node source \(pipet\) failed: /);
      expect(client.providerStatus).toBe('ERROR');

      const ready = nextEvent('pipet', ProviderEvents.Ready);
      pipet = createPipetServer({ matrix: file, config, reloadSeconds: 0 });
      await pipet.listen(port, '127.0.0.1');
      expect(await client.getStringValue('buttoncolortst', 'grey', context)).toBe('green');
      await ready;
      expect(client.providerStatus).toBe('READY');
    } finally {
      await OpenFeature.close();
      await pipet.close();
    }
    // OpenFeature.close() closed the source too.
    expect(await source.getMatrix()).toBeNull();
  });
});
