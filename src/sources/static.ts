/**
 * The static source: fixed assignments, for your own test suites and examples. It answers synchronously,
 * so it behaves exactly like a local matrix from the `proc` object's point of view.
 */
import type { Payload } from '../matrix/types.js';
import type { IdentifyRequest, IdentifyResult, ProctorSource, SourceAssignment, SyncIdentify } from '../contract.js';

/** A fixed assignment: a bucket name and value, optionally a payload in the matrix shape. */
export interface StaticAssignment {
  readonly name: string;
  readonly value: number;
  readonly payload?: Payload | null;
}

/** Options for {@link staticSource}. */
export interface StaticSourceOptions {
  /** Assignments by test, or a function of the request (to vary by identifier or context). */
  readonly groups:
    | Readonly<Record<string, StaticAssignment>>
    | ((request: IdentifyRequest) => Readonly<Record<string, StaticAssignment>>);
  /** Reported as the matrix version. @default 'static' */
  readonly matrixVersion?: string;
}

/**
 * A source that always answers the given assignments; tests not listed are unassigned.
 * @example
 * const source = staticSource({ groups: { buttoncolortst: { name: 'blue', value: 1, payload: { stringValue: '#2B60DE' } } } });
 */
export function staticSource(options: StaticSourceOptions): ProctorSource & { readonly sync: SyncIdentify } {
  const matrixVersion = options.matrixVersion ?? 'static';
  const sync: SyncIdentify = {
    identifySync(request: IdentifyRequest): IdentifyResult {
      const fixed = typeof options.groups === 'function' ? options.groups(request) : options.groups;
      const groups: Record<string, SourceAssignment> = {};
      for (const test of request.tests) {
        const a = Object.hasOwn(fixed, test) ? fixed[test] : undefined;
        if (a !== undefined) groups[test] = { name: a.name, value: a.value, payload: a.payload ?? null, allocationId: null, version: null };
      }
      return { groups, matrixVersion, origin: 'static' };
    },
  };
  return {
    kind: 'static',
    sync,
    ready: () => Promise.resolve(),
    identify: (request) => Promise.resolve(sync.identifySync(request)),
    getMatrix: () => Promise.resolve(null),
    close: () => Promise.resolve(),
  };
}
