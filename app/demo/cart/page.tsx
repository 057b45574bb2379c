import type { Metadata } from 'next';
import { PAGE_TITLES } from '../catalogue';
import { CartView } from './cart-view';

export const metadata: Metadata = { title: PAGE_TITLES.cart };

export default function CartPage() {
  return (
    <>
      <h1 className="shop-page-title">Your cart</h1>
      <CartView />
    </>
  );
}
