import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyReferrer } from '../../lib/enrich/referrer';
import type { CampaignInfo, ReferrerInfo } from '../../lib/events/enriched';

const PAGE = 'https://shop.com/products/shoes';

interface Case {
  name: string;
  referrer: string | undefined;
  page?: string;
  campaign?: CampaignInfo;
  expected: ReferrerInfo;
}

const DIRECT: ReferrerInfo = { source: 'Direct / None', sourceType: 'direct' };

const cases: Case[] = [
  // No usable referrer, no campaign.
  { name: 'no referrer', referrer: undefined, expected: DIRECT },
  { name: 'empty referrer', referrer: '', expected: DIRECT },
  { name: 'garbage referrer', referrer: 'not a url at all', expected: DIRECT },
  { name: 'about:blank is not a page', referrer: 'about:blank', expected: DIRECT },
  { name: 'a file: URL is not a web referrer', referrer: 'file:///C:/Users/me/page.html', expected: DIRECT },
  {
    name: 'utm_medium without utm_source names no source',
    referrer: undefined,
    campaign: { utm_medium: 'cpc' },
    expected: DIRECT,
  },

  // No referrer, campaign tags decide.
  {
    name: 'utm email newsletter',
    referrer: undefined,
    campaign: { utm_source: 'weekly-digest', utm_medium: 'email' },
    expected: { source: 'weekly-digest', sourceType: 'email' },
  },
  {
    name: 'utm newsletter medium',
    referrer: undefined,
    campaign: { utm_source: 'mailchimp', utm_medium: 'Newsletter' },
    expected: { source: 'mailchimp', sourceType: 'email' },
  },
  {
    name: 'utm cpc',
    referrer: undefined,
    campaign: { utm_source: 'google', utm_medium: 'cpc' },
    expected: { source: 'Google', sourceType: 'paid' },
  },
  {
    name: 'utm_source naming a known brand, no medium: the brand and its type',
    referrer: undefined,
    campaign: { utm_source: 'Google' },
    expected: { source: 'Google', sourceType: 'search' },
  },
  {
    name: 'utm paid_social',
    referrer: undefined,
    campaign: { utm_source: 'facebook', utm_medium: 'paid_social' },
    expected: { source: 'Facebook', sourceType: 'paid' },
  },
  {
    name: 'utm display',
    referrer: undefined,
    campaign: { utm_source: 'dv360', utm_medium: 'display' },
    expected: { source: 'dv360', sourceType: 'paid' },
  },
  {
    name: 'utm social',
    referrer: undefined,
    campaign: { utm_source: 'twitter', utm_medium: 'social' },
    expected: { source: 'Twitter', sourceType: 'social' },
  },
  {
    name: 'utm sm',
    referrer: undefined,
    campaign: { utm_source: 'mastodon', utm_medium: 'sm' },
    expected: { source: 'mastodon', sourceType: 'social' },
  },
  {
    name: 'utm social-network',
    referrer: undefined,
    campaign: { utm_source: 'linkedin', utm_medium: 'social-network' },
    expected: { source: 'LinkedIn', sourceType: 'social' },
  },
  {
    name: 'utm source without medium',
    referrer: undefined,
    campaign: { utm_source: 'partner-site' },
    expected: { source: 'partner-site', sourceType: 'referral' },
  },
  {
    name: 'utm source with an unknown medium',
    referrer: undefined,
    campaign: { utm_source: 'podcast', utm_medium: 'audio' },
    expected: { source: 'podcast', sourceType: 'referral' },
  },
  {
    name: 'unparseable referrer falls back to the campaign',
    referrer: 'http://',
    campaign: { utm_source: 'qr-code', utm_medium: 'print' },
    expected: { source: 'qr-code', sourceType: 'referral' },
  },

  // Own site.
  {
    name: 'www subdomain of the page domain is internal',
    referrer: 'https://www.shop.com/cart',
    expected: { source: 'Internal', sourceType: 'internal', referrerDomain: 'shop.com' },
  },
  {
    name: 'another subdomain of the page domain is internal',
    referrer: 'https://blog.shop.com/post/1',
    page: 'https://www.shop.com/',
    expected: { source: 'Internal', sourceType: 'internal', referrerDomain: 'shop.com' },
  },
  {
    name: 'same page (reload) is internal',
    referrer: PAGE,
    expected: { source: 'Internal', sourceType: 'internal', referrerDomain: 'shop.com' },
  },
  {
    name: 'localhost compares by hostname, ports aside',
    referrer: 'http://localhost:5173/a',
    page: 'http://localhost:3000/b',
    expected: { source: 'Internal', sourceType: 'internal', referrerDomain: 'localhost' },
  },
  {
    name: 'the same IP is internal',
    referrer: 'http://192.168.1.10:8080/',
    page: 'http://192.168.1.10/',
    expected: { source: 'Internal', sourceType: 'internal', referrerDomain: '192.168.1.10' },
  },
  {
    name: 'another IP is a referral named by the IP',
    referrer: 'http://10.0.0.2/admin',
    page: 'http://192.168.1.10/',
    expected: { source: '10.0.0.2', sourceType: 'referral', referrerDomain: '10.0.0.2' },
  },
  {
    name: 'internal wins over leftover paid tags',
    referrer: 'https://www.shop.com/landing?utm_medium=cpc',
    campaign: { utm_source: 'google', utm_medium: 'cpc' },
    expected: { source: 'Internal', sourceType: 'internal', referrerDomain: 'shop.com' },
  },
  {
    name: 'sites on a shared private suffix are not each other',
    referrer: 'https://alice.github.io/',
    page: 'https://bob.github.io/project/',
    expected: { source: 'alice.github.io', sourceType: 'referral', referrerDomain: 'alice.github.io' },
  },

  // Search engines.
  {
    name: 'Google',
    referrer: 'https://www.google.com/',
    expected: { source: 'Google', sourceType: 'search', referrerDomain: 'google.com' },
  },
  {
    name: 'Google UK',
    referrer: 'https://www.google.co.uk/',
    expected: { source: 'Google', sourceType: 'search', referrerDomain: 'google.co.uk' },
  },
  {
    name: 'Google Germany',
    referrer: 'https://www.google.de/',
    expected: { source: 'Google', sourceType: 'search', referrerDomain: 'google.de' },
  },
  {
    name: 'a GitHub Pages site named google is not Google',
    referrer: 'https://google.github.io/styleguide/',
    expected: { source: 'google.github.io', sourceType: 'referral', referrerDomain: 'google.github.io' },
  },
  {
    name: 'Bing',
    referrer: 'https://www.bing.com/search?q=running+shoes',
    expected: { source: 'Bing', sourceType: 'search', referrerDomain: 'bing.com' },
  },
  {
    name: 'DuckDuckGo',
    referrer: 'https://duckduckgo.com/',
    expected: { source: 'DuckDuckGo', sourceType: 'search', referrerDomain: 'duckduckgo.com' },
  },
  {
    name: 'Yahoo search on a country subdomain',
    referrer: 'https://uk.search.yahoo.com/',
    expected: { source: 'Yahoo', sourceType: 'search', referrerDomain: 'yahoo.com' },
  },
  {
    name: 'Yandex on .ru',
    referrer: 'https://yandex.ru/search/?text=shoes',
    expected: { source: 'Yandex', sourceType: 'search', referrerDomain: 'yandex.ru' },
  },
  {
    name: 'Baidu',
    referrer: 'https://www.baidu.com/link?url=abc',
    expected: { source: 'Baidu', sourceType: 'search', referrerDomain: 'baidu.com' },
  },
  {
    name: 'Ecosia',
    referrer: 'https://www.ecosia.org/',
    expected: { source: 'Ecosia', sourceType: 'search', referrerDomain: 'ecosia.org' },
  },
  {
    name: 'Brave Search by hostname',
    referrer: 'https://search.brave.com/',
    expected: { source: 'Brave Search', sourceType: 'search', referrerDomain: 'brave.com' },
  },
  {
    name: "Brave's own site is not Brave Search",
    referrer: 'https://brave.com/download/',
    expected: { source: 'brave.com', sourceType: 'referral', referrerDomain: 'brave.com' },
  },
  {
    name: 'Seznam',
    referrer: 'https://search.seznam.cz/',
    expected: { source: 'Seznam', sourceType: 'search', referrerDomain: 'seznam.cz' },
  },
  {
    name: 'Kagi',
    referrer: 'https://kagi.com/',
    expected: { source: 'Kagi', sourceType: 'search', referrerDomain: 'kagi.com' },
  },

  // Social networks.
  {
    name: 'Facebook link shim',
    referrer: 'https://l.facebook.com/',
    expected: { source: 'Facebook', sourceType: 'social', referrerDomain: 'facebook.com' },
  },
  {
    name: 'Facebook mobile',
    referrer: 'https://m.facebook.com/',
    expected: { source: 'Facebook', sourceType: 'social', referrerDomain: 'facebook.com' },
  },
  {
    name: 't.co is Twitter',
    referrer: 'https://t.co/AbC123xyz',
    expected: { source: 'Twitter', sourceType: 'social', referrerDomain: 't.co' },
  },
  {
    name: 'x.com is Twitter',
    referrer: 'https://x.com/',
    expected: { source: 'Twitter', sourceType: 'social', referrerDomain: 'x.com' },
  },
  {
    name: 'lnkd.in is LinkedIn',
    referrer: 'https://lnkd.in/eXyZ',
    expected: { source: 'LinkedIn', sourceType: 'social', referrerDomain: 'lnkd.in' },
  },
  {
    name: 'Reddit outbound',
    referrer: 'https://out.reddit.com/t3_abc',
    expected: { source: 'Reddit', sourceType: 'social', referrerDomain: 'reddit.com' },
  },
  {
    name: 'YouTube',
    referrer: 'https://www.youtube.com/',
    expected: { source: 'YouTube', sourceType: 'social', referrerDomain: 'youtube.com' },
  },
  {
    name: 'Hacker News by hostname',
    referrer: 'https://news.ycombinator.com/',
    expected: { source: 'Hacker News', sourceType: 'social', referrerDomain: 'ycombinator.com' },
  },
  {
    name: 'Y Combinator itself is a plain referral',
    referrer: 'https://www.ycombinator.com/companies',
    expected: { source: 'ycombinator.com', sourceType: 'referral', referrerDomain: 'ycombinator.com' },
  },
  {
    name: 'Bluesky',
    referrer: 'https://bsky.app/',
    expected: { source: 'Bluesky', sourceType: 'social', referrerDomain: 'bsky.app' },
  },
  {
    name: 'Threads',
    referrer: 'https://www.threads.net/',
    expected: { source: 'Threads', sourceType: 'social', referrerDomain: 'threads.net' },
  },
  {
    name: 'Pinterest on a country domain',
    referrer: 'https://www.pinterest.co.uk/',
    expected: { source: 'Pinterest', sourceType: 'social', referrerDomain: 'pinterest.co.uk' },
  },

  // Webmail.
  {
    name: 'Gmail web wins over the google.* rule',
    referrer: 'https://mail.google.com/',
    expected: { source: 'Gmail', sourceType: 'email', referrerDomain: 'google.com' },
  },
  {
    name: 'Outlook.com',
    referrer: 'https://outlook.live.com/',
    expected: { source: 'Outlook', sourceType: 'email', referrerDomain: 'live.com' },
  },
  {
    name: 'Outlook for Microsoft 365',
    referrer: 'https://outlook.office.com/',
    expected: { source: 'Outlook', sourceType: 'email', referrerDomain: 'office.com' },
  },
  {
    name: 'Yahoo Mail wins over Yahoo search',
    referrer: 'https://mail.yahoo.com/',
    expected: { source: 'Yahoo Mail', sourceType: 'email', referrerDomain: 'yahoo.com' },
  },

  // Android apps.
  {
    name: 'Gmail Android app',
    referrer: 'android-app://com.google.android.gm/',
    expected: { source: 'Gmail', sourceType: 'email' },
  },
  {
    name: 'the Google Android app',
    referrer: 'android-app://com.google.android.googlequicksearchbox/',
    expected: { source: 'Google', sourceType: 'search' },
  },
  {
    name: 'another Android app is named by its package',
    referrer: 'android-app://org.telegram.messenger/',
    expected: { source: 'org.telegram.messenger', sourceType: 'referral' },
  },
  {
    name: 'an Android app with paid tags is paid',
    referrer: 'android-app://com.zhiliaoapp.musically/',
    campaign: { utm_source: 'tiktok', utm_medium: 'cpc' },
    expected: { source: 'com.zhiliaoapp.musically', sourceType: 'paid' },
  },

  // Other referrers and the paid override.
  {
    name: 'unknown site: registrable domain',
    referrer: 'https://blog.example.co.uk/2024/review',
    expected: { source: 'example.co.uk', sourceType: 'referral', referrerDomain: 'example.co.uk' },
  },
  {
    name: 'known search engine with a cpc tag is paid, named by the referrer',
    referrer: 'https://www.google.com/',
    campaign: { utm_source: 'adwords', utm_medium: 'cpc' },
    expected: { source: 'Google', sourceType: 'paid', referrerDomain: 'google.com' },
  },
  {
    name: 'unknown site with a display tag is paid',
    referrer: 'https://www.news-site.com/article',
    campaign: { utm_source: 'gdn', utm_medium: 'Display' },
    expected: { source: 'news-site.com', sourceType: 'paid', referrerDomain: 'news-site.com' },
  },
  {
    name: 'only paid mediums override a referrer',
    referrer: 'https://l.facebook.com/',
    campaign: { utm_source: 'newsletter', utm_medium: 'email' },
    expected: { source: 'Facebook', sourceType: 'social', referrerDomain: 'facebook.com' },
  },
  {
    name: 'utm_source does not rename a referral',
    referrer: 'https://partner.io/deals',
    campaign: { utm_source: 'partner' },
    expected: { source: 'partner.io', sourceType: 'referral', referrerDomain: 'partner.io' },
  },

  // Spelling variants of the same referrer.
  {
    name: 'upper-case URL',
    referrer: 'HTTPS://WWW.GOOGLE.COM/',
    expected: { source: 'Google', sourceType: 'search', referrerDomain: 'google.com' },
  },
  {
    name: 'fully qualified host with a trailing dot',
    referrer: 'https://www.bing.com./search',
    expected: { source: 'Bing', sourceType: 'search', referrerDomain: 'bing.com' },
  },
  {
    name: 'surrounding whitespace',
    referrer: '  https://duckduckgo.com/  ',
    expected: { source: 'DuckDuckGo', sourceType: 'search', referrerDomain: 'duckduckgo.com' },
  },
  {
    name: 'internationalised domain, in its ASCII form',
    referrer: 'https://bücher.de/katalog',
    expected: { source: 'xn--bcher-kva.de', sourceType: 'referral', referrerDomain: 'xn--bcher-kva.de' },
  },
];

