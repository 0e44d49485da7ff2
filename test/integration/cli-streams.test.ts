// The built CLI's streams as a user meets them: repeated rule errors on stderr, a reader that goes away
// (`| head -1`), a full disk, and `serve` as a process.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, exampleMatrix, fullRequest, okTest, pipetConfig, runCli as run, tempDir, writeMatrix } from '../support/cli.js';

let dir: string;
let requests: string;

beforeAll(() => {
  dir = tempDir();
  requests = path.join(dir, 'requests.jsonl');
  writeFileSync(requests, Array.from({ length: 20_000 }, (_, i) => fullRequest(`user${i}`)).join('\n'));
});

/** `(proctor-node args < input; echo "exit status $?" >&2) | reader` through sh: node's status lands on stderr. */
function pipeline(args: readonly string[], reader: string, input = '/dev/null'): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', `("$@" < "$INPUT"; echo "exit status $?" >&2) | ${reader}`, 'sh', process.execPath, cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, INPUT: input },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('repeated rule errors', () => {
  it('2,000 requests lacking the context a rule needs: two lines per test and cause, with the count', () => {
    const input = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ identifiers: { USER: `u${i}` } })).join('\n');
    const r = run(['assign', '--matrix', exampleMatrix], `${input}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2000);
    const lines = r.stderr.trim().split('\n');
    // examples/matrix.json has three tests whose rules read context: one cause each.
    expect(lines).toHaveLength(6);
    for (const test of ['newfeaturerollout', 'countryalgotst', 'mobileonly']) {
      const mine = lines.filter((l) => l.includes(`"test":"${test}"`));
      expect(mine).toHaveLength(2);
      expect(mine[0]).toMatch(new RegExp(`^ERROR proctor: rule error in test ${test}, test left unassigned \\{`));
      expect(mine[1]).toMatch(/ \(repeated 1999 times in the last (\d+(\.\d)? s|\d+ ms)\) \{.*"repeated":1999\}$/);
    }
  });
});

describe('a closed standard output', () => {
  it('assign … | head -1: one line, exit 0, nothing on stderr', () => {
    const r = pipeline(['assign', '--matrix', exampleMatrix], 'head -1', requests);
    expect(r.stderr).toBe('exit status 0\n');
    expect(JSON.parse(r.stdout)).toHaveProperty('groups.buttoncolortst');
  });

  it.each([
    ['validate', ['validate', exampleMatrix]],
    ['explain --json', ['explain', '--matrix', exampleMatrix, '--test', 'buttoncolortst', '--id', 'USER=abc', '--json']],
    ['--help', ['--help']],
    ['assign --help', ['assign', '--help']],
    ['--version', ['--version']],
  ])('%s | true: exit 0, nothing on stderr', (_label, args) => {
    expect(pipeline(args, 'true').stderr).toBe('exit status 0\n');
  });

  it('assign stops reading stdin once stdout is closed, and exits 0', async () => {
    const child = spawn(process.execPath, [cli, 'assign', '--matrix', exampleMatrix]);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => undefined); // EPIPE once the child is gone
    // stdin stays open: only a closed stdout can end this run.
    child.stdin.write(`${Array.from({ length: 5000 }, (_, i) => fullRequest(`u${i}`)).join('\n')}\n`);
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it.runIf(existsSync('/dev/full'))('70: any other write failure (a full disk) is an error', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [cli, '--help'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(r.status).toBe(70);
      expect(r.stderr).toContain('proctor-node: cannot write to standard output: ENOSPC');
    } finally {
      closeSync(full);
    }
  });
});

describe('proctor-node serve as a process', () => {
  it('2: a bad Pipet configuration; 66: a matrix file it cannot read', () => {
    const badConfig = run(['serve', '--matrix', exampleMatrix, '--config', exampleMatrix, '--port', '0']);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('proctor-node: config.tests: unknown property');
    const missing = run(['serve', '--matrix', path.join(dir, 'missing.json'), '--config', pipetConfig, '--port', '0']);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(/proctor-node: matrix: cannot load the test matrix: ENOENT/);
    expect(run(['serve', '--matrix', exampleMatrix, '--config', path.join(dir, 'missing.json')]).code).toBe(66);
  });

  it('69: a port already in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const r = run(['serve', '--matrix', exampleMatrix, '--config', pipetConfig, '--port', String(port)]);
      expect(r.code).toBe(69);
      expect(r.stderr).toContain(`proctor-node: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('writes the count of a repeated rule error when it stops on SIGTERM (exit 0)', async () => {
    // "US" + 1 is a NumberFormatException in EL: every request fails the rule the same way.
    const matrix = writeMatrix(dir, 'rule-error.json', { ruletst: { ...okTest, salt: 'ruletst', rule: '${country + 1 > 0}' } });
    const child = spawn(process.execPath, [cli, 'serve', '--matrix', matrix, '--config', pipetConfig, '--port', '0']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const url = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.trim());
      });
    });
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${url}/groups/identify?id.USER=u${i}&ctx.country=US`);
      expect(response.status).toBe(200);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const errors = stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string; repeated?: number })
      .filter((l) => l.level === 'error');
    expect(errors.map((l) => l.repeated)).toEqual([undefined, 4]);
    expect(errors[1]?.msg).toMatch(/^proctor: rule error in test ruletst, test left unassigned \(repeated 4 times in the last/);
  });
});
