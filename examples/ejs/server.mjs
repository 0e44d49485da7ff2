// Runs the EJS example: `node examples/ejs/server.mjs` (PORT overrides 3000).
import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 3000);
const app = await createApp();
const server = app.listen(port, (error) => {
  if (error) throw error;
  console.log(`proctor-node example (Express + EJS) on http://localhost:${server.address().port}`);
});
