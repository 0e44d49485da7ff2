/**
 * Load-time check of the regexes a rule writes as string literals: `proctor:matches(ua, '…')` (and `indeed:`),
 * `s.matches('…')` and `s.split('…')`. A pattern with a construct this port refuses (`\N{…}`, a possessive
 * quantifier, a backtracking-only pattern whose search cannot be bounded…) makes the rule fail to load, with
 * the rule and the construct named, instead of failing on every evaluation. A pattern Java itself rejects
 * stays an evaluation error, as in Java; a pattern computed at run time is checked when it is first used.
 */
import { RuleSyntaxError } from '../errors.js';
import { compileJavaRegex, compileJavaSplit, javaMatches, UnsupportedRegexError } from '../java/regex/index.js';
import { forEachChild } from './ast.js';
import type { Expr, RuleAst } from './ast.js';
import type { FunctionTable } from './functions.js';

function check(pattern: Expr | undefined, whole: boolean, source: string, pos: number): void {
  if (pattern?.kind !== 'string') return;
  try {
    if (whole) compileJavaRegex(pattern.value);
    else compileJavaSplit(pattern.value);
  } catch (error) {
    if (!(error instanceof UnsupportedRegexError)) return;
    throw new RuleSyntaxError(
      `${error.message}, in the regex ${JSON.stringify(pattern.value)} of rule ${source}`,
      source,
      pos,
      pattern.value,
      { cause: error },
    );
  }
}

function walk(e: Expr, table: FunctionTable, source: string): void {
  if (e.kind === 'func' && table.get(`${e.prefix}:${e.name}`)?.impl === javaMatches) check(e.args[1], true, source, e.pos);
  if (e.kind === 'value') {
    for (const s of e.suffixes) {
      if (s.args !== null && s.args.length === 1 && (s.name === 'matches' || s.name === 'split')) {
        check(s.args[0], s.name === 'matches', source, s.pos);
      }
    }
  }
  forEachChild(e, (child) => walk(child, table, source));
}

/** Throws {@link RuleSyntaxError} when a literal regex in the rule uses a construct this port refuses. @internal */
export function checkRegexLiterals(ast: RuleAst, table: FunctionTable, source: string): void {
  if (ast.kind === 'expression') walk(ast.expr, table, source);
  else for (const part of ast.parts) if (typeof part !== 'string') walk(part, table, source);
}
