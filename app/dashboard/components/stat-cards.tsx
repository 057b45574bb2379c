import type { ReactNode } from 'react';
import type { DashboardData } from '../hooks/use-dashboard-data';
import { formatCount, formatDecimal, formatDuration, formatPercent, formatRate } from '../model/format';
import { lateCount } from '../model/rows';
import { type Clock, currentValue, eventsPerSecond, sessionSummary, tumblingTotal } from '../model/select';
import { alignStart } from '../model/series';
import styles from '../styles/stats.module.css';

interface Card {
  id: string;
  label: string;
  value: string | null;
  sub?: ReactNode;
  live?: boolean;
}

/** The realtime pageview bars and total cover the current minute and the 29 before it. */
export function liveMinutesClock(clock: Clock, minutes: number): Clock {
  return { ...clock, fromMs: alignStart(clock.toMs, 60_000) - (minutes - 1) * 60_000 };
}

function lateNote(late: number): ReactNode {
  return late > 0 ? <span className={styles.late}>{formatCount(late)} late, not counted</span> : undefined;
}

/** Online now (or visitors), events per second, pageviews and the session figures. */
export function StatCards({ data }: { data: DashboardData }) {
  const live = data.mode === 'live';
  const visitors = data.view(live ? 'online' : 'visitors');
  const events = data.view('eventsPerSecond');
  const pageviews = data.view('pageviews');
  const sessions = data.view('sessions');
  const clock = live ? liveMinutesClock(data.clock, 30) : data.clock;

  const ready = (s: { status: { kind: string } }) => s.status.kind === 'ready';
  const online = ready(visitors) ? currentValue(visitors.view, data.clock) : null;
  const rate = ready(events) ? eventsPerSecond(events.view, data.clock, live) : null;
  const total = ready(pageviews) ? tumblingTotal(pageviews.view, clock) : null;
  const summary = ready(sessions) ? sessionSummary(sessions.view, data.clock) : null;
  const pageviewLate = pageviews.view
    ? lateCount([...pageviews.view.rows.values()].filter((r) => r.end > clock.fromMs))
    : 0;
  const unavailable = (s: { status: { kind: string } }) => (s.status.kind === 'loading' ? null : '—');

  const cards: Card[] = [
    {
      id: 'online',
      label: live ? (visitors.id === 'online_now' ? 'Online now' : 'Visitors, 5 min') : 'Visitors',
      value: online !== null ? formatCount(online) : unavailable(visitors),
      sub: live
        ? visitors.id === 'online_now'
          ? 'active in the last 5 min'
          : 'online_now not available'
        : 'unique in period',
      live,
    },
    {
      id: 'events',
      label: live ? 'Events / s' : 'Events',
      value: rate ? (live ? formatRate(rate.average) : formatCount(rate.total)) : unavailable(events),
      sub: live ? 'last minute' : rate ? `${formatRate(rate.average)}/s on average` : 'in period',
    },
    {
      id: 'pageviews',
      label: 'Pageviews',
      value: total !== null ? formatCount(total) : unavailable(pageviews),
      sub: lateNote(pageviewLate) ?? (live ? 'last 30 min' : 'in period'),
    },
    {
      id: 'sessions',
      label: 'Sessions',
      value: summary ? formatCount(summary.sessions) : unavailable(sessions),
      sub: summary ? (lateNote(summary.late) ?? (live ? 'last 30 min' : 'in period')) : undefined,
    },
    {
      id: 'bounce',
      label: 'Bounce rate',
      value: summary ? formatPercent(summary.bounceRate) : unavailable(sessions),
      sub: '≤ 1 pageview',
    },
    {
      id: 'duration',
      label: 'Visit duration',
      value: summary ? formatDuration(summary.avgDurationMs) : unavailable(sessions),
      sub: 'average',
    },
    {
      id: 'pages',
      label: 'Pages / session',
      value: summary ? formatDecimal(summary.pagesPerSession) : unavailable(sessions),
      sub: 'pageviews',
    },
  ];

  return (
    <dl className={styles.cards} aria-label="Key figures" data-testid="stat-cards">
      {cards.map((card) => (
        <div key={card.id} className={styles.card} data-testid={`stat-${card.id}`}>
          <dt className={styles.label}>
            {card.live ? <span className={styles.pulse} aria-hidden="true" /> : null}
            {card.label}
          </dt>
          <dd
            className={styles.value}
            data-testid={`stat-${card.id}-value`}
            aria-live={card.id === 'online' ? 'polite' : undefined}
          >
            {card.value ?? (
              <>
                <span className={styles.placeholder} aria-hidden="true" />
                <span className="visually-hidden">loading</span>
              </>
            )}
          </dd>
          {card.sub ? <dd className={styles.sub}>{card.sub}</dd> : null}
        </div>
      ))}
    </dl>
  );
}
