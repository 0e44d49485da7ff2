/**
 * The acceptance suite every example site passes (examples/<engine>/app.mjs): start the app on port 0, read
 * its pages over real HTTP, assert through cheerio. The three sites render the same page structure, so one
 * suite states what a visitor must see; each `<engine>.test.ts` runs it and adds what is particular to it.
 *
 * The sites import the BUILT package (`proctor-node`, self-referenced through package.json `exports`), so
 * `npx tsup` must have run. The expected assignments come from the engine in src/ on the same matrix.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import * as cheerio from 'cheerio';
import type { Express, Request } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Proctor, payloadValue } from '../../src/engine/index.js';
import type { Logger } from '../../src/index.js';
import { listen } from '../support/listen.js';
import type { Running } from '../support/listen.js';

export type Engine = 'nunjucks' | 'handlebars' | 'ejs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MATRIX_FILE = path.join(ROOT, 'examples/site-matrix.json');

/** What `examples/<engine>/app.mjs` exports (the .mjs files are not type-checked; this is their contract). */
export interface SiteModule {
  readonly TESTS: readonly string[];
  createApp(options?: {
    matrix?: string | Record<string, unknown>;
    isPrivileged?: (req: Request) => boolean;
    logger?: Logger;
  }): Promise<Express>;
}

/** The adversarial payloads of `headlinetst` buckets 1–3 (see examples/site-matrix.json). */
export const HOSTILE_HEADLINES: ReadonlyMap<number, string> = new Map([
  [1, '</script><script>window.__xss=1</script>'],
  [2, '<!--<script>window.__xss=2;alert(2)</script>-->'],
  [3, `"quoted" 'single' \\back\\slash\\ \u2028line\u2029para </SCRIPT ><img src=x onerror="window.__xss=3;alert(3)"> &amp; \`\${x}\``],
]);

/** Fails the test on any warning or error the site logs (a broken matrix, an unknown test in a template). */
export const strictLogger: Logger = {
  warn: (message) => {
    throw new Error(`site logged a warning: ${message}`);
  },
  error: (message) => {
    throw new Error(`site logged an error: ${message}`);
  },
};

export async function importSite(engine: Engine): Promise<SiteModule> {
  // A computed specifier: the module is plain JavaScript, typed by SiteModule above.
  const url = pathToFileURL(path.join(ROOT, 'examples', engine, 'app.mjs')).href;
  return (await import(url)) as SiteModule;
}

export type { Running };
/** Start an app on a free loopback port. */
export const start: (app: Express) => Promise<Running> = listen;

/** An example site on port 0, built with the strict logger (plus `options`). */
export async function startSite(engine: Engine, options: Parameters<SiteModule['createApp']>[0] = {}): Promise<Running> {
  return start(await (await importSite(engine)).createApp({ logger: strictLogger, ...options }));
}

/** The engine's answer for a visitor, from src/ (the oracle the rendered page must agree with). */
const oracle = Proctor.fromMatrix(readFileSync(MATRIX_FILE, 'utf8'));
export function expected(user: string, context: { country?: string; loggedIn?: boolean } = {}, forceGroups: string | null = null) {
  const result = oracle.determineTestGroups({
    identifiers: { USER: user },
    context: { country: context.country ?? 'US', loggedIn: context.loggedIn ?? false },
    forceGroups,
  });
  const group = (test: string) => {
    const g = result.get(test);
    return { group: g?.name ?? null, value: g?.value ?? null, payload: g?.payload ? payloadValue(g.payload) : null };
  };
  return {
    buttoncolortst: group('buttoncolortst'),
    buttontexttst: group('buttontexttst'),
    newfeaturerollout: group('newfeaturerollout'),
    countryalgotst: group('countryalgotst'),
    headlinetst: group('headlinetst'),
  };
}

export interface Page {
  readonly status: number;
  readonly $: cheerio.CheerioAPI;
  readonly html: string;
  readonly setCookies: readonly string[];
}

export async function get(base: string, url: string, cookie?: string): Promise<Page> {
  const res = await fetch(`${base}${url}`, { headers: cookie === undefined ? {} : { cookie }, redirect: 'manual' });
  const html = await res.text();
  return { status: res.status, $: cheerio.load(html), html, setCookies: res.headers.getSetCookie() };
}

