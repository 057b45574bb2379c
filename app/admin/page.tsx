import type { Metadata } from 'next';
import { SiteList } from './site-list';

export const metadata: Metadata = { title: 'Sites · Riffle' };

/** The sites Riffle collects for, each with the exact snippet to paste into its pages. */
export default function AdminPage() {
  return (
    <main className="landing">
      <header className="landing-header">
        <div>
          <h1>Sites</h1>
          <p>Paste a site’s snippet into the &lt;head&gt; of every page you want to measure.</p>
        </div>
        <a className="button button-secondary" href="/">
          ← Live events
        </a>
      </header>
      <SiteList />
    </main>
  );
}
