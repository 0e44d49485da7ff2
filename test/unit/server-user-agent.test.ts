import { describe, expect, it } from 'vitest';
import { parseUserAgent, UserAgent } from '../../src/server/user-agent.js';

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:28.0) Gecko/20100101 Firefox/28.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 14_7_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Mobile/15E148 Safari/604.1';
const IPAD_CHROME = 'Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/74.0.3729.155 Mobile/15E148 Safari/604.1';
const ANDROID_PHONE = 'Mozilla/5.0 (Linux; Android 7.0; SM-G930V Build/NRD90M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/59.0.3071.125 Mobile Safari/537.36';
const NEXUS_7 = 'Mozilla/5.0 (Linux; Android 4.4.2; Nexus 7 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/34.0.1847.114 Safari/537.36';
const WINDOWS_PHONE_7 = 'Mozilla/5.0 (compatible; MSIE 9.0; Windows Phone OS 7.5; Trident/5.0; IEMobile/9.0; NOKIA; Lumia 800)';
const WINDOWS_PHONE_8 = 'Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; IEMobile/10.0; ARM; Touch; NOKIA; Lumia 920)';
const FEATURE_PHONE = 'Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1';
const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const MAC_SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15';

type Flags = [tablet: boolean, IOS: boolean, chromeForIOS: boolean, android: boolean, windowsPhone: boolean, mobile: boolean, smart: boolean, phone: boolean, dumb: boolean];
const F = false;
const T = true;

