import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.js';
import { createPipetServer } from '../../src/server/index.js';
import type { PipetServer, PipetServerOptions } from '../../src/server/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exampleMatrix = path.join(root, 'examples/matrix.json');
const pipetConfig = readFileSync(path.join(root, 'test/fixtures/pipet-config.json'), 'utf8');
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:28.0) Gecko/20100101 Firefox/28.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 14_7_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Mobile/15E148 Safari/604.1';

const running: PipetServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

interface Recorded {
  level: string;
  message: string;
  fields: Record<string, unknown> | undefined;
}

function recorder(): Logger & { lines: Recorded[] } {
  const lines: Recorded[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  return { lines, warn: log('warn'), error: log('error'), info: log('info') };
}

async function start(options: Partial<PipetServerOptions> = {}): Promise<{ url: string; pipet: PipetServer }> {
  const pipet = createPipetServer({ matrix: exampleMatrix, config: pipetConfig, port: 0, reloadSeconds: 0, ...options });
  running.push(pipet);
  const { url } = await pipet.listen();
  return { url, pipet };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string; json: unknown }> {
  const response = await fetch(url, { headers: { 'user-agent': FIREFOX, ...headers } });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, type: response.headers.get('content-type'), text, json };
}

/** A matrix whose tests have no rules, so their groups do not depend on the rule language. */
function ruleFreeMatrix(version = '3'): Record<string, unknown> {
  const always = (value: number) => [{ id: '#A1', ranges: [{ bucketValue: value, length: 1 }] }];
  return {
    audit: { version, updated: 1454432430000, updatedBy: 'alice' },
    tests: {
      colortst: {
        testType: 'USER',
        salt: 'colortst',
        version: '7',
        buckets: [
          { name: 'inactive', value: -1, payload: { stringValue: 'grey' } },
          { name: 'control', value: 0, payload: { stringValue: 'grey' } },
          { name: 'blue', value: 1, payload: { stringValue: 'blue' } },
        ],
        allocations: always(1),
      },
      accttst: {
        testType: 'ACCOUNT',
        salt: 'accttst',
        buckets: [
          { name: 'off', value: 0 },
          { name: 'on', value: 1 },
        ],
        allocations: always(1),
      },
      randtst: {
        testType: 'RANDOM',
        salt: 'randtst',
        version: '1',
        buckets: [
          { name: 'a', value: 0 },
          { name: 'b', value: 1 },
        ],
        allocations: [{ ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 1, length: 0.5 }] }],
      },
      doubletst: {
        testType: 'USER',
        salt: 'doubletst',
        version: '2',
        buckets: [
          { name: 'x', value: 0, payload: { doubleValue: 1 } },
          { name: 'y', value: 1, payload: { doubleValue: 0.0001 } },
          { name: 'z', value: 2, payload: { doubleValue: 0.5 } },
        ],
        allocations: [{ ranges: [{ bucketValue: 0, length: 1 / 3 }, { bucketValue: 1, length: 0 }, { bucketValue: 2, length: 2 / 3 }] }],
      },
      inactivetst: {
        testType: 'USER',
        salt: 'inactivetst',
        version: '1',
        buckets: [
          { name: 'inactive', value: -1 },
          { name: 'on', value: 0 },
        ],
        allocations: always(-1),
      },
      brokentst: {
        testType: 'USER',
        buckets: [{ name: 'on', value: 0 }],
        allocations: [{ ranges: [{ bucketValue: 5, length: 1 }] }],
      },
    },
  };
}

type Envelope = { data: Record<string, unknown>; meta: { status: number; error?: string } };

