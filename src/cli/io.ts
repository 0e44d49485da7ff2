/** Exit codes, errors, file and stream helpers shared by the CLI commands. */
import { readFileSync } from 'node:fs';
import { readJson } from '../java/json-reader.js';
import type { Logger } from '../logger.js';
import { aggregateRepeats } from '../repeats.js';
import type { AggregatingLogger } from '../repeats.js';

/** The exit codes, the same for every command (sysexits.h numbers for usage and input problems). */
export const EXIT = Object.freeze({
  ok: 0,
  findings: 1,
  rejected: 2,
  specification: 3,
  usage: 64,
  noInput: 66,
  unavailable: 69,
  internal: 70,
});

/** An error the CLI reports in one message and exits with its code: 64 bad usage (default), 66 unreadable input. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as Error).message}`, EXIT.noInput);
  }
}

/** A logger that writes one line per event to stderr. */
export function stderrLogger(stderr: NodeJS.WritableStream): Logger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    stderr.write(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  };
  return { warn: write('WARN'), error: write('ERROR'), info: write('INFO') };
}

/** How often a command that runs for long reports the count of a repeated warning or error. */
export const REPEAT_INTERVAL_MS = 10_000;

/**
 * The logger of a command: a repeated warning or error (the same rule failing on every request) is written
 * once, then as a count; the command calls `flush()` when it finishes so the last count is written.
 */
export function commandLogger(io: CliIO): AggregatingLogger {
  return aggregateRepeats(stderrLogger(io.stderr), { intervalMs: REPEAT_INTERVAL_MS });
}

/**
 * `key=value` pairs from repeated flags; values are JSON when they parse (`5`, `true`, `"x"`), else text.
 * JSON numbers are read as Jackson reads them: `5` an Integer, `5.0` a Double.
 */
export function parsePairs(pairs: readonly string[], flag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    let value: unknown;
    try {
      value = readJson(raw, { numbers: 'java' });
    } catch {
      value = raw;
    }
    out[key] = value;
  }
  return out;
}

/** Streams the CLI writes to; injectable for tests. */
export interface CliIO {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Aborted when stdout is closed (the reader went away, as `| head` does): stop reading and writing. */
  readonly outputClosed?: AbortSignal;
}
