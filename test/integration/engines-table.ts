/**
 * One table of template cases run through Nunjucks, Handlebars and EJS (directly and through Express): each
 * row states an intent once and spells it in each engine's syntax. Same proc for all: a rule-free matrix on
 * the local source (so no rule language is involved), with string / array / null payloads, an adversarial
 * string payload, an unassigned test (configured, not in the matrix) and, for `forced` rows, a forced bucket.
 */
import type { CheerioAPI } from 'cheerio';

/** Every character class that has broken script embedding somewhere. */
export const EVIL = `</script><script>alert(1)</script><!-- " ' \\ \u2028 \u2029 &amp; </SCRIPT ${'`'}`;

export const TESTS = ['buttoncolortst', 'buttontexttst', 'countryalgotst', 'newfeaturerollout', 'stringarraytst', 'unassignedtst'];

function fixed(test: string, buckets: { name: string; value: number; payload?: unknown }[], chosen: number) {
  return {
    testType: 'USER',
    salt: test,
    version: 1,
    rule: null,
    constants: {},
    buckets,
    allocations: [{ rule: null, ranges: [{ bucketValue: chosen, length: 1 }] }],
  };
}

/** 100 % allocations: the assignment does not depend on the hash. `buttoncolortst2` forces green. */
export const MATRIX = {
  audit: { version: 'engines-1', updated: 0, updatedBy: 'test' },
  tests: {
    buttoncolortst: fixed(
      'buttoncolortst',
      [
        { name: 'inactive', value: -1, payload: { stringValue: '#C0C0C0' } },
        { name: 'control', value: 0, payload: { stringValue: '#C0C0C0' } },
        { name: 'blue', value: 1, payload: { stringValue: '#2B60DE' } },
        { name: 'green', value: 2, payload: { stringValue: '#3DFF33' } },
      ],
      1,
    ),
    buttontexttst: fixed(
      'buttontexttst',
      [
        { name: 'control', value: 0, payload: { stringValue: 'Sign Up' } },
        { name: 'evil', value: 1, payload: { stringValue: EVIL } },
      ],
      1,
    ),
    countryalgotst: fixed(
      'countryalgotst',
      [
        { name: 'control', value: 0, payload: { longArray: [2, 3, 5] } },
        { name: 'new', value: 1, payload: { longArray: [42, 42, 42] } },
      ],
      0,
    ),
    newfeaturerollout: fixed(
      'newfeaturerollout',
      [
        { name: 'inactive', value: -1 },
        { name: 'active', value: 0 },
      ],
      0,
    ),
    stringarraytst: fixed(
      'stringarraytst',
      [
        { name: 'control', value: 0, payload: { stringArray: ['x', 'y'] } },
        { name: 'test', value: 1, payload: { stringArray: ['<b>bold</b>', EVIL] } },
      ],
      1,
    ),
  },
};

/** What `procScript` hands the browser for each test under the normal (not forced) request. */
export const SCRIPT_DATA: Record<string, { group: string | null; value: number | null; payload: unknown }> = {
  buttoncolortst: { group: 'blue', value: 1, payload: '#2B60DE' },
  buttontexttst: { group: 'evil', value: 1, payload: EVIL },
  countryalgotst: { group: 'control', value: 0, payload: [2, 3, 5] },
  newfeaturerollout: { group: 'active', value: 0, payload: null },
  stringarraytst: { group: 'test', value: 1, payload: ['<b>bold</b>', EVIL] },
  unassignedtst: { group: null, value: null, payload: null },
};

/** One row: the same intent in three engines and what the rendered element must contain. */
export interface Row {
  readonly intent: string;
  readonly nunjucks: string;
  readonly handlebars: string;
  readonly ejs: string;
  /** Text content of the row's element (entities decoded), or a check on the element. */
  readonly expect: string | ((el: ReturnType<CheerioAPI>, html: string) => void);
  /** Run with `prforceGroups=buttoncolortst2` (green). */
  readonly forced?: true;
}

/** Checks of procScript output, filled in by the test file (which has `vm` and `expect`). */
export interface ScriptChecks {
  globalScript(tests: readonly string[], name?: string): Row['expect'];
  jsonIsland(tests: readonly string[], id: string): Row['expect'];
}

