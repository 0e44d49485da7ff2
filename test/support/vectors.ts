/** Access to the Java-computed compatibility vectors (see the vectors README). */
import { existsSync, readFileSync } from 'node:fs';
import { parseVectorJson } from './vector-values.js';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { IdentifierValidator } from '../../src/engine/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * `PROCTOR_VECTORS` when set; else `shared/vectors` beside the checkout (or beside any ancestor), the
 * maintained set; else the snapshot in `test/fixtures/vectors`, so a clone anywhere still runs them.
 */
function findVectors(): string {
  if (process.env.PROCTOR_VECTORS) return process.env.PROCTOR_VECTORS;
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'vectors');
    if (existsSync(path.join(candidate, 'assign.json'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return path.resolve(here, '../fixtures/vectors');
}

export const VECTORS_DIR = findVectors();

export function readVectors<T>(file: string): T {
  // Keeps Longs beyond 2^53 exact (plain JSON.parse would round them).
  return parseVectorJson(readFileSync(path.join(VECTORS_DIR, file), 'utf8')) as T;
}

/** The input of an `assign.json` case (see the vectors README). */
export interface AssignCaseInput {
  identifiers: Record<string, string>;
  context: Record<string, unknown>;
  forceGroups?: string;
  forcePayloadTests?: string[];
  tests?: string[];
  randomEnabled?: boolean;
}

/** The fields every `assign.json` matrix has; each test adds its reading of `load` and `cases`. */
export interface AssignMatrixBase {
  name: string;
  matrix: unknown;
  matrixText?: string;
  specification: unknown;
  identifierValidator: IdentifierValidator;
}
