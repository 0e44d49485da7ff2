/** examples/nunjucks (what `npm start` runs): the shared acceptance suite, plus its own debug-page layout. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSite, get, startSite } from './site-suite.js';
import type { Running } from './site-suite.js';

describeSite('nunjucks');

describe('examples/nunjucks: debug pages in the site layout (baseTemplate)', () => {
  let site: Running;
  beforeAll(async () => {
    site = await startSite('nunjucks');
  });
  afterAll(() => site?.close());

  it('renders the force page inside layout.njk, with the library’s markup as the block content', async () => {
    const { $, status } = await get(site.base, '/private/proctor/force', 'tk=visitor-1');
    expect(status).toBe(200);
    expect($('title').text()).toBe('Proctor: force groups');
    expect($('nav a[href="/private/proctor/force"]').length).toBe(1);
    expect($('h1').text()).toBe('Proctor: force groups');
    expect($('section.test').length).toBe(5);
  });
});
