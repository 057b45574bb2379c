'use client';

import Link from 'next/link';
import { useSites } from './dashboard/hooks/use-sites';

/** The home page's site picker: one card per site, each opening its live dashboard. */
export function SitePicker() {
  const sites = useSites();
  if (sites.status === 'loading') return <p className="empty">Loading sites…</p>;
  if (sites.status === 'error') return <p className="alert">Could not load the sites: {sites.message}</p>;
  if (sites.data.length === 0) {
    return (
      <p className="empty">
        No sites yet. <Link href="/admin">Add one in the admin</Link>.
      </p>
    );
  }
  return (
    <nav aria-label="Sites">
      <ul className="site-grid" data-testid="site-picker-list">
        {sites.data.map((site) => (
          <li key={site.id}>
            <Link
              className="site-card"
              href={`/dashboard/${encodeURIComponent(site.id)}`}
              data-testid={`open-dashboard-${site.id}`}
            >
              <strong>{site.name}</strong>
              <span>
                {site.id}
                {site.domain ? ` · ${site.domain}` : ''}
              </span>
              <span>Open the live dashboard →</span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
