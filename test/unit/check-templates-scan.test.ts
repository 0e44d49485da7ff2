// The template scanner behind `proctor-node check-templates`: what it counts as a read of a test, a bucket
// or a payload in each engine's syntax, and what it leaves alone (text, comments, strings, variables).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineOf, scanTemplate } from '../../src/cli/check-templates-scan.js';
import type { TemplateEngine, TemplateUse } from '../../src/cli/check-templates-scan.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Uses without offsets, in a compact form: `test x`, `bucket x=blue`, `payload x`. */
function uses(text: string, engine: TemplateEngine, contextKey?: string): string[] {
  return scanTemplate(text, engine, contextKey).map((u: TemplateUse) =>
    u.kind === 'bucket' ? `bucket ${u.test}=${JSON.stringify(u.bucket)} (${u.match})` : `${u.kind} ${u.test}`,
  );
}

describe('engineOf', () => {
  it('knows the engines by extension', () => {
    expect(['a.njk', 'a.nunjucks', 'a.hbs', 'a.HANDLEBARS', 'a.ejs', 'a.html', 'njk'].map(engineOf)).toEqual([
      'nunjucks',
      'nunjucks',
      'handlebars',
      'handlebars',
      'ejs',
      null,
      null,
    ]);
  });
});

describe('scanTemplate', () => {
  it('Nunjucks: the tag, the filter and function forms, proc reads and comparisons', () => {
    const text = `{% proctor 'a', 'blue', ['green', 2] %}x{% else %}y{% endproctor %}
{{ 'b' | procPayload('fallback') }} {{ procPayload('c', fallback=1, index=0) }}
{% if proc.d.group == 'on' and 'off' != proc.e.group and proc.f.value == -1 %}{% endif %}
{{ procScript('g', ['h'], name='x') }} {% if proctor('i', '1') %}{% endif %}`;
    expect(uses(text, 'nunjucks')).toEqual([
      'test a',
      'bucket a="blue" (either)',
      'bucket a="green" (either)',
      'bucket a=2 (either)',
      'payload b',
      'payload c',
      'test d',
      'bucket d="on" (name)',
      'bucket e="off" (name)',
      'test e',
      'test f',
      'bucket f=-1 (value)',
      'test g',
      'test h',
      'test i',
      'bucket i="1" (either)',
    ]);
  });

  it('Handlebars: block and subexpression helpers, hash options, @root and each over a payload', () => {
    const text = `{{#proctor 'a' 'blue' 1}}x{{else}}y{{/proctor}}{{#if (proctor 'b' 'on')}}{{/if}}
{{procPayload 'c' 'fallback'}} {{procPayload 'd' fallback=2 index=0}} {{{procScript 'e' 'f' mode='module'}}}
{{#each @root.proc.g.payload}}{{this}}{{/each}} {{proc.h.group}} {{../proc.i.value}}`;
    expect(uses(text, 'handlebars')).toEqual([
      'test a',
      'bucket a="blue" (either)',
      'bucket a=1 (either)',
      'test b',
      'bucket b="on" (either)',
      'payload c',
      'payload d',
      'test e',
      'test f',
      'payload g',
      'test h',
      'test i',
    ]);
  });

  it("EJS: functions, proc.get('…'), proc['…'], strict comparisons on either side", () => {
    const text = `<% if (proctor('a', 'blue') && proc.get('b').value === 2) { %><%= procPayload('c', 'x') %><% } %>
<%- procScript('d', { mode: 'module' }) %><%= proc['e'].group %><% if ('x' === proc.f.group) { %><% } %>`;
    expect(uses(text, 'ejs')).toEqual([
      'test a',
      'bucket a="blue" (either)',
      'test b',
      'bucket b=2 (value)',
      'payload c',
      'test d',
      'test e',
      'bucket f="x" (name)',
      'test f',
    ]);
  });

  it('leaves out text, comments, string contents, variables and proc methods', () => {
    expect(uses(`proc.a {# proctor('b') #} {{ "proc.c" }} {{ proctor(name, 'blue') }} {{ proc.toString() }} {{ procPayload(t) }}`, 'nunjucks')).toEqual([]);
    expect(uses(`proc.a {{!-- {{proctor 'b'}} --}} {{! proc.c }} {{proctor testName 'blue'}} {{x.proctor 'd'}}`, 'handlebars')).toEqual([]);
    expect(uses(`proc.a <%# proctor('b') %> <%% proctor('c') %> <%= \`proc.d\` %> <%= proc.exposures() %>`, 'ejs')).toEqual([]);
    // Only what comes before the first argument that is not a literal is checked.
    expect(uses(`{% proctor 'a', color, 'blue' %}{% endproctor %}`, 'nunjucks')).toEqual(['test a']);
  });

  it('follows --context-key', () => {
    expect(uses('<%= groups.a.payload %> <%= proc.b %>', 'ejs', 'groups')).toEqual(['payload a']);
  });

  it('gives offsets in the template', () => {
    const text = "line one\n{{ proc.abc.group == 'x' }}";
    const found = scanTemplate(text, 'nunjucks');
    expect(found.map((u) => text.slice(u.offset, u.offset + 3))).toEqual(['abc', "'x'"]);
  });

  it.each(['nunjucks', 'handlebars', 'ejs'] as const)('reads every test use of the %s example site', (engine) => {
    const dir = path.join(root, 'examples', engine, 'views');
    const files = engine === 'ejs' ? ['index.ejs', 'partials/cta.ejs'] : [`index.${engine === 'nunjucks' ? 'njk' : 'hbs'}`];
    const found = files.flatMap((f) => uses(readFileSync(path.join(dir, f), 'utf8'), engine));
    // What the sites read: the button color tag with two buckets, the text and headline payloads, the rollout, the algorithm payload, procScript.
    expect(found).toEqual(expect.arrayContaining(['test buttoncolortst', 'bucket buttoncolortst="blue" (either)', 'bucket buttoncolortst="green" (either)']));
    expect(found).toEqual(expect.arrayContaining(['payload buttontexttst', 'payload headlinetst', 'test newfeaturerollout', 'test headlinetst']));
    expect(found.some((u) => u.endsWith(' countryalgotst'))).toBe(true);
  });
});
