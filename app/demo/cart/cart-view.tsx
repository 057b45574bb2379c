'use client';

import Link from 'next/link';
import { useState } from 'react';
import { clearCart, removeFromCart, useCart } from '../cart-store';
import { findProduct, formatPrice } from '../catalogue';

type CheckoutResult = 'none' | 'ordered' | 'empty';

export function CartView() {
  const cart = useCart();
  const [result, setResult] = useState<CheckoutResult>('none');
  const lines = cart.flatMap((line) => {
    const product = findProduct(line.slug);
    return product ? [{ ...line, product }] : [];
  });
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.product.priceCents, 0);

  return (
    <div className="shop-cart">
      {lines.length === 0 ? (
        <p className="shop-lead" data-testid="cart-empty">
          Your cart is empty. <Link href="/demo/products">Browse the coffees</Link>
        </p>
      ) : (
        <table className="shop-cart-table">
          <thead>
            <tr>
              <th scope="col">Coffee</th>
              <th scope="col">Qty</th>
              <th scope="col">Price</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.slug} data-testid={`cart-line-${line.slug}`}>
                <td>
                  <Link href={`/demo/products/${line.slug}`}>{line.product.name}</Link>
                </td>
                <td>{line.quantity}</td>
                <td>{formatPrice(line.quantity * line.product.priceCents)}</td>
                <td>
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() => removeFromCart(line.slug)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={2}>
                Total
              </th>
              <td colSpan={2}>{formatPrice(totalCents)}</td>
            </tr>
          </tfoot>
        </table>
      )}
      {/* Always clickable, even with an empty cart, so the click can be recorded on any visit. */}
      <button
        type="button"
        id="checkout"
        className="button"
        data-riffle-event="checkout"
        data-testid="checkout"
        onClick={() => {
          setResult(lines.length > 0 ? 'ordered' : 'empty');
          if (lines.length > 0) clearCart();
        }}
      >
        Checkout
      </button>
      {result !== 'none' ? (
        <p role="status" className="shop-notice" data-testid="checkout-result">
          {result === 'ordered'
            ? 'Thank you! This is a demo shop, so no order was placed and nothing was charged.'
            : 'Your cart is empty — add a coffee first.'}
        </p>
      ) : null}
    </div>
  );
}
