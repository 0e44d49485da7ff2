// Summary statistics shared by the benchmarks.

/** The arithmetic mean. */
export const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The median (the mean of the two middle values for an even count). */
export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
