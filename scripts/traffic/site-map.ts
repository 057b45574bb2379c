import {
  FEATURED_SLUGS,
  findProduct,
  formatPrice,
  growerStoryUrl,
  OUTBOUND,
  PAGE_TITLES,
  PLANS,
  type PlanValue,
  PRODUCTS,
  productTitle,
} from '../../app/demo/catalogue';
import type { Rng, Weighted } from './prng';
import type { ReferrerKind } from './referrers';

/**
 * The demo shop as simulated visitors see it: its pages, how people move between them, and what they click.
 * Targets match what the snippet reports for the demo's markup, so simulated and hand-made clicks look alike.
 */

export interface TrafficTarget {
  tag: string;
  selector: string;
  text: string;
  href?: string;
  outbound?: boolean;
}

export type PageKind = 'home' | 'products' | 'product' | 'cart' | 'signup';
export type Page = { kind: Exclude<PageKind, 'product'> } | { kind: 'product'; slug: string };

export interface PageAction {
  type: string;
  props?: Record<string, string | number | boolean>;
  target?: TrafficTarget;
}

/** Where visitors go next from each kind of page. */
const TRANSITIONS: Record<PageKind, readonly Weighted<PageKind>[]> = {
  home: [
    { value: 'products', weight: 45 },
    { value: 'product', weight: 35 },
    { value: 'signup', weight: 10 },
    { value: 'cart', weight: 10 },
  ],
  products: [
    { value: 'product', weight: 80 },
    { value: 'home', weight: 5 },
    { value: 'cart', weight: 10 },
    { value: 'signup', weight: 5 },
  ],
  product: [
    { value: 'products', weight: 45 },
    { value: 'cart', weight: 25 },
    { value: 'home', weight: 15 },
    { value: 'signup', weight: 15 },
  ],
  cart: [
    { value: 'products', weight: 50 },
    { value: 'home', weight: 20 },
    { value: 'signup', weight: 30 },
  ],
  signup: [
    { value: 'home', weight: 50 },
    { value: 'products', weight: 50 },
  ],
};

/** The first page of a visit depends on where it came from: ads point at products, the newsletter home. */
function landingWeights(kind: ReferrerKind): readonly Weighted<PageKind>[] {
  if (kind === 'paid') {
    return [
      { value: 'product', weight: 60 },
      { value: 'home', weight: 40 },
    ];
  }
  if (kind === 'newsletter') {
    return [
      { value: 'home', weight: 50 },
      { value: 'products', weight: 30 },
      { value: 'signup', weight: 20 },
    ];
  }
  return [
    { value: 'home', weight: 45 },
    { value: 'products', weight: 15 },
    { value: 'product', weight: 35 },
    { value: 'signup', weight: 5 },
  ];
}

/** Bestsellers first: the catalogue order doubles as popularity. */
const PRODUCT_POPULARITY: readonly Weighted<string>[] = PRODUCTS.map((product, i) => ({
  value: product.slug,
  weight: 30 / (i + 1),
}));

/** The shop's home page links only to the featured products. */
const FEATURED: readonly Weighted<string>[] = FEATURED_SLUGS.map((slug) => ({ value: slug, weight: 1 }));

export const PLAN_MIX: readonly Weighted<PlanValue>[] = PLANS.map((plan) => ({
  value: plan.value,
  weight: plan.value === 'monthly' ? 50 : plan.value === 'sampler' ? 30 : 20,
}));

export const PROBABILITY = {
  subscribe: 0.06,
  addToCart: 0.3,
  checkoutWithItems: 0.35,
  checkoutEmpty: 0.03,
  signup: 0.4,
  footerOutbound: 0.025,
  growerOutbound: 0.06,
} as const;

export function pagePath(page: Page): string {
  if (page.kind === 'home') return '/demo';
  return page.kind === 'product' ? `/demo/products/${page.slug}` : `/demo/${page.kind}`;
}

export function pageTitle(page: Page): string {
  if (page.kind !== 'product') return PAGE_TITLES[page.kind];
  const product = findProduct(page.slug);
  return product ? productTitle(product) : PAGE_TITLES.products;
}

function makePage(rng: Rng, kind: PageKind, slugs: readonly Weighted<string>[]): Page {
  return kind === 'product' ? { kind, slug: rng.weighted(slugs) } : { kind };
}

export function landingPage(rng: Rng, referrer: ReferrerKind): Page {
  return makePage(rng, rng.weighted(landingWeights(referrer)), PRODUCT_POPULARITY);
}

