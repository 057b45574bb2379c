import { LiveEvents } from './live-events';
import { SitePicker } from './site-picker';

/**
 * The home page: pick a site to open its live dashboard; below, the raw stream of the latest events
 * across sites. The demo link is a plain <a>, not next/link: the shop is "another site" whose layout
 * embeds the tracking snippet as a classic <script>, and such scripts only run on a full document load,
 * never when React inserts them during a client-side transition.
 */
export default function Home() {
  return (
    <main className="landing">
      <header className="landing-header">
        <div>
          <h1>Riffle</h1>
          <p>Self-hosted, real-time clickstream analytics.</p>
        </div>
        <div className="landing-actions">
          <a className="button button-secondary" href="/admin">
            Sites &amp; admin
          </a>
          <a className="button" href="/demo" data-testid="open-demo">
            Open the demo shop →
          </a>
        </div>
      </header>
      <h2 className="landing-section">Dashboards</h2>
      <SitePicker />
      <LiveEvents />
    </main>
  );
}
