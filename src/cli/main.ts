/** Entry point of the `proctor-node` command. */
import { EXIT } from './io.js';
import { run } from './run.js';

// Standard output closed early (`proctor-node assign … | head -1`): stop quietly with 0. Any other write
// failure (a full disk) is an error (70). Either way the command is told to stop reading and writing.
const outputClosed = new AbortController();
let outputFailure: number | undefined;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (outputFailure === undefined) {
    outputFailure = error.code === 'EPIPE' ? EXIT.ok : EXIT.internal;
    if (outputFailure !== EXIT.ok) process.stderr.write(`proctor-node: cannot write to standard output: ${error.message}\n`);
  }
  process.exitCode = outputFailure;
  outputClosed.abort();
});
// Nowhere left to report a failing stderr (`2>&1 | head -1`); the command goes on.
process.stderr.on('error', () => undefined);

const io = {
  // Read lazily: most commands never touch stdin.
  get stdin(): NodeJS.ReadableStream {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  outputClosed: outputClosed.signal,
};

run(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = outputFailure ?? code;
  },
  (error: unknown) => {
    process.stderr.write(`proctor-node: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.internal;
  },
);
