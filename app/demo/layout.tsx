import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { OUTBOUND, PAGE_TITLES, SHOP_NAME } from './catalogue';
import { ShopNav } from './shop-nav';
import './shop.css';

export const metadata: Metadata = {
  title: PAGE_TITLES.home,
  description: `${SHOP_NAME} is a fake shop that generates real clicks for Riffle.`,
};

/**
 * The queue stub a site owner pastes before the snippet: calls to `riffle()` made before the snippet has
 * loaded are kept in `riffle.q` and replayed by the snippet. A constant, never user data.
 */
const QUEUE_STUB =
  'window.riffle=window.riffle||function(){(window.riffle.q=window.riffle.q||[]).push(arguments)}';

/**
 * The demo shop: embeds the tracking snippet exactly as a site owner would, as two plain <script> tags
 * rendered into the server HTML. They run on the full page load that enters /demo (links from outside the
 * shop are plain <a>); inside the shop, navigation is next/link (history.pushState), which this layout
 * survives, so the snippet is loaded once and sees SPA page changes.
 */
export default function DemoLayout({ children }: { children: ReactNode }) {
  return (
    <div className="shop">
      <script>{QUEUE_STUB}</script>
      <script defer src="/js/script.js" data-site="demo" data-allow-localhost="true" />
      <header className="shop-header">
        <div className="shop-header-inner">
          <span className="shop-brand" aria-hidden="true">
            ☕
          </span>
          <span className="shop-brand-name">{SHOP_NAME}</span>
          <ShopNav />
        </div>
      </header>
      <main className="shop-main">{children}</main>
      <footer className="shop-footer" id="shop-footer">
        <div className="shop-footer-inner">
          <p>
            {SHOP_NAME} is a demo shop: nothing is sold and no email is ever sent anywhere. It exists so that
            Riffle has real clicks to count.
          </p>
          <ul className="shop-footer-links">
            <li>
              <a href={OUTBOUND.supplier} rel="noopener" data-testid="outbound-supplier">
                About our coffee supplier
              </a>
            </li>
            <li>
              <a href={OUTBOUND.twitter} rel="noopener" data-testid="outbound-twitter">
                Follow us on Twitter
              </a>
            </li>
            <li>
              {/* A full page load: leaving the shop for Riffle's own pages. */}
              <a href="/" data-testid="back-to-riffle">
                Back to Riffle
              </a>
            </li>
          </ul>
        </div>
      </footer>
    </div>
  );
}
