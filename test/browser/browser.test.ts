/**
 * The example sites in a real browser: headless Debian Chromium driven by playwright-core (no browser
 * download). Forcing a group on the force page changes what the site renders, through the cookie the browser
 * keeps, and the page visibly marks the forced bucket in every site's layout; hostile payloads reach browser
 * JavaScript intact through procScript and never execute.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_HEADLINES, expected, startSite } from '../acceptance/site-suite.js';
import type { Engine, Running } from '../acceptance/site-suite.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const SKIP_REASON = `${CHROMIUM} is missing: install chromium (apt-get install -y chromium)`;
if (!available) console.warn(`test/browser skipped: ${SKIP_REASON}`);

/** What browser JavaScript sees (reached through globalThis: this file is type-checked without DOM types). */
interface BrowserGlobals {
  proc?: Record<string, { group: string | null; value: number | null; payload: unknown }>;
  __xss?: unknown;
}

/** What the page's CSS makes of an element (evaluated in the browser). */
interface Look {
  background: string;
  borderTop: string;
  fontWeight: string;
  color: string;
}
function lookOf(element: unknown): Look {
  const { getComputedStyle } = globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> };
  const style = getComputedStyle(element);
  return { background: style.backgroundColor ?? '', borderTop: `${style.borderTopWidth ?? ''} ${style.borderTopStyle ?? ''}`, fontWeight: style.fontWeight ?? '', color: style.color ?? '' };
}

const JS_RAN = 'document.getElementById("js-status").textContent !== "JavaScript has not run."';

