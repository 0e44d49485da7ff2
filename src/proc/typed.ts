/**
 * Types only: what `proc.<test>` is when the test is declared (by a type parameter or in `Register`, as the
 * module `proctor-node types` generates does). At run time every test is a plain {@link GroupAssignment}.
 */
import type { GroupAssignment } from '../assignment.js';
import type { RegisteredDeclarations, TestDeclaration, TestSet } from '../register.js';

/** A {@link GroupAssignment} whose group, value and payload have the declared types. */
export interface TypedAssignment<D extends TestDeclaration> extends GroupAssignment {
  /** One of the declared bucket names; null when unassigned. */
  readonly group: (keyof D['buckets'] & string) | null;
  /** One of the declared bucket values; null when unassigned. */
  readonly value: D['buckets'][keyof D['buckets']] | null;
  /** The declared payload type; null when the bucket has none or the test is unassigned. */
  readonly payload: D['payload'] | null;
}

/** The declaration of `test` in `declarations`, or never. */
type DeclarationOf<Declarations, K extends string> = K extends keyof Declarations
  ? Declarations[K] extends TestDeclaration
    ? Declarations[K]
    : never
  : never;

/**
 * The assignment type of test `K` of the test set `T`: typed from `T` when `T` holds declarations, else from
 * `Register`'s declarations, else a plain {@link GroupAssignment}.
 */
export type AssignmentOf<T extends TestSet, K extends string> = [DeclarationOf<T extends string ? RegisteredDeclarations : T, K>] extends [
  infer D extends TestDeclaration,
]
  ? [D] extends [never]
    ? GroupAssignment
    : TypedAssignment<D>
  : GroupAssignment;
