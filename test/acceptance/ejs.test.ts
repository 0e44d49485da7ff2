/** examples/ejs: the shared acceptance suite, plus what is particular to it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonClass, describeSite, expected, get, startSite } from './site-suite.js';
import type { Running } from './site-suite.js';

describeSite('ejs');

describe('examples/ejs: helpers in included partials', () => {
  let site: Running;
  beforeAll(async () => {
    site = await startSite('ejs');
  });
  afterAll(() => site?.close());

  it('uses proctor() and procPayload() inside partials/cta.ejs, and the header partial renders', async () => {
    for (const [force, cls] of [['buttoncolortst1', 'btn btn-blue'], ['buttoncolortst0', 'btn btn-grey'], ['buttoncolortst-1', 'btn btn-grey']] as const) {
      const { $ } = await get(site.base, `/?prforceGroups=${force},buttontexttst2`, 'tk=visitor-9');
      expect($('#cta').attr('class'), force).toBe(cls);
      expect($('#cta').text()).toBe('Get started');
      expect($('title').text()).toBe('proctor-node: Express + EJS');
    }
    const { $ } = await get(site.base, '/', 'tk=visitor-9');
    expect($('#cta').attr('class')).toBe(buttonClass(expected('visitor-9').buttoncolortst.group));
  });
});