describe('UserAgent (spec §5.5)', () => {
  it.each<[string, string, string, string, string, Flags]>([
    // ua, browser, operatingSystem, deviceType, OS family, flags
    [FIREFOX_LINUX, 'FIREFOX', 'LINUX', 'COMPUTER', 'linux', [F, F, F, F, F, F, F, F, F]],
    [WINDOWS_CHROME, 'CHROME', 'WINDOWS_10', 'COMPUTER', 'windows', [F, F, F, F, F, F, F, F, F]],
    [MAC_SAFARI, 'SAFARI', 'MAC_OS_X', 'COMPUTER', 'mac_os_x', [F, F, F, F, F, F, F, F, F]],
    [IPHONE, 'MOBILE_SAFARI', 'MAC_OS_X_IPHONE', 'MOBILE', 'ios', [F, T, F, F, F, T, T, T, F]],
    [IPAD_CHROME, 'CHROME_MOBILE', 'MAC_OS_X_IPAD', 'TABLET', 'ios', [T, T, T, F, F, T, T, F, F]],
    [ANDROID_PHONE, 'CHROME_MOBILE', 'ANDROID7', 'MOBILE', 'android', [F, F, F, T, F, T, T, T, F]],
    [NEXUS_7, 'CHROME', 'ANDROID4_TABLET', 'TABLET', 'android', [T, F, F, T, F, T, T, F, F]],
    [WINDOWS_PHONE_7, 'IEMOBILE', 'WINDOWS_MOBILE7', 'MOBILE', 'windows', [F, F, F, F, T, T, T, T, F]],
    // Pipet only counts WINDOWS_MOBILE7 as a Windows Phone, so a WP8 device is a "dumb" phone.
    [WINDOWS_PHONE_8, 'IEMOBILE', 'WINDOWS_PHONE8', 'MOBILE', 'windows', [F, F, F, F, F, T, F, T, T]],
    [FEATURE_PHONE, 'UNKNOWN', 'UNKNOWN_MOBILE', 'MOBILE', 'unknown_mobile', [F, F, F, F, F, T, F, T, T]],
    ['curl/8.0', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'unknown', [F, F, F, F, F, F, F, F, F]],
    ['', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'unknown', [F, F, F, F, F, F, F, F, F]],
  ])('%s', (header, browser, operatingSystem, deviceType, family, flags) => {
    const ua = parseUserAgent(header);
    expect([ua.browser, ua.operatingSystem, ua.deviceType, ua.OS.family]).toEqual([browser, operatingSystem, deviceType, family]);
    expect([ua.tablet, ua.IOS, ua.chromeForIOS, ua.android, ua.windowsPhone, ua.mobileDevice, ua.smartPhone, ua.phone, ua.dumbPhone]).toEqual(flags);
    // Java's methods answer the same as the bean properties.
    expect([ua.isTablet(), ua.isIOS(), ua.isChromeForIOS(), ua.isAndroid(), ua.isWindowsPhone(), ua.isMobileDevice(), ua.isSmartPhone(), ua.isPhone(), ua.isDumbPhone()]).toEqual(flags);
    expect([ua.getBrowser(), ua.getOperatingSystem(), ua.getDeviceType(), ua.getOS().getFamily(), ua.getUserAgentString()]).toEqual([
      browser,
      operatingSystem,
      deviceType,
      family,
      header,
    ]);
  });

  it('parses the OS version only for iOS, Android and Windows Phone, with Pipet code', () => {
    expect(parseUserAgent(IPHONE).OS.toJSON()).toEqual({ family: 'ios', majorVersion: 14, minorVersion: 7, version: '14.7.1' });
    expect(parseUserAgent(IPAD_CHROME).getOS().getVersion()).toBe('12.2');
    expect(parseUserAgent(NEXUS_7).OS.toJSON()).toEqual({ family: 'android', majorVersion: 4, minorVersion: 4, version: '4.4.2' });
    // "Android 7.0" matches Pipet's pattern; a bare "Android 10" (no dot) does not.
    expect(parseUserAgent(ANDROID_PHONE).OS.majorVersion).toBe(7);
    expect(parseUserAgent('Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Mobile Safari/537.36').OS.toJSON()).toEqual({
      family: 'android',
      majorVersion: -1,
      minorVersion: -1,
      version: '',
    });
    expect(parseUserAgent(WINDOWS_PHONE_7).OS.toJSON()).toEqual({ family: 'windows', majorVersion: 7, minorVersion: 5, version: '7.5' });
    expect(parseUserAgent(WINDOWS_CHROME).OS.majorVersion).toBe(-1);
  });

  it('reads version numbers with Java\'s Integer.parseInt, which takes any Unicode decimal digit', () => {
    const arabicIndicFive = WINDOWS_PHONE_7.replace('OS 7.5;', 'OS 7.\u0665;');
    expect(parseUserAgent(arabicIndicFive).OS.toJSON()).toEqual({ family: 'windows', majorVersion: 7, minorVersion: 5, version: '7.\u0665' });
  });

  it('"Kindle Fire" and "Nexus 7" are tablets whatever the OS says', () => {
    const kindle = parseUserAgent('Mozilla/5.0 (Linux; U; en-us) AppleWebKit/533.16 (KHTML, like Gecko) Version/5.0 Safari/533.16 Kindle Fire');
    expect([kindle.tablet, kindle.mobileDevice, kindle.phone]).toEqual([true, true, false]);
  });

  it('becomes the unknown agent where Pipet’s own version code would throw', () => {
    const ua = parseUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS ');
    expect([ua.browser, ua.operatingSystem, ua.mobileDevice, ua.userAgentString]).toEqual(['UNKNOWN', 'UNKNOWN', false, 'Mozilla/5.0 (iPhone; CPU iPhone OS ']);
  });

  it('exposes the browser version the way bitwalker and Pipet do', () => {
    const ua = parseUserAgent(FIREFOX_LINUX);
    expect(ua.browserVersion.toJSON()).toEqual({ version: '28.0', majorVersion: '28', minorVersion: '0' });
    expect(ua.getBrowserVersion().getMajorVersion()).toBe('28');
    expect(ua.version.toJSON()).toEqual({ version: '28.0', major: 28, minor: 0 });
    expect(ua.getVersion().getMajor()).toBe(28);
    const unknown = parseUserAgent('curl/8.0');
    expect(unknown.browserVersion.toJSON()).toEqual({ version: null, majorVersion: null, minorVersion: null });
    expect(unknown.version.toJSON()).toEqual({ version: '', major: -1, minor: -1 });
  });

  it('serializes like Jackson does Pipet’s bean (spec §5.4): ios/os in lower case, this key order', () => {
    const json = parseUserAgent(FIREFOX_LINUX).toJSON();
    expect(Object.keys(json)).toEqual([
      'browser',
      'browserVersion',
      'version',
      'operatingSystem',
      'os',
      'deviceType',
      'userAgentString',
      'tablet',
      'ios',
      'chromeForIOS',
      'android',
      'windowsPhone',
      'mobileDevice',
      'smartPhone',
      'phone',
      'dumbPhone',
    ]);
    expect(json).toMatchObject({ operatingSystem: 'LINUX', deviceType: 'COMPUTER', os: { family: 'linux', version: '' }, mobileDevice: false });
  });

  it('is immutable, cached, and safe on huge headers', () => {
    const a = parseUserAgent(IPHONE);
    expect(parseUserAgent(IPHONE)).toBe(a);
    expect(a).toBeInstanceOf(UserAgent);
    expect(() => {
      (a as unknown as { mobileDevice: boolean }).mobileDevice = false;
    }).toThrow(TypeError);
    const huge = `${IPHONE}${'x'.repeat(20_000)}`;
    expect(parseUserAgent(huge).mobileDevice).toBe(true);
  });
});
