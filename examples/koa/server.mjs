// `node examples/koa/server.mjs` (after `npm run build`): the Koa example site on PORT (default 3000).
import { createApp } from './app.mjs';

const app = await createApp();
const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => console.log(`proctor-node Koa example on http://127.0.0.1:${port} (debug pages: /private/proctor/force)`));
