/**
 * The demo shop's static data. Plain data, no React: the traffic generator (scripts/traffic/) imports it
 * too, so simulated visitors walk exactly the pages and products that exist.
 */

export const SHOP_NAME = 'Riffle Coffee Co.';

export interface Product {
  slug: string;
  name: string;
  origin: string;
  notes: string;
  /** Price in cents, so sums stay exact. */
  priceCents: number;
  emoji: string;
  /** CSS colour of the card's swatch. */
  hue: number;
  story: string;
}

export const PRODUCTS: readonly Product[] = [
  {
    slug: 'ethiopia-yirgacheffe',
    name: 'Ethiopia Yirgacheffe',
    origin: 'Gedeo zone, Ethiopia',
    notes: 'Jasmine, bergamot, lemon curd',
    priceCents: 1650,
    emoji: '🌼',
    hue: 45,
    story: 'Washed lots from smallholders around Kochere, dried slowly on raised beds.',
  },
  {
    slug: 'colombia-huila',
    name: 'Colombia Huila',
    origin: 'Huila, Colombia',
    notes: 'Red apple, panela, cocoa',
    priceCents: 1450,
    emoji: '🍎',
    hue: 5,
    story: 'A cooperative of 40 families farming steep slopes at 1,700 m above sea level.',
  },
  {
    slug: 'kenya-nyeri',
    name: 'Kenya Nyeri',
    origin: 'Nyeri, Kenya',
    notes: 'Blackcurrant, grapefruit, molasses',
    priceCents: 1800,
    emoji: '🫐',
    hue: 280,
    story: 'SL28 and SL34 cherries processed at a factory shared by 900 members.',
  },
  {
    slug: 'guatemala-antigua',
    name: 'Guatemala Antigua',
    origin: 'Antigua, Guatemala',
    notes: 'Milk chocolate, toffee, orange',
    priceCents: 1500,
    emoji: '🍫',
    hue: 25,
    story: 'Grown in volcanic soil in the shade of gravilea trees.',
  },
  {
    slug: 'sumatra-mandheling',
    name: 'Sumatra Mandheling',
    origin: 'North Sumatra, Indonesia',
    notes: 'Cedar, dark chocolate, spice',
    priceCents: 1400,
    emoji: '🌲',
    hue: 140,
    story: 'Wet-hulled the traditional way, giving its heavy body and earthy finish.',
  },
  {
    slug: 'house-espresso',
    name: 'House Espresso',
    origin: 'Brazil & Colombia blend',
    notes: 'Hazelnut, caramel, cherry',
    priceCents: 1300,
    emoji: '☕',
    hue: 30,
    story: 'Our everyday blend, roasted every Monday and rested a week before shipping.',
  },
];

export const FEATURED_SLUGS: readonly string[] = ['ethiopia-yirgacheffe', 'kenya-nyeri', 'house-espresso'];

/** Plans offered on the sign-up page; the traffic generator sends the same values as `signup` props. */
export const PLANS = [
  { value: 'sampler', label: 'Sampler — 3 bags, one-off' },
  { value: 'monthly', label: 'Monthly — 2 bags a month' },
  { value: 'weekly', label: 'Weekly — 1 bag a week' },
] as const;

export type PlanValue = (typeof PLANS)[number]['value'];

/** Outbound links; the footer's supplier link is what e2e tests click as an outbound link. */
export const OUTBOUND = {
  supplier: 'https://example.com/about-coffee',
  twitter: 'https://twitter.com/example',
} as const;

export function growerStoryUrl(slug: string): string {
  return `https://example.com/growers/${slug}`;
}

export function findProduct(slug: string): Product | undefined {
  return PRODUCTS.find((product) => product.slug === slug);
}

export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}

/** Page titles, shared with the traffic generator so simulated events carry the titles real pages have. */
export const PAGE_TITLES = {
  home: `${SHOP_NAME} — Fresh roasted coffee`,
  products: `Products · ${SHOP_NAME}`,
  cart: `Cart · ${SHOP_NAME}`,
  signup: `Sign up · ${SHOP_NAME}`,
} as const;

export function productTitle(product: Product): string {
  return `${product.name} · ${SHOP_NAME}`;
}