describe('GET /groups/identify, spec §5.4 example (needs the rule language)', () => {
  it('assigns buttoncolortst, newfeaturerollout and countryalgotst; mobileonly is absent for a desktop browser', async () => {
    const { url } = await start();
    const r = await get(
      `${url}/groups/identify?ctx.country=US&ctx.loggedIn=true&id.USER=pa5xq0lz4n80&test=buttoncolortst,newfeaturerollout,countryalgotst,mobileonly`,
    );
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json;charset=UTF-8');
    const body = r.json as Envelope;
    expect(body.meta).toEqual({ status: 200 });
    expect(body.data.groups).toEqual({
      buttoncolortst: { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' }, version: '1' },
      newfeaturerollout: { name: 'active', value: 0, version: '1' },
      countryalgotst: { name: 'inactive', value: -1, payload: { longArray: [2, 3, 5] }, version: '1' },
    });
    expect(body.data.audit).toEqual({ version: '1', updated: 1, updatedDate: '1969-12-31T18:00-0600', updatedBy: 'example' });
    const context = body.data.context as Record<string, Record<string, unknown>>;
    expect(context.country).toBe('US');
    expect(context.loggedIn).toBe(true);
    expect(context.userAgent).toMatchObject({
      browser: 'FIREFOX',
      browserVersion: { version: '28.0', majorVersion: '28', minorVersion: '0' },
      version: { version: '28.0', major: 28, minor: 0 },
      operatingSystem: 'LINUX',
      os: { family: 'linux', majorVersion: -1, minorVersion: -1, version: '' },
      deviceType: 'COMPUTER',
      userAgentString: FIREFOX,
      mobileDevice: false,
      ios: false,
    });
    // Jackson's layout, key order as in the spec example.
    expect(r.text).toContain(
      '"buttoncolortst" : {\n        "name" : "control",\n        "value" : 0,\n        "payload" : {\n          "stringValue" : "#C0C0C0"\n        },\n        "version" : "1"\n      }',
    );
    expect(r.text.endsWith('  "meta" : {\n    "status" : 200\n  }\n}')).toBe(true);
  });

  it('mobileonly is assigned for a phone (userAgent.mobileDevice)', async () => {
    const { url } = await start();
    const r = await get(`${url}/groups/identify?ctx.country=US&id.USER=pa5xq0lz4n80&test=mobileonly`, { 'user-agent': IPHONE });
    expect((r.json as Envelope).data.groups).toEqual({ mobileonly: { name: 'active', value: 0, version: '1' } });
  });

  it('uses the default for ctx.loggedIn (false): newfeaturerollout is not assigned', async () => {
    const { url } = await start();
    const r = await get(`${url}/groups/identify?ctx.country=US&id.USER=pa5xq0lz4n80`);
    const data = (r.json as Envelope).data;
    expect(Object.keys(data.groups as object).sort()).toEqual(['buttoncolortst', 'buttontexttst', 'countryalgotst']);
    expect((data.context as Record<string, unknown>).loggedIn).toBe(false);
  });

  it('drops at load, and reports, tests whose rules use variables the configuration lacks (spec §5.6)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipet-56-'));
    const file = path.join(dir, 'matrix.json');
    const matrix = ruleFreeMatrix() as { tests: Record<string, Record<string, unknown>> };
    matrix.tests.langtst = { ...matrix.tests.colortst, salt: 'langtst', rule: "${lang == 'en'}" };
    matrix.tests.constanttst = { ...matrix.tests.colortst, salt: 'constanttst', rule: "${lang == 'en'}", constants: { lang: 'en' } };
    matrix.tests.loggedtst = { ...matrix.tests.colortst, salt: 'loggedtst', rule: '${loggedIn && country == "US"}' };
    writeFileSync(file, JSON.stringify(matrix));
    const logger = recorder();
    const { url } = await start({ matrix: file, logger });
    const dropped = logger.lines.filter((l) => l.message === 'pipet: test dropped at load').map((l) => l.fields?.test);
    expect(dropped.sort()).toEqual(['brokentst', 'langtst']);
    const tests = (JSON.parse((await get(`${url}/proctor/matrix`)).text) as { tests: object }).tests;
    expect(Object.keys(tests).sort()).toEqual(['accttst', 'colortst', 'constanttst', 'doubletst', 'inactivetst', 'loggedtst', 'randtst']);
  });
});

