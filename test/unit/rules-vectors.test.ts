/**
 * Every row of the Java-computed `rules.json` (see the vectors README): the verdict (or error), syntax-only
 * verification, and verification "with context as provided".
 *
 * "Context as provided" is how the oracle ran `RuleVerifyUtils.verifyRule(shouldEvaluate=true)`: the row's
 * context keys are the provided context and the row's own values are the instances verified against (Java's
 * `ruleVerificationContext`), so no default values and no uninstantiated identifiers are involved. Here that
 * is `providedContext` = the row's keys and `verificationContext` = the row's converted values.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuleEvaluationError, RuleSyntaxError } from '../../src/errors.js';
import { compileRule, verifyRule } from '../../src/rules/index.js';
import type { CompiledRule } from '../../src/rules/index.js';
import { fromVectorValue, parseVectorJson } from '../support/vector-values.js';
import { VECTORS_DIR } from '../support/vectors.js';

interface Verification {
  readonly ok: boolean;
}

interface Row {
  readonly id: string;
  readonly rule: string | null;
  readonly context: Record<string, unknown>;
  readonly constants?: Record<string, unknown>;
  readonly result: boolean | null;
  readonly verifySyntaxOnly: Verification;
  readonly verifyWithContextAsProvided: Verification;
}

const { rows } = parseVectorJson(readFileSync(path.join(VECTORS_DIR, 'rules.json'), 'utf8')) as { rows: Row[] };

/**
 * Rows where JS values cannot carry the Java type the row depends on (spec §3.8). Keyed by row id, with the
 * columns that diverge.
 */
const DIVERGENCES: Readonly<Record<string, { readonly columns: readonly ('result' | 'verify')[]; readonly reason: string }>> = {
  r165: {
    columns: ['result'],
    reason: '`bd` is BigDecimal("1.10") (never equal to the Double 1.1); the port reads it as the number 1.1',
  },
};

function scopeOf(row: Row): { constants: Record<string, unknown>; context: Record<string, unknown> } {
  return {
    constants: fromVectorValue(row.constants ?? {}) as Record<string, unknown>,
    context: fromVectorValue(row.context) as Record<string, unknown>,
  };
}

function compile(row: Row): CompiledRule | RuleSyntaxError {
  try {
    return compileRule(row.rule);
  } catch (error) {
    if (error instanceof RuleSyntaxError) return error;
    throw error;
  }
}

function diverges(row: Row, column: 'result' | 'verify'): boolean {
  return DIVERGENCES[row.id]?.columns.includes(column) ?? false;
}

describe('rules.json vectors', () => {
  it('has the expected number of rows', () => {
    expect(rows.length).toBeGreaterThan(300);
  });

  it.each(rows.map((r) => [r.id, r] as const))('%s verdict', (_id, row) => {
    const compiled = compile(row);
    if (compiled instanceof RuleSyntaxError) {
      // A rule Java cannot parse never loads; only the §3.1 shortcut can give it a verdict at run time.
      expect(row.verifySyntaxOnly.ok).toBe(false);
      return;
    }
    let outcome: boolean | RuleEvaluationError;
    try {
      outcome = compiled.evaluate(scopeOf(row));
    } catch (error) {
      if (!(error instanceof RuleEvaluationError)) throw error;
      outcome = error;
    }
    const expected = row.result === null ? 'error' : row.result;
    const actual = outcome instanceof RuleEvaluationError ? 'error' : outcome;
    if (diverges(row, 'result')) expect(actual).not.toEqual(expected);
    else expect(actual, outcome instanceof Error ? outcome.message : undefined).toEqual(expected);
  });

  it.each(rows.map((r) => [r.id, r] as const))('%s syntax-only verification', (_id, row) => {
    const compiled = compile(row);
    const ok = !(compiled instanceof RuleSyntaxError) && verifyRule(compiled, { constants: {} }) === null;
    expect(ok).toBe(row.verifySyntaxOnly.ok);
  });

  it.each(rows.map((r) => [r.id, r] as const))('%s verification with the context as provided', (_id, row) => {
    const compiled = compile(row);
    let problem: string | null;
    if (compiled instanceof RuleSyntaxError) {
      problem = compiled.message;
    } else {
      const { constants, context } = scopeOf(row);
      problem = verifyRule(compiled, {
        constants,
        providedContext: Object.fromEntries(Object.keys(context).map((k) => [k, 'java.lang.Object'])),
        verificationContext: context,
      });
    }
    const ok = problem === null;
    if (diverges(row, 'verify')) expect(ok).not.toBe(row.verifyWithContextAsProvided.ok);
    else expect(ok, problem ?? undefined).toBe(row.verifyWithContextAsProvided.ok);
  });
});
