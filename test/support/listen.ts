/** Start an app (Express 4 or 5, or anything with the same `listen`) on a free loopback port. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server the tests started: its base URL and how to stop it. */
export interface Running {
  readonly base: string;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1, port 0; `close()` also drops keep-alive connections. */
export async function listen(app: { listen(port: number, host: string, callback: (error?: Error) => void): Server }): Promise<Running> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
