/**
 * The force cookie stays within what a browser keeps (issue 15, defect 8). A force string whose Set-Cookie
 * would pass MAX_FORCE_COOKIE_BYTES (a browser drops such a cookie silently, so the force held for one page)
 * is stored as the parser reads it, then as many of its tests as fit: on a real Express app and port, the
 * header stays within the limit, the page that sets it is forced by the whole string, and the next pages by
 * the cookie, each kept test exactly as asked. In headless Chromium the cookie is kept and forces the next
 * page (before, Chromium dropped it).
 */
import { existsSync } from 'node:fs';
import express from 'express';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateForceGroups, parseForceGroups } from '../../src/engine/force-groups/index.js';
import { MAX_FORCE_COOKIE_BYTES, forceCookieHeader, readForceCookie } from '../../src/http/force-cookie.js';
import { proctor } from '../../src/express/index.js';
import { localSource } from '../../src/sources/local.js';
import { listen } from '../support/listen.js';
import type { Running } from '../support/listen.js';

const COUNT = 60;
const TESTS = Array.from({ length: COUNT }, (_, i) => `force${String(i).padStart(2, '0')}tst`);

/** Every test: bucket 0 for everyone, bucket 1 to force, string payloads. */
const MATRIX = {
  audit: { version: 'cookie-1', updated: 0, updatedBy: 'test' },
  tests: Object.fromEntries(
    TESTS.map((name) => [
      name,
      {
        testType: 'USER',
        salt: name,
        buckets: [
          { name: 'control', value: 0, payload: { stringValue: 'plain' } },
          { name: 'test', value: 1, payload: { stringValue: 'plain' } },
        ],
        allocations: [{ id: '#A1', ranges: [{ bucketValue: 0, length: 1 }] }],
      },
    ]),
  ),
};

/** Each test forced to 1 with a 100-character payload: about 7,000 characters, 9,000 URL-encoded. */
const LONG = TESTS.map((t, i) => `${t}1;stringValue:"${`payload ${i} `.padEnd(100, 'x')}"`).join(',');

type Groups = Record<string, { group: string | null; payload: unknown }>;

