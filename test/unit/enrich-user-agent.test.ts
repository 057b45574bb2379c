import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clearUserAgentCaches,
  isBotUserAgent,
  parseUserAgent,
  USER_AGENT_CACHE_MAX_ENTRIES,
  userAgentCacheSize,
} from '../../lib/enrich/user-agent';
import type { UserAgentInfo } from '../../lib/events/enriched';

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1';

const cases: Array<{ name: string; ua: string; expected: UserAgentInfo }> = [
  {
    name: 'Chrome on Windows 10/11',
    ua: CHROME_WINDOWS,
    expected: { browser: 'Chrome', browserVersion: '124', os: 'Windows', osVersion: '10', device: 'desktop' },
  },
  {
    name: 'Firefox on Windows',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
    expected: {
      browser: 'Firefox',
      browserVersion: '125',
      os: 'Windows',
      osVersion: '10',
      device: 'desktop',
    },
  },
  {
    name: 'Edge on Windows',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67',
    expected: { browser: 'Edge', browserVersion: '124', os: 'Windows', osVersion: '10', device: 'desktop' },
  },
  {
    name: 'Opera on Windows',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0',
    expected: { browser: 'Opera', browserVersion: '109', os: 'Windows', osVersion: '10', device: 'desktop' },
  },
  {
    name: 'Internet Explorer 11 on Windows 7',
    ua: 'Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko',
    expected: { browser: 'IE', browserVersion: '11', os: 'Windows', osVersion: '7', device: 'desktop' },
  },
  {
    name: 'Safari on macOS (frozen 10_15_7 platform version)',
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
    expected: {
      browser: 'Safari',
      browserVersion: '17',
      os: 'Mac OS',
      osVersion: '10.15',
      device: 'desktop',
    },
  },
  {
    name: 'Chrome on macOS',
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    expected: {
      browser: 'Chrome',
      browserVersion: '124',
      os: 'Mac OS',
      osVersion: '10.15',
      device: 'desktop',
    },
  },
  {
    name: 'Firefox on macOS 14.4',
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0',
    expected: {
      browser: 'Firefox',
      browserVersion: '125',
      os: 'Mac OS',
      osVersion: '14.4',
      device: 'desktop',
    },
  },
  {
    name: 'Chrome on Linux (no OS version in the UA)',
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    expected: { browser: 'Chrome', browserVersion: '124', os: 'Linux', device: 'desktop' },
  },
  {
    name: 'Firefox on Ubuntu',
    ua: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    expected: { browser: 'Firefox', browserVersion: '125', os: 'Ubuntu', device: 'desktop' },
  },
  {
    name: 'Chrome on a Chromebook',
    ua: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    expected: {
      browser: 'Chrome',
      browserVersion: '124',
      os: 'Chromium OS',
      osVersion: '14541',
      device: 'desktop',
    },
  },
  {
    name: 'Safari on iPhone',
    ua: SAFARI_IPHONE,
    expected: {
      browser: 'Mobile Safari',
      browserVersion: '17',
      os: 'iOS',
      osVersion: '17.4',
      device: 'mobile',
    },
  },
  {
    name: 'Chrome on iPhone (CriOS)',
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
    expected: { browser: 'Chrome', browserVersion: '124', os: 'iOS', osVersion: '17.4', device: 'mobile' },
  },
  {
    name: 'Chrome on Android (reduced UA)',
    ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    expected: { browser: 'Chrome', browserVersion: '124', os: 'Android', osVersion: '10', device: 'mobile' },
  },
  {
    name: 'Chrome on a Pixel 8',
    ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
    expected: { browser: 'Chrome', browserVersion: '124', os: 'Android', osVersion: '14', device: 'mobile' },
  },
  {
    name: 'Samsung Internet on a Galaxy S23 Ultra',
    ua: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
    expected: {
      browser: 'Samsung Internet',
      browserVersion: '24',
      os: 'Android',
      osVersion: '14',
      device: 'mobile',
    },
  },
  {
    name: 'Safari on iPad',
    ua: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
    expected: {
      browser: 'Mobile Safari',
      browserVersion: '16',
      os: 'iOS',
      osVersion: '16.6',
      device: 'tablet',
    },
  },
  {
    name: 'Chrome on a Galaxy Tab S8',
    ua: 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    expected: { browser: 'Chrome', browserVersion: '124', os: 'Android', osVersion: '13', device: 'tablet' },
  },
  {
    name: 'Samsung Tizen smart TV',
    ua: 'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
    expected: { browser: 'Samsung Internet', browserVersion: '4', os: 'Tizen', osVersion: '6', device: 'tv' },
  },
  {
    name: 'PlayStation 5',
    ua: 'Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15',
    expected: {
      browser: 'Safari',
      browserVersion: '13',
      os: 'PlayStation',
      osVersion: '5',
      device: 'console',
    },
  },
  {
    name: 'Xbox One',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19041',
    expected: { browser: 'Edge', browserVersion: '18', os: 'Xbox', osVersion: 'One', device: 'console' },
  },
  {
    name: 'Samsung Galaxy Watch',
    ua: 'Mozilla/5.0 (Linux; Android 11; SM-R875F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/2.0 Chrome/87.0.4280.141 Mobile Safari/537.36',
    expected: {
      browser: 'Samsung Internet',
      browserVersion: '2',
      os: 'Android',
      osVersion: '11',
      device: 'wearable',
    },
  },
  {
    name: 'garbage',
    ua: 'garbage',
    expected: { browser: 'Unknown', os: 'Unknown', device: 'desktop' },
  },
  {
    name: 'empty string',
    ua: '',
    expected: { browser: 'Unknown', os: 'Unknown', device: 'desktop' },
  },
];

