/** The `proctor-node` commands: validate, assign, explain. */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Proctor } from '../engine/proctor.js';
import type { ProctorOptions } from '../engine/proctor.js';
import { explainAssignment } from '../engine/explain.js';
import { isProctorError } from '../errors.js';
import { loadMatrix } from '../matrix/load.js';
import type { CliIO } from './io.js';
import { parsePairs, readText, stderrLogger, UsageError } from './io.js';

function loadOptions(values: { spec?: string | undefined; 'identifier-validator'?: string | undefined }, io: CliIO): ProctorOptions {
  const validator = values['identifier-validator'] ?? 'noop';
  if (validator !== 'noop' && validator !== 'noEmpty') {
    throw new UsageError(`--identifier-validator must be noop or noEmpty, got ${JSON.stringify(validator)}`);
  }
  return {
    identifierValidator: validator,
    logger: stderrLogger(io.stderr),
    ...(values.spec ? { specification: readText(values.spec, 'specification') } : {}),
  };
}

/** `validate <matrix.json> [--spec file] [--strict]`: exit 2 rejected, 1 (strict) some test invalid, else 0. */
export function validate(args: string[], io: CliIO): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { strict: { type: 'boolean' }, spec: { type: 'string' } },
  });
  const file = positionals[0];
  if (file === undefined) throw new UsageError('usage: proctor-node validate <matrix.json> [--spec <specification.json>] [--strict]');
  const text = readText(file, 'matrix');
  let result;
  try {
    result = loadMatrix(text, values.spec ? { specification: readText(values.spec, 'specification') } : {});
  } catch (error) {
    if (!isProctorError(error)) throw error;
    io.stderr.write(`${file}: rejected: ${error.message}\n`);
    return 2;
  }
  for (const rejection of result.errors.values()) {
    const required = result.testErrors.has(rejection.testName) ? ' (required: replaced by its fallback)' : '';
    io.stderr.write(`${file}: ${String(rejection)}${required}\n`);
  }
  for (const name of result.missingTests) io.stderr.write(`${file}: required test ${name} is missing (fallback used)\n`);
  io.stdout.write(
    `${file}: matrix version ${JSON.stringify(result.matrixVersion)}, ${result.loadedTests.length} tests loaded, ${result.errors.size} invalid\n`,
  );
  return values.strict && result.errors.size > 0 ? 1 : 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check one `assign` input line; returns an error text or the request. */
function parseRequest(line: string): string | Parameters<Proctor['determineTestGroups']>[0] {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch (error) {
    return `invalid JSON: ${(error as Error).message}`;
  }
  if (!isRecord(doc)) return 'expected a JSON object';
  const { identifiers, context, forceGroups, tests, randomEnabled } = doc;
  if (!isRecord(identifiers) || !Object.values(identifiers).every((v) => typeof v === 'string')) {
    return '"identifiers" must be an object of test type → string';
  }
  if (context !== undefined && !isRecord(context)) return '"context" must be an object';
  if (forceGroups !== undefined && forceGroups !== null && typeof forceGroups !== 'string') return '"forceGroups" must be a string';
  if (tests !== undefined && !(Array.isArray(tests) && tests.every((t) => typeof t === 'string'))) {
    return '"tests" must be an array of test names';
  }
  if (randomEnabled !== undefined && typeof randomEnabled !== 'boolean') return '"randomEnabled" must be a boolean';
  return {
    identifiers: identifiers as Record<string, string>,
    ...(context ? { context } : {}),
    ...(typeof forceGroups === 'string' ? { forceGroups } : {}),
    ...(tests ? { tests: tests as string[] } : {}),
    ...(randomEnabled ? { randomEnabled } : {}),
  };
}

/** `assign --matrix <file> [--spec] [--identifier-validator]`: JSON lines in, one JSON line out per line. */
export async function assignCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { matrix: { type: 'string' }, spec: { type: 'string' }, 'identifier-validator': { type: 'string' } },
  });
  if (!values.matrix) throw new UsageError('usage: proctor-node assign --matrix <matrix.json> [--spec <file>] [--identifier-validator noop|noEmpty] < requests.jsonl');
  const proctor = Proctor.fromMatrix(readText(values.matrix, 'matrix'), loadOptions(values, io));
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const request = parseRequest(line);
    if (typeof request === 'string') {
      io.stdout.write(`${JSON.stringify({ error: request })}\n`);
      continue;
    }
    const result = proctor.determineTestGroups(request);
    const groups: Record<string, unknown> = {};
    for (const [name, g] of Object.entries(result.groups)) {
      groups[name] = { name: g.name, value: g.value, payload: g.payload, allocation: g.allocation?.id ?? null };
    }
    io.stdout.write(`${JSON.stringify({ groups })}\n`);
  }
  return 0;
}

/** `explain --matrix <file> --test <name> --id TYPE=value [--ctx k=v …] [--force s]`. */
export function explainCommand(args: string[], io: CliIO): number {
  const { values } = parseArgs({
    args,
    options: {
      matrix: { type: 'string' },
      spec: { type: 'string' },
      'identifier-validator': { type: 'string' },
      test: { type: 'string' },
      id: { type: 'string', multiple: true },
      ctx: { type: 'string', multiple: true },
      force: { type: 'string' },
      random: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (!values.matrix || !values.test) {
    throw new UsageError('usage: proctor-node explain --matrix <matrix.json> --test <name> --id USER=abc [--ctx country=US ...] [--force <prforceGroups>] [--json]');
  }
  const identifiers: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsePairs(values.id ?? [], '--id'))) identifiers[k] = typeof v === 'string' ? v : JSON.stringify(v);
  const proctor = Proctor.fromMatrix(readText(values.matrix, 'matrix'), loadOptions(values, io));
  const explanation = explainAssignment(proctor, values.test, {
    identifiers,
    context: parsePairs(values.ctx ?? [], '--ctx'),
    ...(values.force !== undefined ? { forceGroups: values.force } : {}),
    ...(values.random ? { randomEnabled: true } : {}),
  });
  io.stdout.write(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : `${explanation.steps.join('\n')}\n`);
  return explanation.found ? 0 : 1;
}
