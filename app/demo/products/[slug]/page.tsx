import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { findProduct, formatPrice, growerStoryUrl, PRODUCTS, productTitle } from '../../catalogue';
import { swatchStyle } from '../../product-card';
import { AddToCartButton } from './add-to-cart-button';

interface ProductPageProps {
  params: Promise<{ slug: string }>;
}

/** Only catalogue products exist; anything else is a 404 rather than a render on demand. */
export const dynamicParams = false;

export function generateStaticParams(): Array<{ slug: string }> {
  return PRODUCTS.map((product) => ({ slug: product.slug }));
}

export async function generateMetadata({ params }: ProductPageProps): Promise<Metadata> {
  const product = findProduct((await params).slug);
  return product ? { title: productTitle(product), description: product.notes } : {};
}

export default async function ProductPage({ params }: ProductPageProps) {
  const { slug } = await params;
  const product = findProduct(slug);
  if (!product) notFound();

  return (
    <article className="shop-detail">
      <span
        className="shop-swatch shop-swatch-large"
        style={swatchStyle(product)}
        data-emoji={product.emoji}
        aria-hidden="true"
      />
      <div className="shop-detail-body">
        <p className="shop-eyebrow">
          <Link href="/demo/products" data-testid="back-to-products">
            ← All coffees
          </Link>
        </p>
        <h1 className="shop-page-title">{product.name}</h1>
        <p className="shop-origin">{product.origin}</p>
        <p className="shop-lead">Tasting notes: {product.notes}.</p>
        <p className="shop-price">{formatPrice(product.priceCents)}</p>
        <AddToCartButton slug={product.slug} />
        <p className="shop-story">
          {product.story}{' '}
          <a href={growerStoryUrl(product.slug)} rel="noopener" data-testid="outbound-grower">
            Read the grower’s story
          </a>
        </p>
      </div>
    </article>
  );
}
