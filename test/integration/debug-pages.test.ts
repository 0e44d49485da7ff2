/**
 * The debug pages as a user meets them: a real Express app on a real port, the HTML read through cheerio.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSource } from '../../src/index.js';
import { proctor, proctorDebugPages } from '../../src/express/index.js';
import exampleMatrix from '../../examples/matrix.json' with { type: 'json' };

const evil = '<script>alert(1)</script>';
type Def = { description: string; rule: string | null; buckets: { name: string; value: number; description: string }[]; allocations: { rule: string | null; ranges: { bucketValue: number; length: number }[] }[] };
const matrix = structuredClone(exampleMatrix) as unknown as { tests: Record<string, Def> };
(matrix.tests.buttoncolortst as Def).description = `colors ${evil}`;
const firstBucket = matrix.tests.countryalgotst?.buckets[0];
if (firstBucket) firstBucket.name = `in"active${evil}`;

/** Hostile strings wherever the matrix holds text the page shows: rules, descriptions, bucket names. */
const HOSTILE = {
  testRule: `\${loggedIn || country == '"></code><img src=x onerror=alert(2)>'}`,
  allocationRule: `\${country == '</th></tr></table>${evil}'}`,
  description: `<b onmouseover="alert(3)">test</b> {{title}} {{{body}}}`,
  bucketName: `"><svg onload=alert(4)>`,
  bucketDescription: `</td><iframe src="javascript:alert(5)"></iframe>`,
};
matrix.tests.hostiletst = {
  description: HOSTILE.description,
  rule: HOSTILE.testRule,
  buckets: [
    { name: 'control', value: 0, description: 'plain' },
    { name: HOSTILE.bucketName, value: 1, description: HOSTILE.bucketDescription },
  ],
  allocations: [
    { rule: HOSTILE.allocationRule, ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 1, length: 0.5 }] },
    { rule: null, ranges: [{ bucketValue: 0, length: 1 }] },
  ],
  ...{ version: 1, constants: {}, salt: 'hostiletst', testType: 'USER' },
} as Def;

const TESTS = ['buttoncolortst', 'countryalgotst', 'newfeaturerollout', 'hostiletst', 'missingtst'];

let server: Server;
let base: string;
const staff = { 'x-staff': '1' };

