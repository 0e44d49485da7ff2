// `proctor-node types`: the module it writes, `--check`, its errors; and, with the project's tsc, that the
// module types every proc: the fixture programs of test/fixtures/typed (see its README) compile, or fail
// exactly where they say they must.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleMatrix, root, runCli, tempDir } from '../support/cli.js';

const run = promisify(execFile);
const fixtures = path.join(root, 'test/fixtures/typed');
const specification = path.join(fixtures, 'specification.json');
// Inside the repository, so that `express` and `@types/node` resolve from its node_modules (`.pack-*` is
// ignored by git and the linter).
const scratch = path.join(root, '.pack-typed');

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('proctor-node types: the module', () => {
  it('declares each test of a specification with its buckets, values and payload type, sorted by name', () => {
    const r = runCli(['types', '--spec', specification]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  /** Test which button color has a higher click-through. A *\\/ in a description stays inside its comment. */
  readonly buttoncolortst: {
    readonly buckets: { readonly inactive: -1; readonly control: 0; readonly blue: 1; readonly green: 2 };
    readonly payload: string;
  };`);
    expect(r.stdout).toContain(
      "readonly payload: { readonly columns: number; readonly title: string; readonly tags: readonly string[] };",
    );
    expect(r.stdout).toContain("readonly 'odd-name.tst': {\n    readonly buckets: { readonly control: 0; readonly 'two words': 1 };\n    readonly payload: never;");
    // A specification without buckets for a test: any bucket name.
    expect(r.stdout).toContain('readonly anybuckettst: {\n    readonly buckets: { readonly [bucket: string]: number };\n    readonly payload: number;');
    expect(r.stdout).toContain(
      "export const proctorTests = ['anybuckettst', 'buttoncolortst', 'countryalgotst', 'layouttst', 'newfeaturerollout', 'odd-name.tst'] as const;",
    );
    expect(r.stdout).toContain("declare module 'proctor-node' {\n  interface Register {\n    tests: ProctorTests;\n  }\n}\n");
  });

  it('reads a matrix without a specification: every test it loads, payload types from its buckets', () => {
    const r = runCli(['types', '--matrix', exampleMatrix, '--no-register']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('readonly mobileonly: {\n    readonly buckets: { readonly inactive: -1; readonly active: 0 };\n    readonly payload: never;');
    expect(r.stdout).toContain('readonly countryalgotst: {\n    readonly buckets: { readonly inactive: -1; readonly control: 0; readonly new: 1 };\n    readonly payload: readonly number[];');
    expect(r.stdout).not.toContain('Register');
  });

  it('writes --out, says so on stdout, and --check tells whether the file is up to date (exit 1 when stale or missing)', () => {
    const dir = tempDir();
    const out = path.join(dir, 'proctor-tests.ts');
    const missing = runCli(['types', '--spec', specification, '--out', out, '--check']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`${out}: does not exist\n`);
    expect(missing.stdout).toContain(`${out}: stale; run proctor-node types without --check to update it`);

    const written = runCli(['types', '--spec', specification, '--out', out]);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe(`${out}: 6 tests from ${specification}\n`);
    expect(readFileSync(out, 'utf8')).toBe(runCli(['types', '--spec', specification]).stdout);

    const fresh = runCli(['types', '--spec', specification, '--out', out, '--check']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toBe(`${out}: up to date (6 tests from ${specification})\n`);

    // A bucket added to the specification: the module on disk is stale.
    const spec = JSON.parse(readFileSync(specification, 'utf8')) as { tests: { buttoncolortst: { buckets: Record<string, number> } } };
    spec.tests.buttoncolortst.buckets.purple = 3;
    const changed = path.join(dir, 'specification.json');
    writeFileSync(changed, JSON.stringify(spec));
    const stale = runCli(['types', '--spec', changed, '--out', out, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`${out}: line 19 is "readonly buckets: { readonly inactive: -1; readonly control: 0; readonly blue: 1; readonly green: 2 };"`);
    expect(stale.stderr).toContain('readonly purple: 3 };"');
    expect(readFileSync(out, 'utf8')).not.toContain('purple');
  });

  it('writes a declaration file without the proctorTests value', () => {
    const out = path.join(tempDir(), 'proctor-tests.d.ts');
    expect(runCli(['types', '--spec', specification, '--out', out]).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('export type ProctorTests = Declare<{');
    expect(text).not.toContain('proctorTests');
  });

  it('exit codes: 64 for usage, 66 for an unreadable input, 2 for a document that is not a specification', () => {
    expect(runCli(['types']).code).toBe(64);
    expect(runCli(['types']).stderr).toContain('missing --spec or --matrix');
    expect(runCli(['types', '--spec', specification, '--matrix', exampleMatrix]).stderr).toContain('give --spec or --matrix, not both');
    expect(runCli(['types', '--spec', specification, '--check']).stderr).toContain('--check needs --out <file>');
    expect(runCli(['types', '--spec', specification, '--bogus']).code).toBe(64);
    const unreadable = runCli(['types', '--spec', path.join(fixtures, 'nope.json')]);
    expect(unreadable.code).toBe(66);
    expect(unreadable.stderr).toContain('cannot read specification');
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.json'), '{"tests": {"x": {"buckets": {"a": 1.5}}}}');
    const rejected = runCli(['types', '--spec', path.join(dir, 'bad.json')]);
    // A rejected specification exits 3, a rejected matrix 2, as for validate, assign and explain.
    expect(rejected.code).toBe(3);
    expect(rejected.stderr).toContain('rejected specification');
    expect(rejected.stderr).toContain('tests.x.buckets.a: expected an integer, got 1.5');
    expect(runCli(['types', '--matrix', path.join(dir, 'bad.json')]).code).toBe(2);
    expect(runCli(['types', '--help']).stdout).toContain('usage: proctor-node types');
  });
});

interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** The `// error: <text>` marks of a fixture: line → text. */
function marks(file: string): Map<number, string> {
  const out = new Map<number, string>();
  readFileSync(path.join(fixtures, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const mark = /\/\/ error: (.+)$/.exec(line)?.[1];
      if (mark !== undefined) out.set(i + 1, mark.trim());
    });
  return out;
}

/** Generate the module into a scratch project (`--no-register` for `explicit`), copy the fixtures, run tsc. */
async function compile(kind: 'registered' | 'explicit' | 'alone'): Promise<Diagnostic[]> {
  const dir = path.join(scratch, kind);
  mkdirSync(dir, { recursive: true });
  const generated = runCli(['types', '--spec', specification, '--out', path.join(dir, 'proctor-tests.ts'), ...(kind === 'explicit' ? ['--no-register'] : [])]);
  expect(generated.code).toBe(0);
  const files = kind === 'alone' ? [] : [`${kind}-compiles.ts`, `${kind}-rejected.ts`];
  for (const file of files) cpSync(path.join(fixtures, file), path.join(dir, file));
  const compilerOptions = {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    // `proctor-node` is the source under test.
    paths: { 'proctor-node': [path.join(root, 'src/index.ts')], 'proctor-node/express': [path.join(root, 'src/express/index.ts')] },
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['proctor-tests.ts', ...files] }, null, 2));
  let stdout = '';
  try {
    await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir });
  } catch (error) {
    stdout = String((error as { stdout?: unknown }).stdout ?? error);
  }
  return stdout
    .split('\n')
    // A diagnostic's own lines; its indented continuation lines add detail.
    .filter((line) => line.trim() !== '' && !line.startsWith(' '))
    .map((line) => {
      const m = /^(.+?)\((\d+),\d+\): error TS\d+: (.*)$/.exec(line);
      return m === null ? { file: '?', line: 0, text: line } : { file: path.basename(m[1] ?? ''), line: Number(m[2]), text: m[3] ?? '' };
    });
}

it('the generated module compiles on its own (its Register augmentation finds proctor-node)', async () => {
  expect(await compile('alone')).toEqual([]);
}, 120_000);

describe.each(['registered', 'explicit'] as const)('the generated module, %s, under tsc', (kind) => {
  let diagnostics: Diagnostic[] = [];
  beforeAll(async () => {
    diagnostics = await compile(kind);
  }, 120_000);

  it(`${kind}-compiles.ts compiles: bucket names, values and payloads are literal types`, () => {
    expect(diagnostics.filter((d) => d.file !== `${kind}-rejected.ts`)).toEqual([]);
  });

  it(`${kind}-rejected.ts fails on each marked line, with the marked message, and nowhere else`, () => {
    const expected = marks(`${kind}-rejected.ts`);
    expect(expected.size).toBeGreaterThan(3);
    const rejected = diagnostics.filter((d) => d.file === `${kind}-rejected.ts`);
    expect(rejected.map((d) => d.line).sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
    for (const d of rejected) expect(d.text, `line ${d.line}`).toContain(expected.get(d.line));
  });
});
