import type { Rng, Weighted } from './prng';

/**
 * The user agents simulated visitors use, weighted roughly like the traffic of a small consumer shop
 * (mobile-heavy, Chrome-dominant). Device classes decide the screen widths sent with each event.
 */

export type DeviceClass = 'desktop' | 'mobile' | 'tablet';

export interface UserAgentProfile {
  name: string;
  device: DeviceClass;
  userAgent: string;
}

export const USER_AGENTS: readonly Weighted<UserAgentProfile>[] = [
  {
    weight: 22,
    value: {
      name: 'Chrome (Windows)',
      device: 'desktop',
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    },
  },
  {
    weight: 8,
    value: {
      name: 'Chrome (macOS)',
      device: 'desktop',
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    },
  },
  {
    weight: 6,
    value: {
      name: 'Firefox (Windows)',
      device: 'desktop',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    },
  },
  {
    weight: 2,
    value: {
      name: 'Firefox (Linux)',
      device: 'desktop',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    },
  },
  {
    weight: 7,
    value: {
      name: 'Safari (macOS)',
      device: 'desktop',
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    },
  },
  {
    weight: 6,
    value: {
      name: 'Edge (Windows)',
      device: 'desktop',
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    },
  },
  {
    weight: 24,
    value: {
      name: 'Safari (iPhone)',
      device: 'mobile',
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    },
  },
  {
    weight: 15,
    value: {
      name: 'Chrome (Android)',
      device: 'mobile',
      userAgent:
        'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    },
  },
  {
    weight: 5,
    value: {
      name: 'Samsung Internet (Android)',
      device: 'mobile',
      userAgent:
        'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36',
    },
  },
  {
    weight: 5,
    value: {
      name: 'Safari (iPad)',
      device: 'tablet',
      userAgent:
        'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
    },
  },
];

/** CSS pixel widths (window.innerWidth) common for each device class. */
const SCREEN_WIDTHS: Record<DeviceClass, readonly Weighted<number>[]> = {
  desktop: [
    { value: 1920, weight: 35 },
    { value: 1536, weight: 20 },
    { value: 1440, weight: 15 },
    { value: 1366, weight: 12 },
    { value: 1280, weight: 10 },
    { value: 2560, weight: 8 },
  ],
  mobile: [
    { value: 390, weight: 30 },
    { value: 393, weight: 20 },
    { value: 412, weight: 20 },
    { value: 430, weight: 15 },
    { value: 360, weight: 15 },
  ],
  tablet: [
    { value: 810, weight: 40 },
    { value: 820, weight: 35 },
    { value: 1024, weight: 25 },
  ],
};

export function pickUserAgent(rng: Rng): UserAgentProfile {
  return rng.weighted(USER_AGENTS);
}

export function pickScreenWidth(rng: Rng, device: DeviceClass): number {
  return rng.weighted(SCREEN_WIDTHS[device]);
}
