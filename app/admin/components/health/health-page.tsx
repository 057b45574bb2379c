'use client';

import { useEffect, useState } from 'react';
import { api } from '../../client/api';
import { type HealthLink, useLiveHealth } from '../../client/use-live-health';
import { usePolling } from '../../client/use-polling';
import {
  describeAlarm,
  droppedCounters,
  lagLevel,
  pipelineStages,
  rejections,
  streamIdMs,
} from '../../model/health';
import { windowsSchema } from '../../model/schemas';
import { formatMs } from '../../model/units';
import styles from '../../styles/health.module.css';
import shell from '../../styles/shell.module.css';
import ui from '../../styles/ui.module.css';

/** Late counts come from the windows list, which is heavier to compute: less often. */
const LATE_MS = 5_000;

const LINK_TEXT: Record<HealthLink, string> = {
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
  polling: 'Polling',
};

const count = (n: number | null) => (n === null ? '—' : n.toLocaleString('en-US'));

function ago(nowMs: number, atMs: number | null): string {
  if (atMs === null) return 'never';
  const ms = Math.max(0, nowMs - atMs);
  return ms < 1_000 ? 'just now' : `${formatMs(Math.round(ms / 1_000) * 1_000)} ago`;
}

/**
 * `/admin/health`: streams, consumers and per-stage counters, live over socket.io once a second (HTTP polling
 * while the socket is down or refused; see use-live-health.ts).
 */
