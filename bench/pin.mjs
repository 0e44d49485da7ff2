// CPU pinning for the HTTP benchmarks. On a small machine the scheduler's placement of server and load
// generator moves an rps figure by more than the few % being measured (an unpinned A/A run of the Express
// bench favoured the second-started server by ~8 %), so with `taskset` (util-linux) and >= 2 CPUs the
// servers get the last CPU and the load generator the others.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** The last CPU, when `taskset` can pin processes to CPUs and there are at least two; else null. */
export function pinnedCpu() {
  if (availableParallelism() < 2) return null;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return availableParallelism() - 1;
  } catch {
    return null;
  }
}

/** The CPUs before `cpu`, as taskset writes them: '0' or '0-3'. */
export function otherCpus(cpu) {
  return cpu === 1 ? '0' : `0-${cpu - 1}`;
}

/** Pin every thread of process `pid` (default: this one) to `cpus`, e.g. '0' or '0-3'. */
export function pin(cpus, pid = process.pid) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  } catch {
    // Unpinned is still a measurement, only a noisier one.
  }
}

/** `fork` options that start a Node child pinned to `cpus` (unchanged when `cpus` is null). */
export function pinnedFork(cpus) {
  return cpus === null ? {} : { execPath: 'taskset', execArgv: ['-c', String(cpus), process.execPath] };
}
