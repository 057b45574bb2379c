'use client';

import { useNow } from '../hooks/use-now';
import type { RangeState } from '../hooks/use-range-data';
import { formatAgo, formatClock, formatCount, formatSpan } from '../model/format';
import type { LiveState } from '../realtime/live-store';
import styles from '../styles/toolbar.module.css';

const STATUS_TEXT = {
  connecting: 'Connecting',
  connected: 'Live',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
} as const;

/** Pipeline lag above which it shows in the warning colour. */
const LAG_WARN_MS = 5_000;

/**
 * How fresh the numbers are: the socket's state as a dot, how long ago the last message arrived (browser
 * clock, ticking), and the pipeline lag the server reported with it (send time − the lowest shard position).
 */
export function Freshness({
  live,
  range,
  mode,
}: {
  live: LiveState;
  range: RangeState;
  mode: 'live' | 'range';
}) {
  const now = useNow(200);
  const status = live.status;
  return (
    <div className={styles.freshness} data-testid="freshness">
      <span
        className={styles.dot}
        data-state={status}
        data-testid="connection-status"
        role="status"
        aria-live="polite"
      >
        {STATUS_TEXT[status]}
      </span>
      {mode === 'live' ? (
        <>
          <span data-testid="updated-ago">
            {live.lastMessageAtMs === null
              ? 'no update yet'
              : `updated ${formatAgo(now - live.lastMessageAtMs)}`}
          </span>
          {live.lagMs !== null ? (
            <span data-testid="pipeline-lag" className={live.lagMs > LAG_WARN_MS ? styles.stale : undefined}>
              pipeline lag {formatSpan(live.lagMs)}
            </span>
          ) : null}
        </>
      ) : range.status === 'ready' ? (
        <span data-testid="range-freshness">
          as of {formatClock(range.data.fetchedAtMs)}
          {range.data.scannedEvents !== null
            ? ` · ${formatCount(range.data.scannedEvents)} events scanned`
            : ''}
          {range.data.truncated ? <span className={styles.stale}> · truncated</span> : null}
        </span>
      ) : null}
    </div>
  );
}