describe('GET /groups/identify (rule-free matrix)', () => {
  const config = {
    context: { country: { type: 'String', defaultValue: '' }, n: { type: 'int', defaultValue: 0 } },
    identifiers: { USER: {}, account: { source: 'HEADER' as const, sourceKey: 'X-Account' } },
  };

  it('returns every assigned test when `test` is absent, with versions, payloads only when present', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config });
    const r = await get(`${url}/groups/identify?id.USER=u1`, { 'x-account': 'a1' });
    expect(r.status).toBe(200);
    const data = (r.json as Envelope).data;
    const groups = data.groups as Record<string, Record<string, unknown>>;
    expect(Object.keys(groups).sort()).toEqual(['accttst', 'colortst', 'doubletst', 'inactivetst', 'randtst']);
    expect(groups.colortst).toEqual({ name: 'blue', value: 1, payload: { stringValue: 'blue' }, version: '7' });
    expect(groups.accttst).toEqual({ name: 'on', value: 1, version: null });
    expect(groups.inactivetst).toEqual({ name: 'inactive', value: -1, version: '1' });
    expect(Object.keys(groups.colortst as object)).toEqual(['name', 'value', 'payload', 'version']);
    expect(data.context).toEqual({ country: '', n: 0 });
    expect(data.audit).toEqual({ version: '3', updated: 1454432430000, updatedDate: '2016-02-02T11:00-0600', updatedBy: 'alice' });
  });

  it('writes payload doubles with Double.toString', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config });
    const { text } = await get(`${url}/groups/identify?id.USER=u1&test=doubletst&prforceGroups=doubletst0`);
    expect(text).toContain('"doubleValue" : 1.0');
    const forced = await get(`${url}/groups/identify?id.USER=u1&test=doubletst&prforceGroups=doubletst1`);
    expect(forced.text).toContain('"doubleValue" : 1.0E-4');
  });

  it('`test` present but empty gives no groups; the list is split, trimmed and filtered', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config });
    for (const q of ['test=', 'test=,', 'test=%20,%20']) {
      const r = await get(`${url}/groups/identify?id.USER=u1&${q}`);
      expect(r.status, q).toBe(200);
      expect((r.json as Envelope).data.groups, q).toEqual({});
      expect(r.text).toContain('"groups" : { }');
      expect((r.json as Envelope).data.audit).toMatchObject({ version: '3' });
    }
    const r = await get(`${url}/groups/identify?id.USER=u1&test=%20colortst%20,,nosuchtst,brokentst,accttst`);
    // accttst needs an ACCOUNT identifier, brokentst was dropped at load, nosuchtst does not exist.
    expect(Object.keys((r.json as Envelope).data.groups as object)).toEqual(['colortst']);
  });

  it('only the first occurrence of a parameter counts', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config });
    const r = await get(`${url}/groups/identify?id.USER=u1&ctx.n=5&ctx.n=oops&test=colortst&test=&id.USER=u2`);
    expect(r.status).toBe(200);
    const data = (r.json as Envelope).data;
    expect(Object.keys(data.groups as object)).toEqual(['colortst']);
    expect((data.context as Record<string, unknown>).n).toBe(5);
  });

  it('identifiers come from their configured source; an empty identifier is kept', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config });
    const byHeader = await get(`${url}/groups/identify?test=accttst,colortst`, { 'x-account': 'a1' });
    expect(Object.keys((byHeader.json as Envelope).data.groups as object)).toEqual(['accttst']);
    const empty = await get(`${url}/groups/identify?id.USER=&test=colortst`);
    expect((empty.json as Envelope).data.groups).toEqual({ colortst: { name: 'blue', value: 1, payload: { stringValue: 'blue' }, version: '7' } });
    // A query parameter named like the header does not count for a HEADER identifier.
    const wrongSource = await get(`${url}/groups/identify?id.account=a1`);
    expect(wrongSource.status).toBe(400);
  });

  it('a repeated header counts with its first value, as servlet getHeader', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config: { ...config, context: { ...config.context, tag: { type: 'String', source: 'HEADER' as const, sourceKey: 'X-Tag' } } } });
    const body = await new Promise<string>((resolve, reject) => {
      const target = new URL(`${url}/groups/identify?test=&id.USER=u`);
      const req = request(
        { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers: ['Host', target.host, 'X-Tag', 'first, with comma', 'X-Tag', 'second', 'User-Agent', 'ua1', 'User-Agent', 'ua2'] },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect((JSON.parse(body) as Envelope).data.context).toEqual({ country: '', n: 0, tag: 'first, with comma' });
  });

  it('re-randomizes RANDOM tests on every call', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config });
    const seen = new Set<number>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const r = await get(`${url}/groups/identify?id.USER=same&test=randtst`);
      const group = ((r.json as Envelope).data.groups as Record<string, { value: number }>).randtst;
      if (group) seen.add(group.value);
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('prforceGroups forces groups only: default modes and payloads are ignored (spec §4.5)', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config });
    const forced = await get(`${url}/groups/identify?id.USER=u1&test=colortst&prforceGroups=colortst0`);
    expect((forced.json as Envelope).data.groups).toEqual({ colortst: { name: 'control', value: 0, payload: { stringValue: 'grey' }, version: '7' } });
    const payload = await get(`${url}/groups/identify?id.USER=u1&test=colortst&prforceGroups=${encodeURIComponent('colortst0;stringValue:"pink"')}`);
    expect(((payload.json as Envelope).data.groups as Record<string, { payload: unknown }>).colortst?.payload).toEqual({ stringValue: 'grey' });
    const fallback = await get(`${url}/groups/identify?id.USER=u1&test=colortst,inactivetst&prforceGroups=default_to_fallback`);
    expect(Object.keys((fallback.json as Envelope).data.groups as object).sort()).toEqual(['colortst', 'inactivetst']);
    // Forcing needs the test's identifier.
    const noAccount = await get(`${url}/groups/identify?id.USER=u1&test=accttst&prforceGroups=accttst0`);
    expect((noAccount.json as Envelope).data.groups).toEqual({});
    // An empty parameter is no parameter.
    const none = await get(`${url}/groups/identify?id.USER=u1&test=colortst`);
    const empty = await get(`${url}/groups/identify?id.USER=u1&test=colortst&prforceGroups=`);
    expect((empty.json as Envelope).data.groups).toEqual((none.json as Envelope).data.groups);
  });

  it('identifyAllDisabled: no `test` parameter means no groups', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config, identifyAllDisabled: true });
    expect(((await get(`${url}/groups/identify?id.USER=u1`)).json as Envelope).data.groups).toEqual({});
    expect(Object.keys(((await get(`${url}/groups/identify?id.USER=u1&test=colortst`)).json as Envelope).data.groups as object)).toEqual(['colortst']);
  });

  it('echoes converted context values with Java formatting', async () => {
    const typed = {
      context: {
        i: { type: 'int' },
        l: { type: 'long' },
        d: { type: 'double' },
        f: { type: 'float' },
        b: { type: 'Boolean' },
        c: { type: 'char' },
        s: { type: 'java.lang.String' },
      },
      identifiers: { USER: {} },
    };
    const { url } = await start({ matrix: ruleFreeMatrix(), config: typed });
    const r = await get(`${url}/groups/identify?id.USER=u&test=&ctx.i=-7&ctx.l=9223372036854775807&ctx.d=1e3&ctx.f=0.1&ctx.b=1&ctx.c=%C3%A9&ctx.s=%22q%22`);
    expect(r.status).toBe(200);
    expect(r.text).toContain(
      '"context" : {\n      "i" : -7,\n      "l" : 9223372036854775807,\n      "d" : 1000.0,\n      "f" : 0.1,\n      "b" : true,\n      "c" : "é",\n      "s" : "\\"q\\""\n    }',
    );
    const nan = await get(`${url}/groups/identify?id.USER=u&test=&ctx.i=0&ctx.l=0&ctx.d=NaN&ctx.f=-Infinity&ctx.b=no&ctx.c=x&ctx.s=`);
    expect((nan.json as Envelope).data.context).toMatchObject({ d: 'NaN', f: '-Infinity', b: false });
  });
});