for (const { name, ua, expected } of cases) {
  test(`parseUserAgent: ${name}`, () => {
    const info = parseUserAgent(ua);
    // deepEqual on the whole object also checks that unknown fields are absent, not `undefined`.
    assert.deepEqual(info, expected);
    assert.deepEqual(Object.keys(info).sort(), Object.keys(expected).sort());
  });
}

const bots: Array<{ name: string; ua: string | undefined }> = [
  { name: 'Googlebot', ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
  {
    name: 'Googlebot smartphone (evergreen)',
    ua: 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.155 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  },
  { name: 'bingbot', ua: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)' },
  {
    name: 'HeadlessChrome',
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36',
  },
  { name: 'curl', ua: 'curl/8.4.0' },
  { name: 'python-requests', ua: 'python-requests/2.31.0' },
  { name: 'AhrefsBot', ua: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)' },
  {
    name: 'facebookexternalhit',
    ua: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  },
  {
    name: 'GPTBot',
    ua: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
  },
  { name: 'Go HTTP client', ua: 'Go-http-client/1.1' },
  { name: 'empty string', ua: '' },
  { name: 'blank string', ua: '   ' },
  { name: 'missing header', ua: undefined },
];

for (const { name, ua } of bots) {
  test(`isBotUserAgent flags ${name}`, () => {
    assert.equal(isBotUserAgent(ua), true);
    assert.equal(isBotUserAgent(ua), true, 'same answer from the cache');
  });
}

const humans = cases.filter((c) => c.expected.browser !== 'Unknown').map((c) => c.ua);

test('isBotUserAgent does not flag real browsers', () => {
  assert.ok(humans.length >= 5);
  for (const ua of humans) {
    assert.equal(isBotUserAgent(ua), false, ua);
    assert.equal(isBotUserAgent(ua), false, `cached: ${ua}`);
  }
});

test('isBotUserAgent sees a bot marker beyond the first 500 characters', () => {
  const padded = `Mozilla/5.0 (X11; Linux x86_64) ${'x'.repeat(600)} Googlebot/2.1`;
  assert.equal(isBotUserAgent(padded), true);
});

test('parseUserAgent returns the cached (equal, shared, frozen) result for a repeated UA', () => {
  clearUserAgentCaches();
  const first = parseUserAgent(SAFARI_IPHONE);
  const second = parseUserAgent(SAFARI_IPHONE);
  assert.equal(second, first);
  assert.deepEqual(second, first);
  assert.equal(userAgentCacheSize(), 1);
  assert.ok(Object.isFrozen(first), 'callers must not be able to change the shared result');
});

test('the UA cache never grows beyond its cap', () => {
  clearUserAgentCaches();
  const overflow = 500;
  for (let i = 0; i < USER_AGENT_CACHE_MAX_ENTRIES + overflow; i++) {
    parseUserAgent(`Mozilla/5.0 (X11; Linux x86_64) Firefox/${i}.0`);
    if (userAgentCacheSize() > USER_AGENT_CACHE_MAX_ENTRIES) {
      assert.fail(`cache grew to ${userAgentCacheSize()} entries after ${i + 1} UAs`);
    }
  }
  assert.equal(userAgentCacheSize(), USER_AGENT_CACHE_MAX_ENTRIES);
});

test('the UA cache evicts the least recently used entry', () => {
  clearUserAgentCaches();
  const a = parseUserAgent('ua-a');
  const b = parseUserAgent('ua-b');
  for (let i = 0; userAgentCacheSize() < USER_AGENT_CACHE_MAX_ENTRIES; i++) parseUserAgent(`filler-${i}`);
  assert.equal(parseUserAgent('ua-a'), a, 'a hit refreshes "ua-a"');
  parseUserAgent('one more');
  assert.equal(parseUserAgent('ua-a'), a, '"ua-a" was used recently and survives');
  assert.notEqual(parseUserAgent('ua-b'), b, '"ua-b" was the oldest and was evicted, so it is parsed again');
});

test('overlong UAs are parsed and cached under a bounded key', () => {
  clearUserAgentCaches();
  const long = `${CHROME_WINDOWS} ${'x'.repeat(100_000)}`;
  assert.deepEqual(parseUserAgent(long), parseUserAgent(CHROME_WINDOWS));
  assert.equal(parseUserAgent(`${long}y`), parseUserAgent(long), 'same first 500 characters, same entry');
});
