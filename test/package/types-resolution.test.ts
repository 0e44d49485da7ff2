// The packed package's types resolve for every entry point under each TypeScript `moduleResolution`, from
// ESM and from CJS consumers: the project's own `tsc` compiles a consumer file against the installed tarball.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packInto, pkg, root, subpaths } from './packed.js';
import type { Packed } from './packed.js';

const run = promisify(execFile);
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

/**
 * One value and one type from each entry point. The `@ts-expect-error` lines fail to compile only when the
 * types are real: a package that resolved to `any` (or to nothing) leaves them unused, which is an error.
 */
const imports: Readonly<Record<string, string>> = {
  'proctor-node': `import { createProctor, localSource } from 'proctor-node';
import type { ProctorClientOptions } from 'proctor-node';
export type Root = ProctorClientOptions<'buttoncolortst'>;
export const root = [createProctor, localSource] as const;
// @ts-expect-error createProctor takes options
createProctor(42);`,
  'proctor-node/engine': `import { Proctor } from 'proctor-node/engine';
import type { TestMatrix } from 'proctor-node/engine';
export type Matrix = TestMatrix;
export const engine = Proctor.fromMatrix;
// @ts-expect-error identifierValidator is 'noop', 'noEmpty' or a function
Proctor.fromMatrix('{}', { identifierValidator: 42 });`,
  'proctor-node/express': `import { proctor, proctorDebugPages } from 'proctor-node/express';
import type { ProctorMiddlewareOptions } from 'proctor-node/express';
export type Express = ProctorMiddlewareOptions<'buttoncolortst'>;
export const express = [proctor, proctorDebugPages] as const;
// @ts-expect-error the middleware takes options
proctor(42);`,
  'proctor-node/fastify': `import { proctorPlugin } from 'proctor-node/fastify';
import type { ProctorFastifyOptions } from 'proctor-node/fastify';
export type Fastify = ProctorFastifyOptions<'buttoncolortst'>;
export const fastify = proctorPlugin;
// @ts-expect-error the plugin takes options
proctorPlugin(42);`,
  'proctor-node/koa': `import { proctorKoa, proctorKoaDebugPages } from 'proctor-node/koa';
import type { ProctorKoaMiddleware } from 'proctor-node/koa';
export type Koa = ProctorKoaMiddleware<'buttoncolortst'>;
export const koa = [proctorKoa, proctorKoaDebugPages] as const;
// @ts-expect-error the middleware takes options
proctorKoa(42);`,
  'proctor-node/nunjucks': `import { registerProctor as nunjucks } from 'proctor-node/nunjucks';
import type { NunjucksEnvironmentLike } from 'proctor-node/nunjucks';
export type Nunjucks = NunjucksEnvironmentLike;
export const registerNunjucks = nunjucks;
// @ts-expect-error registerProctor takes an Environment
nunjucks(42);`,
  'proctor-node/handlebars': `import { registerProctor as handlebars } from 'proctor-node/handlebars';
import type { HandlebarsLike } from 'proctor-node/handlebars';
export type Handlebars = HandlebarsLike;
export const registerHandlebars = handlebars;
// @ts-expect-error registerProctor takes a Handlebars instance
handlebars(42);`,
  'proctor-node/ejs': `import { registerProctor as ejs } from 'proctor-node/ejs';
import type { EjsProctorHelpers } from 'proctor-node/ejs';
export type Ejs = EjsProctorHelpers;
export const registerEjs = ejs;
// @ts-expect-error registerProctor takes an app
ejs(42);`,
  'proctor-node/server': `import { createPipetServer } from 'proctor-node/server';
import type { PipetServerOptions } from 'proctor-node/server';
export type Server = PipetServerOptions;
export const server = createPipetServer;
// @ts-expect-error createPipetServer takes options
createPipetServer(42);`,
  'proctor-node/openfeature': `import { proctorProvider } from 'proctor-node/openfeature';
import type { ProctorProviderOptions } from 'proctor-node/openfeature';
export type OpenFeatureOptions = ProctorProviderOptions;
export const openfeature = proctorProvider;
// @ts-expect-error proctorProvider takes options
proctorProvider(42);`,
  'proctor-node/redis': `import { redisStore } from 'proctor-node/redis';
import type { RedisStoreOptions } from 'proctor-node/redis';
export type RedisOptions = RedisStoreOptions;
export const redis = redisStore;
// @ts-expect-error redisStore takes options
redisStore(42);`,
};

