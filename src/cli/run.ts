/** Dispatch of the `proctor-node` command line (no side effects on import). */
import { readFileSync } from 'node:fs';
import { isProctorError } from '../errors.js';
import { assignCommand, explainCommand, validate } from './commands.js';
import { serve } from './serve.js';
import { checkTemplatesCommand } from './check-templates.js';
import { typesCommand } from './types.js';
import type { CliIO } from './io.js';
import { EXIT, UsageError } from './io.js';
import { commandHelp, isCommand, OVERVIEW, USAGE, wantsHelp } from './usage.js';

/** The version in package.json, found relative to this file (dist/cli/main.js once built). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case undefined:
      // No command is a usage error: the overview goes to stderr, so that `proctor-node | …` shows nothing odd.
      io.stderr.write(OVERVIEW);
      return EXIT.usage;
    case 'help':
    case '--help':
    case '-h': {
      const topic = args[0];
      if (topic === undefined || command !== 'help') {
        io.stdout.write(OVERVIEW);
        return EXIT.ok;
      }
      if (!isCommand(topic)) throw new UsageError(`no help for ${JSON.stringify(topic)}: not a command\n${USAGE.trimEnd()}`);
      io.stdout.write(commandHelp(topic));
      return EXIT.ok;
    }
    case '--version':
    case '-v':
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
  }
  if (!isCommand(command)) {
    const what = command.startsWith('-') ? 'option' : 'command';
    throw new UsageError(`unknown ${what} ${JSON.stringify(command)}\n${USAGE.trimEnd()}`);
  }
  if (wantsHelp(args)) {
    io.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  switch (command) {
    case 'validate':
      return validate(args, io);
    case 'assign':
      return await assignCommand(args, io);
    case 'explain':
      return explainCommand(args, io);
    case 'serve':
      return await serve(args, io);
    case 'types':
      return typesCommand(args, io);
    case 'check-templates':
      return checkTemplatesCommand(args, io);
  }
}

/**
 * Run one command line; resolves with the exit code (see the table in `proctor-node --help`). Errors are
 * reported on `io.stderr`: usage and unreadable input in one line, anything unexpected with its stack (70).
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`proctor-node: ${error.message}\n`);
      return error.exitCode;
    }
    if (isProctorError(error)) {
      io.stderr.write(`proctor-node: ${error.message}\n`);
      return EXIT.rejected;
    }
    io.stderr.write(`proctor-node: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.internal;
  }
}
