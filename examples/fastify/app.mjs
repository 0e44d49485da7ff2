/**
 * Fastify 5 + @fastify/view (Nunjucks) example site: the same pages as examples/nunjucks (its views are shared),
 * on `proctor-node/fastify`. `createApp()` builds the app; `server.mjs` runs it on a port.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import fastifyView from '@fastify/view';
import nunjucks from 'nunjucks';
import { localSource } from 'proctor-node';
import { isLocalRequest, proctorPlugin, readCookie, trackingCookie } from 'proctor-node/fastify';
import { registerProctor } from 'proctor-node/nunjucks';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The tests this site reads: each one exists on `proc`. */
export const TESTS = ['buttoncolortst', 'buttontexttst', 'newfeaturerollout', 'countryalgotst', 'headlinetst'];

/**
 * Build the site (a Fastify instance, not yet listening); resolves once the matrix is loaded.
 * @param {{ matrix?: string | object, isPrivileged?: (request: import('fastify').FastifyRequest) => boolean, logger?: import('proctor-node').Logger }} [options]
 */
export async function createApp({ matrix = here('../site-matrix.json'), isPrivileged = isLocalRequest, logger = console } = {}) {
  const app = Fastify();
  await app.register(fastifyView, {
    engine: { nunjucks },
    root: here('../nunjucks/views'),
    options: { autoescape: true, onConfigure: (env) => registerProctor(env) },
  });
  // A `tk` cookie identifies the browser; set on its first visit (before the plugin's hook reads it).
  app.addHook('onRequest', trackingCookie());
  await app.register(
    proctorPlugin({
      source: localSource({ matrix }),
      tests: TESTS,
      getIdentifiers: (request) => ({ USER: readCookie(request, 'tk') }),
      getContext: (request) => ({
        country: typeof request.query.country === 'string' ? request.query.country.toUpperCase() : 'US',
        loggedIn: request.query.loggedIn === 'true',
      }),
      isPrivileged,
      logger,
      // /private/proctor/force, /private/proctor/show, /private/showTestMatrix, in the site's layout.
      debugPages: { prefix: '/private', baseTemplate: (page) => app.view('debug.njk', page), nav: false },
    }),
  );
  app.get('/static/proc-button.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(await readFile(here('../public/proc-button.js'), 'utf8')),
  );
  app.get('/', (_request, reply) => reply.view('index.njk'));
  await app.proctor.ready(); // rejects, saying why, when the matrix cannot be loaded
  return app;
}