/** The next page; a product page's visitors head for the cart twice as often once they added something. */
export function nextPage(rng: Rng, from: Page, hasCart: boolean): Page {
  const weights =
    from.kind === 'product' && hasCart
      ? TRANSITIONS.product.map((w) => (w.value === 'cart' ? { ...w, weight: w.weight * 2 } : w))
      : TRANSITIONS[from.kind];
  return makePage(rng, rng.weighted(weights), from.kind === 'home' ? FEATURED : PRODUCT_POPULARITY);
}

/**
 * The snippet describes a clicked element by a selector (`#id`, else `tag.class1.class2` after the nearest
 * ancestor's `#id`) and its collapsed textContent; these mirror what it reports for the demo's markup.
 */
function internalLink(selector: string, text: string): TrafficTarget {
  return { tag: 'a', selector, text, outbound: false };
}

function button(selector: string, text: string): TrafficTarget {
  return { tag: 'button', selector, text };
}

const NAV_LINK = '#shop-nav a.shop-nav-link';

/** A product card's text: name, notes and price (the emoji is drawn by CSS). */
function cardText(slug: string): string {
  const product = findProduct(slug);
  return product ? `${product.name} ${product.notes} ${formatPrice(product.priceCents)}`.slice(0, 64) : slug;
}

/** The link a visitor clicks to get from `from` to `to` (without href; the caller knows the URL). */
export function linkTarget(rng: Rng, from: Page, to: Page, cartItems: number): TrafficTarget {
  switch (to.kind) {
    case 'product':
      return internalLink('a.shop-card', cardText(to.slug));
    case 'products':
      if (from.kind === 'product' && rng.chance(0.3)) return internalLink('a', '← All coffees');
      if (from.kind === 'home' && rng.chance(0.3)) return internalLink('a.button', 'Shop all coffees');
      return internalLink(NAV_LINK, 'Products');
    case 'home':
      return internalLink(NAV_LINK, 'Home');
    case 'cart':
      // The nav shows the number of items once the cart is not empty.
      return internalLink(
        NAV_LINK,
        cartItems > 0 ? `Cart (${cartItems} ${cartItems === 1 ? 'item' : 'items'})` : 'Cart',
      );
    case 'signup':
      return internalLink(NAV_LINK, 'Sign up');
  }
}

/**
 * What a visitor does on a page besides leaving it: the demo's data-riffle-event buttons (a custom event
 * with the button as target), or the sign-up form (a click on its submit button, then `riffle('signup')`).
 */
export function inPageActions(rng: Rng, page: Page, cartItems: number): PageAction[] {
  switch (page.kind) {
    case 'home':
      if (!rng.chance(PROBABILITY.subscribe)) return [];
      return [{ type: 'subscribe_click', target: button('#subscribe', 'Subscribe to offers') }];
    case 'product':
      if (!rng.chance(PROBABILITY.addToCart)) return [];
      return [
        { type: 'add_to_cart', props: { product: page.slug }, target: button('#add-to-cart', 'Add to cart') },
      ];
    case 'cart':
      if (!rng.chance(cartItems > 0 ? PROBABILITY.checkoutWithItems : PROBABILITY.checkoutEmpty)) return [];
      return [{ type: 'checkout', target: button('#checkout', 'Checkout') }];
    case 'signup':
      if (!rng.chance(PROBABILITY.signup)) return [];
      return [
        { type: 'click', target: button('#signup-form button.button', 'Sign up') },
        { type: 'signup', props: { plan: rng.weighted(PLAN_MIX) } },
      ];
    case 'products':
      return [];
  }
}

/** An outbound link click, which ends the visit: footer links on any page, the grower's story on products. */
export function outboundTarget(rng: Rng, page: Page): TrafficTarget | undefined {
  if (page.kind === 'product' && rng.chance(PROBABILITY.growerOutbound)) {
    return {
      tag: 'a',
      selector: 'a',
      text: 'Read the grower’s story',
      href: growerStoryUrl(page.slug),
      outbound: true,
    };
  }
  if (!rng.chance(PROBABILITY.footerOutbound)) return undefined;
  const [href, text] = rng.chance(0.6)
    ? [OUTBOUND.supplier, 'About our coffee supplier']
    : [OUTBOUND.twitter, 'Follow us on Twitter'];
  return { tag: 'a', selector: '#shop-footer a', text, href, outbound: true };
}
