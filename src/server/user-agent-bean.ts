/**
 * Pipet's `UserAgent` bean (spec §5.5) and the version beans it holds, each property written once in a
 * {@link beanClass} table: how Pipet computes it from bitwalker's browser and `OperatingSystem` enums. The
 * derived booleans and the OS version follow Pipet's own code exactly, given those enums; `./user-agent.ts`
 * turns a header into the enums.
 */
import { parseJavaInt } from '../java/numbers/index.js';
import { beanClass, fieldBean } from './bean.js';
import type { BeanJson, BeanTable } from './bean.js';

/** bitwalker `DeviceType` names. */
export type DeviceType = 'COMPUTER' | 'MOBILE' | 'TABLET' | 'GAME_CONSOLE' | 'DMR' | 'WEARABLE' | 'UNKNOWN';

/** One bitwalker `OperatingSystem` constant: its name, its group (top-level parent) and its device type. @internal */
export interface OperatingSystem {
  readonly name: string;
  readonly group: string;
  readonly deviceType: DeviceType;
}

interface BrowserVersionState {
  readonly version: string | null;
  readonly majorVersion: string | null;
  readonly minorVersion: string | null;
}

/** bitwalker's `Version`: strings, all null when the browser version is unknown. */
export class BrowserVersion extends fieldBean<BrowserVersionState>()('version', 'majorVersion', 'minorVersion') {
  constructor(version: string | null, majorVersion: string | null, minorVersion: string | null) {
    super({ version, majorVersion, minorVersion });
  }
  override toString(): string {
    return this.version ?? '';
  }
}

interface UserAgentVersionState {
  readonly version: string;
  readonly major: number;
  readonly minor: number;
}

/** Pipet's `UserAgentVersion`: the browser version with numeric major/minor (-1 when unknown). */
export class UserAgentVersion extends fieldBean<UserAgentVersionState>()('version', 'major', 'minor') {
  constructor(version: string | null, major: number, minor: number) {
    super({ version: version ?? '', major, minor });
  }
  override toString(): string {
    return this.version;
  }
}

interface VersionedOSState {
  readonly family: string;
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly version: string;
}

/** Pipet's `VersionedOS`: the OS group as a lower-case family, with a version for iOS, Android and Windows Phone. */
export class VersionedOS extends fieldBean<VersionedOSState>()('family', 'majorVersion', 'minorVersion', 'version') {
  constructor(family: string, version: string, majorVersion: number, minorVersion: number) {
    super({ family, majorVersion, minorVersion, version });
  }
  override toString(): string {
    return `${this.family} ${this.version}`.trim();
  }
}

/** What a {@link UserAgent} holds: the parsed enums and Pipet's stored derivations. */
interface UserAgentState {
  readonly userAgentString: string;
  readonly browser: string;
  readonly browserVersion: BrowserVersion;
  readonly version: UserAgentVersion;
  readonly os: OperatingSystem;
  readonly tablet: boolean;
  readonly mobileDevice: boolean;
  readonly ios: boolean;
  readonly versionedOS: VersionedOS;
}

const isAndroid = (os: OperatingSystem): boolean => os.group === 'ANDROID';
// Pipet counts only bitwalker's WINDOWS_MOBILE7 as a Windows Phone (so a WP8 device is a "dumb" phone).
const isWindowsPhone = (os: OperatingSystem): boolean => os.name === 'WINDOWS_MOBILE7';
const isSmartPhone = (s: UserAgentState): boolean =>
  s.mobileDevice && (s.os.group === 'IOS' || isAndroid(s.os) || isWindowsPhone(s.os));
/** Mobile OS and not a tablet. */
const isPhone = (s: UserAgentState): boolean => s.os.deviceType === 'MOBILE' && !s.tablet;

/** Pipet's `UserAgent` properties in its declaration order, which is the order Jackson writes them (spec §5.4). */
const USER_AGENT = {
  browser: { get: (s) => s.browser },
  browserVersion: { get: (s) => s.browserVersion },
  version: { get: (s) => s.version },
  operatingSystem: { get: (s) => s.os.name },
  OS: { get: (s) => s.versionedOS },
  deviceType: { get: (s) => s.os.deviceType },
  userAgentString: { get: (s) => s.userAgentString },
  tablet: { is: (s) => s.tablet },
  IOS: { is: (s) => s.ios },
  chromeForIOS: { is: (s) => s.ios && s.userAgentString.includes('CriOS') },
  android: { is: (s) => isAndroid(s.os) },
  windowsPhone: { is: (s) => isWindowsPhone(s.os) },
  mobileDevice: { is: (s) => s.mobileDevice },
  smartPhone: { is: isSmartPhone },
  phone: { is: isPhone },
  dumbPhone: { is: (s) => isPhone(s) && !isSmartPhone(s) },
} satisfies BeanTable<UserAgentState>;

