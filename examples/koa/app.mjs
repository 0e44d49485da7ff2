/**
 * Koa 3 + @ladjs/koa-views (Nunjucks) + @koa/router example site: the same pages as examples/nunjucks (its
 * views are shared), on `proctor-node/koa`. `createApp()` builds the app; `server.mjs` runs it on a port.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import Router from '@koa/router';
import views from '@ladjs/koa-views';
import nunjucks from 'nunjucks';
import { localSource } from 'proctor-node';
import { isLocalRequest, proctorKoa, proctorKoaDebugPages, readCookie, trackingCookie } from 'proctor-node/koa';
import { registerProctor } from 'proctor-node/nunjucks';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The tests this site reads: each one exists on `proc`. */
export const TESTS = ['buttoncolortst', 'buttontexttst', 'newfeaturerollout', 'countryalgotst', 'headlinetst'];

/**
 * Build the site (a Koa app, not yet listening); resolves once the matrix is loaded.
 * @param {{ matrix?: string | object, isPrivileged?: (ctx: import('koa').Context) => boolean, logger?: import('proctor-node').Logger }} [options]
 */
export async function createApp({ matrix = here('../site-matrix.json'), isPrivileged = isLocalRequest, logger = console } = {}) {
  const app = new Koa();
  const env = registerProctor(new nunjucks.Environment(new nunjucks.FileSystemLoader(here('../nunjucks/views')), { autoescape: true }));
  app.use(views(here('../nunjucks/views'), { extension: 'njk', map: { njk: 'nunjucks' }, options: { nunjucksEnv: env } }));
  // A `tk` cookie identifies the browser; set on its first visit.
  app.use(trackingCookie());
  const mw = proctorKoa({
    source: localSource({ matrix }),
    tests: TESTS,
    getIdentifiers: (ctx) => ({ USER: readCookie(ctx, 'tk') }),
    getContext: (ctx) => ({
      country: typeof ctx.query.country === 'string' ? ctx.query.country.toUpperCase() : 'US',
      loggedIn: ctx.query.loggedIn === 'true',
    }),
    isPrivileged,
    logger,
  });
  app.use(mw);

  const router = new Router();
  // The debug pages (router-agnostic middleware), in the site's layout: views/debug.njk.
  const debugPages = proctorKoaDebugPages(mw, { baseTemplate: (page) => env.render('debug.njk', page), nav: false });
  router.get(['/private/proctor/force', '/private/proctor/show', '/private/showTestMatrix'], debugPages);
  router.get('/static/proc-button.js', async (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = await readFile(here('../public/proc-button.js'), 'utf8');
  });
  router.get('/', (ctx) => ctx.render('index'));
  app.use(router.routes());
  await mw.ready(); // rejects, saying why, when the matrix cannot be loaded
  return app;
}
