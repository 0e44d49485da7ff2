/** examples/handlebars (express-handlebars): the shared acceptance suite, plus what is particular to it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSite, expected, get, startSite } from './site-suite.js';
import type { Running } from './site-suite.js';

describeSite('handlebars');

describe('examples/handlebars: templates and layout', () => {
  let site: Running;
  beforeAll(async () => {
    site = await startSite('handlebars');
  });
  afterAll(() => site?.close());

  it('reads proc.<test>.payload in {{#each}} despite Handlebars’ prototype-access rules, inside the main layout', async () => {
    const forced = await get(site.base, '/?prforceGroups=countryalgotst1', 'tk=visitor-2');
    expect(forced.$('#algo').text()).toBe('42, 42, 42');
    expect(forced.$('title').text()).toBe('proctor-node: Express + Handlebars');
    expect(forced.html).not.toContain('{{');
    const user = 'visitor-2';
    const natural = await get(site.base, '/', `tk=${user}`);
    expect(natural.$('#algo').text()).toBe(((expected(user).countryalgotst.payload as number[] | null) ?? [2, 3, 5]).join(', '));
  });
});
