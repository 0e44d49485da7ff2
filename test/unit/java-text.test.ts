/** Java's text primitives (`src/java/text.ts`). Expected values are what Java gives. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isBlank,
  isJavaWhitespace,
  javaCompareStrings,
  javaDigit,
  javaEqualsIgnoreCase,
  javaStrip,
  javaTrim,
  parseJavaBoolean,
  regionMatchesIgnoreCase,
} from '../../src/java/text.js';

describe('javaTrim', () => {
  it('strips chars ≤ U+0020 only', () => {
    expect(javaTrim('\u0000\t a \u001f')).toBe('a');
    expect(javaTrim('\u00a0a\u00a0')).toBe('\u00a0a\u00a0');
  });
});

describe('Character.isWhitespace, String.strip, StringUtils.isBlank', () => {
  it('follows Character.isWhitespace, not JS \\s', () => {
    expect(isJavaWhitespace(0x1c)).toBe(true); // FILE SEPARATOR
    expect(isJavaWhitespace(0x2007)).toBe(false); // FIGURE SPACE: no-break, so not Java whitespace
    expect(isJavaWhitespace(0xa0)).toBe(false);
    expect(isJavaWhitespace(0x3000)).toBe(true);
    expect(javaStrip('\u3000a\u2028')).toBe('a');
    expect(isBlank(null)).toBe(true);
    expect(isBlank(' \u2029\t')).toBe(true);
    expect(isBlank('\u00a0')).toBe(false);
  });
});

describe('Character.digit(c, 10)', () => {
  it('reads every BMP decimal digit and nothing else', () => {
    expect(javaDigit(0x30)).toBe(0);
    expect(javaDigit(0x39)).toBe(9);
    expect(javaDigit(0x0663)).toBe(3); // ARABIC-INDIC DIGIT THREE
    expect(javaDigit(0xff19)).toBe(9); // FULLWIDTH DIGIT NINE
    expect(javaDigit(0x2460)).toBe(-1); // CIRCLED DIGIT ONE is No, not Nd
    expect(javaDigit(0x61)).toBe(-1);
    expect(javaDigit(0xd835)).toBe(-1); // half of a supplementary digit
  });
});

describe('case-insensitive comparison and ordering', () => {
  it('equalsIgnoreCase and regionMatches compare unit by unit, upper then lower case', () => {
    expect(javaEqualsIgnoreCase('TRUE', 'true')).toBe(true);
    expect(javaEqualsIgnoreCase('\u212a', 'k')).toBe(true); // KELVIN SIGN lower-cases to k
    expect(javaEqualsIgnoreCase('ß', 'SS')).toBe(false); // no one-to-many mappings
    expect(regionMatchesIgnoreCase('xTrue', 1, 'true')).toBe(true);
    expect(regionMatchesIgnoreCase('xTru', 1, 'true')).toBe(false);
  });

  it('compareTo orders by UTF-16 unit, then length', () => {
    expect(javaCompareStrings('a', 'b')).toBe(-1);
    expect(javaCompareStrings('ab', 'a')).toBe(1);
    expect(javaCompareStrings('\uffff', '\u{1F600}')).toBeGreaterThan(0); // a surrogate sorts below U+FFFF
  });
});

describe('Boolean.parseBoolean', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['tRuE', true],
    ['true ', false],
    ['1', false],
    ['yes', false],
    ['', false],
    [null, false],
  ] as const)('%j → %s', (input, expected) => {
    expect(parseJavaBoolean(input)).toBe(expected);
  });

  it('is "true" ignoring case, as String.toLowerCase sees it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('true', 'TRUE', 'True', 'trUe'), fc.string({ unit: 'binary', maxLength: 6 })), (s) => {
        expect(parseJavaBoolean(s)).toBe(s.toLowerCase() === 'true');
      }),
    );
  });
});