/** The nav every page of every site starts with: [text, href]. */
export const SITE_NAV: readonly (readonly [string, string])[] = [
  ['Home', '/'],
  ['Logged in, US', '/?loggedIn=true&country=US'],
  ['Force groups', '/private/proctor/force'],
  ['Test matrix', '/private/proctor/show'],
];

/** The class the sites give the call-to-action button for a buttoncolortst group. */
export function buttonClass(group: string | null): string {
  return group === 'blue' || group === 'green' ? `btn btn-${group}` : 'btn btn-grey';
}

/** The inline procScript element(s): scripts without `src`. */
export function inlineScripts($: cheerio.CheerioAPI): string[] {
  return $('script:not([src])')
    .toArray()
    .map((el) => $(el).html() ?? '');
}

/** Run the page's procScript the way a browser would run it, and return the global it defines. */
export function procGlobal($: cheerio.CheerioAPI): Record<string, unknown> {
  const scripts = inlineScripts($);
  expect(scripts).toHaveLength(1);
  const sandbox: Record<string, unknown> = {};
  vm.runInNewContext(scripts[0] ?? '', sandbox);
  // Plain JSON: objects from the sandbox realm compare cleanly.
  return JSON.parse(JSON.stringify(sandbox.proc)) as Record<string, unknown>;
}