describe('other endpoints', () => {
  it('/proctor/matrix: not enveloped, Java doubles, explicit nulls, invalid tests removed', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config: pipetConfig });
    const r = await get(`${url}/proctor/matrix`);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json;charset=UTF-8');
    const doc = r.json as { audit: unknown; tests: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(['audit', 'tests']);
    expect(doc.tests.brokentst).toBeUndefined();
    expect(doc.tests.accttst).toMatchObject({ rule: null, salt: 'accttst', version: null, dependsOn: null, payloadExperimentConfig: null });
    expect(r.text).toContain('"length" : 0.3333333333');
    expect(r.text).toContain('"length" : 0.6666666667');
    expect(r.text).toContain('"length" : 1.0');
    expect(r.text).toContain('"doubleValue" : 0.0001\n');
    expect(r.text).toContain('"doubleValue" : 1.0\n');
    expect(r.text).toContain(
      '"allocations" : [ {\n        "rule" : null,\n        "ranges" : [ {\n          "bucketValue" : 1,\n          "length" : 1.0\n        } ],\n        "id" : "#A1",\n        "name" : ""\n      } ]',
    );
    expect(r.text.startsWith('{\n  "audit" : {\n    "version" : "3",')).toBe(true);
  });

  it('/proctor/matrix/audit and /proctor/matrix/definition/{testName}', async () => {
    const { url } = await start({ matrix: ruleFreeMatrix(), config: pipetConfig });
    const audit = await get(`${url}/proctor/matrix/audit`);
    expect(audit.json).toEqual({
      data: { version: '3', updated: 1454432430000, updatedDate: '2016-02-02T11:00-0600', updatedBy: 'alice' },
      meta: { status: 200 },
    });
    const def = await get(`${url}/proctor/matrix/definition/doubletst`);
    expect(def.status).toBe(200);
    expect((def.json as Envelope).data).toMatchObject({ testType: 'USER', salt: 'doubletst', version: '2', rule: null, constants: {} });
    // Inside the envelope doubles are plain Jackson output.
    expect(def.text).toContain('"length" : 0.3333333333333333');
    expect(def.text).toContain('"doubleValue" : 1.0E-4');
    const missing = await get(`${url}/proctor/matrix/definition/brokentst`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ data: {}, meta: { status: 404, error: "'brokentst' test definition not found in test matrix." } });
    const encoded = await get(`${url}/proctor/matrix/definition/${encodeURIComponent('a b')}`);
    expect((encoded.json as Envelope).meta.error).toBe("'a b' test definition not found in test matrix.");
  });

  it('/config/context and /config/identifiers', async () => {
    const { url } = await start();
    expect((await get(`${url}/config/context`)).json).toEqual({
      data: {
        country: { source: 'QUERY', sourceKey: 'ctx.country', type: 'java.lang.String' },
        loggedIn: { source: 'QUERY', sourceKey: 'ctx.loggedIn', type: 'java.lang.Boolean', defaultValue: 'false' },
        userAgent: { source: 'HEADER', sourceKey: 'User-Agent', type: 'com.indeed.proctor.pipet.deploy.useragent.UserAgent' },
      },
      meta: { status: 200 },
    });
    expect((await get(`${url}/config/identifiers`)).json).toEqual({
      data: { USER: { source: 'QUERY', sourceKey: 'id.USER' }, ACCOUNT: { source: 'QUERY', sourceKey: 'id.acctid' } },
      meta: { status: 200 },
    });
  });

  it('/health, trailing slashes, HEAD, unknown paths and methods', async () => {
    const { url } = await start();
    const health = await get(`${url}/health`);
    expect([health.status, health.json]).toEqual([200, { status: 'ok', matrixVersion: '1' }]);
    expect((await get(`${url}/config/identifiers/`)).status).toBe(200);
    const head = await fetch(`${url}/proctor/matrix`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await head.text()).toBe('');
    const unknown = await get(`${url}/groups`);
    expect([unknown.status, (unknown.json as Envelope).data, (unknown.json as Envelope).meta.status]).toEqual([404, {}, 404]);
    const post = await fetch(`${url}/groups/identify?id.USER=x`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(((await post.json()) as Envelope).meta).toEqual({ status: 405, error: "Request method 'POST' not supported" });
  });
});
