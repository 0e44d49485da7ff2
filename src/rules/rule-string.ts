/**
 * Rule-string handling before any parsing (spec §3.1): `ProctorUtils.clasifyElExpression` and the checks of
 * `RuleEvaluator.evaluateBooleanRuleWithValueExpr`.
 */
import { isBlank, isJavaWhitespace, regionMatchesIgnoreCase } from '../java/text.js';

/** `ProctorUtils.ElExpressionClassification`. @internal */
export type Classification = 'EMPTY' | 'CONSTANT_TRUE' | 'CONSTANT_FALSE' | 'OTHER';

/**
 * Trim (`Character.isWhitespace`), strip one `${`…`}`, trim again; empty → EMPTY. With `checkBooleans`, a body
 * starting with `true`/`false` in any case (a prefix test on the rest of the string) is a constant.
 * @internal
 */
export function classify(rule: string | null, checkBooleans: boolean): Classification {
  if (rule === null || isBlank(rule)) return 'EMPTY';
  let start = 0;
  let end = rule.length - 1;
  while (start < rule.length && isJavaWhitespace(rule.charCodeAt(start))) start++;
  while (end > start && isJavaWhitespace(rule.charCodeAt(end))) end--;
  if (rule.startsWith('${', start) && rule.charAt(end) === '}') {
    start += 2;
    end--;
  }
  while (start < rule.length && isJavaWhitespace(rule.charCodeAt(start))) start++;
  while (end > start && isJavaWhitespace(rule.charCodeAt(end))) end--;
  if (end < start) return 'EMPTY';
  if (checkBooleans) {
    if (regionMatchesIgnoreCase(rule, start, 'true')) return 'CONSTANT_TRUE';
    if (regionMatchesIgnoreCase(rule, start, 'false')) return 'CONSTANT_FALSE';
  }
  return 'OTHER';
}

/**
 * The verdict Proctor reaches without evaluating, or undefined when the expression must run:
 * blank → true; not `${…}` exactly (no trimming) → false; empty body or `true…` → true; `false…` → false.
 * @internal
 */
export function constantVerdict(rule: string | null): boolean | undefined {
  if (rule === null || isBlank(rule)) return true;
  if (!rule.startsWith('${') || !rule.endsWith('}')) return false;
  switch (classify(rule, true)) {
    case 'EMPTY':
    case 'CONSTANT_TRUE':
      return true;
    case 'CONSTANT_FALSE':
      return false;
    default:
      return undefined;
  }
}
