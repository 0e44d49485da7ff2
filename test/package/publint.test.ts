// publint (https://publint.dev) over the package as `npm pack` would publish it: exports, types, formats,
// files, license. Any message fails, suggestions included: there are none today, so a new one is a
// decision to make (fix it, or allow that code here with the reason).
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, it } from 'vitest';
import { root } from './packed.js';

describe('publint', () => {
  it('finds no error, warning or suggestion in the packed package', async () => {
    const { messages, pkg } = await publint({ pkgDir: root, pack: 'npm', level: 'suggestion', strict: true });
    const report = messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? ''}`);
    expect(report).toEqual([]);
  }, 60_000);
});