export function HealthPage() {
  const { state, link } = useLiveHealth();
  const late = usePolling(async (signal) => {
    const result = await api('GET', '/api/admin/windows', windowsSchema, { signal });
    return result.ok
      ? { ok: true as const, data: result.data.windows.reduce((sum, w) => sum + w.late, 0) }
      : { ok: false as const, message: result.error.error };
  }, LATE_MS).state;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  return (
    <>
      <header className={shell.pageHeader}>
        <div>
          <h1 className={shell.pageTitle}>Pipeline health</h1>
          <p className={shell.pageLead}>
            Streams, consumers and counters, refreshed every second.{' '}
            <span
              className={styles.link}
              data-state={link}
              data-testid="health-link"
              role="status"
              aria-live="polite"
              title={
                link === 'live'
                  ? 'Pushed by the server over socket.io'
                  : 'Read from GET /api/admin/health every second until the live connection is back'
              }
            >
              {LINK_TEXT[link]}
            </span>{' '}
            {state.status === 'ready' ? (
              <span className={styles.updated} data-testid="health-updated">
                Updated {ago(now, state.updatedAtMs)}.
              </span>
            ) : null}
          </p>
        </div>
      </header>
      {state.status === 'loading' ? (
        <p className={ui.empty} role="status">
          Loading…
        </p>
      ) : state.status === 'error' ? (
        <p className={ui.inlineError} role="alert">
          Could not read the pipeline’s health: {state.error}
        </p>
      ) : (
        <>
          {state.error ? (
            <p className={ui.inlineError} role="status">
              The last refresh failed: {state.error}
            </p>
          ) : null}
          {state.data.alarms.length > 0 ? (
            <section
              className={styles.alarms}
              role="alert"
              aria-labelledby="alarms-title"
              data-testid="health-alarms"
            >
              <h2 id="alarms-title">Alarms</h2>
              <ul>
                {state.data.alarms.map((alarm) => (
                  <li key={alarm.id} data-testid="health-alarm">
                    <strong className={ui.mono}>{alarm.id}</strong>
                    {alarm.id.startsWith('retention:')
                      ? ' — a consumer is behind retention: the stream is not trimmed past it until it catches up. '
                      : ' '}
                    <span className={styles.alarmDetail}>{describeAlarm(alarm.detail)}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : (
            <p className={`${ui.notice} ${ui.noticeOk}`} data-testid="health-no-alarms">
              No alarms.
            </p>
          )}

          <section className={ui.card} aria-labelledby="stages-title">
            <h2 className={ui.cardTitle} id="stages-title">
              Stages
            </h2>
            <ol className={styles.stages} data-testid="health-stages">
              {pipelineStages(state.data).map((stage) => (
                <li key={stage.id} className={styles.stage} data-testid={`stage-${stage.id}`}>
                  <span className={styles.stageLabel}>{stage.label}</span>
                  <span className={styles.stageValue}>{count(stage.value)}</span>
                  <span className={styles.stageNote}>{stage.note}</span>
                </li>
              ))}
            </ol>
            <div className={styles.counterGrid}>
              {droppedCounters(state.data).map((c) => (
                <div key={c.id} className={styles.counter} data-testid={`counter-${c.id}`}>
                  <span className={styles.stageLabel}>{c.label}</span>
                  <span className={styles.counterValue}>{count(c.value)}</span>
                  <span className={styles.stageNote}>{c.note}</span>
                </div>
              ))}
              <div className={styles.counter} data-testid="counter-late">
                <span className={styles.stageLabel}>Late</span>
                <span className={styles.counterValue}>
                  {late.status === 'ready' ? count(late.data) : '—'}
                </span>
                <span className={styles.stageNote}>events after their window closed, all windows</span>
              </div>
            </div>
            <h3 className={styles.subTitle}>Rejected by reason</h3>
            {rejections(state.data).length === 0 ? (
              <p className={ui.muted} data-testid="rejections-none">
                None.
              </p>
            ) : (
              <ul className={styles.rejections} data-testid="rejections">
                {rejections(state.data).map((r) => (
                  <li key={r.reason}>
                    <code>{r.reason}</code> <span className={styles.counterValue}>{count(r.count)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className={ui.card} aria-labelledby="shards-title">
            <h2 className={ui.cardTitle} id="shards-title">
              Shards
            </h2>
            <div className={ui.tableWrap}>
              <table className={ui.table} data-testid="health-shards">
                <caption className="visually-hidden">Per shard: stream and consumers</caption>
                <thead>
                  <tr>
                    <th scope="col">Shard</th>
                    <th scope="col" className={ui.num}>
                      Length
                    </th>
                    <th scope="col">First id</th>
                    <th scope="col">Last id</th>
                    <th scope="col">Consumer</th>
                    <th scope="col" className={ui.num}>
                      Lag
                    </th>
                    <th scope="col">Lease owner</th>
                    <th scope="col" className={ui.num}>
                      Epoch
                    </th>
                    <th scope="col">Last commit</th>
                  </tr>
                </thead>
                <tbody>
                  {state.data.shards.flatMap((shard) => {
                    const consumers = shard.consumers.length > 0 ? shard.consumers : [undefined];
                    return consumers.map((c, i) => (
                      <tr
                        key={`${shard.shard}-${c?.consumer ?? 'none'}`}
                        data-testid={`shard-${shard.shard}-${c?.consumer ?? 'none'}`}
                      >
                        {i === 0 ? (
                          <>
                            <th scope="row" rowSpan={consumers.length}>
                              {shard.shard}
                            </th>
                            <td rowSpan={consumers.length} className={ui.num}>
                              {count(shard.length)}
                            </td>
                            <td rowSpan={consumers.length} className={ui.mono} title={idTime(shard.firstId)}>
                              {shard.firstId ?? '—'}
                            </td>
                            <td rowSpan={consumers.length} className={ui.mono} title={idTime(shard.lastId)}>
                              {shard.lastId ?? '—'}
                            </td>
                          </>
                        ) : null}
                        {c === undefined ? (
                          <td colSpan={5} className={ui.muted}>
                            no consumer registered
                          </td>
                        ) : (
                          <>
                            <td>
                              {c.consumer}
                              {c.archive?.lastError ? (
                                <span className={styles.consumerError} data-testid="archiver-error">
                                  {c.archive.lastError}
                                </span>
                              ) : null}
                            </td>
                            <td className={`${ui.num} ${styles.lag}`} data-level={lagLevel(c.lagMs)}>
                              {c.lagMs === null ? 'not started' : formatMs(c.lagMs)}
                            </td>
                            <td className={ui.mono}>{c.owner ?? 'none'}</td>
                            <td className={ui.num}>{c.epoch ?? '—'}</td>
                            <td>{ago(now, c.lastCommitAtMs)}</td>
                          </>
                        )}
                      </tr>
                    ));
                  })}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}

function idTime(id: string | null): string | undefined {
  const ms = streamIdMs(id);
  return ms === null ? undefined : new Date(ms).toISOString();
}
