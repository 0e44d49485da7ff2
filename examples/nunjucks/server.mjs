// Runs the Nunjucks example: `node examples/nunjucks/server.mjs` (PORT overrides 3000).
import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 3000);
const app = await createApp();
const server = app.listen(port, (error) => {
  if (error) throw error;
  console.log(`proctor-node example (Express + Nunjucks) on http://localhost:${server.address().port}`);
});
