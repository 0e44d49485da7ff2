/** The `proctor-node` commands validate, assign and explain. */
import { createInterface } from 'node:readline';
import { Proctor } from '../engine/proctor.js';
import type { ProctorOptions } from '../engine/proctor.js';
import { explainAssignment } from '../engine/explain.js';
import { isProctorError, SpecificationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { JavaDouble } from '../java/boxes.js';
import { readJson } from '../java/json-reader.js';
import { stringifyJson } from '../java/json-stringify.js';
import { loadMatrix } from '../matrix/load.js';
import { parseSpecification } from '../matrix/specification.js';
import type { Specification } from '../matrix/specification.js';
import type { Payload } from '../matrix/types.js';
import type { CliIO } from './io.js';
import { commandLogger, EXIT, parsePairs, readText, UsageError } from './io.js';
import type { CommandName } from './usage.js';
import { parseCommandArgs, usageError } from './usage.js';

const ENGINE_OPTIONS = { spec: { type: 'string' }, 'identifier-validator': { type: 'string' } } as const;

/**
 * Read and check the `--spec` file: unreadable is 66, not a specification 3 (a matrix that is not one is 2),
 * with the file named in the message.
 */
function readSpecification(file: string): Specification {
  const text = readText(file, 'specification');
  try {
    return parseSpecification(text);
  } catch (error) {
    if (!(error instanceof SpecificationError)) throw error;
    throw new UsageError(`${file}: rejected specification: ${error.message}`, EXIT.specification);
  }
}

function loadOptions(
  command: CommandName,
  values: { spec?: string | undefined; 'identifier-validator'?: string | undefined },
  logger: Logger,
): ProctorOptions {
  const validator = values['identifier-validator'] ?? 'noop';
  if (validator !== 'noop' && validator !== 'noEmpty') {
    throw usageError(command, `--identifier-validator must be noop or noEmpty, got ${JSON.stringify(validator)}`);
  }
  return {
    identifierValidator: validator,
    logger,
    ...(values.spec ? { specification: readSpecification(values.spec) } : {}),
  };
}

/**
 * `validate <matrix.json> [--spec file] [--strict]`: exit 2 matrix rejected, 3 specification rejected, 1 (strict)
 * some test invalid, else 0.
 */
export function validate(args: string[], io: CliIO): number {
  const { values, positionals } = parseCommandArgs('validate', args, { strict: { type: 'boolean' }, spec: { type: 'string' } }, true);
  if (positionals.length !== 1) {
    throw usageError('validate', positionals.length === 0 ? 'missing the matrix file' : `one matrix file at a time, got ${positionals.length}`);
  }
  const file = positionals[0] as string;
  const text = readText(file, 'matrix');
  const specification = values.spec ? readSpecification(values.spec) : undefined;
  let result;
  try {
    result = loadMatrix(text, specification ? { specification } : {});
  } catch (error) {
    if (!isProctorError(error)) throw error;
    io.stderr.write(`${file}: rejected: ${error.message}\n`);
    return EXIT.rejected;
  }
  // One line per invalid test: nothing repeats here, so no aggregating logger.
  for (const rejection of result.errors.values()) {
    const required = result.testErrors.has(rejection.testName) ? ' (required: replaced by its fallback)' : '';
    io.stderr.write(`${file}: ${String(rejection)}${required}\n`);
  }
  for (const name of result.missingTests) io.stderr.write(`${file}: required test ${name} is missing (fallback used)\n`);
  io.stdout.write(
    `${file}: matrix version ${JSON.stringify(result.matrixVersion)}, ${result.loadedTests.length} tests loaded, ${result.errors.size} invalid\n`,
  );
  return values.strict && result.errors.size > 0 ? EXIT.findings : EXIT.ok;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A payload as Jackson writes it: `doubleValue` and `doubleArray` are Doubles (`120.0`); `map` and `json`
 * carry the matrix's own marks of which numbers were Doubles (`stringifyJson` finds them).
 */
function javaPayload(payload: Payload | null | undefined): unknown {
  if (payload == null) return null;
  if (payload.doubleValue != null) return { doubleValue: new JavaDouble(payload.doubleValue) };
  if (payload.doubleArray != null) {
    return { doubleArray: payload.doubleArray.map((d) => (typeof d === 'number' ? new JavaDouble(d) : d)) };
  }
  return payload;
}

/**
 * Check one `assign` input line; returns an error text or the request. The context is read as Jackson reads
 * JSON into a Java `Map`: `30` an Integer, `30.0` a Double (spec §3.8).
 */
function parseRequest(line: string): string | Parameters<Proctor['determineTestGroups']>[0] {
  let doc: unknown;
  try {
    doc = readJson(line, { numbers: 'java' });
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

/** Resolves when `stream` can take more output, or fails, or the output is closed (main handles stdout's errors). */
function drained(stream: NodeJS.WritableStream, closed: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      closed?.removeEventListener('abort', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    closed?.addEventListener('abort', done);
  });
}

/** `assign --matrix <file> [--spec] [--identifier-validator]`: JSON lines in, one JSON line out per line. */
export async function assignCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('assign', args, { matrix: { type: 'string' }, ...ENGINE_OPTIONS });
  if (!values.matrix) throw usageError('assign', 'missing --matrix');
  const logger = commandLogger(io);
  try {
    const proctor = Proctor.fromMatrix(readText(values.matrix, 'matrix'), loadOptions('assign', values, logger));
    const closed = io.outputClosed;
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    // The reader of stdout went away (`| head -1`): stop reading stdin, so that its writer gets EPIPE too.
    const stop = (): void => {
      lines.close();
      (io.stdin as Partial<NodeJS.ReadStream>).destroy?.();
    };
    closed?.addEventListener('abort', stop, { once: true });
    try {
      for await (const line of lines) {
        if (closed?.aborted) break;
        const request = parseRequest(line);
        let out: string;
        if (typeof request === 'string') {
          out = JSON.stringify({ error: request });
        } else {
          const result = proctor.determineTestGroups(request);
          const groups: Record<string, unknown> = {};
          for (const [name, g] of Object.entries(result.groups)) {
            groups[name] = { name: g.name, value: g.value, payload: javaPayload(g.payload), allocation: g.allocation?.id ?? null };
          }
          out = stringifyJson({ groups });
        }
        if (!io.stdout.write(`${out}\n`)) await drained(io.stdout, closed);
      }
    } catch (error) {
      if (closed?.aborted) return EXIT.ok;
      if (typeof (error as NodeJS.ErrnoException).syscall === 'string') {
        throw new UsageError(`cannot read standard input: ${(error as Error).message}`, EXIT.noInput);
      }
      throw error;
    } finally {
      closed?.removeEventListener('abort', stop);
    }
    return EXIT.ok;
  } finally {
    logger.flush();
  }
}

/** `explain --matrix <file> --test <name> --id TYPE=value [--ctx k=v …] [--force s]`. */
export function explainCommand(args: string[], io: CliIO): number {
  const { values } = parseCommandArgs('explain', args, {
    matrix: { type: 'string' },
    test: { type: 'string' },
    id: { type: 'string', multiple: true },
    ctx: { type: 'string', multiple: true },
    force: { type: 'string' },
    random: { type: 'boolean' },
    json: { type: 'boolean' },
    ...ENGINE_OPTIONS,
  });
  if (!values.matrix || !values.test) throw usageError('explain', values.matrix ? 'missing --test' : 'missing --matrix');
  let identifiers: Record<string, string>;
  let context: Record<string, unknown>;
  try {
    identifiers = {};
    for (const [k, v] of Object.entries(parsePairs(values.id ?? [], '--id'))) identifiers[k] = typeof v === 'string' ? v : stringifyJson(v);
    context = parsePairs(values.ctx ?? [], '--ctx');
  } catch (error) {
    throw error instanceof UsageError ? usageError('explain', error.message) : error;
  }
  const logger = commandLogger(io);
  try {
    const proctor = Proctor.fromMatrix(readText(values.matrix, 'matrix'), loadOptions('explain', values, logger));
    const explanation = explainAssignment(proctor, values.test, {
      identifiers,
      context,
      ...(values.force !== undefined ? { forceGroups: values.force } : {}),
      ...(values.random ? { randomEnabled: true } : {}),
    });
    const shown = explanation.result === null ? explanation : { ...explanation, result: { ...explanation.result, payload: javaPayload(explanation.result.payload) } };
    io.stdout.write(values.json ? `${stringifyJson(shown, 2)}\n` : `${explanation.steps.join('\n')}\n`);
    return explanation.found ? EXIT.ok : EXIT.findings;
  } finally {
    logger.flush();
  }
}