interface Case {
  readonly name: string;
  readonly moduleResolution: 'node10' | 'node16' | 'nodenext' | 'bundler';
  readonly module: string;
  /** `.mts` is ESM and `.cts` CommonJS under node16/nodenext; `.ts` for the resolutions that ignore formats. */
  readonly file: 'consumer.ts' | 'consumer.mts' | 'consumer.cts';
  /** The declaration files the package must serve that consumer. */
  readonly declarations: '.d.ts' | '.d.cts';
  /** Type-check the shipped declarations too (once per format is enough: the same files in every case). */
  readonly checkDeclarations?: true;
}

const cases: readonly Case[] = [
  // node10 (`"moduleResolution": "node"`) ignores `exports`: the subpaths resolve through `typesVersions`.
  { name: 'node10', moduleResolution: 'node10', module: 'commonjs', file: 'consumer.ts', declarations: '.d.ts' },
  { name: 'node16 from ESM', moduleResolution: 'node16', module: 'node16', file: 'consumer.mts', declarations: '.d.ts' },
  { name: 'node16 from CJS', moduleResolution: 'node16', module: 'node16', file: 'consumer.cts', declarations: '.d.cts' },
  { name: 'nodenext from ESM', moduleResolution: 'nodenext', module: 'nodenext', file: 'consumer.mts', declarations: '.d.ts', checkDeclarations: true },
  { name: 'nodenext from CJS', moduleResolution: 'nodenext', module: 'nodenext', file: 'consumer.cts', declarations: '.d.cts', checkDeclarations: true },
  { name: 'bundler from ESM', moduleResolution: 'bundler', module: 'esnext', file: 'consumer.ts', declarations: '.d.ts' },
  // `module: preserve` keeps a .cts file CommonJS, so bundler resolves its imports with the `require` condition.
  { name: 'bundler from CJS', moduleResolution: 'bundler', module: 'preserve', file: 'consumer.cts', declarations: '.d.cts' },
];

let packed: Packed;

beforeAll(() => {
  packed = packInto('types');
  writeFileSync(path.join(packed.dir, 'consumer.ts'), Object.values(imports).join('\n\n') + '\n');
  writeFileSync(path.join(packed.dir, 'consumer.mts'), Object.values(imports).join('\n\n') + '\n');
  writeFileSync(path.join(packed.dir, 'consumer.cts'), Object.values(imports).join('\n\n') + '\n');
}, 120_000);

afterAll(() => {
  packed.remove();
});

/** Runs tsc over the case's consumer: its diagnostics and the package declaration files it loaded (`--listFiles`). */
async function compile(c: Case): Promise<{ errors: string[]; declarations: string[] }> {
  const config = `tsconfig.${c.name.replaceAll(' ', '-')}.json`;
  const compilerOptions = {
    module: c.module,
    moduleResolution: c.moduleResolution,
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noEmit: true,
    // Checking them means checking @types/node as well: seconds per case.
    skipLibCheck: c.checkDeclarations !== true,
  };
  writeFileSync(path.join(packed.dir, config), JSON.stringify({ compilerOptions, files: [c.file] }, null, 2));
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, [tsc, '-p', config, '--pretty', 'false', '--listFiles'], { cwd: packed.dir }));
  } catch (error) {
    // tsc exits non-zero on type errors; they are on stdout.
    stdout = String((error as { stdout?: unknown }).stdout ?? error);
  }
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const prefix = path.join(packed.pkgDir, 'dist') + path.sep;
  const files = lines.map((line) => path.resolve(packed.dir, line.trim()));
  return {
    errors: lines.filter((line, i) => !files[i]?.startsWith(path.sep) || /error TS\d+/.test(line)).filter((line) => /error|TS\d+/.test(line)),
    declarations: files.filter((file) => file.startsWith(prefix)).map((file) => file.slice(prefix.length)),
  };
}

describe('the packed types', () => {
  it('the consumer imports every entry point in package.json exports', () => {
    expect(Object.keys(imports).sort()).toEqual([...subpaths].sort());
  });

  it('typesVersions maps every subpath to its declarations (for moduleResolution node10)', () => {
    const map = pkg.typesVersions?.['*'] ?? {};
    const expected = Object.fromEntries(
      subpaths.filter((s) => s !== pkg.name).map((s) => {
        const sub = s.slice(pkg.name.length + 1);
        const target = (pkg.exports[`./${sub}`] as { import: { types: string } }).import.types;
        return [sub, [target]];
      }),
    );
    expect(map).toEqual(expected);
  });

  it.each(cases)('resolve and type-check under $name', async (c) => {
    const { errors, declarations } = await compile(c);
    expect(errors).toEqual([]);
    const entries = subpaths.map((s) => (s === pkg.name ? 'index' : s.slice(pkg.name.length + 1)) + c.declarations);
    expect(declarations).toEqual(expect.arrayContaining(entries));
    expect(declarations.filter((file) => !file.endsWith(c.declarations))).toEqual([]);
  }, 60_000);
});
