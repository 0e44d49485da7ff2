/** Dispatch of the `proctor-node` command line (no side effects on import). */
import { isProctorError } from '../errors.js';
import { assignCommand, explainCommand, validate } from './commands.js';
import { serve } from './serve.js';
import type { CliIO } from './io.js';
import { UsageError } from './io.js';

const HELP = `proctor-node: Proctor A/B testing for Node.js

Commands:
  validate <matrix.json> [--spec <file>] [--strict]   check a test matrix; exit 2 rejected, 1 invalid tests (--strict)
  assign --matrix <file> [--spec <file>] [--identifier-validator noop|noEmpty]
                                                      JSON lines on stdin -> one JSON line of groups per line
  explain --matrix <file> --test <name> --id USER=abc [--ctx key=value ...] [--force <prforceGroups>] [--json]
                                                      why a user gets a bucket, step by step
  serve --matrix <file|url> --config <pipet-config.json> [--port 8080] [--host 127.0.0.1] [--reload-seconds 10]
                                                      run a Pipet-compatible REST service
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'validate':
        return validate(args, io);
      case 'assign':
        return await assignCommand(args, io);
      case 'explain':
        return explainCommand(args, io);
      case 'serve':
        return await serve(args, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP);
        return command === undefined ? 64 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`proctor-node: ${error.message}\n`);
      return error.exitCode;
    }
    if (isProctorError(error) || (error instanceof Error && error.name === 'TypeError' && 'code' in error)) {
      io.stderr.write(`proctor-node: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

