// Runs the Fastify example: `node examples/fastify/server.mjs` (PORT overrides 3000).
import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 3000);
const app = await createApp();
await app.listen({ port }); // localhost: 127.0.0.1 and ::1
console.log(`proctor-node example (Fastify + Nunjucks) on http://localhost:${port}`);
