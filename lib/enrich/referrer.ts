import { parse } from 'tldts';
import type { CampaignInfo, ReferrerInfo, SourceType } from '../events/enriched';

interface KnownSource {
  name: string;
  type: SourceType;
}

export const DIRECT_SOURCE = 'Direct / None';
export const INTERNAL_SOURCE = 'Internal';

/**
 * Private suffixes (github.io, vercel.app, blogspot.com…) count as public ones: alice.github.io and
 * bob.github.io are different owners, so one must not be "internal" traffic of the other.
 */
const TLDTS_OPTIONS = { allowPrivateDomains: true } as const;

/** tldts does not re-export its result type (it lives in tldts-core, which is not our dependency). */
type ParsedHost = ReturnType<typeof parse>;

const search = (name: string): KnownSource => ({ name, type: 'search' });
const social = (name: string): KnownSource => ({ name, type: 'social' });
const email = (name: string): KnownSource => ({ name, type: 'email' });

/**
 * Well-known sources by hostname or registrable domain. A referrer's hostname is looked up first, then each
 * parent down to its registrable domain, so mail.google.com wins over the google.* rule and
 * uk.mail.yahoo.com still finds mail.yahoo.com.
 */
const KNOWN_HOSTS: ReadonlyMap<string, KnownSource> = new Map([
  // Hostname-specific entries: their registrable domain means something else (or nothing).
  ['mail.google.com', email('Gmail')],
  ['outlook.live.com', email('Outlook')],
  ['outlook.office.com', email('Outlook')],
  ['outlook.office365.com', email('Outlook')],
  ['mail.yahoo.com', email('Yahoo Mail')],
  ['search.brave.com', search('Brave Search')],
  ['news.ycombinator.com', social('Hacker News')],
  // Search engines.
  ['bing.com', search('Bing')],
  ['duckduckgo.com', search('DuckDuckGo')],
  ['yahoo.com', search('Yahoo')],
  ['baidu.com', search('Baidu')],
  ['ya.ru', search('Yandex')],
  ['ecosia.org', search('Ecosia')],
  ['startpage.com', search('Startpage')],
  ['qwant.com', search('Qwant')],
  ['naver.com', search('Naver')],
  ['seznam.cz', search('Seznam')],
  ['kagi.com', search('Kagi')],
  // Social networks, with their link shorteners and redirectors (l.facebook.com, t.co…).
  ['facebook.com', social('Facebook')],
  ['fb.com', social('Facebook')],
  ['fb.me', social('Facebook')],
  ['twitter.com', social('Twitter')],
  ['x.com', social('Twitter')],
  ['t.co', social('Twitter')],
  ['linkedin.com', social('LinkedIn')],
  ['lnkd.in', social('LinkedIn')],
  ['reddit.com', social('Reddit')],
  ['redd.it', social('Reddit')],
  ['instagram.com', social('Instagram')],
  ['youtube.com', social('YouTube')],
  ['youtu.be', social('YouTube')],
  ['tiktok.com', social('TikTok')],
  ['pinterest.com', social('Pinterest')],
  ['pin.it', social('Pinterest')],
  ['threads.net', social('Threads')],
  ['threads.com', social('Threads')],
  ['bsky.app', social('Bluesky')],
]);

/** Brands that run one site per country suffix (google.de, yandex.ru, pinterest.co.uk…). */
const KNOWN_BRANDS: ReadonlyMap<string, KnownSource> = new Map([
  ['google', search('Google')],
  ['yandex', search('Yandex')],
  ['pinterest', social('Pinterest')],
]);

/**
 * Known sources by the value a utm_source tag gives them ("google", "Facebook", "hacker news", "x"), so a
 * tagged visit without a referrer counts as the same source as one with the site's referrer.
 */
const KNOWN_UTM_SOURCES: ReadonlyMap<string, KnownSource> = new Map([
  ...[...KNOWN_HOSTS.values(), ...KNOWN_BRANDS.values()].map(
    (known) => [known.name.toLowerCase(), known] as const,
  ),
  ...[...KNOWN_BRANDS].map(([key, known]) => [key, known] as const),
  ['x', social('Twitter')],
  ['fb', social('Facebook')],
  ['ig', social('Instagram')],
]);

/** Android apps send `android-app://<package>/` as the referrer. */
const KNOWN_ANDROID_APPS: ReadonlyMap<string, KnownSource> = new Map([
  ['com.google.android.gm', email('Gmail')],
  // The Google app (search bar, Discover): by far the most common app referrer.
  ['com.google.android.googlequicksearchbox', search('Google')],
]);

const PAID_MEDIUMS = new Set(['cpc', 'ppc', 'paid', 'paidsearch', 'display', 'cpm', 'paidsocial']);
const EMAIL_MEDIUMS = new Set(['email', 'newsletter']);
const SOCIAL_MEDIUMS = new Set(['social', 'socialnetwork', 'socialmedia', 'sm']);

