/**
 * Pipet's `UserAgent` context type (spec §5.5): a User-Agent header parsed into the bean properties Pipet
 * rules use (`${userAgent.mobileDevice}`, `${userAgent.IOS}`, `${userAgent.OS.majorVersion >= 9}`).
 *
 * Java parses with bitwalker UserAgentUtils 1.20; this port parses with ua-parser-js and maps the result onto
 * bitwalker's enum names (a documented approximation, see {@link parseUserAgent}); the bean itself, with
 * Pipet's derivations, is in `./user-agent-bean.ts`.
 */
import { LRUCache } from 'lru-cache';
import UAParser from 'ua-parser-js';
import { BrowserVersion, OutOfBounds, UNKNOWN_BROWSER_VERSION, UserAgent } from './user-agent-bean.js';
import type { DeviceType, OperatingSystem } from './user-agent-bean.js';

export { BrowserVersion, UserAgent, UserAgentVersion, VersionedOS } from './user-agent-bean.js';
export type { DeviceType, UserAgentJson } from './user-agent-bean.js';

/** The Java class Pipet registers for the `UserAgent` type (its canonical name). */
export const USER_AGENT_CLASS = 'com.indeed.proctor.pipet.deploy.useragent.UserAgent';

function os(name: string, group: string, deviceType: DeviceType): OperatingSystem {
  return Object.freeze({ name, group, deviceType });
}

const UNKNOWN_OS = os('UNKNOWN', 'UNKNOWN', 'UNKNOWN');

const OPERATING_SYSTEMS: readonly OperatingSystem[] = [
  UNKNOWN_OS,
  os('UNKNOWN_MOBILE', 'UNKNOWN_MOBILE', 'MOBILE'),
  os('UNKNOWN_TABLET', 'UNKNOWN_TABLET', 'TABLET'),
  os('MAC_OS_X_IPHONE', 'IOS', 'MOBILE'),
  os('MAC_OS_X_IPOD', 'IOS', 'MOBILE'),
  os('MAC_OS_X_IPAD', 'IOS', 'TABLET'),
  ...['2', '4', '5', '6', '7', '8'].map((v) => os(`ANDROID${v}`, 'ANDROID', 'MOBILE')),
  ...['2', '3', '4', '5', '6', '7', '8'].map((v) => os(`ANDROID${v}_TABLET`, 'ANDROID', 'TABLET')),
  os('ANDROID_MOBILE', 'ANDROID', 'MOBILE'),
  os('ANDROID_TABLET', 'ANDROID', 'TABLET'),
  os('GOOGLE_TV', 'ANDROID', 'DMR'),
  os('WINDOWS', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_10', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_81', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_8', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_7', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_VISTA', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_XP', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_2000', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_98', 'WINDOWS', 'COMPUTER'),
  os('WINDOWS_10_MOBILE', 'WINDOWS', 'MOBILE'),
  os('WINDOWS_PHONE8_1', 'WINDOWS', 'MOBILE'),
  os('WINDOWS_PHONE8', 'WINDOWS', 'MOBILE'),
  os('WINDOWS_MOBILE7', 'WINDOWS', 'MOBILE'),
  os('WINDOWS_MOBILE', 'WINDOWS', 'MOBILE'),
  os('XBOX_OS', 'WINDOWS', 'GAME_CONSOLE'),
  os('MAC_OS_X', 'MAC_OS_X', 'COMPUTER'),
  os('CHROME_OS', 'CHROME_OS', 'COMPUTER'),
  os('LINUX', 'LINUX', 'COMPUTER'),
  os('SUN_OS', 'SUN_OS', 'COMPUTER'),
  os('KINDLE', 'KINDLE', 'TABLET'),
  os('BLACKBERRY', 'BLACKBERRY', 'MOBILE'),
  os('BLACKBERRY_TABLET', 'BLACKBERRY', 'TABLET'),
  os('SYMBIAN', 'SYMBIAN', 'MOBILE'),
  os('SERIES40', 'SERIES40', 'MOBILE'),
  os('BADA', 'BADA', 'MOBILE'),
  os('WEBOS', 'WEBOS', 'MOBILE'),
  os('PALM', 'PALM', 'MOBILE'),
  os('MEEGO', 'MEEGO', 'MOBILE'),
  os('MAEMO', 'MAEMO', 'MOBILE'),
  os('PSP', 'PSP', 'GAME_CONSOLE'),
  os('WII', 'WII', 'GAME_CONSOLE'),
  os('ROKU', 'ROKU', 'DMR'),
];