/** The JSON shape of {@link UserAgent} (Jackson's bean names for Pipet's class: `IOS` and `OS` become `ios` and `os`). */
export type UserAgentJson = BeanJson<typeof USER_AGENT>;

/**
 * A parsed User-Agent, with Pipet's bean properties both as getters (`ua.mobileDevice`, `ua.IOS`, `ua.OS`:
 * what EL property access reads) and as Java methods (`ua.isMobileDevice()`, `ua.getOS()`: EL method calls).
 * Immutable; instances are cached and shared between requests.
 */
export class UserAgent extends beanClass<UserAgentState>()(USER_AGENT) {
  /** @internal Use `parseUserAgent`. Throws {@link OutOfBounds} where Pipet's OS-version code would throw. */
  constructor(userAgentString: string, browser: string, browserVersion: BrowserVersion, operatingSystem: OperatingSystem) {
    super(userAgentState(userAgentString, browser, browserVersion, operatingSystem));
  }

  /** `OPERATING_SYSTEM-BROWSER`, like bitwalker's `toString`. */
  override toString(): string {
    return `${this.operatingSystem}-${this.browser}`;
  }
}

function userAgentState(userAgentString: string, browser: string, browserVersion: BrowserVersion, os: OperatingSystem): UserAgentState {
  // Pipet's derivations (spec §5.5), in the same terms as its Java code.
  const tablet = os.deviceType === 'TABLET' || userAgentString.includes('Nexus 7') || userAgentString.includes('Kindle Fire');
  const mobileDevice = os.deviceType === 'MOBILE' || tablet;
  const ios = mobileDevice && os.group === 'IOS';
  const version = userAgentVersionFrom(browserVersion);
  const versionedOS = versionedOSOf(userAgentString, os, ios);
  return { userAgentString, browser, browserVersion, version, os, tablet, mobileDevice, ios, versionedOS };
}

/** Java `Integer.parseInt` with a fallback, as Pipet's `getIntegerParameter`. */
function intOr(value: string | null, fallback: number): number {
  return (value === null ? null : parseJavaInt(value)) ?? fallback;
}

/** The version of an unknown browser. @internal */
export const UNKNOWN_BROWSER_VERSION = new BrowserVersion(null, null, null);
const UNKNOWN_USER_AGENT_VERSION = new UserAgentVersion(null, -1, -1);

function userAgentVersionFrom(version: BrowserVersion): UserAgentVersion {
  if (version.version === null && version.majorVersion === null && version.minorVersion === null) {
    return UNKNOWN_USER_AGENT_VERSION;
  }
  return new UserAgentVersion(version.version, intOr(version.majorVersion, -1), intOr(version.minorVersion, -1));
}

/** Thrown where Pipet's Java would throw `StringIndexOutOfBoundsException` (then the UA counts as unknown). @internal */
export class OutOfBounds extends Error {}

/**
 * Pipet's `VersionedOS.getIOSVersion` (`end` = space; the caller turns `_` into `.`) and
 * `getWindowsPhoneVersion` (`end` = `;`): the text after the first `"OS "`, up to `end`, when it starts
 * with a digit.
 */
function versionAfterOS(ua: string, end: string): string | null {
  let index = ua.indexOf('OS ');
  if (index === -1) return null;
  index += 3;
  if (index >= ua.length) throw new OutOfBounds();
  const c = ua.charCodeAt(index);
  if (!(c >= 48 && c <= 57)) return null;
  const stop = ua.indexOf(end, index);
  return ua.slice(index, stop === -1 ? ua.length : stop);
}

const ANDROID_VERSION = /Android (\d+(?:\.\d+)+)/;

function versionedOSOf(ua: string, os: OperatingSystem, ios: boolean): VersionedOS {
  let version: string | null = null;
  if (ios) version = versionAfterOS(ua, ' ')?.replaceAll('_', '.') ?? null;
  else if (isAndroid(os)) version = ANDROID_VERSION.exec(ua)?.[1] ?? null;
  else if (isWindowsPhone(os)) version = versionAfterOS(ua, ';');
  const family = os.group.toLowerCase();
  if (version === null || version === '') return new VersionedOS(family, '', -1, -1);
  const parts = version.split('.');
  const number = (s: string | undefined): number => (s === undefined || s === '' ? -1 : intOr(s, -1));
  return new VersionedOS(family, version, number(parts[0]), parts.length > 1 ? number(parts[1]) : -1);
}
