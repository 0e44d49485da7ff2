// Summary statistics and the interleaved runner shared by the benchmarks.
//
// The machine is shared and noisy: a figure measured in one block and its baseline in another can differ by
// more than the effect. So tasks are measured in short batches, alternately (A B, then B A, …), and what
// is reported is the median of the paired per-batch figures, with the interquartile range as the spread.

/** The arithmetic mean. */
export const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The q-quantile (0..1) by linear interpolation between order statistics. */
export function quantile(xs, q) {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** The median (the mean of the two middle values for an even count). */
export const median = (xs) => quantile(xs, 0.5);

/** `{ median, q1, q3, n }` of a sample. */
export function summary(xs) {
  return { median: median(xs), q1: quantile(xs, 0.25), q3: quantile(xs, 0.75), n: xs.length };
}

/** "12.3 (IQR 11.9–12.8, n=20)" with `digits` decimals. */
export function spread(xs, digits = 1, unit = '') {
  const s = summary(xs);
  return `${s.median.toFixed(digits)}${unit} (IQR ${s.q1.toFixed(digits)}–${s.q3.toFixed(digits)}${unit}, n=${s.n})`;
}

/**
 * Run `tasks` (name → function of the iteration index) in alternating batches and return, per task, the
 * nanoseconds per call of every batch (index-aligned, so batch k of two tasks ran next to each other).
 * Each batch runs `ops` calls, calibrated so that a batch of the slowest task takes about `batchMs`.
 */
export function interleaved(tasks, { batches = 30, batchMs = 8, warmupMs = 300, warmupBatches = 2 } = {}) {
  const names = Object.keys(tasks);
  // Warm-up (and calibration on the slowest task).
  let ops = Infinity;
  for (const name of names) {
    const fn = tasks[name];
    const until = performance.now() + warmupMs / names.length;
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() < until) for (let k = 0; k < 64; k++) fn(calls++);
    const nsPerCall = ((performance.now() - t0) * 1e6) / calls;
    ops = Math.min(ops, Math.ceil((batchMs * 1e6) / nsPerCall));
  }
  ops = Math.max(16, ops);
  const out = Object.fromEntries(names.map((n) => [n, []]));
  let i = 0;
  // The first batches still see the JIT settle: run, not recorded.
  for (let b = -warmupBatches; b < batches; b++) {
    const order = b % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const fn = tasks[name];
      const t0 = performance.now();
      for (let k = 0; k < ops; k++) fn(i++);
      if (b >= 0) out[name].push(((performance.now() - t0) * 1e6) / ops);
    }
  }
  return out;
}

/** Per-batch ratios `a[k] / b[k]` of two index-aligned samples. */
export const ratios = (a, b) => a.map((x, k) => x / b[k]);

/** Per-batch differences `a[k] - b[k]` of two index-aligned samples. */
export const differences = (a, b) => a.map((x, k) => x - b[k]);
