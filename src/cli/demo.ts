/** `demo`: what `npm start` runs until the example site exists: assign a few users on the example matrix. */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Proctor } from '../engine/proctor.js';
import { explainAssignment } from '../engine/explain.js';
import type { CliIO } from './io.js';
import { readText } from './io.js';

const EXAMPLE_MATRIX = fileURLToPath(new URL('../../examples/matrix.json', import.meta.url));

export function demo(args: string[], io: CliIO): number {
  const { values } = parseArgs({ args, options: { matrix: { type: 'string' } } });
  const file = values.matrix ?? EXAMPLE_MATRIX;
  const proctor = Proctor.fromMatrix(readText(file, 'matrix'));
  const out = (line = ''): void => {
    io.stdout.write(`${line}\n`);
  };
  out(`Matrix ${file}`);
  out(`version ${proctor.matrixVersion}; tests: ${proctor.loadResult.loadedTests.join(', ')}`);
  out();
  const users = [
    { id: 'pa5xq0lz4n80', country: 'US', loggedIn: true },
    { id: 'user-42', country: 'FR', loggedIn: false },
    { id: 'a1b2c3', country: 'US', loggedIn: false },
    { id: 'zz-top', country: 'JP', loggedIn: true },
  ];
  for (const user of users) {
    const result = proctor.determineTestGroups({
      identifiers: { USER: user.id },
      context: { country: user.country, loggedIn: user.loggedIn, userAgent: { mobileDevice: false } },
    });
    const groups = Object.entries(result.groups)
      .map(([name, g]) => `${name}=${g.name}(${g.value})`)
      .join(' ');
    out(`USER ${user.id.padEnd(14)} ${user.country} loggedIn=${String(user.loggedIn).padEnd(5)} ${groups}`);
    out(`  logging string: ${result.toLoggingString() || '(empty)'}`);
  }
  out();
  out('Forcing groups (what ?prforceGroups=buttoncolortst2 does for a privileged user):');
  const forced = proctor.determineTestGroups({ identifiers: { USER: 'user-42' }, context: { country: 'FR', loggedIn: false }, forceGroups: 'buttoncolortst2' });
  out(`  buttoncolortst → ${forced.groups.buttoncolortst?.name ?? 'unassigned'} (${JSON.stringify(forced.groups.buttoncolortst?.payload ?? null)})`);
  out();
  out('Why does pa5xq0lz4n80 get its buttoncolortst bucket?');
  for (const step of explainAssignment(proctor, 'buttoncolortst', { identifiers: { USER: 'pa5xq0lz4n80' }, context: {} }).steps) {
    out(`  ${step}`);
  }
  return 0;
}
