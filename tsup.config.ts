import { defineConfig } from 'tsup';

/** Every public entry point: the client at the root, the engine primitives, one subpath per adapter. */
const entries = {
  index: 'src/index.ts',
  engine: 'src/engine/index.ts',
  express: 'src/express/index.ts',
  fastify: 'src/fastify/index.ts',
  koa: 'src/koa/index.ts',
  nunjucks: 'src/templating/nunjucks.ts',
  handlebars: 'src/templating/handlebars.ts',
  ejs: 'src/templating/ejs.ts',
  server: 'src/server/index.ts',
  openfeature: 'src/openfeature/index.ts',
  redis: 'src/redis/index.ts',
};

export default defineConfig([
  {
    entry: entries,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    splitting: true,
    // import.meta.url in the CJS build (the debug pages locate templates/ with it).
    shims: true,
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