export function describeSite(engine: Engine): void {
  describe(`examples/${engine}: the site a visitor sees`, () => {
    let site: SiteModule;
    let open: Running;
    let locked: Running;

    beforeAll(async () => {
      site = await importSite(engine);
      open = await start(await site.createApp({ logger: strictLogger }));
      // Every test client is on loopback, so the non-privileged path needs the hook overridden.
      locked = await start(await site.createApp({ logger: strictLogger, isPrivileged: () => false }));
    });

    afterAll(async () => {
      await Promise.all([open?.close(), locked?.close()]);
    });

    it('sets an HttpOnly tracking cookie on the first visit and buckets the visitor by it', async () => {
      const page = await get(open.base, '/');
      expect(page.status).toBe(200);
      const tk = page.setCookies.find((c) => c.startsWith('tk='));
      expect(tk).toMatch(/^tk=[\w-]+;.*HttpOnly/);
      expect(tk).toMatch(/SameSite=Lax/i);
      const user = /^tk=([\w-]+)/.exec(tk ?? '')?.[1] ?? '';
      const want = expected(user);
      expect(page.$('#cta').attr('class')).toBe(buttonClass(want.buttoncolortst.group));
      // The second visit keeps the cookie (no new one) and the groups.
      const again = await get(open.base, '/', `tk=${user}`);
      expect(again.setCookies.filter((c) => c.startsWith('tk='))).toEqual([]);
      expect(again.$('#cta').attr('class')).toBe(page.$('#cta').attr('class'));
      expect(procGlobal(again.$)).toEqual(procGlobal(page.$));
    });

    it('renders each visitor’s groups: tag/helper for the color, payload (or fallback) for the text, rule-gated feature', async () => {
      const seen = new Set<string | null>();
      const texts = new Set<string>();
      let features = 0;
      for (let i = 0; i < 40; i++) {
        const user = `visitor-${i}`;
        const loggedIn = i % 2 === 0;
        const country = i % 3 === 0 ? 'FR' : 'US';
        const want = expected(user, { country, loggedIn });
        const { $ } = await get(open.base, `/?country=${country.toLowerCase()}&loggedIn=${loggedIn}`, `tk=${user}`);
        seen.add(want.buttoncolortst.group);
        expect($('#cta').attr('class'), user).toBe(buttonClass(want.buttoncolortst.group));
        const text = typeof want.buttontexttst.payload === 'string' ? want.buttontexttst.payload : 'Sign Up';
        texts.add(text);
        expect($('#cta').text().trim(), user).toBe(text);
        expect($('#new-feature').length, user).toBe(want.newfeaturerollout.group === 'active' ? 1 : 0);
        if (want.newfeaturerollout.group === 'active') features++;
        expect($('#algo').text(), user).toBe(((want.countryalgotst.payload as number[] | null) ?? [2, 3, 5]).join(', '));
        expect($('#headline').text(), user).toBe('Try the example site');
      }
      // The sample really exercises both branches of the tag and several payloads.
      expect([...seen].sort()).toEqual(['blue', 'control', 'green']);
      expect(texts.size).toBeGreaterThanOrEqual(3);
      expect(features).toBeGreaterThan(0);
    });

    it('falls back when a test is unassigned: grey button, "Sign Up", default constants', async () => {
      // A matrix without the site's tests: every group is unassigned (the source-down case).
      const app = await site.createApp({ matrix: { audit: { version: 'empty', updated: 0, updatedBy: 'test' }, tests: {} }, logger: { warn: () => {}, error: () => {} } });
      const empty = await start(app);
      try {
        const { $ } = await get(empty.base, '/', 'tk=someone');
        expect($('#cta').attr('class')).toBe('btn btn-grey');
        expect($('#cta').text().trim()).toBe('Sign Up');
        expect($('#algo').text()).toBe('2, 3, 5');
        expect($('#headline').text()).toBe('Try the example site');
        expect($('#new-feature').length).toBe(0);
        expect(procGlobal($)).toEqual({
          buttoncolortst: { group: null, value: null, payload: null },
          buttontexttst: { group: null, value: null, payload: null },
          headlinetst: { group: null, value: null, payload: null },
        });
      } finally {
        await empty.close();
      }
    });

    it('hands exactly the named tests to browser JavaScript through procScript, then loads the page script', async () => {
      const user = 'visitor-7';
      const want = expected(user);
      const { $, html } = await get(open.base, '/', `tk=${user}`);
      expect(procGlobal($)).toEqual({ buttoncolortst: want.buttoncolortst, buttontexttst: want.buttontexttst, headlinetst: want.headlinetst });
      // Never the matrix, never tests the page did not name.
      expect(html).not.toContain('countryalgotst":');
      expect(html).not.toContain('allocations');
      const src = $('script[src]');
      expect(src.length).toBe(1);
      expect(src.attr('type')).toBe('module');
      const js = await fetch(`${open.base}${src.attr('src') ?? ''}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect(await js.text()).toContain('window.proc');
    });

    it.each([...HOSTILE_HEADLINES])('keeps the hostile payload of headlinetst%i inert in HTML and in the script', async (value, payload) => {
      const { $, html } = await get(open.base, `/?prforceGroups=headlinetst${value}`, 'tk=visitor-1');
      // HTML context: autoescaped text, no markup made from it.
      expect($('#headline').text()).toBe(payload);
      expect($('img').length).toBe(0);
      expect($('[onerror]').length).toBe(0);
      // Script context: one inline element, whose text holds nothing the HTML tokenizer reacts to...
      const [script] = inlineScripts($);
      expect(script).not.toMatch(/[<>&\u2028\u2029]/);
      expect($('script').length).toBe(2);
      expect(html.match(/<\/script/gi)).toHaveLength(2);
      // ...and gives JavaScript the original string.
      const proc = procGlobal($) as { headlinetst: { payload: unknown } };
      expect(proc.headlinetst.payload).toBe(payload);
    });

    it('?prforceGroups=buttoncolortst2 forces green for a privileged visitor and remembers it in a session cookie', async () => {
      const user = expected('visitor-3').buttoncolortst.group === 'green' ? 'visitor-4' : 'visitor-3';
      expect(expected(user).buttoncolortst.group).not.toBe('green');
      const forced = await get(open.base, '/?prforceGroups=buttoncolortst2', `tk=${user}`);
      expect(forced.$('#cta').attr('class')).toBe('btn btn-green');
      const cookie = forced.setCookies.find((c) => c.startsWith('prforceGroups='));
      expect(cookie).toMatch(/^prforceGroups=buttoncolortst2;/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).not.toMatch(/Max-Age|Expires/i);
      // The cookie alone keeps it forced...
      const later = await get(open.base, '/', `tk=${user}; prforceGroups=buttoncolortst2`);
      expect(later.$('#cta').attr('class')).toBe('btn btn-green');
      expect(later.setCookies.filter((c) => c.startsWith('prforceGroups='))).toEqual([]);
      // ...until an empty parameter clears it.
      const cleared = await get(open.base, '/?prforceGroups=', `tk=${user}; prforceGroups=buttoncolortst2`);
      expect(cleared.$('#cta').attr('class')).toBe(buttonClass(expected(user).buttoncolortst.group));
      expect(cleared.setCookies.find((c) => c.startsWith('prforceGroups='))).toMatch(/Max-Age=0/);
    });

    it('serves the debug pages under /private to a privileged visitor', async () => {
      for (const url of ['/private/proctor/show', '/private/showTestMatrix']) {
        const res = await fetch(`${open.base}${url}`);
        expect(res.status, url).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await res.json()) as { tests: Record<string, unknown> };
        expect(Object.keys(body.tests).sort()).toEqual([...site.TESTS].sort());
      }
      const user = 'visitor-5';
      const force = await get(open.base, '/private/proctor/force', `tk=${user}`);
      expect(force.status).toBe(200);
      const sections = force.$('section.test');
      expect(sections.toArray().map((s) => force.$(s).attr('data-test'))).toEqual([...site.TESTS]);
      const color = force.$('#test-buttoncolortst');
      const want = expected(user).buttoncolortst;
      expect(color.find('.assignment').text()).toBe(`${want.group} (${want.value})`);
      const greenLink = color.find('tr[data-value="2"] a.force').attr('href') ?? '';
      expect(greenLink).toBe('/private/proctor/force?prforceGroups=buttoncolortst2');
      // Following the link forces the group: the page shows it, and the cookie carries it to the site.
      const followed = await get(open.base, greenLink, `tk=${user}`);
      const cookie = followed.setCookies.find((c) => c.startsWith('prforceGroups=')) ?? '';
      expect(cookie).toMatch(/^prforceGroups=buttoncolortst2;/);
      expect(followed.$('#test-buttoncolortst tr.current').attr('data-value')).toBe('2');
      expect(followed.$('#test-buttoncolortst tr.forced').attr('data-value')).toBe('2');
      expect(followed.$('#test-buttoncolortst tr.forced .status').text()).toBe('forcedyour group');
      expect(followed.$('#test-buttoncolortst .forced-flag').length).toBe(1);
      const home = await get(open.base, '/', `tk=${user}; ${cookie.split(';')[0] ?? ''}`);
      expect(home.$('#cta').attr('class')).toBe('btn btn-green');
    });

    it('has the same nav on every page, the debug pages included: they render in the site’s layout', async () => {
      for (const url of ['/', '/private/proctor/force']) {
        const { $ } = await get(open.base, url, 'tk=visitor-1');
        expect($('nav').length, url).toBe(1);
        expect($('nav a').toArray().map((a) => [$(a).text(), $(a).attr('href')]), url).toEqual(SITE_NAV);
      }
      const { $ } = await get(open.base, '/private/proctor/force', 'tk=visitor-1');
      expect($('title').text()).toBe('Proctor: force groups');
      expect($('h1').text()).toBe('Proctor: force groups');
      expect($('body > nav').nextAll('.proctor-debug').length).toBe(1);
      // The page's own styles travel in its body; the site's head keeps only its own.
      expect($('.proctor-debug > style').text()).toContain('.proctor-debug tr.forced');
      expect($('head style').text()).not.toContain('proctor-debug');
      expect($('section.test').toArray().map((s) => $(s).attr('data-test'))).toEqual([...site.TESTS]);
      // Forcing a hostile bucket leaves the force page without any script or markup from the matrix.
      const hostile = await get(open.base, '/private/proctor/force?prforceGroups=headlinetst1', 'tk=visitor-1');
      expect(hostile.$('#test-headlinetst tr.forced th').text()).toBe('scriptclose');
      expect(hostile.$('script, img, [onerror]').length).toBe(0);
    });

    it('refuses a visitor that isPrivileged rejects: 404 under /private, force parameter and cookie ignored', async () => {
      for (const url of ['/private/proctor/force', '/private/proctor/show', '/private/showTestMatrix']) {
        const res = await fetch(`${locked.base}${url}`);
        expect(res.status, url).toBe(404);
        expect(await res.text()).not.toContain('buttoncolortst');
      }
      const user = expected('visitor-3').buttoncolortst.group === 'green' ? 'visitor-4' : 'visitor-3';
      const natural = buttonClass(expected(user).buttoncolortst.group);
      const query = await get(locked.base, '/?prforceGroups=buttoncolortst2', `tk=${user}`);
      expect(query.$('#cta').attr('class')).toBe(natural);
      expect(query.setCookies.filter((c) => c.startsWith('prforceGroups='))).toEqual([]);
      const cookie = await get(locked.base, '/', `tk=${user}; prforceGroups=buttoncolortst2`);
      expect(cookie.$('#cta').attr('class')).toBe(natural);
    });
  });
}
