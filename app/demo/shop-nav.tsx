'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useCart } from './cart-store';

const LINKS = [
  { href: '/demo', label: 'Home', testId: 'nav-home' },
  { href: '/demo/products', label: 'Products', testId: 'nav-products' },
  { href: '/demo/cart', label: 'Cart', testId: 'nav-cart' },
  { href: '/demo/signup', label: 'Sign up', testId: 'nav-signup' },
] as const;

function isCurrent(pathname: string, href: string): boolean {
  return href === '/demo' ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
}

/** Client-side links (history.pushState), so the snippet's SPA page tracking is what gets exercised. */
export function ShopNav() {
  const pathname = usePathname();
  const cart = useCart();
  const count = cart.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <nav className="shop-nav" id="shop-nav" aria-label="Shop">
      {LINKS.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          className="shop-nav-link"
          data-testid={link.testId}
          aria-current={isCurrent(pathname, link.href) ? 'page' : undefined}
        >
          {link.label}
          {link.testId === 'nav-cart' && count > 0 ? (
            <span className="shop-badge" data-testid="cart-count">
              <span className="visually-hidden"> (</span>
              {count}
              <span className="visually-hidden">{count === 1 ? ' item)' : ' items)'}</span>
            </span>
          ) : null}
        </Link>
      ))}
    </nav>
  );
}
