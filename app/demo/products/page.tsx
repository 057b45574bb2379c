import type { Metadata } from 'next';
import { PAGE_TITLES, PRODUCTS } from '../catalogue';
import { ProductCard } from '../product-card';

export const metadata: Metadata = { title: PAGE_TITLES.products };

export default function ProductsPage() {
  return (
    <>
      <h1 className="shop-page-title">All coffees</h1>
      <p className="shop-lead">Whole beans, 250 g bags. Roasted on Mondays, shipped by Friday.</p>
      <div className="shop-grid">
        {PRODUCTS.map((product) => (
          <ProductCard key={product.slug} product={product} />
        ))}
      </div>
    </>
  );
}