describe('the force cookie on a real Express app', () => {
  let site: Running;
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];

  beforeAll(async () => {
    const app = express();
    app.use(
      proctor({
        source: localSource({ matrix: MATRIX }),
        tests: TESTS,
        getIdentifiers: () => ({ USER: 'u1' }),
        isPrivileged: () => true,
        logger: { warn: (message, fields) => warnings.push({ message, fields }), error: () => {} },
      }),
    );
    app.get('/', (req, res) => {
      const groups: Groups = {};
      for (const t of TESTS) {
        const a = req.proc?.get(t);
        groups[t] = { group: a?.group ?? null, payload: a?.payload ?? null };
      }
      res.json(groups);
    });
    site = await listen(app);
  });

  afterAll(async () => {
    await site?.close();
  });

  async function page(query: string | null, cookie?: string): Promise<{ groups: Groups; setCookie: string | null }> {
    const url = query === null ? `${site.base}/` : `${site.base}/?${new URLSearchParams({ prforceGroups: query }).toString()}`;
    const res = await fetch(url, cookie === undefined ? {} : { headers: { cookie } });
    expect(res.status).toBe(200);
    return { groups: (await res.json()) as Groups, setCookie: res.headers.get('set-cookie') };
  }

  it(`a long force string: the Set-Cookie stays within ${MAX_FORCE_COOKIE_BYTES} bytes and keeps the tests that fit`, async () => {
    expect(encodeURIComponent(LONG).length).toBeGreaterThan(MAX_FORCE_COOKIE_BYTES * 2);
    const first = await page(LONG);
    // The page that sets the cookie: every test forced, with its payload.
    TESTS.forEach((t, i) => expect(first.groups[t], t).toEqual({ group: 'test', payload: `payload ${i} `.padEnd(100, 'x') }));
    const header = first.setCookie ?? '';
    expect(Buffer.byteLength(header)).toBeLessThanOrEqual(MAX_FORCE_COOKIE_BYTES);
    expect(header).toMatch(/^prforceGroups=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);

    // The next page, with the cookie the browser keeps: a prefix of the tests, each exactly as forced.
    const cookie = header.split(';')[0] as string;
    const stored = parseForceGroups(readForceCookie(cookie, 'prforceGroups') ?? '');
    const kept = [...stored.groups.keys()];
    expect(kept.length).toBeGreaterThan(20);
    expect(kept).toEqual(TESTS.slice(0, kept.length));
    const next = await page(null, cookie);
    TESTS.forEach((t, i) => {
      expect(next.groups[t], t).toEqual(i < kept.length ? first.groups[t] : { group: 'control', payload: 'plain' });
    });
    // As many as fit: one more test would not.
    const oneMore = generateForceGroups(parseForceGroups(LONG.split(',').slice(0, kept.length + 1).join(',')));
    expect(`prforceGroups=${encodeURIComponent(oneMore)}; Path=/; HttpOnly; SameSite=Lax`.length).toBeGreaterThan(MAX_FORCE_COOKIE_BYTES);
    expect(forceCookieHeader('prforceGroups', oneMore, false)).toBe(header);
    // Said once, with how many forced tests the cookie left out.
    expect(warnings).toEqual([
      {
        message: `proctor: the prforceGroups cookie would pass ${MAX_FORCE_COOKIE_BYTES} bytes, which browsers drop; it keeps the forced tests that fit, in order (this request is forced by all of them)`,
        fields: { dropped: COUNT - kept.length },
      },
    ]);
  });

  it('junk and repeats are dropped before any test is: one real force in 6,000 hostile characters is kept', async () => {
    const hostile = `${'%%,;;x:"\\'.repeat(300)},force07tst0,${'ab1;map:{"k":['.repeat(200)},force07tst1;stringValue:"kept"`;
    expect(encodeURIComponent(hostile).length).toBeGreaterThan(MAX_FORCE_COOKIE_BYTES);
    const { setCookie } = await page(hostile);
    expect(Object.fromEntries(parseForceGroups(hostile).groups)).toEqual({ force07tst: 1 });
    expect(setCookie).toBe('prforceGroups=force07tst1%3BstringValue%3A%22kept%22; Path=/; HttpOnly; SameSite=Lax');
    const next = await page(null, (setCookie ?? '').split(';')[0]);
    expect(next.groups.force07tst).toEqual({ group: 'test', payload: 'kept' });
  });

  it('a force string that fits is stored as it was typed', async () => {
    warnings.length = 0;
    const { setCookie } = await page('force01tst1, force02tst1;stringValue:"a b",junk');
    expect(warnings).toEqual([]); // nothing left out, nothing said
    expect(setCookie).toBe(`prforceGroups=${encodeURIComponent('force01tst1, force02tst1;stringValue:"a b",junk')}; Path=/; HttpOnly; SameSite=Lax`);
  });

  it('a long string that forces nothing clears the cookie', async () => {
    const { setCookie } = await page('-'.repeat(5_000), 'prforceGroups=force01tst1');
    expect(setCookie).toMatch(/^prforceGroups=; .*Max-Age=0/);
  });
});

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

describe.skipIf(!available)(`in headless Chromium${available ? '' : ` (skipped: ${CHROMIUM} is missing)`}`, () => {
  it('the browser keeps the cookie of a 7,000-character force string, and the next page is forced', async () => {
    const app = express();
    app.use(proctor({ source: localSource({ matrix: MATRIX }), tests: TESTS, getIdentifiers: () => ({ USER: 'u1' }), isPrivileged: () => true }));
    app.get('/', (req, res) => res.type('text/plain').send(TESTS.map((t) => req.proc?.get(t).group ?? '-').join(',')));
    const site = await listen(app);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(`${site.base}/?${new URLSearchParams({ prforceGroups: LONG }).toString()}`);
      expect(await tab.textContent('body')).toBe(TESTS.map(() => 'test').join(','));
      const cookies = await context.cookies();
      expect(cookies.map((c) => c.name)).toEqual(['prforceGroups']);
      await tab.goto(`${site.base}/`);
      const groups = ((await tab.textContent('body')) ?? '').split(',');
      expect(groups[0]).toBe('test');
      const kept = groups.filter((g) => g === 'test').length;
      expect(groups).toEqual(TESTS.map((_t, i) => (i < kept ? 'test' : 'control')));
    } finally {
      await browser.close();
      await site.close();
    }
  }, 30_000);
});
