'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { QUERY_UNAVAILABLE, useDashboardData } from '../hooks/use-dashboard-data';
import { useDashboardQuery } from '../hooks/use-dashboard-query';
import { useNow } from '../hooks/use-now';
import { autoPanelWindows, liveWindowIds } from '../model/panels';
import layout from '../styles/layout.module.css';
import { BreakdownPanel, countryLabel } from './breakdown-panel';
import { CustomEventsPanel } from './custom-events';
import { EmptyState } from './empty-state';
import { FilterChips } from './filter-chips';
import { Freshness } from './freshness';
import { LiveFeed } from './live-feed';
import { DashboardSkeleton } from './skeleton-page';
import { StatCards } from './stat-cards';
import { PeriodPicker, SitePicker, ThemeToggle } from './toolbar';
import { EventsPerSecondPanel, PageviewsPanel } from './traffic-panels';
import { WindowPanel } from './window-panel';

/** The live dashboard of one site. Rendered in the browser only: every number depends on the clock. */
export function Dashboard({ site }: { site: string }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted ? <DashboardView site={site} /> : <DashboardSkeleton />;
}

function DashboardView({ site }: { site: string }) {
  const query = useDashboardQuery();
  const now = useNow(1_000);
  const data = useDashboardData(site, query.period, query.filters, now);
  const { filters, addFilter: onFilter } = query;

  if (data.notFound) {
    return (
      <main className={layout.main}>
        <p className={`${layout.notice} ${layout.noticeError}`} role="alert" data-testid="site-not-found">
          There is no site “{site}” on this server. <Link href="/">Pick a site</Link>
        </p>
      </main>
    );
  }

  const liveIds = data.windows ? liveWindowIds(data.windows) : [];
  const empty =
    data.mode === 'live' &&
    data.windows !== undefined &&
    liveIds.length > 0 &&
    liveIds.every((id) => data.live.windows[id] !== undefined || data.live.refused.includes(id)) &&
    liveIds.every((id) => (data.live.windows[id]?.rows.size ?? 0) === 0) &&
    data.feed.length === 0;
  const autoPanels = data.windows ? autoPanelWindows(data.windows.values()) : [];
  const common = { data, site, filters, onFilter };

  return (
    <div className={layout.page}>
      <a href="#dashboard-main" className="skip-link">
        Skip to the dashboard
      </a>
      <header className={layout.topbar}>
        <div className={layout.topbarInner}>
          <Link href="/" className={layout.brand} aria-label="Riffle home">
            <span className={layout.brandMark} aria-hidden="true" />
            Riffle
          </Link>
          <SitePicker site={site} period={query.period} />
          <span className={layout.spacer} />
          <Link href="/admin" className={layout.navLink}>
            Sites &amp; admin
          </Link>
          <ThemeToggle />
        </div>
      </header>
      <div className={layout.toolbar}>
        <div className={layout.toolbarInner}>
          <PeriodPicker period={query.period} onChange={query.setPeriod} />
          <FilterChips filters={filters} onRemove={query.removeFilter} onClear={query.clearFilters} />
          <Freshness live={data.live} range={data.range} mode={data.mode} />
        </div>
      </div>
      <main className={layout.main} id="dashboard-main" tabIndex={-1}>
        {data.windowListError ? (
          <p className={`${layout.notice} ${layout.noticeError}`} role="alert">
            Could not load the site’s windows: {data.windowListError}
          </p>
        ) : null}
        {data.range.status === 'unavailable' ? (
          <p
            className={`${layout.notice} ${layout.noticeWarn}`}
            role="status"
            data-testid="query-unavailable"
          >
            {QUERY_UNAVAILABLE}.{' '}
            {filters.length === 0 && data.range.data
              ? 'Pageviews and sessions come from the stored window results; the other panels need it.'
              : 'Filtered views need it.'}
          </p>
        ) : null}
        {data.live.error && data.mode === 'live' ? (
          <p className={`${layout.notice} ${layout.noticeWarn}`} role="status">
            Live updates: {data.live.error}
          </p>
        ) : null}
        {empty ? <EmptyState site={site} /> : null}
        <StatCards data={data} />
        <div className={layout.grid2}>
          <EventsPerSecondPanel data={data} site={site} />
          <PageviewsPanel data={data} site={site} />
        </div>
        <div className={layout.grid2}>
          <BreakdownPanel
            {...common}
            title="Top pages"
            testId="panel-pages"
            tabs={[{ role: 'pages', label: 'Pages', labelHeader: 'Page', countHeader: 'Pageviews' }]}
          />
          <BreakdownPanel
            {...common}
            title="Sources"
            testId="panel-sources"
            tabs={[
              { role: 'sources', label: 'Sources', labelHeader: 'Source', countHeader: 'Events' },
              { role: 'referrers', label: 'Referrers', labelHeader: 'Referring site', countHeader: 'Events' },
              { role: 'campaigns', label: 'Campaigns', labelHeader: 'UTM campaign', countHeader: 'Events' },
            ]}
          />
          <BreakdownPanel
            {...common}
            title="Devices"
            testId="panel-devices"
            tabs={[
              { role: 'devices', label: 'Devices', labelHeader: 'Device', countHeader: 'Events' },
              { role: 'browsers', label: 'Browsers', labelHeader: 'Browser', countHeader: 'Events' },
              { role: 'os', label: 'OS', labelHeader: 'Operating system', countHeader: 'Events' },
            ]}
          />
          <BreakdownPanel
            {...common}
            title="Countries"
            testId="panel-countries"
            tabs={[
              {
                role: 'countries',
                label: 'Countries',
                labelHeader: 'Country',
                countHeader: 'Events',
                display: countryLabel,
              },
            ]}
          />
        </div>
        <CustomEventsPanel {...common} />
        <LiveFeed
          site={site}
          events={data.feed}
          filters={filters}
          status={
            data.live.status === 'connecting' && data.feed.length === 0
              ? { kind: 'loading' }
              : { kind: 'ready' }
          }
        />
        {autoPanels.length > 0 ? (
          <>
            <h2 className={layout.sectionTitle}>Your windows</h2>
            <div className={layout.grid2} data-testid="auto-panels">
              {autoPanels.map((def) => (
                <WindowPanel key={def.id} def={def} {...common} />
              ))}
            </div>
          </>
        ) : null}
      </main>
    </div>
  );
}
