/**
 * A real `redis-server` for tests (Debian's package; `.ci/run` installs it): started on a free loopback port
 * with no persistence, stopped (SIGKILL: a crash, not a shutdown) and restarted on the same port on demand.
 * {@link redisServerMissing} says why the Redis tests are skipped when the binary is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Null when `redis-server` runs here; else the reason the Redis tests are skipped. */
export const redisServerMissing: string | null = (() => {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0 ? null : 'redis-server is not installed (apt-get install redis-server; .ci/run does)';
})();

/** A running Redis. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kill it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Start it again on the same port (empty: nothing was persisted). */
  restart(): Promise<void>;
  /** Stop it for good. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts connections on `port` (at most 10 s). */
async function accepting(port: number): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Start `redis-server` on a free port. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  async function start(): Promise<void> {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await accepting(port);
  }
  async function kill(): Promise<void> {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  }
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, restart: start, stop: kill };
}
