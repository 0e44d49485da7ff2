/** Access to the Java-computed compatibility vectors (see the vectors README). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The vectors live beside the checkout in `shared/vectors`; PROCTOR_VECTORS overrides. */
export const VECTORS_DIR = process.env.PROCTOR_VECTORS ?? path.resolve(here, '../../../shared/vectors');

export function readVectors<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, file), 'utf8')) as T;
}
