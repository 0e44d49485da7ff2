/** Access to the Java-computed compatibility vectors (see the vectors README). */
import { existsSync, readFileSync } from 'node:fs';
import { parseVectorJson } from './vector-values.js';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** `shared/vectors` beside the checkout (or any ancestor); `PROCTOR_VECTORS` overrides. */
function findVectors(): string {
  if (process.env.PROCTOR_VECTORS) return process.env.PROCTOR_VECTORS;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'shared', 'vectors');
    if (existsSync(path.join(candidate, 'assign.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('compatibility vectors not found: set PROCTOR_VECTORS to the shared/vectors folder');
    dir = parent;
  }
}

export const VECTORS_DIR = findVectors();

export function readVectors<T>(file: string): T {
  // Keeps Longs beyond 2^53 exact (plain JSON.parse would round them).
  return parseVectorJson(readFileSync(path.join(VECTORS_DIR, file), 'utf8')) as T;
}
