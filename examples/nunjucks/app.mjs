/**
 * Express 5 + Nunjucks example site. `createApp()` builds the app; `server.mjs` runs it on a port.
 * Read views/index.njk for the template side: the `{% proctor %}` tag, `procPayload` and `procScript`.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express from 'express';
import nunjucks from 'nunjucks';
import { localSource } from 'proctor-node';
import { proctor, proctorDebugPages } from 'proctor-node/express';
import { registerProctor } from 'proctor-node/nunjucks';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** The tests this site reads (django's PROCTOR_TESTS): each one exists on `proc`. */
export const TESTS = ['buttoncolortst', 'buttontexttst', 'newfeaturerollout', 'countryalgotst', 'headlinetst'];

/** Identify the browser by a `tk` tracking cookie, set on its first visit. */
function trackingCookie(req, res, next) {
  const match = /(?:^|;\s*)tk=([\w-]{1,64})(?:;|$)/.exec(req.headers.cookie ?? '');
  req.trackingId = match?.[1] ?? randomUUID();
  if (!match) res.cookie('tk', req.trackingId, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 864e5 });
  next();
}

/**
 * Build the site; resolves once the matrix is loaded, so the first visitor already gets real groups.
 * @param {object} [options]
 * @param {string | object} [options.matrix] the test matrix (file path, reloaded on change, or parsed
 *   object); default ../site-matrix.json
 * @param {(req: import('express').Request) => boolean} [options.isPrivileged] who may force groups and open
 *   /private; default: clients on the loopback interface
 * @param {import('proctor-node').Logger} [options.logger] default console
 */
export async function createApp({
  matrix = here('../site-matrix.json'),
  isPrivileged = (req) => LOOPBACK.has(req.ip),
  logger = console,
} = {}) {
  const app = express();
  registerProctor(nunjucks.configure(here('views'), { autoescape: true, express: app }));
  app.set('view engine', 'njk');

  app.use('/static', express.static(here('../public')));
  app.use(trackingCookie);
  const proctorMiddleware = proctor({
    source: localSource({ matrix, logger }),
    tests: TESTS,
    getIdentifiers: (req) => ({ USER: req.trackingId }),
    getContext: (req) => ({
      country: typeof req.query.country === 'string' ? req.query.country.toUpperCase() : 'US',
      loggedIn: req.query.loggedIn === 'true',
    }),
    isPrivileged,
    logger,
  });
  app.use(proctorMiddleware);
  // /private/proctor/force, /private/proctor/show, /private/showTestMatrix, in this site's layout: views/debug.njk
  // puts the page (HTML proctor-node already escaped, its styles included) in it. The layout's nav already links
  // the debug pages, so theirs is turned off.
  const renderDebugPage = (page) =>
    new Promise((resolve, reject) => app.render('debug', page, (error, html) => (error ? reject(error) : resolve(html))));
  app.use('/private', proctorDebugPages(proctorMiddleware, { baseTemplate: renderDebugPage, nav: false }));

  app.get('/', (req, res) => res.render('index'));
  await proctorMiddleware.client.ready();
  return app;
}