export function rows(check: ScriptChecks): Row[] {
  return [
    {
      intent: 'tag: body when the group name is listed',
      nunjucks: `{% proctor 'buttoncolortst', 'blue' %}YES{% else %}NO{% endproctor %}`,
      handlebars: `{{#proctor 'buttoncolortst' 'blue'}}YES{{else}}NO{{/proctor}}`,
      ejs: `<% if (proctor('buttoncolortst', 'blue')) { %>YES<% } else { %>NO<% } %>`,
      expect: 'YES',
    },
    {
      intent: 'tag: else branch when the group is not listed',
      nunjucks: `{% proctor 'buttoncolortst', 'green', 'control' %}YES{% else %}NO{% endproctor %}`,
      handlebars: `{{#proctor 'buttoncolortst' 'green' 'control'}}YES{{else}}NO{{/proctor}}`,
      ejs: `<% if (proctor('buttoncolortst', 'green', 'control')) { %>YES<% } else { %>NO<% } %>`,
      expect: 'NO',
    },
    {
      intent: 'tag: any of several names',
      nunjucks: `{% proctor 'buttoncolortst', 'green', 'blue' %}YES{% else %}NO{% endproctor %}`,
      handlebars: `{{#proctor 'buttoncolortst' 'green' 'blue'}}YES{{else}}NO{{/proctor}}`,
      ejs: `<% if (proctor('buttoncolortst', 'green', 'blue')) { %>YES<% } else { %>NO<% } %>`,
      expect: 'YES',
    },
    {
      intent: 'tag: bucket value as a number and as a numeric string',
      nunjucks: `{% proctor 'buttoncolortst', 1 %}A{% endproctor %}{% proctor 'buttoncolortst', '1' %}B{% endproctor %}{% proctor 'buttoncolortst', 2, '0' %}C{% endproctor %}`,
      handlebars: `{{#proctor 'buttoncolortst' 1}}A{{/proctor}}{{#proctor 'buttoncolortst' '1'}}B{{/proctor}}{{#proctor 'buttoncolortst' 2 '0'}}C{{/proctor}}`,
      ejs: `<% if (proctor('buttoncolortst', 1)) { %>A<% } %><% if (proctor('buttoncolortst', '1')) { %>B<% } %><% if (proctor('buttoncolortst', 2, '0')) { %>C<% } %>`,
      expect: 'AB',
    },
    {
      intent: 'tag: inactive (-1) matches by name and by value',
      nunjucks: `{% proctor 'newfeaturerollout', 'active' %}A{% endproctor %}{% proctor 'newfeaturerollout', -1, 'inactive' %}B{% endproctor %}`,
      handlebars: `{{#proctor 'newfeaturerollout' 'active'}}A{{/proctor}}{{#proctor 'newfeaturerollout' -1 'inactive'}}B{{/proctor}}`,
      ejs: `<% if (proctor('newfeaturerollout', 'active')) { %>A<% } %><% if (proctor('newfeaturerollout', -1, 'inactive')) { %>B<% } %>`,
      expect: 'A',
    },
    {
      intent: 'tag: without else renders nothing on a miss',
      nunjucks: `[{% proctor 'buttoncolortst', 'green' %}YES{% endproctor %}]`,
      handlebars: `[{{#proctor 'buttoncolortst' 'green'}}YES{{/proctor}}]`,
      ejs: `[<% if (proctor('buttoncolortst', 'green')) { %>YES<% } %>]`,
      expect: '[]',
    },
    {
      intent: 'tag: an unassigned test takes the else branch',
      nunjucks: `{% proctor 'unassignedtst', 'control', 'inactive', -1, 0 %}YES{% else %}NO{% endproctor %}`,
      handlebars: `{{#proctor 'unassignedtst' 'control' 'inactive' -1 0}}YES{{else}}NO{{/proctor}}`,
      ejs: `<% if (proctor('unassignedtst', 'control', 'inactive', -1, 0)) { %>YES<% } else { %>NO<% } %>`,
      expect: 'NO',
    },
    {
      intent: 'tag: an unconfigured test takes the else branch (no error)',
      nunjucks: `{% proctor 'nosuchtst', 'blue' %}YES{% else %}NO{% endproctor %}`,
      handlebars: `{{#proctor 'nosuchtst' 'blue'}}YES{{else}}NO{{/proctor}}`,
      ejs: `<% if (proctor('nosuchtst', 'blue')) { %>YES<% } else { %>NO<% } %>`,
      expect: 'NO',
    },
    {
      intent: 'tag: the body is template output (variables, nesting, escaping)',
      nunjucks: `{% proctor 'buttoncolortst', 'blue' %}<b>{{ proc.buttoncolortst.group }}{% proctor 'countryalgotst', 'control' %}+{{ procPayload('buttontexttst') }}{% endproctor %}</b>{% endproctor %}`,
      handlebars: `{{#proctor 'buttoncolortst' 'blue'}}<b>{{proc.buttoncolortst.group}}{{#proctor 'countryalgotst' 'control'}}+{{procPayload 'buttontexttst'}}{{/proctor}}</b>{{/proctor}}`,
      ejs: `<% if (proctor('buttoncolortst', 'blue')) { %><b><%= proc.buttoncolortst.group %><% if (proctor('countryalgotst', 'control')) { %>+<%= procPayload('buttontexttst') %><% } %></b><% } %>`,
      expect: (el) => {
        if (el.find('b').length !== 1 || el.find('b').text() !== `blue+${EVIL}` || el.find('script').length !== 0) {
          throw new Error(`unexpected body: ${el.html() ?? ''}`);
        }
      },
    },
    {
      intent: 'expression: proc.<test>.group and .value',
      nunjucks: `{{ proc.buttoncolortst.group }}/{{ proc.countryalgotst.value }}/{{ proc.newfeaturerollout.group }}`,
      handlebars: `{{proc.buttoncolortst.group}}/{{proc.countryalgotst.value}}/{{proc.newfeaturerollout.group}}`,
      ejs: `<%= proc.buttoncolortst.group %>/<%= proc.countryalgotst.value %>/<%= proc.newfeaturerollout.group %>`,
      expect: 'blue/0/active',
    },
    {
      intent: 'expression: an unassigned test reads as empty',
      nunjucks: `[{{ proc.unassignedtst.group }}|{{ proc.unassignedtst.payload }}]`,
      handlebars: `[{{proc.unassignedtst.group}}|{{proc.unassignedtst.payload}}]`,
      ejs: `[<%= proc.unassignedtst.group %>|<%= proc.unassignedtst.payload %>]`,
      expect: '[|]',
    },
    {
      intent: 'procPayload: the string payload',
      nunjucks: `{{ 'buttoncolortst' | procPayload('#000') }}|{{ procPayload('buttoncolortst', '#000') }}`,
      handlebars: `{{procPayload 'buttoncolortst' '#000'}}|{{procPayload 'buttoncolortst' '#000'}}`,
      ejs: `<%= procPayload('buttoncolortst', '#000') %>|<%= procPayload('buttoncolortst', '#000') %>`,
      expect: '#2B60DE|#2B60DE',
    },
    {
      intent: 'procPayload: fallback for a null payload, an unassigned and an unconfigured test',
      nunjucks: `{{ 'newfeaturerollout' | procPayload('Sign Up') }}|{{ 'unassignedtst' | procPayload('Sign Up') }}|{{ procPayload('nosuchtst', 'Sign Up') }}`,
      handlebars: `{{procPayload 'newfeaturerollout' 'Sign Up'}}|{{procPayload 'unassignedtst' 'Sign Up'}}|{{procPayload 'nosuchtst' 'Sign Up'}}`,
      ejs: `<%= procPayload('newfeaturerollout', 'Sign Up') %>|<%= procPayload('unassignedtst', 'Sign Up') %>|<%= procPayload('nosuchtst', 'Sign Up') %>`,
      expect: 'Sign Up|Sign Up|Sign Up',
    },
    {
      intent: 'procPayload: no fallback given outputs nothing',
      nunjucks: `[{{ 'unassignedtst' | procPayload }}]`,
      handlebars: `[{{procPayload 'unassignedtst'}}]`,
      ejs: `[<%= procPayload('unassignedtst') %>]`,
      expect: '[]',
    },
    {
      intent: 'procPayload: array element by index, fallback when out of range',
      nunjucks: `{{ 'countryalgotst' | procPayload(7, 1) }}|{{ 'countryalgotst' | procPayload(7, 3) }}|{{ procPayload('countryalgotst', 7, 0) }}|{{ 'countryalgotst' | procPayload(fallback=7, index=2) }}|{{ 'unassignedtst' | procPayload(7, 0) }}`,
      handlebars: `{{procPayload 'countryalgotst' 7 1}}|{{procPayload 'countryalgotst' 7 3}}|{{procPayload 'countryalgotst' 7 0}}|{{procPayload 'countryalgotst' fallback=7 index=2}}|{{procPayload 'unassignedtst' 7 0}}`,
      ejs: `<%= procPayload('countryalgotst', 7, 1) %>|<%= procPayload('countryalgotst', 7, 3) %>|<%= procPayload('countryalgotst', 7, 0) %>|<%= procPayload('countryalgotst', 7, 2) %>|<%= procPayload('unassignedtst', 7, 0) %>`,
      expect: '3|7|2|5|7',
    },
    {
      intent: 'procPayload: a whole array payload',
      nunjucks: `{{ 'countryalgotst' | procPayload }}`,
      handlebars: `{{procPayload 'countryalgotst'}}`,
      ejs: `<%= procPayload('countryalgotst') %>`,
      expect: '2,3,5',
    },
    {
      intent: 'escaping: an adversarial payload is escaped by the engine in {{ }} output',
      nunjucks: `<p>{{ 'buttontexttst' | procPayload('x') }}</p><p>{{ proc.buttontexttst.payload }}</p><p>{{ procPayload('stringarraytst', 'x', 0) }}</p><p>{{ procPayload('stringarraytst', 'x', 1) }}</p>`,
      handlebars: `<p>{{procPayload 'buttontexttst' 'x'}}</p><p>{{proc.buttontexttst.payload}}</p><p>{{procPayload 'stringarraytst' 'x' 0}}</p><p>{{procPayload 'stringarraytst' 'x' 1}}</p>`,
      ejs: `<p><%= procPayload('buttontexttst', 'x') %></p><p><%= proc.buttontexttst.payload %></p><p><%= procPayload('stringarraytst', 'x', 0) %></p><p><%= procPayload('stringarraytst', 'x', 1) %></p>`,
      expect: (el, html) => {
        const texts = el.find('p').map((_i, p) => el.find(p).text()).get();
        const wanted = [EVIL, EVIL, '<b>bold</b>', EVIL];
        if (JSON.stringify(texts) !== JSON.stringify(wanted)) throw new Error(`texts ${JSON.stringify(texts)}`);
        if (el.find('script, b').length !== 0 || /<script|<!--|<b>/i.test(html)) throw new Error(`markup leaked: ${html}`);
      },
    },
    {
      intent: 'procScript: the named tests as a global',
      nunjucks: `{{ procScript('buttoncolortst', 'buttontexttst', 'stringarraytst', 'unassignedtst') }}`,
      handlebars: `{{{procScript 'buttoncolortst' 'buttontexttst' 'stringarraytst' 'unassignedtst'}}}`,
      ejs: `<%- procScript('buttoncolortst', 'buttontexttst', 'stringarraytst', 'unassignedtst') %>`,
      expect: check.globalScript(['buttoncolortst', 'buttontexttst', 'stringarraytst', 'unassignedtst']),
    },
    {
      intent: 'procScript: unconfigured names are skipped, arrays flattened',
      nunjucks: `{{ procScript(['countryalgotst', 'nosuchtst'], 'buttoncolortst') }}`,
      handlebars: `{{{procScript 'countryalgotst' 'nosuchtst' 'buttoncolortst'}}}`,
      ejs: `<%- procScript(['countryalgotst', 'nosuchtst'], 'buttoncolortst') %>`,
      expect: check.globalScript(['countryalgotst', 'buttoncolortst']),
    },
    {
      intent: 'procScript: all configured tests by default; double braces are safe too',
      nunjucks: `{{ procScript() }}`,
      handlebars: `{{procScript}}`,
      ejs: `<%- procScript() %>`,
      expect: check.globalScript(TESTS),
    },
    {
      intent: 'procScript: another global name',
      nunjucks: `{{ procScript('buttoncolortst', name='abGroups') }}`,
      handlebars: `{{{procScript 'buttoncolortst' name='abGroups'}}}`,
      ejs: `<%- procScript('buttoncolortst', { name: 'abGroups' }) %>`,
      expect: check.globalScript(['buttoncolortst'], 'abGroups'),
    },
    {
      intent: 'procScript: JSON island with an id',
      nunjucks: `{{ procScript('buttontexttst', 'countryalgotst', mode='json', id='ab-data') }}`,
      handlebars: `{{{procScript 'buttontexttst' 'countryalgotst' mode='json' id='ab-data'}}}`,
      ejs: `<%- procScript('buttontexttst', 'countryalgotst', { mode: 'json', id: 'ab-data' }) %>`,
      expect: check.jsonIsland(['buttontexttst', 'countryalgotst'], 'ab-data'),
    },
    {
      intent: 'procScript: the nonce attribute, escaped',
      nunjucks: `{{ procScript('buttoncolortst', nonce='n"><x') }}`,
      handlebars: `{{{procScript 'buttoncolortst' nonce='n"><x'}}}`,
      ejs: `<%- procScript('buttoncolortst', { nonce: 'n"><x' }) %>`,
      expect: (el) => {
        const script = el.find('script');
        if (script.length !== 1 || script.attr('nonce') !== 'n"><x' || el.find('x').length !== 0) throw new Error(`nonce: ${el.html() ?? ''}`);
      },
    },
    {
      intent: 'forced: a privileged force string wins',
      nunjucks: `{{ proc.buttoncolortst.group }}{% proctor 'buttoncolortst', 'green' %}!{% endproctor %}{{ procPayload('buttoncolortst') }}`,
      handlebars: `{{proc.buttoncolortst.group}}{{#proctor 'buttoncolortst' 'green'}}!{{/proctor}}{{procPayload 'buttoncolortst'}}`,
      ejs: `<%= proc.buttoncolortst.group %><% if (proctor('buttoncolortst', 'green')) { %>!<% } %><%= procPayload('buttoncolortst') %>`,
      expect: 'green!#3DFF33',
      forced: true,
    },
  ];
}
