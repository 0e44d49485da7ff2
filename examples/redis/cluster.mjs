// Several processes, one truth: a node:cluster site whose workers share Pipet assignments and the matrix
// version through Redis. Run a Pipet (e.g. `npx proctor-node serve …`) and Redis, then:
//   PIPET_URL=http://127.0.0.1:8080 REDIS_URL=redis://127.0.0.1:6379 node examples/redis/cluster.mjs
// and open http://localhost:3000/?user=u1 a few times: one worker asks Pipet, the others read Redis.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { consoleLogger, pipetSource } from 'proctor-node';
import { redisStore } from 'proctor-node/redis';

const workers = Number(process.env.WORKERS ?? Math.min(4, availableParallelism()));

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const cache = redisStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger: consoleLogger });
  const source = pipetSource({ apiRoot: process.env.PIPET_URL ?? 'http://127.0.0.1:8080', cache, logger: consoleLogger });
  const server = createServer(async (req, res) => {
    const user = new URL(req.url ?? '/', 'http://site').searchParams.get('user') ?? 'anonymous';
    const result = await source.identify({ tests: ['buttoncolortst'], identifiers: { USER: user }, context: { country: 'US' }, forceGroups: null });
    res.setHeader('content-type', 'text/plain');
    res.end(`worker ${process.pid}: ${result.groups.buttoncolortst?.name ?? 'unassigned'} (${result.origin})\n`);
  });
  // Serve once Redis answers: the first pages then read what the other workers cached.
  await source.ready();
  server.listen(Number(process.env.PORT ?? 3000));
  process.on('SIGTERM', () => server.close(() => void Promise.all([source.close(), cache.close()]).then(() => process.exit(0))));
}
