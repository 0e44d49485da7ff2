// `proctor-node check-templates`: seeded mistakes in test/fixtures/check-templates are found with their
// file, line and column, the example sites have none, and the exit codes are those of the other commands.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleMatrix, root, runCli, tempDir } from '../support/cli.js';

const fixtures = 'test/fixtures/check-templates';
const buttons = '(its buckets: inactive -1, control 0, blue 1, green 2)';

describe('proctor-node check-templates', () => {
  it('reports every seeded mistake, with file, line and column, in Nunjucks, Handlebars and EJS; exit 1', () => {
    const r = runCli(['check-templates', fixtures, '--matrix', exampleMatrix], '', { cwd: root });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      `${fixtures}/index.njk:4:12: proctor: no test "buttoncolrtst" in the matrix (did you mean "buttoncolortst"?)`,
      `${fixtures}/index.njk:5:30: proctor: test buttoncolortst has no bucket "purple" ${buttons}`,
      `${fixtures}/index.njk:5:52: proctor: test buttoncolortst has no bucket 7 ${buttons}`,
      `${fixtures}/index.njk:6:39: proc.newfeaturerollout.group == "enabled": test newfeaturerollout has no bucket named "enabled" (its buckets: inactive -1, active 0)`,
      `${fixtures}/index.njk:7:7: procPayload: test newfeaturerollout has no payload`,
      `${fixtures}/index.njk:8:33: procScript: no test "headlinetst" in the matrix`,
      `${fixtures}/page.hbs:2:35: proctor: test buttontexttst has no bucket "signup" (its buckets: inactive -1, control 0, join 1, start 2)`,
      `${fixtures}/page.hbs:3:16: proctor: no test "countryalgotest" in the matrix (did you mean "countryalgotst"?)`,
      `${fixtures}/page.hbs:4:15: procPayload: test mobileonly has no payload`,
      `${fixtures}/page.hbs:6:63: proc.buttncolortst: no test "buttncolortst" in the matrix (did you mean "buttoncolortst"?)`,
      `${fixtures}/partials/cta.ejs:2:65: proctor: test newfeaturerollout has no bucket 5 (its buckets: inactive -1, active 0)`,
      `${fixtures}/partials/cta.ejs:4:17: procPayload: test newfeaturerollout has no payload`,
      `${fixtures}/partials/cta.ejs:5:38: proc.buttoncolortst.group === "grey": test buttoncolortst has no bucket named "grey" ${buttons}`,
      `${fixtures}/partials/cta.ejs:6:45: proc.buttoncolortst.value === 3: test buttoncolortst has no bucket value 3 ${buttons}`,
      `${fixtures}/partials/cta.ejs:7:34: procScript: no test "nosuchtest" in the matrix`,
      `3 templates (.njk, .nunjucks, .hbs, .handlebars, .ejs) under ${fixtures}: 15 problems`,
      '',
    ]);
  });

  it.each(['nunjucks', 'handlebars', 'ejs'])('finds nothing wrong in the %s example site', (engine) => {
    const views = path.join('examples', engine, 'views');
    const r = runCli(['check-templates', views, '--matrix', 'examples/site-matrix.json'], '', { cwd: root });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^\\d templates \\(.*\\) under ${views}: no problems\\n$`));
    expect(r.code).toBe(0);
  });

  it('checks against a specification: its tests and buckets, its payload declarations', () => {
    const dir = tempDir();
    const spec = path.join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ tests: { buttoncolortst: { buckets: { control: 0, blue: 1 } }, countryalgotst: { buckets: {}, payload: { type: 'longArray' } } } }));
    mkdirSync(path.join(dir, 'views'));
    writeFileSync(
      path.join(dir, 'views', 'page.njk'),
      "{% proctor 'buttoncolortst', 'green' %}{% endproctor %}{{ procPayload('countryalgotst', [], 0) }}{{ proc.buttoncolortst.payload }}\n{{ proc.countryalgotst.group == 'anything' }}",
    );
    const r = runCli(['check-templates', path.join(dir, 'views'), '--spec', spec]);
    expect(r.stdout.split('\n').slice(0, -2)).toEqual([
      `${path.join(dir, 'views', 'page.njk')}:1:30: proctor: test buttoncolortst has no bucket "green" (its buckets: control 0, blue 1)`,
      `${path.join(dir, 'views', 'page.njk')}:1:106: proc.buttoncolortst.payload: test buttoncolortst has no payload`,
    ]);
    expect(r.code).toBe(1);
  });

  it('exit codes: 64 for usage, 66 for an unreadable folder or matrix, 2 for a document that is not a matrix', () => {
    expect(runCli(['check-templates', '--matrix', exampleMatrix]).code).toBe(64);
    expect(runCli(['check-templates', fixtures]).stderr).toContain('missing --matrix or --spec');
    expect(runCli(['check-templates', fixtures, '--matrix', exampleMatrix, '--spec', exampleMatrix]).stderr).toContain('give --matrix or --spec, not both');
    expect(runCli(['check-templates', fixtures, '--matrix', exampleMatrix, '--context-key', 'a b']).code).toBe(64);
    const noFolder = runCli(['check-templates', path.join(root, 'nope'), '--matrix', exampleMatrix]);
    expect(noFolder.code).toBe(66);
    expect(noFolder.stderr).toContain('cannot read the template folder');
    expect(runCli(['check-templates', fixtures, '--matrix', path.join(root, 'nope.json')], '', { cwd: root }).code).toBe(66);
    const notMatrix = path.join(tempDir(), 'bad.json');
    writeFileSync(notMatrix, '{"tests": {}}');
    const rejected = runCli(['check-templates', fixtures, '--matrix', notMatrix], '', { cwd: root });
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain('"audit" is missing');
  });

  it('reads the proc under another template variable with --context-key', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.ejs'), '<%= groups.buttoncolrtst.group %> <%= proc.whatever %>');
    const r = runCli(['check-templates', dir, '--matrix', exampleMatrix, '--context-key', 'groups']);
    expect(r.stdout).toContain(`${path.join(dir, 'a.ejs')}:1:12: groups.buttoncolrtst: no test "buttoncolrtst" in the matrix`);
    expect(r.stdout).toContain('1 problem\n');
  });
});
