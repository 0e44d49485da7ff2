import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSource } from '../../src/index.js';
import { proctor, proctorDebugPages } from '../../src/express/index.js';
import exampleMatrix from '../../examples/matrix.json' with { type: 'json' };

const evil = '<script>alert(1)</script>';
const matrix = structuredClone(exampleMatrix) as { tests: Record<string, { description: string; buckets: { name: string }[] }> };
(matrix.tests.buttoncolortst as { description: string }).description = `colors ${evil}`;
const firstBucket = matrix.tests.countryalgotst?.buckets[0];
if (firstBucket) firstBucket.name = `in"active${evil}`;

let server: Server;
let base: string;
const staff = { 'x-staff': '1' };

beforeAll(async () => {
  const app = express();
  const mw = proctor({
    source: localSource({ matrix }),
    tests: ['buttoncolortst', 'countryalgotst', 'missingtst'],
    getIdentifiers: () => ({ USER: 'pa5xq0lz4n80' }),
    getContext: () => ({ country: 'US', loggedIn: true }),
    isPrivileged: (req) => req.headers['x-staff'] === '1',
  });
  app.use(mw);
  app.use('/private', proctorDebugPages(mw));
  app.use('/custom', proctorDebugPages(mw, { baseTemplate: '<main data-layout="mine"><h6>{{title}}</h6>{{{body}}}</main>' }));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('debug pages', () => {
  it('answer 404 unless privileged', async () => {
    for (const path of ['/private/proctor/show', '/private/showTestMatrix', '/private/proctor/force']) {
      expect((await fetch(base + path)).status).toBe(404);
    }
  });

  it('show the matrix filtered to the configured tests ({} for a test not in the matrix)', async () => {
    for (const path of ['/private/proctor/show', '/private/showTestMatrix']) {
      const res = await fetch(base + path, { headers: staff });
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      const body = (await res.json()) as { audit: { version: string }; tests: Record<string, unknown> };
      expect(Object.keys(body.tests)).toEqual(['buttoncolortst', 'countryalgotst', 'missingtst']);
      expect(body.tests.missingtst).toEqual({});
      expect(body.audit.version).toBe('1');
    }
  });

  it('the force page lists buckets, first-allocation percentages and the current assignment, all escaped', async () => {
    const html = await (await fetch(`${base}/private/proctor/force`, { headers: staff })).text();
    expect(html).not.toContain(evil);
    const $ = cheerio.load(html);
    const btn = $('#test-buttoncolortst');
    expect(btn.find('.assignment').text()).toBe('control (0)');
    expect(btn.find('p').first().text()).toBe(`colors ${evil}`);
    const rows = btn.find('tbody tr').toArray().map((tr) => $(tr).find('td').slice(0, 3).toArray().map((td) => $(td).text()));
    expect(rows).toEqual([
      ['inactive', '-1', '0%'],
      ['control', '0', '40%'],
      ['blue', '1', '30%'],
      ['green', '2', '30%'],
    ]);
    expect($('#test-countryalgotst tbody tr').first().find('td').first().text()).toBe(`in"active${evil}`);
    expect($('#test-missingtst').text()).toContain('not in the matrix');
  });

  it('one click forces a bucket; reset removes only that test', async () => {
    const page = cheerio.load(await (await fetch(`${base}/private/proctor/force?prforceGroups=countryalgotst0`, { headers: staff })).text());
    const green = page('#test-buttoncolortst tr[data-value="2"] a.force').attr('href') ?? '';
    expect(decodeURIComponent(green)).toContain('prforceGroups=countryalgotst0,buttoncolortst2');
    const forcedRes = await fetch(base + green, { headers: staff });
    expect(forcedRes.headers.get('set-cookie')).toContain('prforceGroups=countryalgotst0%2Cbuttoncolortst2');
    const forced = cheerio.load(await forcedRes.text());
    expect(forced('#test-buttoncolortst .assignment').text()).toBe('green (2)');
    expect(forced('#test-buttoncolortst .forced-flag').length).toBe(1);
    const reset = forced('#test-buttoncolortst a.reset').attr('href') ?? '';
    expect(new URL(base + reset).searchParams.get('prforceGroups')).toBe('countryalgotst0');
  });

  it('renders into an app-provided base layout', async () => {
    const $ = cheerio.load(await (await fetch(`${base}/custom/proctor/force`, { headers: staff })).text());
    expect($('main[data-layout="mine"] h6').text()).toBe('Proctor: force groups');
    expect($('main #test-buttoncolortst').length).toBe(1);
  });
});
