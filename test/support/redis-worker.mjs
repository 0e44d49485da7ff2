// One "web process" of the multi-process Redis tests: the built package (`npx tsup` first), a Pipet source
// whose cache is the Redis store, behind a tiny node:http server. Prints `READY <port>` once listening.
//   GET /page?user=u  → { origin, group, version, ms }   (what a page would render, and how long it waited)
//   GET /logs         → the log lines so far
//   GET /status       → the Redis store's breaker status
// Environment: PIPET_URL, REDIS_URL, VERSION_CHECK_MS (default 60000).
import { createServer } from 'node:http';
import { pipetSource } from '../../dist/index.js';
import { redisStore } from '../../dist/redis.js';

const lines = [];
const logger = {
  warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  error: (message, fields) => lines.push({ level: 'error', message, fields }),
  info: (message, fields) => lines.push({ level: 'info', message, fields }),
};
const store = redisStore({ url: process.env.REDIS_URL, logger, timeoutMs: 50 });
const source = pipetSource({
  apiRoot: process.env.PIPET_URL,
  cache: store,
  versionCheckIntervalMs: Number(process.env.VERSION_CHECK_MS ?? 60_000),
  deadlineMs: 1000,
  logger,
});
let thrown = 0;
process.on('unhandledRejection', () => thrown++);
process.on('uncaughtException', () => thrown++);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const send = (body) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/logs') return send({ lines, thrown });
  if (url.pathname === '/status') return send(store.status());
  const started = performance.now();
  source
    .identify({ tests: ['btntst'], identifiers: { USER: url.searchParams.get('user') ?? 'anon' }, context: {}, forceGroups: null })
    .then(
      (result) => send({ origin: result.origin, group: result.groups.btntst?.name ?? null, version: result.matrixVersion, ms: performance.now() - started }),
      (error) => {
        thrown++;
        res.statusCode = 500;
        send({ error: String(error) });
      },
    );
});
// As an app would: ready once the source is (its Redis store connected), then serve.
await source.ready();
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void Promise.all([source.close?.(), store.close()]).then(() => process.exit(0));
});
