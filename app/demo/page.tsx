import Link from 'next/link';
import { FEATURED_SLUGS, findProduct, type Product, SHOP_NAME } from './catalogue';
import { ProductCard } from './product-card';
import { SubscribeButton } from './subscribe-button';

const featured = FEATURED_SLUGS.map(findProduct).filter(
  (product): product is Product => product !== undefined,
);

export default function DemoHome() {
  return (
    <>
      <section className="shop-hero">
        <p className="shop-eyebrow">Small-batch · roasted weekly</p>
        <h1>Coffee worth a second cup.</h1>
        <p className="shop-lead">
          {SHOP_NAME} roasts single-origin beans from growers we know by name, and ships them within a week of
          roasting.
        </p>
        <div className="shop-hero-actions">
          <Link href="/demo/products" className="button" data-testid="shop-now">
            Shop all coffees
          </Link>
          <SubscribeButton />
        </div>
      </section>

      <section aria-labelledby="featured-title">
        <h2 id="featured-title" className="shop-section-title">
          Featured this week
        </h2>
        <div className="shop-grid">
          {featured.map((product) => (
            <ProductCard key={product.slug} product={product} />
          ))}
        </div>
      </section>
    </>
  );
}
