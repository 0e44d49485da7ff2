/**
 * Deep payloads (issue 15, defect 3). A matrix nests at most MAX_MATRIX_DEPTH levels of arrays and objects:
 * at the limit, every JSON writer writes the deepest payload it accepts (procScript in Nunjucks, Handlebars and
 * EJS through Express, the show page, `serve`'s identify / matrix / definition endpoints, the CLI's `assign`);
 * one level deeper, and at the 6,000 levels that broke pages before, the matrix is refused at load with an
 * error naming the field, the test, the bucket and the depth. Payloads that do not come through the loader (a
 * Pipet's answer) are bounded by procScript itself.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import * as cheerio from 'cheerio';
import ejs from 'ejs';
import express from 'express';
import { create as createExpressHandlebars } from 'express-handlebars';
import nunjucks from 'nunjucks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MatrixError, SourceError } from '../../src/errors.js';
import { loadMatrix } from '../../src/matrix/load.js';
import { MAX_MATRIX_DEPTH } from '../../src/matrix/parse.js';
import { localSource } from '../../src/sources/local.js';
import { pipetSource } from '../../src/sources/pipet.js';
import { proctor, proctorDebugPages } from '../../src/express/index.js';
import { createPipetServer } from '../../src/server/index.js';
import type { PipetServer } from '../../src/server/index.js';
import { proctorLocals } from '../../src/templating/ejs.js';
import { registerProctor as registerHandlebars } from '../../src/templating/handlebars.js';
import { registerProctor as registerNunjucks } from '../../src/templating/nunjucks.js';
import { MAX_SCRIPT_DEPTH, serializeForScript } from '../../src/templating/script/serialize.js';
import { pipetConfig, runCli } from '../support/cli.js';
import { startFakePipet } from '../support/fake-pipet.js';
import type { FakePipet } from '../support/fake-pipet.js';
import { listen } from '../support/listen.js';
import type { Running } from '../support/listen.js';

const DEEPEST = '</script><!-- deepest';

/** `levels` nested containers, arrays and objects in turn, around a string no script element may hold raw. */
function deepValue(levels: number): unknown {
  let value: unknown = DEEPEST;
  for (let i = levels; i >= 1; i--) value = i % 2 === 1 ? [value] : { k: value };
  return value;
}

/** The JSON text of {@link deepValue}, written without a recursive writer (JSON.stringify overflows at 6,000). */
function deepText(levels: number): string {
  let open = '';
  let close = '';
  for (let i = 1; i <= levels; i++) {
    open += i % 2 === 1 ? '[' : '{"k":';
    close = (i % 2 === 1 ? ']' : '}') + close;
  }
  return `${open}${JSON.stringify(DEEPEST)}${close}`;
}

/** Levels above a bucket's `json` value: the document, tests, the test, buckets, the bucket, the payload. */
const ABOVE_PAYLOAD = 6;
const AT_LIMIT = MAX_MATRIX_DEPTH - ABOVE_PAYLOAD;

function matrixText(payloadLevels: number): string {
  const PAYLOAD = '"$PAYLOAD"';
  return JSON.stringify({
    audit: { version: `deep-${payloadLevels}`, updated: 0, updatedBy: 'test' },
    tests: {
      deeptst: {
        testType: 'USER',
        salt: 'deeptst',
        buckets: [{ name: 'deep', value: 0, payload: { json: JSON.parse(PAYLOAD) as string } }],
        allocations: [{ id: '#A1', ranges: [{ bucketValue: 0, length: 1 }] }],
      },
    },
  }).replace(PAYLOAD, deepText(payloadLevels));
}

const config = readFileSync(pipetConfig, 'utf8');

