'use client';

import Link from 'next/link';
import { useState } from 'react';
import { addToCart } from '../../cart-store';

/**
 * The snippet reports the click itself, as an `add_to_cart` event with props {product} (from the
 * data-riffle-event and data-riffle-prop-* attributes); this only updates the cart.
 */
export function AddToCartButton({ slug }: { slug: string }) {
  const [added, setAdded] = useState(0);
  return (
    <div className="shop-add-to-cart">
      <button
        type="button"
        id="add-to-cart"
        className="button"
        data-riffle-event="add_to_cart"
        data-riffle-prop-product={slug}
        data-testid="add-to-cart"
        onClick={() => {
          addToCart(slug);
          setAdded((n) => n + 1);
        }}
      >
        Add to cart
      </button>
      {added > 0 ? (
        <p role="status" className="shop-notice">
          Added{added > 1 ? ` (${added}×)` : ''}. <Link href="/demo/cart">View cart</Link>
        </p>
      ) : null}
    </div>
  );
}