for (const { name, referrer, page, campaign, expected } of cases) {
  test(`classifyReferrer: ${name}`, () => {
    assert.deepEqual(classifyReferrer(referrer, new URL(page ?? PAGE), campaign ?? {}), expected);
  });
}

test('classifyReferrer never throws and always names a source', () => {
  const page = new URL(PAGE);
  const nasty = [
    'x'.repeat(1_000_000),
    `https://${'a.'.repeat(200_000)}com/`,
    `https://google.com/${'%'.repeat(100_000)}`,
    'https://[::1',
    'https://%zz/',
    'http://a..b/',
    'https://🙂.ws/',
    '\u0000\uFFFF\uD800',
    'android-app://',
    'android-app:///',
    'javascript:alert(1)',
    'https://.com',
    'https://com./',
  ];
  for (const referrer of nasty) {
    const info = classifyReferrer(referrer, page, { utm_medium: referrer });
    assert.ok(info.source.length > 0, referrer.slice(0, 40));
  }
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: 'binary' }), fc.webUrl({ withQueryParameters: true, withFragments: true })),
      fc.webUrl(),
      fc.record({ utm_source: fc.string(), utm_medium: fc.string() }, { requiredKeys: [] }),
      (referrer, pageUrl, campaign) => {
        const info = classifyReferrer(referrer, new URL(pageUrl), campaign);
        return typeof info.source === 'string' && typeof info.sourceType === 'string';
      },
    ),
    { numRuns: 2000 },
  );
});
