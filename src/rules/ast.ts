/** Syntax tree of a rule, shaped like Tomcat 7's EL AST (parentheses leave no node). @internal */

/** Binary operators, by their canonical symbol. @internal */
export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%';

/** One `.name` or `[expr]` step, optionally followed by method arguments. @internal */
export interface Suffix {
  readonly name: string | null;
  readonly index: Expr | null;
  readonly args: readonly Expr[] | null;
  readonly pos: number;
}

/** An EL expression node. @internal */
export type Expr =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'int'; readonly image: string }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: number }
  | {
      readonly kind: 'func';
      readonly prefix: string;
      readonly name: string;
      readonly args: readonly Expr[];
      readonly pos: number;
    }
  | { readonly kind: 'value'; readonly prefix: Expr; readonly suffixes: readonly Suffix[] }
  | { readonly kind: 'neg' | 'not' | 'empty'; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'choice'; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr };

/** A whole rule string: one `${…}`/`#{…}` expression, or a composite of literal text and expressions. @internal */
export type RuleAst =
  | { readonly kind: 'expression'; readonly expr: Expr }
  | { readonly kind: 'composite'; readonly parts: readonly (string | Expr)[] };

/**
 * Call `visit` on each direct sub-expression of `e`, in source order: function arguments, a value's prefix
 * then each suffix's index and arguments, operands. The one place that knows the shape of every node; the
 * load-time walks (variables a rule reads, literal regexes) are built on it.
 */
export function forEachChild(e: Expr, visit: (child: Expr) => void): void {
  switch (e.kind) {
    case 'func':
      for (const a of e.args) visit(a);
      return;
    case 'value':
      visit(e.prefix);
      for (const s of e.suffixes) {
        if (s.index !== null) visit(s.index);
        for (const a of s.args ?? []) visit(a);
      }
      return;
    case 'neg':
    case 'not':
    case 'empty':
      visit(e.arg);
      return;
    case 'binary':
      visit(e.left);
      visit(e.right);
      return;
    case 'choice':
      visit(e.test);
      visit(e.then);
      visit(e.otherwise);
      return;
    default:
      return;
  }
}
