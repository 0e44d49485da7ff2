// Docs are tests: every code block of README.md and examples/README.md runs here as written, against the
// packed package installed from its tarball into an empty temporary folder with the real peer packages
// from the npm registry, as a newcomer would: the install commands, the files, then `node`, `tsc`,
// `npx proctor-node`. The one substitution: `npm install proctor-node` installs the tarball.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServerMissing, startRedis } from '../support/redis-server.js';
import type { RedisServer } from '../support/redis-server.js';
import { commands, expectedOutput, readSnippets } from './snippets.js';
import type { Snippet } from './snippets.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const snippets = [...readSnippets(root, 'README.md'), ...readSnippets(root, 'examples/README.md')];
const work = mkdtempSync(path.join(tmpdir(), 'proctor-docs-'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
let tarball = '';

/** The files of each newcomer project, by project name. */
const projects = new Map<string, Map<string, Snippet>>();
for (const s of snippets) {
  const m = s.marker === null ? null : /^([\w-]+)\/([\w./-]+)$/.exec(s.marker);
  if (m === null) continue;
  const files = projects.get(m[1] ?? '') ?? new Map<string, Snippet>();
  projects.set(m[1] ?? '', files);
  files.set(m[2] ?? '', s);
}

beforeAll(() => {
  // `npm test` has built dist/ before the tests run.
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  tarball = path.join(work, out.trim().split('\n').at(-1) ?? '');
}, 120_000);

// Six projects' node_modules (TypeScript's among them): more than the default 10 s on a busy machine.
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
}, 120_000);