/** What a utm_medium says about the channel; "Paid Social", "paid-social" and "paid_social" are all one. */
function mediumType(medium: string | undefined): SourceType | undefined {
  if (!medium) return undefined;
  const normalised = medium.toLowerCase().replace(/[\s_-]+/g, '');
  if (PAID_MEDIUMS.has(normalised)) return 'paid';
  if (EMAIL_MEDIUMS.has(normalised)) return 'email';
  if (SOCIAL_MEDIUMS.has(normalised)) return 'social';
  return undefined;
}

/** The referrer as a URL, or undefined when it is absent, garbage, or not a web/app page (about:, file:…). */
function parseReferrerUrl(referrer: string | undefined): URL | undefined {
  if (!referrer) return undefined;
  let url: URL;
  try {
    // URL itself strips surrounding whitespace and control characters.
    url = new URL(referrer);
  } catch {
    return undefined;
  }
  const isWebOrApp = url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'android-app:';
  return isWebOrApp && url.hostname !== '' ? url : undefined;
}

/** The key two hosts must share to be the same site: registrable domain, or the host itself (IP, localhost). */
function siteKey(parsed: ParsedHost): string | undefined {
  return parsed.domain || parsed.hostname || undefined;
}

/** Hostnames parsed so far: ingest sees the same few referrer and page hosts over and over. */
const parsedHosts = new Map<string, ParsedHost>();
const PARSED_HOSTS_MAX_ENTRIES = 10_000;

/** tldts also drops the root dot URL keeps ("google.com." → "google.com"). */
function parseHost(hostname: string): ParsedHost {
  let parsed = parsedHosts.get(hostname);
  if (parsed === undefined) {
    // Wholesale reset instead of LRU bookkeeping: refilling costs one tldts parse (~1 µs) per host.
    if (parsedHosts.size >= PARSED_HOSTS_MAX_ENTRIES) parsedHosts.clear();
    parsed = parse(hostname, TLDTS_OPTIONS);
    parsedHosts.set(hostname, parsed);
  }
  return parsed;
}

function knownWebSource(parsed: ParsedHost): KnownSource | undefined {
  const { hostname, domain } = parsed;
  if (!hostname || !domain) return undefined;
  let candidate = hostname;
  while (candidate.length >= domain.length) {
    const known = KNOWN_HOSTS.get(candidate);
    if (known) return known;
    const dot = candidate.indexOf('.');
    if (dot < 0) break;
    candidate = candidate.slice(dot + 1);
  }
  // Only real (ICANN) suffixes: google.github.io is somebody's project page, not Google.
  if (parsed.isIcann && parsed.domainWithoutSuffix) return KNOWN_BRANDS.get(parsed.domainWithoutSuffix);
  return undefined;
}

function fromAndroidApp(url: URL, paid: boolean): ReferrerInfo {
  const appPackage = url.hostname.toLowerCase();
  const known = KNOWN_ANDROID_APPS.get(appPackage);
  // No referrerDomain: a package name is not a web domain (tldts would call com.google.android.gm "android.gm").
  return { source: known?.name ?? appPackage, sourceType: paid ? 'paid' : (known?.type ?? 'referral') };
}

/**
 * Where a visit came from: the referrer when there is one (own site, a known search/social/email source, or
 * any other site), else the utm_source tag, else "Direct / None". A paid utm_medium marks the visit as paid
 * even with a referrer, because ad clicks carry the ad network's or publisher's site as referrer.
 * Never throws, whatever the input.
 */
export function classifyReferrer(
  referrer: string | undefined,
  pageUrl: URL,
  campaign: CampaignInfo,
): ReferrerInfo {
  const medium = mediumType(campaign.utm_medium);
  const paid = medium === 'paid';
  const url = parseReferrerUrl(referrer);

  if (url?.protocol === 'android-app:') return fromAndroidApp(url, paid);

  const parsed = url ? parseHost(url.hostname) : undefined;
  const referrerSite = parsed ? siteKey(parsed) : undefined;
  if (parsed && referrerSite) {
    // Own-site navigation stays internal even with campaign tags: they are left over from the landing page.
    if (referrerSite === siteKey(parseHost(pageUrl.hostname))) {
      return { source: INTERNAL_SOURCE, sourceType: 'internal', referrerDomain: referrerSite };
    }
    const known = knownWebSource(parsed);
    return {
      source: known?.name ?? referrerSite,
      sourceType: paid ? 'paid' : (known?.type ?? 'referral'),
      referrerDomain: referrerSite,
    };
  }

  if (campaign.utm_source) {
    // utm_source=google and a google.com referrer should count as one source, "Google".
    const brand = KNOWN_UTM_SOURCES.get(campaign.utm_source.toLowerCase());
    return { source: brand?.name ?? campaign.utm_source, sourceType: medium ?? brand?.type ?? 'referral' };
  }
  return { source: DIRECT_SOURCE, sourceType: 'direct' };
}