const OS_BY_NAME: ReadonlyMap<string, OperatingSystem> = new Map(OPERATING_SYSTEMS.map((o) => [o.name, o]));

function named(name: string): OperatingSystem {
  return OS_BY_NAME.get(name) ?? UNKNOWN_OS;
}

const WINDOWS_DESKTOP: Readonly<Record<string, string>> = {
  '10': 'WINDOWS_10',
  '11': 'WINDOWS_10', // Windows 11 sends "Windows NT 10.0": bitwalker could not tell them apart
  '8.1': 'WINDOWS_81',
  '8': 'WINDOWS_8',
  '7': 'WINDOWS_7',
  Vista: 'WINDOWS_VISTA',
  XP: 'WINDOWS_XP',
  '2000': 'WINDOWS_2000',
  '98': 'WINDOWS_98',
};

function mapOperatingSystem(result: UAParser.IResult): OperatingSystem {
  const model = result.device.model ?? '';
  const apple = model.startsWith('iPhone') || model.startsWith('iPad') || model.startsWith('iPod');
  // bitwalker files anything saying "iPhone" under iOS even when the version is missing.
  const name = result.os.name ?? (apple ? 'iOS' : '');
  const version = result.os.version ?? '';
  const type = result.device.type;
  const tablet = type === 'tablet';
  switch (name) {
    case 'iOS': {
      if (model.startsWith('iPad') || tablet) return named('MAC_OS_X_IPAD');
      return named(model.startsWith('iPod') ? 'MAC_OS_X_IPOD' : 'MAC_OS_X_IPHONE');
    }
    case 'Android': {
      if (type === 'smarttv') return named('GOOGLE_TV');
      const major = version.split('.')[0] ?? '';
      const versioned = named(tablet ? `ANDROID${major}_TABLET` : `ANDROID${major}`);
      if (versioned !== UNKNOWN_OS) return versioned;
      return named(tablet ? 'ANDROID_TABLET' : 'ANDROID_MOBILE');
    }
    case 'Windows Phone':
    case 'Windows Phone OS': {
      if (version.startsWith('7')) return named('WINDOWS_MOBILE7');
      if (version.startsWith('8.1')) return named('WINDOWS_PHONE8_1');
      if (version.startsWith('8')) return named('WINDOWS_PHONE8');
      return named('WINDOWS_10_MOBILE');
    }
    case 'Windows Mobile':
      return named('WINDOWS_MOBILE');
    case 'Windows':
      if (type === 'console') return named('XBOX_OS');
      return named(WINDOWS_DESKTOP[version] ?? 'WINDOWS');
    case 'Mac OS':
    case 'macOS':
      return named('MAC_OS_X');
    case 'Chromium OS':
    case 'Chrome OS':
      return named('CHROME_OS');
    case 'BlackBerry':
      return named('BLACKBERRY');
    case 'RIM Tablet OS':
      return named('BLACKBERRY_TABLET');
    case 'Symbian':
      return named('SYMBIAN');
    case 'Series40':
      return named('SERIES40');
    case 'Bada':
      return named('BADA');
    case 'webOS':
      return named('WEBOS');
    case 'Palm':
      return named('PALM');
    case 'MeeGo':
      return named('MEEGO');
    case 'Maemo':
      return named('MAEMO');
    case 'Xbox':
      return named('XBOX_OS');
    case 'Fire OS':
      return named('KINDLE');
    case 'PlayStation':
      return named('PSP');
    case 'Nintendo':
      return named('WII');
    case 'Solaris':
      return named('SUN_OS');
    default:
      break;
  }
  if (type === 'mobile') return named('UNKNOWN_MOBILE');
  if (tablet) return named('UNKNOWN_TABLET');
  if (type === 'console') return named('XBOX_OS');
  // bitwalker's LINUX matches any UA mentioning Linux (every distribution).
  if (result.ua.includes('Linux')) return named('LINUX');
  return UNKNOWN_OS;
}

