import Link from 'next/link';
import type { CSSProperties } from 'react';
import { formatPrice, type Product } from './catalogue';

/** The product's colour swatch; the hue is catalogue data, never user input. The emoji is drawn by CSS. */
export function swatchStyle(product: Product): CSSProperties {
  return { '--hue': String(product.hue) } as CSSProperties;
}

export function ProductCard({ product }: { product: Product }) {
  return (
    <Link
      href={`/demo/products/${product.slug}`}
      className="shop-card"
      data-testid={`product-card-${product.slug}`}
    >
      <span
        className="shop-swatch"
        style={swatchStyle(product)}
        data-emoji={product.emoji}
        aria-hidden="true"
      />
      {/* Spaces between the parts: the snippet reports a clicked card by its collapsed textContent. */}
      <span className="shop-card-body">
        <span className="shop-card-name">{product.name}</span>{' '}
        <span className="shop-card-notes">{product.notes}</span>{' '}
        <span className="shop-card-price">{formatPrice(product.priceCents)}</span>
      </span>
    </Link>
  );
}
