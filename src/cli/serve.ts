/**
 * `proctor-node serve`: run the Pipet-compatible server (spec §5) until SIGTERM or SIGINT, logging structured
 * JSON lines on stderr and printing the listening URL on stdout.
 */
import { parseArgs } from 'node:util';
import { isProctorError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createPipetServer } from '../server/index.js';
import type { CliIO } from './io.js';
import { readText, UsageError } from './io.js';

const USAGE =
  'usage: proctor-node serve --matrix <file|url> --config <pipet-config.json> [--port 8080] [--host 127.0.0.1] [--reload-seconds 10]';

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
    throw new UsageError(`--${name} expects ${expected}, got ${JSON.stringify(value)}\n${USAGE}`);
  }
  return n;
}

/**
 * `serve` command. Resolves with the exit code once the server has closed (0 after SIGTERM/SIGINT); throws
 * {@link UsageError} for bad flags. A bad configuration or matrix is reported on stderr with exit code 2.
 */
export async function serve(args: string[], io: CliIO, options: ServeOptions = {}): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        matrix: { type: 'string' },
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'reload-seconds': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.matrix === undefined || values.config === undefined) throw new UsageError(USAGE);
  const port = numberFlag('port', values.port, 8080, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0-65535)');
  const reloadSeconds = numberFlag('reload-seconds', values['reload-seconds'], 10, (n) => n >= 0, 'a number of seconds ≥ 0');
  const host = values.host ?? '127.0.0.1';
  const config = readText(values.config, 'Pipet configuration');
  const logger = jsonLineLogger(io.stderr);

  let pipet;
  let url: string;
  try {
    pipet = createPipetServer({ matrix: values.matrix, config, reloadSeconds, logger, port, host });
    ({ url } = await pipet.listen());
  } catch (error) {
    if (isProctorError(error)) {
      io.stderr.write(`proctor-node: ${error.message}\n`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      io.stderr.write(`proctor-node: cannot listen on ${host}:${port}: ${(error as Error).message}\n`);
      await pipet?.close();
      return 1;
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
  return 0;
}
