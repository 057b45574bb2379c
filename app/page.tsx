import { LiveEvents } from './live-events';

/**
 * Temporary home page until the dashboard exists: a pointer to the demo shop and the raw event feed.
 * The demo link is a plain <a>, not next/link: the shop is "another site" whose layout embeds the tracking
 * snippet as a classic <script>, and such scripts only run on a full document load, never when React
 * inserts them during a client-side transition.
 */
export default function Home() {
  return (
    <main className="landing">
      <header className="landing-header">
        <div>
          <h1>Riffle</h1>
          <p>Self-hosted, real-time clickstream analytics.</p>
        </div>
        <a className="button" href="/demo" data-testid="open-demo">
          Open the demo shop →
        </a>
      </header>
      <LiveEvents />
    </main>
  );
}
