/**
 * Runs a stepwise computation (a generator from the core: `Proctor.fromMatrixSteps`, or the matrix text
 * parse of `matrix-text.ts`) a slice at a time, giving the event loop a turn between slices, so that loading
 * a 20,000-test matrix never holds up the requests being served for more than about one slice.
 *
 * Why slices on the main thread rather than a worker: a compiled matrix is made of closures (the compiled
 * rules) that cannot cross a thread boundary, so a worker could only parse, and handing the parsed document
 * back (a structured clone) would block the main thread about as long as parsing it there.
 */

/**
 * Time one slice may run before the event loop gets a turn, in ms. Well under the ~50 ms a request may be
 * delayed by a reload; a turn costs a few µs, so 2,000 turns for a 20,000-test matrix add little.
 */
export const SLICE_MS = 8;

/** A turn of the event loop: I/O callbacks and timers that are due run before it resolves. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Drive `steps` to its end, pausing for a turn of the event loop whenever `sliceMs` passed since the last
 * pause. Resolves with its result, rejects with what it throws.
 */
export async function runInSlices<T>(steps: Generator<void, T>, sliceMs: number = SLICE_MS): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await turn();
      sliceStart = performance.now();
    }
  }
}
