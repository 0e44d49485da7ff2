// Rules (spec §3): evaluating two typical compiled rules, and parsing + compiling 1,000 distinct rules.
// Each evaluate task call runs BATCH evaluations over varied scopes, so the timer's own cost is spread over
// BATCH ~0.05 µs operations instead of dominating them. Takes the module under test (anything exporting
// `compileRule`, e.g. the built package) so it measures exactly what ships.
import { Bench } from 'tinybench';

const BATCH = 1000;
const COUNTRIES = ['US', 'CA', 'GB', 'DE', 'FR', 'JP', 'BR', 'IN'];
const LANGS = ['en', 'fr', 'de', 'ja', 'pt', 'es', 'it'];

function scopes(n, make) {
  return Array.from({ length: n }, (_, i) => make(i));
}

function distinctRules(n) {
  return Array.from(
    { length: n },
    (_, i) =>
      `\${country == '${COUNTRIES[i % COUNTRIES.length]}${i}' && (age >= ${i % 90} || proctor:contains(LANGS, lang))` +
      ` && !empty user.tags && fn:startsWith(path, '/p${i}') ? ua.osMajor > ${i % 20} : user['k${i}'] == ${i}.5}`,
  );
}

export async function benchRules({ compileRule }, { time = 1000 } = {}) {
  const typical = [
    [
      "${country == 'US' && loggedIn}",
      scopes(BATCH, (i) => ({
        constants: {},
        context: { country: COUNTRIES[i % COUNTRIES.length], loggedIn: i % 3 !== 0 },
      })),
    ],
    [
      '${proctor:contains(LANGS, lang)}',
      scopes(BATCH, (i) => ({ constants: { LANGS: ['en', 'fr', 'de'] }, context: { lang: LANGS[i % LANGS.length] } })),
    ],
  ];
  const sources = distinctRules(1000);
  const bench = new Bench({ time, warmupTime: 200 });
  let sink = 0;
  for (const [source, batch] of typical) {
    const rule = compileRule(source);
    bench.add(`evaluate ${source}`, () => {
      for (let i = 0; i < BATCH; i++) if (rule.evaluate(batch[i])) sink++;
    });
  }
  bench.add('parse + compile 1,000 distinct rules', () => {
    for (const source of sources) sink += compileRule(source).variables.length;
  });
  await bench.run();
  if (sink === 0.5) console.log(sink);
  return bench.tasks.map((task, i) => {
    // tinybench reports milliseconds per task call.
    const perCallNs = task.result.latency.p50 * 1e6;
    const isCompile = i === typical.length;
    const medianNs = isCompile ? perCallNs : perCallNs / BATCH;
    return isCompile
      ? { name: task.name, medianNs, ms: perCallNs / 1e6, opsPerSec: 1e9 / perCallNs }
      : { name: `${task.name} (per evaluation)`, medianNs, opsPerSec: 1e9 / medianNs };
  });
}
