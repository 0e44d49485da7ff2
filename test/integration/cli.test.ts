import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/cli/main.js');
const exampleMatrix = path.join(root, 'examples/matrix.json');
let dir: string;

function run(args: string[], input = '') {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function matrixFile(name: string, tests: Record<string, unknown>): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ audit: { version: '7', updated: 0, updatedBy: 't' }, tests }));
  return file;
}

const okTest = {
  testType: 'USER',
  salt: 'oktst',
  buckets: [
    { name: 'control', value: 0 },
    { name: 'test', value: 1 },
  ],
  allocations: [{ id: '#A1', ranges: [{ bucketValue: 0, length: 0.5 }, { bucketValue: 1, length: 0.5 }] }],
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-cli-'));
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
        buttoncolortst: { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' }, allocation: '' },
        countryalgotst: { name: 'inactive', value: -1, payload: { longArray: [2, 3, 5] }, allocation: '' },
        newfeaturerollout: { name: 'active', value: 0, payload: null, allocation: '' },
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
