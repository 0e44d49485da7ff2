/** File and stream helpers shared by the CLI commands. */
import { readFileSync } from 'node:fs';
import type { Logger } from '../logger.js';

/** Thrown for bad command-line usage; main prints it and exits with the given code. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 64,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as Error).message}`, 66);
  }
}

/** A logger that writes one line per event to stderr. */
export function stderrLogger(stderr: NodeJS.WritableStream): Logger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    stderr.write(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  };
  return { warn: write('WARN'), error: write('ERROR'), info: write('INFO') };
}

/** `key=value` pairs from repeated flags; values are JSON when they parse (`5`, `true`, `"x"`), else text. */
export function parsePairs(pairs: readonly string[], flag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
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
}
