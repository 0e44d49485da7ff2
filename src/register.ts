/**
 * Typed tests for code that cannot pass them through a type parameter (Express's `req.proc`).
 * Declare your tests once, anywhere in your project, by name:
 *
 * ```ts
 * declare module 'proctor-node' {
 *   interface Register { tests: 'buttoncolortst' | 'buttontexttst' | 'newfeaturerollout' }
 * }
 * ```
 *
 * and `req.proc.buttoncolortst` type-checks while `req.proc.buttoncolrtst` is a compile error. Or with their
 * buckets and payloads, as the module `proctor-node types` generates does (`tests: ProctorTests`): then
 * `req.proc.buttoncolortst.group` is `'inactive' | 'control' | 'blue' | 'green' | null` too.
 */

/** One test as `proctor-node types` declares it: its buckets (name → value) and its payload's type. */
export interface TestDeclaration {
  /** Bucket name → bucket value, e.g. `{ readonly inactive: -1; readonly control: 0; readonly blue: 1 }`. */
  readonly buckets: { readonly [bucket: string]: number };
  /** The payload's value type (`string`, `readonly number[]`, …); `never` for a test without payloads. */
  readonly payload: unknown;
}

/** Test name → {@link TestDeclaration}: the `ProctorTests` interface of a generated module. */
export type TestDeclarations = { readonly [test: string]: TestDeclaration };

/**
 * What a type parameter of `createProctor`, `proctor()` and `ProctorGroups` may be: the test names (a union
 * of strings), or their declarations ({@link TestDeclarations}).
 */
export type TestSet = string | TestDeclarations;

/** The test names of a {@link TestSet}. */
export type TestNames<T extends TestSet> = T extends string ? T : keyof T & string;

/**
 * Augment with `tests: 'a' | 'b'`, or with `tests: ProctorTests` from a generated module (see the module
 * documentation). Empty by default: any name.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an interface users augment
export interface Register {}

/** What {@link Register} declares under `tests`, or `string` when nothing is. */
type Declared = Register extends { readonly tests: infer T extends TestSet } ? T : string;

/** The test names declared in {@link Register}, or `string` when none are. */
export type RegisteredTests = TestNames<Declared>;

/** The test declarations in {@link Register} (empty when it declares names only, or nothing). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no declarations: no key matches
export type RegisteredDeclarations = Declared extends TestDeclarations ? Declared : {};

/**
 * The `tests` option for the test set `T`: its names; when `T` is names (inferred from the list) and
 * {@link Register} declares tests, only those (a typo is a compile error).
 */
export type TestList<T extends TestSet> = [T] extends [string]
  ? [Exclude<T, RegisteredTests>] extends [never]
    ? readonly T[]
    : readonly RegisteredTests[]
  : readonly TestNames<T>[];