beforeAll(async () => {
  const app = express();
  const mw = proctor({
    source: localSource({ matrix }),
    tests: TESTS,
    getIdentifiers: () => ({ USER: 'pa5xq0lz4n80' }),
    getContext: () => ({ country: 'US', loggedIn: true }),
    isPrivileged: (req) => req.headers['x-staff'] === '1',
  });
  app.use(mw);
  app.use('/private', proctorDebugPages(mw));
  app.use('/custom', proctorDebugPages(mw, { baseTemplate: '<main data-layout="mine"><h6>{{title}}</h6>{{{body}}}</main>' }));
  app.use('/async', proctorDebugPages(mw, { baseTemplate: async (page) => `<article data-title="${page.title}">${page.body}</article>`, nav: false }));
  app.use('/links', proctorDebugPages(mw, { nav: [{ text: 'Back to the shop', href: '/shop' }, { text: 'Force', href: '/links/proctor/force' }] }));
  app.use('/broken', proctorDebugPages(mw, { baseTemplate: () => Promise.reject(new Error('layout failed')) }));
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).send('layout error handled');
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

async function page(path: string): Promise<{ html: string; $: cheerio.CheerioAPI }> {
  const res = await fetch(base + path, { headers: staff });
  expect(res.status, path).toBe(200);
  const html = await res.text();
  return { html, $: cheerio.load(html) };
}

/** The rows of a test's bucket table as text: the name cell, then every other cell. */
function rows($: cheerio.CheerioAPI, test: string): string[][] {
  return $(`#test-${test} tbody tr`)
    .toArray()
    .map((tr) => $(tr).children().toArray().map((cell) => $(cell).text().trim()));
}

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
      expect(Object.keys(body.tests)).toEqual(TESTS);
      expect(body.tests.missingtst).toEqual({});
      expect(body.audit.version).toBe('1');
    }
  });

  it('the force page lists buckets, their descriptions and shares, and the current assignment, all escaped', async () => {
    const { html, $ } = await page('/private/proctor/force');
    expect(html).not.toContain(evil);
    const btn = $('#test-buttoncolortst');
    expect(btn.find('.assignment').text()).toBe('control (0)');
    expect(btn.find('p.description').text()).toBe(`colors ${evil}`);
    expect(btn.find('thead tr').first().children().toArray().map((th) => $(th).text())).toEqual(['Bucket', 'Value', 'Description', 'Share of users', 'Status', 'Action']);
    expect(btn.find('thead th.allocation').toArray().map((th) => $(th).text())).toEqual(['Everyone']);
    expect(rows($, 'buttoncolortst')).toEqual([
      ['inactive', '-1', 'the inactive case', '0%', '', 'Force inactive'],
      ['control', '0', 'the control case (stays grey)', '40%', 'your group', 'Force control'],
      ['blue', '1', 'royal blue', '30%', '', 'Force blue'],
      ['green', '2', "neon green to really get the user's attention", '30%', '', 'Force green'],
    ]);
    expect($('#test-countryalgotst tbody tr th').first().text()).toBe(`in"active${evil}`);
    expect($('#test-missingtst').text()).toContain('not in the matrix');
    expect($('#test-missingtst table').length).toBe(0);
  });

  it('says who is in each test: "everyone" without a rule, else the rule and a plain reading of it', async () => {
    const { $ } = await page('/private/proctor/force');
    const who = (test: string) => $(`#test-${test} .test-rule`).text().replace(/\s+/g, ' ').trim();
    expect(who('buttoncolortst')).toBe('Who is in the test: everyone.');
    expect(who('newfeaturerollout')).toBe('Who is in the test: users for whom ${loggedIn} is true (loggedIn is true); for anyone else the test is unassigned.');
    expect($('#test-newfeaturerollout .test-rule code').text()).toBe('${loggedIn}');
  });

  it('shows every allocation as a column: its rule (or "Everyone else"), each bucket’s share, and which one decides', async () => {
    const { $ } = await page('/private/proctor/force');
    const algo = $('#test-countryalgotst');
    expect(algo.find('thead th.shares').attr('colspan')).toBe('2');
    const headers = algo.find('thead th.allocation').toArray().map((th) => $(th).text());
    expect(headers).toEqual(["If ${country == 'US'} (country is 'US')", 'Everyone else']);
    expect(algo.find('thead th.allocation code').first().text()).toBe("${country == 'US'}");
    expect(rows($, 'countryalgotst').map((r) => r.slice(3, 5))).toEqual([
      ['40%', '80%'],
      ['30%', '10%'],
      ['30%', '10%'],
    ]);
    expect(algo.find('.allocation-help').text()).toContain('gets the first allocation, left to right, whose rule matches them');
    // One allocation needs no explanation; the old unexplained "Allocation (first)" header is gone.
    expect($('#test-buttoncolortst .allocation-help').length).toBe(0);
    expect($.html()).not.toContain('Allocation (first)');
  });

  it('keeps hostile rules, descriptions and bucket names inert: text on the page, no markup made from them', async () => {
    const { html, $ } = await page('/private/proctor/force');
    for (const selector of ['script', 'img', 'svg', 'iframe', 'b', '[onerror]', '[onload]', '[onmouseover]']) {
      expect($(selector).length, selector).toBe(0);
    }
    const hostile = $('#test-hostiletst');
    expect(hostile.find('p.description').text()).toBe(HOSTILE.description);
    expect(hostile.find('.test-rule code').text()).toBe(HOSTILE.testRule);
    expect(hostile.find('thead th.allocation code').first().text()).toBe(HOSTILE.allocationRule);
    expect(hostile.find('thead th.allocation').last().text()).toBe('Everyone else');
    expect(hostile.find('tr[data-value="1"] th').text()).toBe(HOSTILE.bucketName);
    expect(hostile.find('tr[data-value="1"] .bucket-description').text()).toBe(HOSTILE.bucketDescription);
    expect(hostile.find('tr[data-value="1"] a.force').text()).toBe(`Force ${HOSTILE.bucketName}`);
    // The table keeps its shape: two buckets, three data cells for two allocations plus status and action.
    expect(hostile.find('tbody tr').length).toBe(2);
    expect(hostile.find('tbody tr').first().children().length).toBe(7);
    // The markup never appears unescaped (the layout's {{{body}}} is not re-rendered either).
    for (const s of Object.values(HOSTILE)) expect(html).not.toContain(s);
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<iframe');
  });

  it('one click forces a bucket: the row says "forced" and "your group"; reset removes only that test', async () => {
    const first = await page('/private/proctor/force?prforceGroups=countryalgotst0');
    const green = first.$('#test-buttoncolortst tr[data-value="2"] a.force').attr('href') ?? '';
    expect(decodeURIComponent(green)).toContain('prforceGroups=countryalgotst0,buttoncolortst2');
    const forcedRes = await fetch(base + green, { headers: staff });
    expect(forcedRes.headers.get('set-cookie')).toContain('prforceGroups=countryalgotst0%2Cbuttoncolortst2');
    const forced = cheerio.load(await forcedRes.text());
    const section = forced('#test-buttoncolortst');
    expect(section.find('.assignment').text()).toBe('green (2)');
    expect(section.find('.forced-flag').text()).toBe('forced');
    // The forced bucket is marked in words, not only by color, and is the one current row.
    const row = section.find('tr.forced');
    expect(row.attr('data-value')).toBe('2');
    expect(row.find('.status').text()).toBe('forcedyour group');
    expect(row.find('.badge-forced').text()).toBe('forced');
    expect(section.find('tr[aria-current]').toArray().map((tr) => forced(tr).attr('data-value'))).toEqual(['2']);
    expect(section.find('.badge-forced').length).toBe(2); // the row's badge and the flag by "Your group"
    expect(section.find('tr:not([data-value="2"]) .status').text()).toBe('');
    const reset = section.find('a.reset').attr('href') ?? '';
    expect(new URL(base + reset).searchParams.get('prforceGroups')).toBe('countryalgotst0');
  });

  it('says when the force string names a value the test has no bucket for', async () => {
    const { $ } = await page('/private/proctor/force?prforceGroups=buttoncolortst9');
    const section = $('#test-buttoncolortst');
    expect(section.find('.forced-unknown').text()).toContain('value 9, which is not a bucket of this test: ignored');
    expect(section.find('.forced-flag, tr.forced').length).toBe(0);
    expect(section.find('.assignment').text()).toBe('control (0)');
  });

  it('links back to the site and to both pages, relative to where they are mounted', async () => {
    const nav = async (path: string) => {
      const { $ } = await page(path);
      return $('nav.proctor-debug-nav a').toArray().map((a) => [$(a).text(), $(a).attr('href'), $(a).attr('aria-current') ?? '']);
    };
    expect(await nav('/private/proctor/force?prforceGroups=')).toEqual([
      ['Site home', '/', ''],
      ['Force groups', '/private/proctor/force', 'page'],
      ['Test matrix (JSON)', '/private/proctor/show', ''],
    ]);
    expect((await nav('/custom/proctor/force/')).map((link) => link[1])).toEqual(['/', '/custom/proctor/force', '/custom/proctor/show']);
    expect(await nav('/links/proctor/force')).toEqual([
      ['Back to the shop', '/shop', ''],
      ['Force', '/links/proctor/force', 'page'],
    ]);
    expect(await nav('/async/proctor/force')).toEqual([]);
  });

  it('renders into an app-provided layout, styles included, whatever the layout', async () => {
    const { $ } = await page('/custom/proctor/force');
    expect($('main[data-layout="mine"] h6').text()).toBe('Proctor: force groups');
    expect($('main .proctor-debug #test-buttoncolortst').length).toBe(1);
    const css = $('main .proctor-debug > style').text();
    expect(css).toContain('.proctor-debug tr.forced');
    // Every rule is scoped to the page, so it styles nothing of the site around it.
    const selectors = css.split('}').flatMap((rule) => (rule.includes('{') ? (rule.split('{')[0] ?? '').split(',') : [])).map((s) => s.trim());
    expect(selectors.length).toBeGreaterThan(10);
    for (const selector of selectors) expect(selector).toMatch(/^\.proctor-debug(-nav)?\b/);
  });

  it('takes a layout function returning a promise (a view engine rendering to a string)', async () => {
    const { $ } = await page('/async/proctor/force');
    expect($('article').attr('data-title')).toBe('Proctor: force groups');
    expect($('article .proctor-debug style').length).toBe(1);
    expect($('article section.test').length).toBe(TESTS.length);
    const broken = await fetch(`${base}/broken/proctor/force`, { headers: staff });
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe('layout error handled');
  });

  it('the bundled layout is a bare page: the styles live in the body', async () => {
    const { $ } = await page('/private/proctor/force');
    expect($('head title').text()).toBe('Proctor: force groups');
    expect($('head style').length).toBe(0);
    expect($('body > .proctor-debug > style').length).toBe(1);
  });
});
