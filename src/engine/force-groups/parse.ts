/**
 * Force groups, the parser: Java's `ForceGroupsOptionsStrings.parseForceGroupsString` (spec §4.2), one
 * left-to-right pass over the string with the payload scanner of `scan.ts` (whose header explains why no
 * RegExp is used).
 */

import type { Payload } from '../../matrix/types.js';
import { parseJavaInt } from '../../java/numbers/index.js';
import { COMMA, isDigit, isLowerOrUnderscore, isWordChar, MINUS, SEMICOLON } from './chars.js';
import { parsePayload } from './coerce.js';
import { PayloadScanner } from './scan.js';
import { EMPTY_FORCE_GROUPS, readonlyMap, type ForceGroups, type ForceGroupsDefaultMode, type ParseForceGroupsOptions } from './types.js';

/**
 * Parses a force-groups string exactly like Java's `ForceGroupsOptionsStrings.parseForceGroupsString`
 * (spec §4.2). Never throws, whatever the input; runs in linear time.
 *
 * Quirks kept from Java: an element counts only if it is followed by `,` or the end (`"abc1 "` forces
 * nothing); junk before an element is skipped (`foo-bar1` forces `bar`); a one-character test name is never
 * forced (`a1`, though `a-1` is); `ab21` means test `ab`, bucket 21; a payload that does not match the
 * grammar voids the whole element, while one that matches but fails to parse keeps the group.
 *
 * @param input - the raw `prforceGroups` value (URL-decoded)
 * @param options - which tests may force payloads; all by default
 * @returns the forced groups, payloads and default mode; {@link EMPTY_FORCE_GROUPS} when nothing is forced
 */
export function parseForceGroups(input: string, options?: ParseForceGroupsOptions): ForceGroups {
  if (typeof input !== 'string' || input.length === 0) return EMPTY_FORCE_GROUPS;
  const allowed = options?.forcePayloadTests ?? 'all';
  const s = input;
  const n = s.length;
  const scanner = new PayloadScanner(s);
  const groups = new Map<string, number>();
  const payloads = new Map<string, Payload>();
  let defaultMode: ForceGroupsDefaultMode = 'NONE';

  // The \w run around the current position; positions only move forward, so one run is cached at a time.
  let runEnd = -1;
  let lastDigit = -1; // largest digit index in the run
  let dashDigitsEnd = -1; // end of `-\d+` right after the run, or -1

  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (!isWordChar(c)) {
      i++;
      continue;
    }
    if (i >= runEnd) {
      let j = i;
      lastDigit = -1;
      while (isWordChar(s.charCodeAt(j))) {
        if (isDigit(s.charCodeAt(j))) lastDigit = j;
        j++;
      }
      runEnd = j;
      dashDigitsEnd = -1;
      if (s.charCodeAt(j) === MINUS && isDigit(s.charCodeAt(j + 1))) {
        let k = j + 1;
        while (isDigit(s.charCodeAt(k))) k++;
        dashDigitsEnd = k;
      }
    }

    // `\w+-?\d+` at i: greedy \w+ first tries the whole run followed by `-\d+`, then backs off to the
    // last digit of the run (which must leave at least one \w before it).
    let groupEnd = -1;
    if (dashDigitsEnd >= 0) groupEnd = dashDigitsEnd;
    else if (lastDigit > i) groupEnd = lastDigit + 1;

    let matchEnd: number;
    let payloadEnd = -1;
    if (groupEnd >= 0) {
      matchEnd = groupEnd;
      if (s.charCodeAt(groupEnd) === SEMICOLON) {
        payloadEnd = scanner.payloadEnd(groupEnd);
        if (payloadEnd >= 0) matchEnd = payloadEnd;
      }
    } else if (isLowerOrUnderscore(c)) {
      matchEnd = i + 1;
      while (isLowerOrUnderscore(s.charCodeAt(matchEnd))) matchEnd++;
      groupEnd = matchEnd;
    } else {
      i++;
      continue;
    }

    // Java skips a match not followed by ',' or the end, and resumes the search after it either way.
    if (matchEnd === n || s.charCodeAt(matchEnd) === COMMA) {
      const group = s.slice(i, groupEnd);
      if (group === 'default_to_fallback') defaultMode = 'FALLBACK';
      else if (group === 'default_to_min_live') defaultMode = 'MIN_LIVE';

      // Java's getBucketValueStart: trailing digits, a '-' just before them, at least one name char before.
      let k = group.length - 1;
      while (k >= 0 && isDigit(group.charCodeAt(k))) k--;
      if (k !== group.length - 1 && k >= 1) {
        if (group.charCodeAt(k) !== MINUS) k++;
        const value = parseJavaInt(group.slice(k));
        if (value !== null) {
          const name = group.slice(0, k);
          groups.set(name, value === 0 ? 0 : value); // Java ints have no -0 ("a-0" forces a to 0)
          if (payloadEnd >= 0 && (allowed === 'all' || allowed.has(name))) {
            let typeEnd = groupEnd + 1;
            while (isWordChar(s.charCodeAt(typeEnd))) typeEnd++;
            const payload = parsePayload(s, groupEnd + 1, typeEnd);
            if (payload !== null) payloads.set(name, payload);
          }
        }
      }
    }
    i = matchEnd;
  }

  if (groups.size === 0 && payloads.size === 0 && defaultMode === 'NONE') return EMPTY_FORCE_GROUPS;
  return Object.freeze({ groups: readonlyMap(groups), payloads: readonlyMap(payloads), defaultMode });
}
