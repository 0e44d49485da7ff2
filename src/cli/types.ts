/**
 * `proctor-node types (--spec <file> | --matrix <file>) [--out <file.ts>] [--check] [--no-register]`: the
 * TypeScript module that declares the application's tests (see `types-module.ts`); `--check` compares it with
 * the file on disk instead of writing it, for CI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isProctorError } from '../errors.js';
import type { CliIO } from './io.js';
import { EXIT, readText, UsageError } from './io.js';
import { fromMatrix, fromSpecification } from './types-model.js';
import type { Declared } from './types-model.js';
import { renderModule } from './types-module.js';
import { parseCommandArgs, usageError } from './usage.js';

/** The first line where `actual` and `expected` differ, for the stale message. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) {
      const show = (line: string | undefined): string => (line === undefined ? 'the end of the file' : JSON.stringify(line.trim()));
      return `line ${i + 1} is ${show(a[i])}, expected ${show(e[i])}`;
    }
  }
  return 'it differs';
}

/** Read the file on disk for `--check`: null when it does not exist. */
function readExisting(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, EXIT.noInput);
  }
}

/**
 * The tests a `--spec` or `--matrix` file declares, for `types` and `check-templates`. A file that is not
 * one is reported on stderr and answered with its exit code: 3 for a specification, 2 for a matrix.
 */
export function readDeclared(input: string, kind: 'specification' | 'matrix', io: CliIO): Declared | number {
  const text = readText(input, kind);
  try {
    return kind === 'specification' ? fromSpecification(text) : fromMatrix(text);
  } catch (error) {
    if (!isProctorError(error)) throw error;
    io.stderr.write(`${input}: rejected ${kind}: ${error.message}\n`);
    return kind === 'specification' ? EXIT.specification : EXIT.rejected;
  }
}

export function typesCommand(args: string[], io: CliIO): number {
  const { values } = parseCommandArgs('types', args, {
    spec: { type: 'string' },
    matrix: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'boolean' },
    'no-register': { type: 'boolean' },
  });
  if ((values.spec === undefined) === (values.matrix === undefined)) {
    throw usageError('types', values.spec === undefined ? 'missing --spec or --matrix' : 'give --spec or --matrix, not both');
  }
  const out = values.out;
  if (values.check && out === undefined) throw usageError('types', '--check needs --out <file>: the module to compare');
  const input = (values.spec ?? values.matrix) as string;
  const kind = values.spec !== undefined ? 'specification' : 'matrix';
  const declared = readDeclared(input, kind, io);
  if (typeof declared === 'number') return declared;
  for (const dropped of declared.dropped) io.stderr.write(`${input}: skipped (the local source drops it too): ${dropped}\n`);
  const module = renderModule(declared, {
    from: path.basename(input),
    register: values['no-register'] !== true,
    declarationOnly: out !== undefined && /\.d\.[cm]?ts$/.test(out),
  });
  const count = `${declared.tests.length} test${declared.tests.length === 1 ? '' : 's'}`;
  if (out === undefined) {
    io.stdout.write(module);
    return EXIT.ok;
  }
  if (values.check) {
    const existing = readExisting(out);
    if (existing === module) {
      io.stdout.write(`${out}: up to date (${count} from ${input})\n`);
      return EXIT.ok;
    }
    io.stderr.write(`${out}: ${existing === null ? 'does not exist' : firstDifference(existing, module)}\n`);
    io.stdout.write(`${out}: stale; run proctor-node types without --check to update it (${count} from ${input})\n`);
    return EXIT.findings;
  }
  try {
    writeFileSync(out, module);
  } catch (error) {
    throw new UsageError(`cannot write ${out}: ${(error as Error).message}`, EXIT.internal);
  }
  io.stdout.write(`${out}: ${count} from ${input}\n`);
  return EXIT.ok;
}
