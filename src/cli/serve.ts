/**
 * `proctor-node serve`: run the Pipet-compatible server (spec §5) until SIGTERM or SIGINT, logging structured
 * JSON lines on stderr and printing the listening URL on stdout.
 */
import { ConfigError, isProctorError } from '../errors.js';
import type { ProctorError } from '../errors.js';
import type { Logger } from '../logger.js';
import { aggregateRepeats } from '../repeats.js';
import { createPipetServer } from '../server/index.js';
import type { CliIO } from './io.js';
import { EXIT, readText } from './io.js';
import { parseCommandArgs, usageError } from './usage.js';

/** Extra hooks for embedding and tests. */
export interface ServeOptions {
  /** Stops the server like SIGTERM does. */
  readonly signal?: AbortSignal;
  /** Where SIGTERM/SIGINT are listened for. @default process */
  readonly signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** One JSON object per line: `{"time", "level", "msg", ...fields}`. */
function jsonLineLogger(stream: NodeJS.WritableStream): Logger {
  const write =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      let line: string;
      try {
        line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, (_key, value: unknown) =>
          typeof value === 'bigint' ? value.toString() : value,
        );
      } catch {
        line = JSON.stringify({ time: new Date().toISOString(), level, msg, fields: String(fields) });
      }
      stream.write(`${line}\n`);
    };
  return { error: write('error'), warn: write('warn'), info: write('info') };
}

function numberFlag(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw usageError('serve', `--${name} expects ${expected}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** The matrix could not be read at all (missing file, unreachable URL), as opposed to read and rejected. */
function unreadableMatrix(error: ProctorError): boolean {
  return error instanceof ConfigError && error.option === 'matrix' && error.cause instanceof Error && !isProctorError(error.cause);
}

/**
 * `serve` command. Resolves with the exit code once the server has closed (0 after SIGTERM/SIGINT); throws
 * {@link UsageError} for bad flags (64) and an unreadable configuration (66). A matrix that cannot be read
 * gives 66, a bad configuration or matrix 2, an address it cannot listen on 69, each reported on stderr.
 */
export async function serve(args: string[], io: CliIO, options: ServeOptions = {}): Promise<number> {
  const { values } = parseCommandArgs('serve', args, {
    matrix: { type: 'string' },
    config: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'reload-seconds': { type: 'string' },
    'max-query-length': { type: 'string' },
  });
  if (values.matrix === undefined || values.config === undefined) {
    throw usageError('serve', `missing ${values.matrix === undefined ? '--matrix' : '--config'}`);
  }
  const port = numberFlag('port', values.port, 8080, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0-65535)');
  const reloadSeconds = numberFlag('reload-seconds', values['reload-seconds'], 10, (n) => n >= 0, 'a number of seconds ≥ 0');
  const maxQueryLength = numberFlag(
    'max-query-length',
    values['max-query-length'],
    8192,
    (n) => Number.isInteger(n) && n >= 1,
    'a number of characters ≥ 1',
  );
  const host = values.host ?? '127.0.0.1';
  const config = readText(values.config, 'Pipet configuration');
  // The server wraps its logger the same way; passing it aggregated lets the last counts be written at exit.
  const logger = aggregateRepeats(jsonLineLogger(io.stderr));

  let pipet;
  let url: string;
  try {
    pipet = createPipetServer({ matrix: values.matrix, config, reloadSeconds, logger, port, host, maxQueryLength });
    ({ url } = await pipet.listen());
  } catch (error) {
    logger.flush();
    if (isProctorError(error)) {
      io.stderr.write(`proctor-node: ${error.message}\n`);
      return unreadableMatrix(error) ? EXIT.noInput : EXIT.rejected;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      io.stderr.write(`proctor-node: cannot listen on ${host}:${port}: ${(error as Error).message}\n`);
      await pipet?.close();
      return EXIT.unavailable;
    }
    throw error;
  }
  io.stdout.write(`${url}\n`);

  const signals = options.signals ?? process;
  const server = pipet;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (reason: string): void => {
      if (stopping) {
        // A second signal while draining: stop waiting for slow clients.
        server.server.closeAllConnections();
        return;
      }
      stopping = true;
      logger.info?.('pipet: shutting down', { reason });
      void server.close().then(() => {
        signals.off('SIGTERM', onTerm);
        signals.off('SIGINT', onInt);
        options.signal?.removeEventListener('abort', onAbort);
        logger.flush();
        resolve();
      });
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    const onAbort = (): void => stop('abort');
    // `on`, not `once`: a second signal must reach `stop` too instead of killing the process mid-drain.
    signals.on('SIGTERM', onTerm);
    signals.on('SIGINT', onInt);
    if (options.signal?.aborted) stop('abort');
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  return EXIT.ok;
}
