/**
 * Typed test names for code that cannot pass them through a type parameter (Express's `req.proc`).
 * Declare your tests once, anywhere in your project:
 *
 * ```ts
 * declare module 'proctor-node' {
 *   interface Register { tests: 'buttoncolortst' | 'buttontexttst' | 'newfeaturerollout' }
 * }
 * ```
 *
 * and `req.proc.buttoncolortst` type-checks while `req.proc.buttoncolrtst` is a compile error.
 */

/** Augment with `tests: 'a' | 'b'` (see the module documentation). Empty by default: any name. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an interface users augment
export interface Register {}

/** The test names declared in {@link Register}, or `string` when none are. */
export type RegisteredTests = Register extends { readonly tests: infer T extends string } ? T : string;
