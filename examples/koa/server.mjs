// Runs the Koa example: `node examples/koa/server.mjs` (PORT overrides 3000).
import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 3000);
const app = await createApp();
const server = app.listen(port, () => console.log(`proctor-node example (Koa + Nunjucks) on http://localhost:${server.address().port}`));
