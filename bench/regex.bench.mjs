// Rule regexes (issue 15, item 4): how rule regexes run now (JS RegExp up to each pattern's proven-safe input
// length, re2js beyond it and for every pattern with nested repetition) against the unbounded backtracking JS
// RegExp that ran every pattern before, on the same Java patterns and the same translation.
// - Typical rule patterns: ns per whole-input match, measured in interleaved rounds (A, B, A, B…), with the
//   median of the per-round ratios now/before (the machine is shared and noisy); also re2js forced, for a
//   long hostile value that exceeds the JS cap.
// - Compiling 200 distinct patterns (a cache miss), both engines.
// - ReDoS: `(a+)+$` on n a's and a `!`, one match each; the backtracking side only up to n = 24 (it doubles
//   per character: ~3 s at 26, minutes at 32), the linear side up to the 65,536-character input cap.
// The regex module is not a public entry point, so it is bundled from src/ with esbuild (tsup's own).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.mjs';

const UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

const TYPICAL = [
  ['.*iPhone.*', UA],
  ['(?i).*(bot|crawler|spider).*', UA],
  ['.*Android [4-7]\\..*', UA],
  ['[a-z]{2}_[A-Z]{2}', 'en_US'],
  ['en|fr|de', 'de'],
  ['\\d+', '1234567'],
  ['[a-z&&[^aeiou]]+', 'bcdfgh'],
];

async function load() {
  const { build } = await import('esbuild');
  const dir = await mkdtemp(join(tmpdir(), 'proctor-regex-bench-'));
  const outfile = join(dir, 'regex.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../src/java/regex/engine.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
  });
  const mod = await import(outfile);
  await rm(dir, { recursive: true, force: true });
  return mod;
}

function nsPerCall(fn, calls) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - start) / calls;
}

function once(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

export async function benchRegex({ time = 1000 } = {}) {
  const { compilePattern } = await load();
  const rows = [];
  const rounds = 15;
  const paired = (name, now, before, input) => {
    if (now.matches(input) !== before.matches(input)) throw new Error(`engines disagree on ${name}`);
    // Calls per round sized so that all rounds of both take about `time`.
    const probe = nsPerCall(() => now.matches(input), 200);
    const calls = Math.max(200, Math.round((time * 1e6) / rounds / 2 / probe));
    const a = [];
    const b = [];
    const ratios = [];
    for (let r = 0; r < rounds; r++) {
      const x = nsPerCall(() => now.matches(input), calls);
      const y = nsPerCall(() => before.matches(input), calls);
      a.push(x);
      b.push(y);
      ratios.push(x / y);
    }
    rows.push({ name: `${name}: now`, medianNs: median(a), ratio: median(ratios) });
    rows.push({ name: `${name}: before (backtracking)`, medianNs: median(b) });
  };
  for (const [pattern, input] of TYPICAL) {
    const now = compilePattern(pattern, true);
    const engine = input.length <= now.backtrackingInput ? 'JS' : 're2js';
    paired(`${pattern} on ${input.length} chars (${engine})`, now, compilePattern(pattern, true, 'backtracking'), input);
  }
  const longUa = `${UA} ${'x'.repeat(4000)}`;
  paired(`.*iPhone.* on ${longUa.length} chars (re2js)`, compilePattern('.*iPhone.*', true), compilePattern('.*iPhone.*', true, 'backtracking'), longUa);
  paired(`.*iPhone.* on ${UA.length} chars, re2js forced`, compilePattern('.*iPhone.*', true, 'linear'), compilePattern('.*iPhone.*', true, 'backtracking'), UA);

  // Compiling distinct patterns (cache misses), in interleaved rounds with fresh patterns each time.
  const distinct = (tag) => Array.from({ length: 200 }, (_, i) => `.*(?:iPhone|iPad)${tag}${i}.*|[a-z]{2}_${i}`);
  const compileRows = { now: [], before: [], re2: [] };
  for (let r = 0; r < 7; r++) {
    compileRows.now.push(once(() => distinct(`n${r}`).forEach((p) => compilePattern(p, true).matches(UA))).ms);
    compileRows.before.push(once(() => distinct(`b${r}`).forEach((p) => compilePattern(p, true, 'backtracking').matches(UA))).ms);
    compileRows.re2.push(once(() => distinct(`r${r}`).forEach((p) => compilePattern(p, true, 'linear').matches(UA))).ms);
  }
  const ratios = compileRows.now.map((x, i) => x / compileRows.before[i]);
  rows.push({ name: 'compile + first match, 200 distinct patterns: now (translates twice)', ms: median(compileRows.now), ratio: median(ratios) });
  rows.push({ name: 'compile + first match, 200 distinct patterns: before', ms: median(compileRows.before) });
  rows.push({ name: 'compile + first match, 200 distinct patterns: re2js compiled too', ms: median(compileRows.re2) });

  const redos = compilePattern('(a+)+$', true);
  const redosBefore = compilePattern('(a+)+$', true, 'backtracking');
  for (const n of [20, 22, 24]) {
    const input = `${'a'.repeat(n)}!`;
    const now = once(() => redos.matches(input));
    const before = once(() => redosBefore.matches(input));
    rows.push({ name: `(a+)+$ on ${n} a's + '!': linear (now)`, ms: now.ms });
    rows.push({ name: `(a+)+$ on ${n} a's + '!': backtracking (before)`, ms: before.ms });
  }
  for (const n of [28, 1000, 65535]) {
    const now = once(() => redos.matches(`${'a'.repeat(n)}!`));
    rows.push({ name: `(a+)+$ on ${n} a's + '!': linear (now; before: seconds to forever)`, ms: now.ms });
  }
  return rows;
}
