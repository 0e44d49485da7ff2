import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleMatrix, okTest, pipetConfig, root, runCli as run, tempDir, writeMatrix } from '../support/cli.js';

let dir: string;

function matrixFile(name: string, tests: Record<string, unknown>): string {
  return writeMatrix(dir, name, tests);
}

beforeAll(() => {
  dir = tempDir();
});

describe('proctor-node validate', () => {
  it('exits 0 and reports the version for a valid matrix', () => {
    const r = run(['validate', matrixFile('ok.json', { oktst: okTest })]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('matrix version "7", 1 tests loaded, 0 invalid');
  });

  it('names the invalid test, field and value on stderr; exit 1 only under --strict', () => {
    const bad = { ...okTest, allocations: [{ ranges: [{ bucketValue: 5, length: 1 }] }] };
    const file = matrixFile('bad.json', { oktst: okTest, badtst: bad });
    const lenient = run(['validate', file]);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain('tests.badtst.allocations[0].ranges[0].bucketValue: refers to unknown bucket value 5');
    expect(run(['validate', file, '--strict']).code).toBe(1);
  });

  it('exits 2 when the document is not a matrix', () => {
    const file = path.join(dir, 'notjson.json');
    writeFileSync(file, '{"audit": ');
    const r = run(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not valid JSON');
    const noAudit = path.join(dir, 'noaudit.json');
    writeFileSync(noAudit, '{"tests": {}}');
    expect(run(['validate', noAudit]).stderr).toContain('"audit" is missing');
  });
});

describe('proctor-node validate --spec', () => {
  // Java reads a specification with Jackson's ALLOW_COMMENTS (Serializers.lenient()), a matrix without.
  const commented = `{
    // required by the app
    "tests": { "oktst": { "buckets": { "control": 0, "test": 1 } } }, /* no payloads */
    "providedContext": {}
  }`;

  it('accepts a specification with comments', () => {
    const spec = path.join(dir, 'commented-spec.json');
    writeFileSync(spec, commented);
    const r = run(['validate', matrixFile('for-spec.json', { oktst: okTest }), '--spec', spec]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 tests loaded, 0 invalid');
  });

  it('a rejected specification exits 3 with its own message; a rejected matrix 2', () => {
    const badSpec = path.join(dir, 'not-a-spec.json');
    writeFileSync(badSpec, '{"tests": {"oktst": {"buckets": {"control": "zero"}}}}');
    const spec = run(['validate', matrixFile('for-bad-spec.json', { oktst: okTest }), '--spec', badSpec]);
    expect(spec.code).toBe(3);
    expect(spec.stderr).toBe(`proctor-node: ${badSpec}: rejected specification: tests.oktst.buckets.control: expected an integer, got "zero"\n`);
    const commentedMatrix = path.join(dir, 'commented-matrix.json');
    writeFileSync(commentedMatrix, `// a matrix\n${JSON.stringify({ audit: { version: '1', updated: 0, updatedBy: 't' }, tests: {} })}`);
    const matrix = run(['validate', commentedMatrix]);
    expect(matrix.code).toBe(2);
    expect(matrix.stderr).toContain(`${commentedMatrix}: rejected: matrix is not valid JSON`);
  });
});

describe('proctor-node assign', () => {
  it('answers one JSON line per input line, in order, with the contract format', () => {
    const input = [
      JSON.stringify({ identifiers: { USER: 'pa5xq0lz4n80' }, context: { country: 'US', loggedIn: true, userAgent: { mobileDevice: false } } }),
      'not json',
      JSON.stringify({ identifiers: { USER: 'pa5xq0lz4n80' }, forceGroups: 'buttoncolortst2', tests: ['buttoncolortst'] }),
      JSON.stringify({ identifiers: 'nope' }),
    ].join('\n');
    const r = run(['assign', '--matrix', exampleMatrix], `${input}\n`);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    // Spec §5.4 example: hash -693430778 → control; 1170596013 → active; 578859484 → inactive.
    expect(lines[0]).toEqual({
      groups: {
        buttoncolortst: { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' }, allocation: '#A1' },
        buttontexttst: { name: 'start', value: 2, payload: { stringValue: 'Get started' }, allocation: '#B1' },
        countryalgotst: { name: 'inactive', value: -1, payload: { longArray: [2, 3, 5] }, allocation: '#D1' },
        newfeaturerollout: { name: 'active', value: 0, payload: null, allocation: '#C1' },
      },
    });
    expect(lines[1]).toHaveProperty('error');
    expect(lines[2]).toEqual({
      groups: { buttoncolortst: { name: 'green', value: 2, payload: { stringValue: '#3DFF33' }, allocation: null } },
    });
    expect(String(lines[3]?.error)).toContain('identifiers');
  });

  it('rejects an unknown identifier validator at setup', () => {
    const r = run(['assign', '--matrix', exampleMatrix, '--identifier-validator', 'strict']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--identifier-validator must be noop or noEmpty, got "strict"');
  });
});

describe('proctor-node explain', () => {
  it('shows the rules it evaluated, the hash, the cutoffs and the chosen range', () => {
    const r = run(['explain', '--matrix', exampleMatrix, '--test', 'buttoncolortst', '--id', 'USER=pa5xq0lz4n80']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hashed key "buttoncolortst|buttoncolortst"');
    expect(r.stdout).toContain('int32 -693430778');
    expect(r.stdout).toContain('Cutoffs [-2147483648, -858993459, 858993458]');
    expect(r.stdout).toContain('Result: control (0).');
  });

  it('says why a rule keeps a user out', () => {
    const r = run(['explain', '--matrix', exampleMatrix, '--test', 'newfeaturerollout', '--id', 'USER=abc', '--ctx', 'loggedIn=false']);
    expect(r.stdout).toContain('Test rule ${loggedIn} → false.');
    expect(r.stdout).toContain('Result: unassigned');
  });
});

describe('proctor-node help, version and usage errors', () => {
  const commands = ['validate', 'assign', 'explain', 'serve'];

  it('--version and -v print the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      expect(run([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('--help, -h and help print the overview: every command and the exit codes', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = run([flag]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      for (const command of commands) expect(r.stdout).toContain(`  proctor-node ${command} `);
      expect(r.stdout).toMatch(/Exit codes:\n {2}0 /);
      expect(r.stdout).not.toContain('demo');
    }
  });

  it.each(commands)('%s: --help, -h and help <command> print the command usage and options', (command) => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command], [command, '--bogus', '--help']]) {
      const r = run(args);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^usage: proctor-node ${command} `));
      expect(r.stdout).toContain('Options:');
    }
  });

  it.each(commands)('%s with an unknown option is a usage error naming it, with the usage (64)', (command) => {
    const r = run(command === 'validate' ? [command, exampleMatrix, '--bogus'] : [command, '--matrix', exampleMatrix, '--bogus']);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("proctor-node: Unknown option '--bogus'");
    expect(r.stderr).toContain(`usage: proctor-node ${command} `);
  });

  it('no command prints the overview on stderr (64); an unknown command or option is named (64)', () => {
    const none = run([]);
    expect(none.code).toBe(64);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Exit codes:');
    const demo = run(['demo']);
    expect(demo.code).toBe(64);
    expect(demo.stderr).toMatch(/^proctor-node: unknown command "demo"\nUsage:/);
    expect(run(['--bogus']).stderr).toMatch(/^proctor-node: unknown option "--bogus"/);
    expect(run(['help', 'nope']).code).toBe(64);
  });

  it('missing or bad option values are usage errors (64)', () => {
    expect(run(['validate']).stderr).toContain('missing the matrix file\nusage: proctor-node validate');
    expect(run(['assign']).stderr).toContain('missing --matrix\nusage: proctor-node assign');
    expect(run(['explain', '--matrix', exampleMatrix]).stderr).toContain('missing --test');
    const badPair = run(['explain', '--matrix', exampleMatrix, '--test', 'buttoncolortst', '--id', 'USER']);
    expect(badPair.code).toBe(64);
    expect(badPair.stderr).toContain('--id expects KEY=VALUE, got "USER"\nusage: proctor-node explain');
    expect(run(['serve', '--matrix', exampleMatrix, '--config', pipetConfig, '--port', 'http']).code).toBe(64);
  });

  it('the README documents the same exit codes as --help, and every command with its options', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const cliSection = readme.slice(readme.indexOf('\n## CLI'), readme.indexOf('\n## ', readme.indexOf('\n## CLI') + 1));
    const helpCodes = [...run(['--help']).stdout.matchAll(/^ {2}(\d+) /gm)].map((m) => m[1]);
    const readmeCodes = [...cliSection.matchAll(/^\| `?(\d+)`? \|/gm)].map((m) => m[1]);
    expect(readmeCodes).toEqual(helpCodes);
    for (const command of commands) {
      const help = run([command, '--help']).stdout;
      for (const [, option] of help.matchAll(/^ {2}(--[a-z-]+)/gm)) expect(readme, `${command} ${option}`).toContain(option);
      expect(readme).toContain(`npx proctor-node ${command} `);
    }
  });
});

describe('exit codes', () => {
  it('1: explain of a test that is not in the matrix', () => {
    const r = run(['explain', '--matrix', exampleMatrix, '--test', 'nosuchtst', '--id', 'USER=abc']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Test nosuchtst is not in the matrix.');
  });

  it('2: assign and explain on a document that is not a matrix; 3: with a bad specification', () => {
    const notMatrix = path.join(dir, 'not-matrix.json');
    writeFileSync(notMatrix, '{"tests": {}}');
    const assign = run(['assign', '--matrix', notMatrix], '{}\n');
    expect(assign.code).toBe(2);
    expect(assign.stderr).toContain('"audit" is missing');
    const badSpec = path.join(dir, 'bad-spec.json');
    writeFileSync(badSpec, '[');
    const explain = run(['explain', '--matrix', exampleMatrix, '--test', 'buttoncolortst', '--id', 'USER=a', '--spec', badSpec]);
    expect(explain.code).toBe(3);
    expect(explain.stderr).toContain(`${badSpec}: rejected specification: specification is not valid JSON`);
    const assignSpec = run(['assign', '--matrix', exampleMatrix, '--spec', badSpec], '{}\n');
    expect(assignSpec.code).toBe(3);
    expect(assignSpec.stdout).toBe('');
  });

  it('66: a matrix or specification file that cannot be read, for every command', () => {
    const missing = path.join(dir, 'missing.json');
    for (const args of [
      ['validate', missing],
      ['validate', exampleMatrix, '--spec', missing],
      ['assign', '--matrix', missing],
      ['explain', '--matrix', missing, '--test', 'buttoncolortst'],
    ]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(66);
      expect(r.stderr).toMatch(/^proctor-node: cannot read (matrix|specification) .*missing\.json: ENOENT/);
    }
  });
});