function run(dir: string, line: string): { status: number | null; stdout: string; stderr: string } {
  let command = line;
  if (/^npm (install|i) /.test(line)) {
    // The package under test, not the registry's; everything else from the registry (cache first).
    command = `${line.replace(/(^|\s)proctor-node(?=\s|$)/, `$1${tarball}`)} --no-audit --no-fund --prefer-offline`;
  }
  const r = spawnSync('bash', ['-c', command], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The project's folder: its install.sh run as written (once per run), then its files written. */
function setUp(name: string): string {
  const files = projects.get(name);
  if (files === undefined) throw new Error(`README has no project "${name}"`);
  const dir = path.join(work, name);
  const installed = existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const install = files.get('install.sh');
  for (const line of install && !installed ? commands(install.code) : []) {
    const r = run(dir, line);
    if (r.status !== 0) throw new Error(`${install?.where}: \`${line}\` failed (${r.status}):\n${r.stderr}`);
  }
  for (const [file, s] of files) {
    if (file === 'install.sh') continue;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), s.code);
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

interface Started {
  readonly base: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** `node <file>` with PORT set, until it answers (the quick starts listen on process.env.PORT ?? 3000). */
async function start(dir: string, args: string[], port: number, env: Record<string, string> = {}): Promise<Started> {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ...env, PORT: String(port) } });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://localhost:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}:\n${output}`);
    try {
      await fetch(`${base}/health-probe-${Date.now()}`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not answer on ${base}:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    base,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function page(url: string, cookie?: string): Promise<{ $: cheerio.CheerioAPI; cookies: string[]; status: number }> {
  const res = await fetch(url, cookie === undefined ? {} : { headers: { cookie } });
  return { $: cheerio.load(await res.text()), cookies: res.headers.getSetCookie(), status: res.status };
}

/** The groups `procScript` handed to the page's JavaScript. */
function scriptGroups($: cheerio.CheerioAPI): Record<string, { group: string | null }> {
  const text = $('script')
    .toArray()
    .map((el) => $(el).text())
    .find((t) => t.includes('buttoncolortst'));
  const json = /=\s*(\{.*\});?\s*$/s.exec(text ?? '')?.[1];
  if (json === undefined) throw new Error(`no procScript output in the page: ${$.html()}`);
  return JSON.parse(json) as Record<string, { group: string | null }>;
}

describe('every code block says what it is', () => {
  it.each(snippets.map((s) => [s.where, s]))('%s has a snippet marker of a known kind', (_where, s) => {
    expect(s.marker, `${s.where}: add <!-- snippet: … --> before the block`).not.toBeNull();
    expect(s.marker).toMatch(/^([\w-]+\/[\w./-]+|fragment of [\w./-]+|repository)$/);
  });

  it('no project is left untested, and the tested ones exist', () => {
    expect([...projects.keys()].sort()).toEqual(['ejs', 'fastify', 'handlebars', 'koa', 'nunjucks', 'openfeature', 'redis', 'typed', 'typescript']);
  });

  it.each(snippets.filter((s) => s.marker?.startsWith('fragment of ')).map((s) => [s.where, s]))(
    '%s: every line of the fragment is in the file it names',
    (_where, s) => {
      const file = (s.marker ?? '').slice('fragment of '.length);
      const text = readFileSync(path.join(root, file), 'utf8').replace(/\s+/g, ' ');
      for (const line of s.code.split('\n')) {
        const code = line.trim();
        if (code === '' || code.startsWith('//')) continue;
        expect(text, `${s.where}: "${code}" is not in ${file}`).toContain(code.replace(/\s+/g, ' '));
      }
    },
  );

  it.each(snippets.filter((s) => s.marker === 'repository').map((s) => [s.where, s]))(
    '%s: the repository commands name scripts and files that exist',
    (_where, s) => {
      for (const line of commands(s.code)) {
        for (const part of line.split('&&').map((p) => p.trim())) {
          const script = /^npm (?:run )?([\w:-]+)$/.exec(part)?.[1];
          if (script !== undefined && script !== 'install' && script !== 'test' && script !== 'start') {
            expect(pkg.scripts, `${s.where}: ${part}`).toHaveProperty(script);
          } else if (script === 'test' || script === 'start') {
            expect(pkg.scripts[script], `${s.where}: ${part}`).toBeDefined();
          }
          const file = /^(?:[A-Z]+=\S+ )?node (\S+)/.exec(part)?.[1];
          if (file !== undefined) expect(existsSync(path.join(root, file)), `${s.where}: ${file}`).toBe(true);
        }
      }
    },
  );
});

describe.each(['nunjucks', 'handlebars', 'ejs', 'fastify', 'koa'])('the %s quick start, as written', (engine) => {
  let dir = '';
  let site: Started;

  beforeAll(async () => {
    dir = setUp(engine);
    site = await start(dir, ['server.mjs'], await freePort());
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
  });

  it('gives a first-time visitor a tracking cookie and an assignment', async () => {
    const first = await page(`${site.base}/`);
    expect(first.status).toBe(200);
    const tk = /^tk=([0-9a-f-]{36});/.exec(first.cookies.find((c) => c.startsWith('tk=')) ?? '')?.[1];
    expect(tk).toBeDefined();
    expect(scriptGroups(first.$).buttoncolortst?.group).toMatch(/^(control|blue|green)$/);
    const again = await page(`${site.base}/`, `tk=${tk}`);
    expect(again.cookies).toEqual([]);
    expect(scriptGroups(again.$)).toEqual(scriptGroups(first.$));
  });

  it('assigns a known visitor as Java Proctor does, payload included', async () => {
    const { $ } = await page(`${site.base}/`, 'tk=pa5xq0lz4n80');
    expect($('button').attr('class')).toBe('grey'); // buttoncolortst: control
    expect($('button').text().trim()).toBe('Get started'); // buttontexttst: start
    expect(scriptGroups($).buttoncolortst?.group).toBe('control');
  });

  it('lets ?prforceGroups= from this machine force a group, and the cookie keep it', async () => {
    const forced = await page(`${site.base}/?prforceGroups=buttoncolortst2`, 'tk=pa5xq0lz4n80');
    expect(forced.$('button').attr('class')).toBe('green');
    const cookie = forced.cookies.find((c) => c.startsWith('prforceGroups='));
    expect(cookie).toMatch(/^prforceGroups=buttoncolortst2; Path=\/; HttpOnly; SameSite=Lax/);
    const later = await page(`${site.base}/`, 'tk=pa5xq0lz4n80; prforceGroups=buttoncolortst2');
    expect(later.$('button').attr('class')).toBe('green');
    const cleared = await page(`${site.base}/?prforceGroups=`, 'tk=pa5xq0lz4n80; prforceGroups=buttoncolortst2');
    expect(cleared.$('button').attr('class')).toBe('grey');
  });

  it('logs nothing in a steady state', () => {
    expect(site.output()).not.toMatch(/error|warn/i);
  });
});

describe.each(['nunjucks', 'openfeature'])('the %s project: scripts whose comments show their output', (project) => {
  let dir = '';
  beforeAll(() => {
    dir = setUp(project);
  }, 240_000);

  const scripts = [...(projects.get(project) ?? new Map<string, Snippet>())].filter(([file]) => file.endsWith('.mjs') && !file.startsWith('server'));
  it.each(scripts.map(([file, s]) => [`${s.where} ${file}`, file, s] as const))('%s prints what its comments say', (_title, file, s) => {
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const expected = expectedOutput(s.code);
    expect(expected.length).toBeGreaterThan(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(expected);
  });
});

describe.skipIf(redisServerMissing !== null)(
  `the "Running several processes" section, against a real redis-server${redisServerMissing === null ? '' : ` (skipped: ${redisServerMissing})`}`,
  () => {
    let dir = '';
    let redis: RedisServer | null = null;
    beforeAll(async () => {
      dir = setUp('redis');
      redis = await startRedis();
    }, 240_000);
    afterAll(async () => {
      await redis?.stop();
    });

    const scripts = [...(projects.get('redis') ?? new Map<string, Snippet>())].filter(([file]) => file.endsWith('.mjs'));
    it.each(scripts.map(([file, s]) => [`${s.where} ${file}`, file, s] as const))('%s prints what its comments say', (_title, file, s) => {
      const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { ...process.env, REDIS_URL: redis?.url ?? '' } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const expected = expectedOutput(s.code);
      expect(expected.length).toBeGreaterThan(0);
      expect(r.stdout.trimEnd().split('\n')).toEqual(expected);
    });
  },
);

describe('the CLI and serve sections, as written', () => {
  let dir = '';
  beforeAll(() => {
    dir = setUp('nunjucks');
  }, 240_000);

  const cli = projects.get('nunjucks')?.get('cli.sh');
  it.each(commands(cli?.code ?? '').map((line) => [line]))('%s', (line) => {
    const r = run(dir, line);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('serve answers the /groups/identify example of the README', async () => {
    const serve = projects.get('nunjucks')?.get('serve.sh');
    const [line] = commands(serve?.code ?? '');
    expect(line).toMatch(/^npx proctor-node serve .*--port (\d+)$/);
    const port = /--port (\d+)/.exec(line ?? '')?.[1];
    // Its own process group: npx runs the server as a child of its own, and both must stop.
    const child = spawn('bash', ['-c', line ?? ''], { cwd: dir, detached: true });
    const exited = new Promise((r) => child.once('exit', r));
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await expect.poll(() => output, { timeout: 20_000 }).toContain(`http://127.0.0.1:${port}`);
      const query = /`GET (\/groups\/identify\?[^`]+)`/.exec(readFileSync(path.join(root, 'README.md'), 'utf8'))?.[1];
      const res = await fetch(`http://127.0.0.1:${port}${query}`);
      const body = (await res.json()) as { data: { groups: Record<string, { name: string }> }; meta: { status: number } };
      expect(body.meta.status).toBe(200);
      expect(body.data.groups.buttoncolortst?.name).toBe('control');
      expect(body.data.groups.newfeaturerollout?.name).toBe('active');
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  }, 60_000);
});

describe('the debug pages section, as written', () => {
  let site: Started;
  beforeAll(async () => {
    site = await start(setUp('nunjucks'), ['server-debug.mjs'], await freePort());
  }, 240_000);
  afterAll(async () => {
    await site?.stop();
  });

  it('shows the force page to this machine, forces a bucket with one click, and hides from everyone else', async () => {
    const { $, status } = await page(`${site.base}/private/proctor/force`, 'tk=pa5xq0lz4n80');
    expect(status).toBe(200);
    const link = $('#test-buttoncolortst a.force').filter((_i, el) => $(el).text().includes('green')).attr('href');
    expect(link).toBe('/private/proctor/force?prforceGroups=buttoncolortst2');
    const after = await page(`${site.base}${link}`, 'tk=pa5xq0lz4n80');
    expect(after.$('#test-buttoncolortst tr[data-value="2"]').text()).toContain('forced');
    const show = await fetch(`${site.base}/private/proctor/show`);
    expect(Object.keys(((await show.json()) as { tests: object }).tests)).toEqual(['buttoncolortst', 'buttontexttst', 'newfeaturerollout']);
    const proxied = await fetch(`${site.base}/private/proctor/force`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(404);
  });
});

describe('the example sites, as examples/README.md runs them', () => {
  const servers = snippets
    .filter((s) => s.marker === 'repository')
    .flatMap((s) => commands(s.code))
    .map((line) => /^node (examples\/\w+\/server\.mjs)$/.exec(line)?.[1])
    .filter((file): file is string => file !== undefined);

  it('names the five sites', () => {
    expect(servers).toEqual(['examples/nunjucks/server.mjs', 'examples/handlebars/server.mjs', 'examples/ejs/server.mjs', 'examples/fastify/server.mjs', 'examples/koa/server.mjs']);
  });

  it.each(servers)('node %s serves its home page', async (file) => {
    const site = await start(root, [file], await freePort());
    try {
      const home = await page(`${site.base}/`);
      expect(home.status).toBe(200);
      expect(home.cookies.some((c) => c.startsWith('tk='))).toBe(true);
    } finally {
      await site.stop();
    }
  }, 60_000);
});

describe('the TypeScript section', () => {
  let dir = '';
  beforeAll(() => {
    dir = setUp('typescript');
  }, 240_000);

  it('compiles with tsc as written', () => {
    const r = spawnSync('npx', ['tsc', '-p', '.'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('rejects a typo in a test name on req.proc and on the client', () => {
    const file = [...(projects.get('typescript') ?? [])].find(([f]) => /\.m?ts$/.test(f))?.[0] ?? '';
    const source = readFileSync(path.join(dir, file), 'utf8');
    for (const [from, to] of [
      ['req.proc.buttoncolortst', 'req.proc.buttoncolrtst'],
      ['proc.newfeaturerollout', 'proc.newfeaturrollout'],
    ] as const) {
      expect(source).toContain(from);
      writeFileSync(path.join(dir, file), source.replace(from, to));
      const r = spawnSync('npx', ['tsc', '-p', '.'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(r.status).not.toBe(0);
      expect(r.stdout).toContain(`Property '${to.split('.').at(-1)}' does not exist`);
    }
    writeFileSync(path.join(dir, file), source);
  });
});

describe('the typed buckets section', () => {
  let dir = '';
  beforeAll(() => {
    dir = setUp('typed');
  }, 240_000);

  const tsc = (): ReturnType<typeof spawnSync> => spawnSync('npx', ['tsc', '-p', '.'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });

  it('compiles with tsc as written, on the module its install step generated', () => {
    expect(readFileSync(path.join(dir, 'proctor-tests.mts'), 'utf8')).toContain('readonly buttoncolortst: {');
    const r = tsc();
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('rejects a typo in a test name and a comparison with a bucket the test does not have', () => {
    const file = path.join(dir, 'app.mts');
    const source = readFileSync(file, 'utf8');
    for (const [from, to, message] of [
      ['req.proc.buttoncolortst', 'req.proc.buttoncolrtst', "Property 'buttoncolrtst' does not exist"],
      ["group === 'blue'", "group === 'bleu'", 'This comparison appears to be unintentional'],
    ] as const) {
      expect(source).toContain(from);
      writeFileSync(file, source.replace(from, to));
      const r = tsc();
      expect(r.status).not.toBe(0);
      expect(r.stdout).toContain(message);
    }
    writeFileSync(file, source);
  });

  it('ci.sh passes while the module matches the matrix, and fails once the matrix has changed', () => {
    const ci = commands(projects.get('typed')?.get('ci.sh')?.code ?? '');
    expect(ci.length).toBeGreaterThan(0);
    for (const line of ci) {
      const r = run(dir, line);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('up to date');
    }
    const matrixFile = path.join(dir, 'proctor-tests-matrix.json');
    const matrix = readFileSync(matrixFile, 'utf8');
    const changed = JSON.parse(matrix) as { tests: { buttoncolortst: { buckets: unknown[] } } };
    changed.tests.buttoncolortst.buckets.push({ name: 'purple', value: 3 });
    writeFileSync(matrixFile, JSON.stringify(changed));
    try {
      expect(run(dir, ci[0] ?? '').status).toBe(1);
    } finally {
      writeFileSync(matrixFile, matrix);
    }
  });
});