describe.skipIf(!available)(`examples/nunjucks in headless Chromium${available ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let browser: Browser;
  let site: Running;

  beforeAll(async () => {
    site = await startSite('nunjucks');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** A fresh browser profile with listeners that record anything a hostile payload could trigger. */
  async function openPage(): Promise<{ context: BrowserContext; page: Page; dialogs: string[]; errors: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    return { context, page, dialogs, errors };
  }

  it('clicking a bucket on /private/proctor/force changes the group the site renders', async () => {
    const { context, page, errors } = await openPage();
    try {
      await page.goto(`${site.base}/`);
      await page.waitForFunction(JS_RAN);
      const tk = (await context.cookies()).find((c) => c.name === 'tk')?.value ?? '';
      const natural = expected(tk).buttoncolortst.group;
      expect(await page.getAttribute('#cta', 'data-js-group')).toBe(natural ?? 'unassigned');
      const [target, value] = natural === 'green' ? ['blue', 1] : ['green', 2];

      await page.goto(`${site.base}/private/proctor/force`);
      await Promise.all([
        page.waitForURL(`**/private/proctor/force?prforceGroups=buttoncolortst${value}`),
        page.click(`#test-buttoncolortst tr[data-value="${value}"] a.force`),
      ]);
      expect(await page.textContent('#force-string')).toBe(`buttoncolortst${value}`);
      expect(await page.getAttribute('#test-buttoncolortst tr.current', 'data-value')).toBe(String(value));
      const forceCookie = (await context.cookies()).find((c) => c.name === 'prforceGroups');
      expect(forceCookie).toMatchObject({ value: `buttoncolortst${value}`, httpOnly: true, sameSite: 'Lax', expires: -1 });

      // The browser carries the cookie back to the site: server markup and browser JS both see the forced group.
      await page.goto(`${site.base}/`);
      await page.waitForFunction(JS_RAN);
      expect(await page.getAttribute('#cta', 'class')).toBe(`btn btn-${target}`);
      expect(await page.getAttribute('#cta', 'data-js-group')).toBe(target);
      expect(await page.textContent('#js-status')).toContain(`buttoncolortst = ${target}`);

      // Reset the test: back to the visitor's own bucket.
      await page.goto(`${site.base}/private/proctor/force`);
      await Promise.all([page.waitForURL('**/private/proctor/force?prforceGroups='), page.click('#test-buttoncolortst a.reset')]);
      await page.goto(`${site.base}/`);
      await page.waitForFunction(JS_RAN);
      expect(await page.getAttribute('#cta', 'data-js-group')).toBe(natural ?? 'unassigned');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each<Engine>(['nunjucks', 'handlebars', 'ejs'])('examples/%s: after clicking “Force <bucket>”, that row visibly says forced, and the site shows the group', async (engine) => {
    const own = await startSite(engine);
    const { context, page, errors } = await openPage();
    try {
      await page.goto(`${own.base}/`);
      const tk = (await context.cookies()).find((c) => c.name === 'tk')?.value ?? '';
      const [target, value] = expected(tk).buttoncolortst.group === 'green' ? ['blue', 1] : ['green', 2];

      await page.goto(`${own.base}/private/proctor/force`);
      const section = page.locator('#test-buttoncolortst');
      expect(await section.locator('.badge-forced').count()).toBe(0);
      await Promise.all([
        page.waitForURL(`**/private/proctor/force?prforceGroups=buttoncolortst${value}`),
        section.getByRole('link', { name: `Force ${target}`, exact: true }).click(),
      ]);
      const row = section.locator('tr', { has: page.getByRole('rowheader', { name: target, exact: true }) });
      expect(await row.getAttribute('data-value')).toBe(String(value));
      // Said in words, on screen: a "forced" badge and a "your group" badge in that row, and only there.
      const badge = row.locator('.badge-forced');
      expect(await badge.isVisible()).toBe(true);
      expect(await badge.textContent()).toBe('forced');
      expect(await row.locator('.badge-current').isVisible()).toBe(true);
      expect(await section.locator('tbody .badge-forced').count()).toBe(1);
      expect(await section.locator('tr[aria-current="true"]').count()).toBe(1);
      // Drawn so it stands out: the forced row's cells get a highlight and a thick border no bucket color
      // or site stylesheet overrides; the other rows keep the plain look.
      const forcedLook = await row.locator('th').evaluate(lookOf);
      const otherLook = await section.locator('tr[data-value="0"] th').evaluate(lookOf);
      expect(forcedLook).toMatchObject({ background: 'rgb(255, 243, 196)', borderTop: '3px solid', fontWeight: '700' });
      expect(otherLook).toMatchObject({ background: 'rgb(255, 255, 255)', borderTop: '1px solid', fontWeight: '400' });
      expect(await badge.evaluate(lookOf)).toMatchObject({ background: 'rgb(168, 74, 0)', color: 'rgb(255, 255, 255)' });

      // The site's home page, through the cookie, now renders the forced group.
      await page.getByRole('link', { name: 'Home', exact: true }).click();
      await page.waitForFunction(JS_RAN);
      expect(await page.getAttribute('#cta', 'class')).toBe(`btn btn-${target}`);
      expect(await page.textContent('#js-status')).toContain(`buttoncolortst = ${target}`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await own.close();
    }
  });

  it.each([...HOSTILE_HEADLINES])('headlinetst%i: the hostile payload reaches browser JS intact and never runs', async (value, payload) => {
    const { context, page, dialogs, errors } = await openPage();
    try {
      await page.goto(`${site.base}/?prforceGroups=headlinetst${value}`);
      await page.waitForFunction(JS_RAN);
      const globals = await page.evaluate(() => {
        const g = globalThis as unknown as BrowserGlobals;
        return { proc: g.proc, xssType: typeof g.__xss };
      });
      const tk = (await context.cookies()).find((c) => c.name === 'tk')?.value ?? '';
      const want = expected(tk, {}, `headlinetst${value}`);
      expect(globals.proc?.headlinetst?.payload).toBe(payload);
      expect(globals.proc).toEqual({ buttoncolortst: want.buttoncolortst, buttontexttst: want.buttontexttst, headlinetst: want.headlinetst });
      expect(globals.xssType).toBe('undefined');
      // The server-escaped heading and the text browser JS wrote both show the exact string.
      expect(await page.textContent('#headline')).toBe(payload);
      expect(await page.textContent('#js-headline')).toBe(payload);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(2);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('control: the same payloads embedded without escaping do run, so the checks above can fail', async () => {
    const { context, page, dialogs } = await openPage();
    try {
      // JSON.stringify alone in a script element, and raw text in HTML.
      const naive = `<script>var proc=${JSON.stringify({ headline: HOSTILE_HEADLINES.get(1) })};</script><h1>${HOSTILE_HEADLINES.get(3) ?? ''}</h1>`;
      await page.setContent(`<!doctype html><body>${naive}</body>`);
      await page.waitForFunction('window.__xss === 3');
      expect(dialogs).toEqual(['3']);
      await page.setContent(`<!doctype html><body>${naive.slice(0, naive.indexOf('<h1>'))}</body>`);
      expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).__xss)).toBe(1);
    } finally {
      await context.close();
    }
  });
});