const dir = mkdtempSync(path.join(tmpdir(), 'proctor-deep-'));
const files = new Map<number, string>();
function matrixFile(payloadLevels: number): string {
  let file = files.get(payloadLevels);
  if (file === undefined) {
    file = path.join(dir, `matrix-${payloadLevels}.json`);
    writeFileSync(file, matrixText(payloadLevels));
    files.set(payloadLevels, file);
  }
  return file;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `var proc=…` of a page, run as the browser would. */
function scriptData(html: string): Record<string, { group: string; payload: unknown }> {
  const $ = cheerio.load(html);
  expect($('script')).toHaveLength(1);
  const sandbox: Record<string, unknown> = {};
  vm.runInNewContext($('script').html() ?? '', sandbox);
  return sandbox.proc as Record<string, { group: string; payload: unknown }>;
}

describe(`at the limit (a payload nested ${AT_LIMIT} levels, the document ${MAX_MATRIX_DEPTH}), every writer writes it`, () => {
  const expected = deepValue(AT_LIMIT);
  let site: Running;
  let serve: PipetServer;
  let serveUrl: string;

  beforeAll(async () => {
    const views = path.join(dir, 'views');
    mkdirSync(views, { recursive: true });
    writeFileSync(path.join(views, 'page.njk'), `<p>{{ procScript('deeptst') }}</p>`);
    writeFileSync(path.join(views, 'page.hbs'), `<p>{{{procScript 'deeptst'}}}</p>`);
    writeFileSync(path.join(views, 'page.ejs'), `<p><%- procScript('deeptst') %></p>`);
    const app = express();
    app.set('views', views);
    const env = registerNunjucks(new nunjucks.Environment(new nunjucks.FileSystemLoader(views), { autoescape: true }));
    app.engine('njk', (file: string, data: object, done: (error: unknown, html?: string) => void) =>
      env.render(file, data, (error, html) => done(error, html ?? undefined)),
    );
    const hbs = registerHandlebars(createExpressHandlebars({ extname: '.hbs', defaultLayout: false }));
    app.engine('hbs', hbs.engine);
    app.engine('ejs', ejs.renderFile);
    const mw = proctor({
      source: localSource({ matrix: matrixFile(AT_LIMIT) }),
      tests: ['deeptst'],
      getIdentifiers: () => ({ USER: 'u1' }),
      isPrivileged: () => true,
    });
    app.use(mw);
    app.use('/private', proctorDebugPages(mw));
    // EJS's helpers live in res.locals, where Nunjucks would find them before its own: only on the EJS page.
    app.get('/ejs', proctorLocals(), (_req, res) => res.render('page.ejs'));
    app.get('/:engine', (req, res) => res.render(`page.${req.params.engine}`));
    await mw.ready();
    site = await listen(app);
    serve = createPipetServer({ matrix: matrixFile(AT_LIMIT), config, port: 0, reloadSeconds: 0 });
    serveUrl = (await serve.listen()).url;
  });

  afterAll(async () => {
    await site?.close();
    await serve?.close();
  });

  it('the loader accepts it', () => {
    expect(loadMatrix(matrixText(AT_LIMIT)).loadedTests).toEqual(['deeptst']);
  });

  it.each(['njk', 'hbs', 'ejs'])('procScript through res.render (%s)', async (engine) => {
    const res = await fetch(`${site.base}/${engine}`);
    expect(res.status).toBe(200);
    expect(scriptData(await res.text()).deeptst).toEqual({ group: 'deep', value: 0, payload: expected });
  });

  it('the show page', async () => {
    const res = await fetch(`${site.base}/private/proctor/show`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { tests: Record<string, { buckets: { payload: unknown }[] }> };
    expect(body.tests.deeptst?.buckets[0]?.payload).toEqual({ json: expected });
  });

  it("serve's identify, matrix and definition endpoints", async () => {
    const identify = await fetch(`${serveUrl}/groups/identify?id.USER=u1&ctx.country=US&test=deeptst`);
    expect(identify.status).toBe(200);
    const groups = ((await identify.json()) as { data: { groups: Record<string, { payload: unknown }> } }).data.groups;
    expect(groups.deeptst?.payload).toEqual({ json: expected });
    const matrix = await fetch(`${serveUrl}/proctor/matrix`);
    expect(matrix.status).toBe(200);
    const tests = ((await matrix.json()) as { tests: Record<string, { buckets: { payload: unknown }[] }> }).tests;
    expect(tests.deeptst?.buckets[0]?.payload).toEqual({ json: expected });
    const definition = await fetch(`${serveUrl}/proctor/matrix/definition/deeptst`);
    expect(definition.status).toBe(200);
    expect(((await definition.json()) as { data: { buckets: { payload: unknown }[] } }).data.buckets[0]?.payload).toEqual({ json: expected });
  });

  it("the CLI's assign (JSON lines) and validate", () => {
    const assign = runCli(['assign', '--matrix', matrixFile(AT_LIMIT)], `${JSON.stringify({ identifiers: { USER: 'u1' } })}\n`);
    expect(assign.stderr).toBe('');
    expect(assign.code).toBe(0);
    const line = JSON.parse(assign.stdout) as { groups: Record<string, { payload: unknown }> };
    expect(line.groups.deeptst?.payload).toEqual({ json: expected });
    expect(runCli(['validate', matrixFile(AT_LIMIT)]).code).toBe(0);
  });
});

describe('deeper than the limit, the matrix is refused at load, naming the field, test, bucket and depth', () => {
  const cases = [
    [AT_LIMIT + 1, MAX_MATRIX_DEPTH + 1],
    [6_000, 6_000 + ABOVE_PAYLOAD],
  ] as const;
  const message = (depth: number): string =>
    `tests.deeptst.buckets[0].payload.json: arrays and objects nested ${depth} levels deep (test "deeptst", bucket "deep"); ` +
    `a matrix may nest at most ${MAX_MATRIX_DEPTH} levels`;

  it.each(cases)('loadMatrix, a payload of %i levels', (levels, depth) => {
    let error: unknown;
    try {
      loadMatrix(matrixText(levels));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MatrixError);
    expect((error as MatrixError).message).toBe(message(depth));
    expect((error as MatrixError).path).toBe('tests.deeptst.buckets[0].payload.json');
    // The same document given as an object (no text to scan): the same error.
    expect(() => loadMatrix(JSON.parse(matrixText(levels)))).toThrow(message(depth));
  });

  it.each(cases)('localSource: ready() rejects (%i levels)', async (levels, depth) => {
    const source = localSource({ matrix: matrixFile(levels) });
    const error = await source.ready().catch((e: unknown) => e);
    await source.close();
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toContain(message(depth));
  });

  it.each(cases)('serve: listen() rejects (%i levels)', async (levels, depth) => {
    const serve = createPipetServer({ matrix: matrixFile(levels), config, port: 0, reloadSeconds: 0 });
    const error = await serve.listen().catch((e: unknown) => e);
    await serve.close();
    expect((error as Error).message).toContain(message(depth));
  });

  it.each(cases)('CLI validate: exit 2 with the reason (%i levels)', (levels, depth) => {
    const result = runCli(['validate', matrixFile(levels)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message(depth));
  });

  it('constants and fields the loader ignores count too', () => {
    const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
    const doc = (tests: string, extra = ''): string => `{"audit":{"version":"1"},${extra}"tests":{${tests}}}`;
    expect(() => loadMatrix(doc(`"c":{"testType":"USER","constants":{"K":${deep(300)}}}`))).toThrow(
      'tests.c.constants.K: arrays and objects nested 304 levels deep (test "c"); a matrix may nest at most 256 levels',
    );
    expect(() => loadMatrix(doc('', `"extra":${deep(300)},`))).toThrow(
      'extra: arrays and objects nested 301 levels deep; a matrix may nest at most 256 levels',
    );
  });

  it('a matrix object with a cycle is refused, not walked forever', () => {
    const cyclic: Record<string, unknown> = { testType: 'USER' };
    cyclic.self = cyclic;
    expect(() => loadMatrix({ audit: { version: '1' }, tests: { cyc: cyclic } })).toThrow(/^tests\.cyc\.self: arrays and objects nested \d+ levels deep \(test "cyc"\)/);
  });
});

describe('payloads that do not come through the loader: procScript bounds them itself', () => {
  it(`writes a value nested deeper than ${MAX_SCRIPT_DEPTH} levels as null there, without overflowing the stack`, () => {
    const text = serializeForScript(deepValue(100_000));
    const parsed = JSON.parse(text) as unknown;
    let node: unknown = parsed;
    let levels = 0;
    while (typeof node === 'object' && node !== null) {
      node = Array.isArray(node) ? node[0] : (node as { k: unknown }).k;
      levels++;
    }
    expect(levels).toBe(MAX_SCRIPT_DEPTH);
    expect(node).toBeNull();
    // Within the bound, nothing is cut.
    expect(JSON.parse(serializeForScript(deepValue(MAX_SCRIPT_DEPTH)))).toEqual(deepValue(MAX_SCRIPT_DEPTH));
  });

  describe('a Pipet answering with a payload 6,000 levels deep', () => {
    let pipet: FakePipet;
    let site: Running;

    beforeAll(async () => {
      pipet = await startFakePipet();
      const groups = `{"deeptst":{"name":"deep","value":0,"payload":{"json":${deepText(6_000)}}}}`;
      pipet.setBehaviour({ status: 200, body: `{"data":{"groups":${groups},"audit":{"version":"1"}},"meta":{"status":200}}` });
      const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }));
      const app = express();
      app.use(proctor({ source: pipetSource({ apiRoot: pipet.url }), tests: ['deeptst'], getIdentifiers: () => ({ USER: 'u1' }) }));
      app.get('/', (req, res) => {
        res.send(env.renderString(`<p>{{ procScript('deeptst') }}</p>`, { proc: res.locals.proc }));
      });
      site = await listen(app);
    });

    afterAll(async () => {
      await site?.close();
      await pipet?.close();
    });

    it('the page renders (it was a 500)', async () => {
      const res = await fetch(`${site.base}/`);
      expect(res.status).toBe(200);
      const data = scriptData(await res.text());
      expect(data.deeptst?.group).toBe('deep');
      expect(JSON.stringify(data.deeptst?.payload).length).toBeGreaterThan(MAX_SCRIPT_DEPTH * 2);
    });
  });
});
