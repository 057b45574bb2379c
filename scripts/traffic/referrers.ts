import type { Rng, Weighted } from './prng';

/**
 * Where simulated visitors come from. Each kind is a landing referrer plus, for campaigns, the query the
 * landing URL carries; the weights are a plausible mix for a small shop with a newsletter and one ad campaign.
 */

export type ReferrerKind =
  | 'direct'
  | 'google'
  | 'bing'
  | 'duckduckgo'
  | 'twitter'
  | 'facebook'
  | 'hackernews'
  | 'reddit'
  | 'newsletter'
  | 'paid';

export const REFERRER_MIX: readonly Weighted<ReferrerKind>[] = [
  { value: 'direct', weight: 28 },
  { value: 'google', weight: 22 },
  { value: 'bing', weight: 4 },
  { value: 'duckduckgo', weight: 4 },
  { value: 'twitter', weight: 5 },
  { value: 'facebook', weight: 5 },
  { value: 'hackernews', weight: 6 },
  { value: 'reddit', weight: 6 },
  { value: 'newsletter', weight: 11 },
  { value: 'paid', weight: 9 },
];

const REFERRER_URLS: Record<Exclude<ReferrerKind, 'direct' | 'newsletter' | 'paid'>, string> = {
  google: 'https://www.google.com/',
  bing: 'https://www.bing.com/',
  duckduckgo: 'https://duckduckgo.com/',
  twitter: 'https://t.co/abc',
  facebook: 'https://www.facebook.com/',
  hackernews: 'https://news.ycombinator.com/',
  reddit: 'https://www.reddit.com/r/coffee/',
};

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;

export interface Landing {
  kind: ReferrerKind;
  /** document.referrer on the landing page; '' when there is none (direct, email clients). */
  referrer: string;
  /** Query string of the landing URL, without "?"; '' when none. */
  query: string;
}

/** The newsletter's campaign is named after the month it went out, e.g. "november". */
export function newsletterCampaign(nowMs: number): string {
  return MONTHS[new Date(nowMs).getUTCMonth()] ?? 'newsletter';
}

export function landingFor(kind: ReferrerKind, rng: Rng, nowMs: number): Landing {
  switch (kind) {
    case 'direct':
      return { kind, referrer: '', query: '' };
    case 'newsletter':
      return {
        kind,
        referrer: '',
        query: `utm_source=newsletter&utm_medium=email&utm_campaign=${newsletterCampaign(nowMs)}`,
      };
    case 'paid':
      return {
        kind,
        referrer: 'https://www.google.com/',
        query: `utm_source=google&utm_medium=cpc&utm_campaign=spring_sale&gclid=Cj0KCQ${rng.alphanumeric(34)}`,
      };
    default:
      return { kind, referrer: REFERRER_URLS[kind], query: '' };
  }
}

export function pickLanding(rng: Rng, nowMs: number): Landing {
  return landingFor(rng.weighted(REFERRER_MIX), rng, nowMs);
}