const BROWSERS: Readonly<Record<string, string>> = {
  IE: 'IE',
  IEMobile: 'IEMOBILE',
  Edge: 'EDGE',
  Chrome: 'CHROME',
  'Chrome Headless': 'CHROME',
  'Chrome WebView': 'CHROME_MOBILE',
  Chromium: 'CHROME',
  Firefox: 'FIREFOX',
  'Mobile Firefox': 'FIREFOX_MOBILE',
  Safari: 'SAFARI',
  'Mobile Safari': 'MOBILE_SAFARI',
  Opera: 'OPERA',
  'Opera Mini': 'OPERA_MINI',
  'Opera Mobi': 'OPERA_MOBILE',
  'Opera Tablet': 'OPERA_MOBILE',
  'Android Browser': 'SAFARI', // bitwalker saw the stock browser's "Safari" token
  Silk: 'SILK',
  Konqueror: 'KONQUEROR',
  Lynx: 'LYNX',
  SeaMonkey: 'SEAMONKEY',
  Thunderbird: 'THUNDERBIRD',
  Vivaldi: 'VIVALDI',
};

function mapBrowser(result: UAParser.IResult, system: OperatingSystem): string {
  const name = result.browser.name;
  if (name === undefined) return 'UNKNOWN';
  const mobile = system.deviceType === 'MOBILE';
  const base = BROWSERS[name] ?? name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  if (mobile || system.group === 'IOS') {
    if (base === 'CHROME') return 'CHROME_MOBILE';
    if (base === 'FIREFOX') return 'FIREFOX_MOBILE';
    if (base === 'EDGE') return 'EDGE_MOBILE';
  }
  return base;
}

function mapBrowserVersion(result: UAParser.IResult): BrowserVersion {
  const version = result.browser.version;
  if (version === undefined || version === '') return UNKNOWN_BROWSER_VERSION;
  const parts = version.split('.');
  return new BrowserVersion(version, parts[0] ?? null, parts[1] ?? null);
}

function build(header: string): UserAgent {
  const result = UAParser(header);
  const system = mapOperatingSystem(result);
  try {
    return new UserAgent(header, mapBrowser(result, system), mapBrowserVersion(result), system);
  } catch (error) {
    // Pipet's `buildSafely`: when its own OS-version code throws, the whole UA becomes unknown.
    if (!(error instanceof OutOfBounds)) throw error;
    return new UserAgent(header, 'UNKNOWN', UNKNOWN_BROWSER_VERSION, UNKNOWN_OS);
  }
}

// UA parsing costs ~30 µs while a whole request budget is a few µs, and traffic repeats a few thousand
// strings, so parsed instances (immutable) are shared through an LRU.
const CACHE = new LRUCache<string, UserAgent>({ max: 2000 });
const MAX_CACHED_LENGTH = 1024;

/**
 * Parse a User-Agent header the way Pipet's `UserAgentValueConverter` does. Never throws.
 *
 * Mapping onto bitwalker 1.20 (approximate): `browser` is the bitwalker family name without a version suffix
 * (`FIREFOX`, `CHROME`, `CHROME_MOBILE`, `MOBILE_SAFARI`, `SAFARI`, `IE`, `EDGE`, `OPERA`...; unknown parser
 * names are upper-cased); `operatingSystem` is the bitwalker constant (`WINDOWS_10`, `MAC_OS_X`,
 * `MAC_OS_X_IPHONE`, `MAC_OS_X_IPAD`, `ANDROID7`, `ANDROID_TABLET`, `WINDOWS_MOBILE7`, `LINUX`, ...), which
 * gives `deviceType`, the OS group and so every derived boolean.
 * @example
 * parseUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 14_7_1 like Mac OS X) ...').mobileDevice // true
 */
export function parseUserAgent(header: string): UserAgent {
  if (header.length > MAX_CACHED_LENGTH) return build(header);
  let agent = CACHE.get(header);
  if (agent === undefined) {
    agent = build(header);
    CACHE.set(header, agent);
  }
  return agent;
}
