import { feedCanFilter, feedMatches } from '../model/feed';
import { FILTER_LABELS, type Filter } from '../model/filters';
import { formatClock } from '../model/format';
import type { FeedEvent } from '../model/schemas';
import styles from '../styles/feed.module.css';
import layout from '../styles/layout.module.css';
import { CsvButton } from './csv-button';
import { Panel, type PanelStatus } from './panel';

const SHOWN = 30;
const STANDARD = new Set(['pageview', 'click', 'engagement', 'leave']);

interface LiveFeedProps {
  site: string;
  events: readonly FeedEvent[];
  filters: readonly Filter[];
  status: PanelStatus;
}

/**
 * The latest events as they arrive on the socket (capped). Everything in a row comes from visitors'
 * browsers, so all of it is rendered as text, and paths are never turned into links.
 */
export function LiveFeed({ site, events, filters, status }: LiveFeedProps) {
  const shown = events.filter((e) => feedMatches(e, filters)).slice(0, SHOWN);
  const unchecked = filters.filter((f) => !feedCanFilter(f));
  return (
    <Panel
      title="Live feed"
      subtitle="The latest events, as they arrive"
      status={status}
      testId="panel-feed"
      actions={
        <CsvButton
          site={site}
          panel="live feed"
          header={[
            'received',
            'type',
            'path',
            'title',
            'source',
            'device',
            'browser',
            'os',
            'country',
            'visitor',
            'props',
          ]}
          rows={() =>
            shown.map((e) => [
              new Date(e.receivedAtMs).toISOString(),
              e.type,
              e.path,
              e.title,
              e.source,
              e.device,
              e.browser,
              e.os,
              e.country,
              e.visitor,
              e.props ? JSON.stringify(e.props) : '',
            ])
          }
        />
      }
      footer={
        unchecked.length > 0
          ? `The feed cannot check ${unchecked.map((f) => FILTER_LABELS[f.field]).join(', ')} filters: it shows events regardless of them.`
          : undefined
      }
    >
      {shown.length === 0 ? (
        <p className={layout.notice} data-testid="feed-waiting">
          Waiting for events…
        </p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
        <section className={styles.wrap} tabIndex={0} aria-label="Latest events (scrollable)">
          <table className={styles.table} data-testid="feed-table">
            <caption className="visually-hidden">Latest events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Page</th>
                <th scope="col" className={styles.hideNarrow}>
                  Source
                </th>
                <th scope="col" className={styles.hideNarrow}>
                  Device
                </th>
                <th scope="col">Country</th>
                <th scope="col" className={styles.hideNarrow}>
                  Visitor
                </th>
                <th scope="col" className={styles.hideNarrow}>
                  Properties
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((event) => (
                <tr
                  key={event.id}
                  className={styles.row}
                  data-testid="feed-row"
                  data-type={event.type}
                  data-received={event.receivedAtMs}
                >
                  <td className={styles.mono}>{formatClock(event.receivedAtMs)}</td>
                  <td>
                    <span
                      className={styles.type}
                      data-kind={STANDARD.has(event.type) ? event.type : 'custom'}
                      title={event.type}
                    >
                      {event.type}
                    </span>
                  </td>
                  <td className={styles.path}>
                    {event.path}
                    {event.title ? <span className={styles.title}>{event.title}</span> : null}
                  </td>
                  <td className={`${styles.hideNarrow} ${styles.nowrap}`}>{event.source}</td>
                  <td className={`${styles.hideNarrow} ${styles.nowrap}`}>
                    {event.device} · {event.browser} · {event.os}
                  </td>
                  <td>{event.country ?? <span className={styles.muted}>—</span>}</td>
                  <td className={`${styles.mono} ${styles.hideNarrow}`}>{event.visitor}</td>
                  <td className={styles.hideNarrow}>
                    {event.props ? (
                      <span className={styles.props}>
                        {Object.entries(event.props).map(([key, value]) => (
                          <span key={key} className={styles.prop}>
                            {key}={String(value)}
                          </span>
                        ))}
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Panel>
  );
}
