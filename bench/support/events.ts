import { randomBytes } from 'node:crypto';
import type { EnrichedEvent } from '../../lib/events/enriched';

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
];

const PATHS = [
  '/demo',
  '/demo/products',
  '/demo/products/ethiopia-yirgacheffe',
  '/demo/cart',
  '/demo/signup',
  '/demo/products/colombia-huila',
];
const REFERRERS = [
  '',
  'https://www.google.com/',
  'https://t.co/x1',
  'https://news.ycombinator.com/',
  'https://duckduckgo.com/',
];

/** Realistic enriched events (~300–400 bytes of JSON each), the same shape the ingest path stores. */
export function benchEvents(count: number): EnrichedEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const path = PATHS[i % PATHS.length] ?? '/';
    const referrer = REFERRERS[i % REFERRERS.length] ?? '';
    const event: EnrichedEvent = {
      id: randomBytes(9).toString('base64url'),
      site: 'demo',
      type: i % 4 === 3 ? 'click' : 'pageview',
      ts: Date.now(),
      url: `https://shop.example${path}${i % 7 === 0 ? '?utm_source=newsletter&utm_medium=email' : ''}`,
      host: 'shop.example',
      path,
      title: 'Riffle Coffee Co. — fresh beans',
      source: referrer ? 'Google' : 'Direct / None',
      sourceType: referrer ? 'search' : 'direct',
      browser: 'Chrome',
      browserVersion: '131',
      os: 'Windows',
      osVersion: '10',
      device: 'desktop',
      country: 'GB',
      visitor: randomBytes(12).toString('base64url'),
      screenWidth: 1440,
    };
    if (referrer) event.referrer = referrer;
    if (i % 4 === 3)
      event.target = { selector: 'nav > a.cta', tag: 'a', text: 'Shop now', href: '/demo/products' };
    return event;
  });
}

const ID_PLACEHOLDER = '\u0000ID\u0000';

/**
 * Collect bodies of 10 events (long form, as a client sends them) split around each event id, so a
 * load generator can fill in fresh ids with string concatenation only.
 */
export function bodyTemplates(count: number): string[][] {
  const pool = benchEvents(count * 10);
  return Array.from({ length: count }, (_, t) => {
    const events = pool.slice(t * 10, t * 10 + 10).map((e) => ({
      id: ID_PLACEHOLDER,
      type: e.type,
      url: e.url,
      ts: Date.now(),
      referrer: e.referrer ?? '',
      title: e.title,
      ...(e.target ? { target: e.target } : {}),
      screenWidth: e.screenWidth,
    }));
    return JSON.stringify({ site: 'demo', events }).split(JSON.stringify(ID_PLACEHOLDER).slice(1, -1));
  });
}
