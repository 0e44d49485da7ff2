/**
 * `ReleaseVersion` from `indeedeng/util-core` (spec §3.6): what `proctor:version()` returns and what
 * `proctor:versionInRange()` compares.
 */

import { parseJavaInt } from '../java/numbers/index.js';

/** How many components take part in comparisons: set by where the wildcard `x` sits. */
export type MatchPrecision = 'MAJOR' | 'MINOR' | 'PATCH' | 'BUILD';

const PRECISION_BY_LENGTH: readonly MatchPrecision[] = ['MAJOR', 'MAJOR', 'MINOR', 'PATCH', 'BUILD'];
const PRECISION_LENGTH: Readonly<Record<MatchPrecision, number>> = { MAJOR: 1, MINOR: 2, PATCH: 3, BUILD: 4 };
const MAX_MAJOR = 0x7fff;
const MAX_PART = 0xffff;

function parseInt32(text: string, whole: string): number {
  const v = parseJavaInt(text);
  if (v === null) throw new RangeError(`For input string: "${text}"${text === whole ? '' : ` in ${whole}`}`);
  return v;
}

/**
 * A multi-part version `major.minor.patch.build` with an optional trailing wildcard, compared like Java's
 * `ReleaseVersion`: both sides are masked to the lower of the two precisions, so `1.2.x` equals `1.2.7.3`.
 */
export class ReleaseVersion {
  /** 0–32767. */
  readonly major: number;
  /** 0–65535. */
  readonly minor: number;
  /** 0–65535. */
  readonly patch: number;
  /** 0–65535. */
  readonly build: number;
  /** `BUILD` for a full version, otherwise the last component before the wildcard. */
  readonly matchPrecision: MatchPrecision;

  private constructor(major: number, minor: number, patch: number, build: number, precision: MatchPrecision) {
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.build = build;
    this.matchPrecision = precision;
    Object.freeze(this);
  }

  /**
   * Strict parse (Java `ReleaseVersion.fromString`): four numeric parts (`1.2.3.4`, extra parts ignored) or a
   * wildcard ending (`1.x`, `1.2.x`, `1.2.3.x`). Throws `RangeError` with Java's message otherwise.
   */
  static parse(text: string): ReleaseVersion {
    const whole = String(text);
    let parts = javaSplitOnDot(whole);
    const last = parts[parts.length - 1];
    if (parts.length > 0 && last === 'x') {
      parts = parts.slice(0, -1);
      if (parts.length === 0) throw new RangeError(`Invalid version string: ${whole}`);
    } else if (parts.length < 4) {
      throw new RangeError(`ReleaseVersion string must have 4 numbers or end in x: ${whole}`);
    }
    const major = parts.length > 0 ? parseInt32(parts[0] ?? '', whole) : 0;
    if (major > MAX_MAJOR || major < 0) throw new RangeError(`invalid major version ${major}`);
    const minor = ReleaseVersion.part(parts, 1, 'minor version', whole);
    const patch = ReleaseVersion.part(parts, 2, 'patch version', whole);
    const build = ReleaseVersion.part(parts, 3, 'build number', whole);
    const precision = PRECISION_BY_LENGTH[Math.min(parts.length, 4)] ?? 'BUILD';
    return new ReleaseVersion(major, minor, patch, build, precision);
  }

  /** Lenient parse (Java `fromStringSafely`): `fallback` instead of throwing. */
  static parseOr<T>(text: string, fallback: T): ReleaseVersion | T {
    try {
      return ReleaseVersion.parse(text);
    } catch {
      return fallback;
    }
  }

  private static part(parts: readonly string[], index: number, label: string, whole: string): number {
    if (parts.length <= index) return 0;
    const value = parseInt32(parts[index] ?? '', whole);
    if (value > MAX_PART || value < 0) throw new RangeError(`invalid ${label} ${value}`);
    return value;
  }

  /** -1, 0 or 1, comparing only the components both sides have (the lower precision). */
  compareTo(other: ReleaseVersion): -1 | 0 | 1 {
    const length = Math.min(PRECISION_LENGTH[this.matchPrecision], PRECISION_LENGTH[other.matchPrecision]);
    const a = [this.major, this.minor, this.patch, this.build];
    const b = [other.major, other.minor, other.patch, other.build];
    for (let i = 0; i < length; i++) {
      const x = a[i] ?? 0;
      const y = b[i] ?? 0;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /** Java `equals`: another `ReleaseVersion` that compares as 0. */
  equals(other: unknown): boolean {
    return other instanceof ReleaseVersion && this.compareTo(other) === 0;
  }

  /** `1.2.3.4`, or `1.2.x` for a wildcard version (Java `toString`). */
  toString(): string {
    switch (this.matchPrecision) {
      case 'MAJOR':
        return `${this.major}.x`;
      case 'MINOR':
        return `${this.major}.${this.minor}.x`;
      case 'PATCH':
        return `${this.major}.${this.minor}.${this.patch}.x`;
      default:
        return `${this.major}.${this.minor}.${this.patch}.${this.build}`;
    }
  }
}

/** Java `String.split("\\.")`: trailing empty strings are dropped. */
function javaSplitOnDot(text: string): string[] {
  const parts = text.split('.');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
