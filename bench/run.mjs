// `npm run bench`: every benchmark with its named baseline, measured in the same run. Never a unit test.
import * as proctor from '../dist/index.js';
import { benchEngine, benchProc } from './engine.bench.mjs';

const time = Number(process.env.BENCH_TIME_MS ?? 1000);

function print(title, rows) {
  console.log(`\n## ${title}`);
  for (const row of rows) {
    const parts = [row.name.padEnd(64)];
    if (row.medianNs !== undefined) parts.push(`${row.medianNs.toFixed(1).padStart(10)} ns median`);
    if (row.ms !== undefined) parts.push(`${row.ms.toFixed(1).padStart(10)} ms`);
    if (row.ratio !== undefined) parts.push(`${row.ratio.toFixed(2).padStart(10)} x`);
    console.log(parts.join(' '));
  }
}

async function optional(file, exportName, ...args) {
  try {
    const mod = await import(file);
    return await mod[exportName](...args);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

console.log(`proctor-node benchmarks on Node ${process.version} (${process.arch}); BENCH_TIME_MS=${time}`);
const hash = await optional('./hash.bench.mjs', 'benchHash', proctor, { time });
if (hash) print('Hashing one identifier (spec §2.6)', hash);
const rules = await optional('./rules.bench.mjs', 'benchRules', proctor, { time });
if (rules) print('Rules (EL)', rules);
print('Assignment', await benchEngine(proctor, { time }));
print('The proc object (10 configured tests)', await benchProc(proctor, { time }));
