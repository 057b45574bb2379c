'use client';

import { useEffect, useState } from 'react';
import styles from '../styles/empty.module.css';

/** No event yet for this site: the snippet to paste, and a live "waiting" indicator. */
export function EmptyState({ site }: { site: string }) {
  const [origin, setOrigin] = useState('');
  const [copied, setCopied] = useState(false);
  useEffect(() => setOrigin(window.location.origin), []);
  const snippet = `<script defer src="${origin}/js/script.js" data-site="${site}"></script>`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      setCopied(true);
      setTimeout(() => setCopied(false), 2_000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section className={styles.empty} aria-labelledby="empty-title" data-testid="empty-state">
      <h2 id="empty-title">No events for “{site}” yet</h2>
      <p>
        Paste this snippet into the &lt;head&gt; of every page you want to measure. Events show up here within
        a second of the first visit.
      </p>
      <div className={styles.snippet}>
        <pre className={styles.code} data-testid="empty-snippet">
          {snippet}
        </pre>
        <button type="button" className="button button-secondary" onClick={copy} aria-live="polite">
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className={styles.waiting} role="status" data-testid="waiting-first-event">
        <span className={styles.spinner} aria-hidden="true" />
        Waiting for the first event…
      </p>
    </section>
  );
}
