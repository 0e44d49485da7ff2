import { it } from "vitest";
import { readFileSync } from 'node:fs';
import { createPipetServer } from '../../src/server/index.js';
const logger = { warn: (m: string, f?: object) => process.stderr.write(`WARN ${m} ${JSON.stringify(f)}\n`), error: (m: string, f?: object) => process.stderr.write(`ERROR ${m} ${JSON.stringify(f)}\n`), info: (m: string, f?: object) => process.stderr.write(`INFO ${m} ${JSON.stringify(f)}\n`) };
it("smoke", async () => {
const s = createPipetServer({ matrix: '/work/main/examples/matrix.json', config: readFileSync('/work/main/test/fixtures/pipet-config.json', 'utf8'), logger, port: 0 });
const { url } = await s.listen();
const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:28.0) Gecko/20100101 Firefox/28.0';
for (const p of ['/groups/identify?ctx.country=US&ctx.loggedIn=true&id.USER=pa5xq0lz4n80&test=buttoncolortst,newfeaturerollout,countryalgotst,mobileonly', '/proctor/matrix', '/proctor/matrix/audit', '/proctor/matrix/definition/countryalgotst', '/proctor/matrix/definition/nope', '/config/context', '/config/identifiers', '/health', '/groups/identify?id.USER=x', '/groups/identify?ctx.country=%FF&id.USER=1', '/nope']) {
  const r = await fetch(url + p, { headers: { 'user-agent': ua } });
  console.log(p, r.status, r.headers.get('content-type'));
  console.log(await r.text());
}
await s.close();
});
