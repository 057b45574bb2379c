import layout from '../styles/layout.module.css';
import { Panel } from './panel';

/** The dashboard's frame while it loads (server render, first paint). */
export function DashboardSkeleton() {
  return (
    <div className={layout.page} aria-busy="true">
      <div className={layout.topbar}>
        <div className={layout.topbarInner}>
          <span className={layout.brand}>
            <span className={layout.brandMark} aria-hidden="true" />
            Riffle
          </span>
        </div>
      </div>
      <main className={layout.main}>
        <p className="visually-hidden" role="status">
          Loading the dashboard…
        </p>
        <div className={layout.grid2}>
          <Panel title="Events per second" status={{ kind: 'loading' }} skeleton="chart" />
          <Panel title="Pageviews" status={{ kind: 'loading' }} skeleton="chart" />
          <Panel title="Top pages" status={{ kind: 'loading' }} />
          <Panel title="Sources" status={{ kind: 'loading' }} />
        </div>
      </main>
    </div>
  );
}
