'use client';

import { useEffect, useState } from 'react';
import { z } from 'zod';

const POLL_INTERVAL_MS = 1000;
const LIMIT = 25;

/** The fields of an EnrichedEvent (lib/events/enriched.ts) this table shows; the rest is ignored. */
const shownEventSchema = z.object({
  type: z.string(),
  ts: z.number().finite(),
  path: z.string(),
  source: z.string(),
  device: z.string(),
  browser: z.string(),
  country: z.string().optional(),
  visitor: z.string(),
});

const recentResponseSchema = z.object({
  shards: z.array(
    z.object({
      shard: z.number().int().nonnegative(),
      length: z.number().int().nonnegative(),
      lastId: z.string().nullable().optional(),
    }),
  ),
  events: z.array(
    z.object({
      streamId: z.string(),
      index: z.number().int(),
      shard: z.number().int().nonnegative(),
      event: shownEventSchema,
    }),
  ),
});

type RecentResponse = z.infer<typeof recentResponseSchema>;
type RecentEntry = RecentResponse['events'][number];

type FeedState =
  | { status: 'loading' }
  | { status: 'live'; data: RecentResponse }
  | { status: 'error'; message: string; data?: RecentResponse };

/** Stream ids are "<ms>-<seq>"; newest first across shards. */
function compareStreamIdsDesc(a: RecentEntry, b: RecentEntry): number {
  const [aMs = 0, aSeq = 0] = a.streamId.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.streamId.split('-').map(Number);
  return bMs - aMs || bSeq - aSeq || b.shard - a.shard || b.index - a.index;
}

async function fetchRecent(signal: AbortSignal): Promise<RecentResponse> {
  const response = await fetch(`/api/streams/recent?limit=${LIMIT}`, {
    cache: 'no-store',
    headers: { accept: 'application/json' },
    signal,
  });
  if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
  const parsed = recentResponseSchema.safeParse(await response.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `unexpected response (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
    );
  }
  return parsed.data;
}

function formatTime(ts: number): string {
  return new Date(ts).toLocaleTimeString(undefined, { hour12: false });
}

/** Polls the latest events once a second; each poll starts after the previous one ended. */
export function LiveEvents() {
  const [state, setState] = useState<FeedState>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const data = await fetchRecent(controller.signal);
        setState({ status: 'live', data });
      } catch (error) {
        if (controller.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        // Keep the last good data on screen under the error, so a blip does not blank the table.
        setState((previous) => ({
          status: 'error',
          message,
          data: previous.status === 'loading' ? undefined : previous.data,
        }));
      }
      if (!controller.signal.aborted) timer = setTimeout(poll, POLL_INTERVAL_MS);
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, []);

  const data = state.status === 'loading' ? undefined : state.data;
  const events = data ? [...data.events].sort(compareStreamIdsDesc).slice(0, LIMIT) : [];

  return (
    <section className="panel" aria-labelledby="live-events-title" data-testid="live-events">
      <div className="panel-header">
        <div className="panel-title">
          <h2 id="live-events-title">Latest events</h2>
          <span className="status" data-state={state.status} role="status">
            {state.status === 'loading' ? 'Connecting…' : state.status === 'live' ? 'Live' : 'Disconnected'}
          </span>
        </div>
        {data && data.shards.length > 0 ? (
          <ul className="chips" aria-label="Events per shard">
            {data.shards.map((shard) => (
              <li key={shard.shard} className="chip" data-testid={`shard-${shard.shard}`}>
                shard {shard.shard} · {shard.length.toLocaleString()}
              </li>
            ))}
          </ul>
        ) : null}
      </div>

      {state.status === 'error' ? (
        <p className="alert" role="alert" data-testid="live-events-error">
          Could not load the latest events: {state.message}. Retrying every second.
        </p>
      ) : null}

      {state.status === 'loading' ? (
        <p className="empty">Loading…</p>
      ) : events.length === 0 ? (
        data ? (
          <p className="empty" data-testid="live-events-empty">
            Waiting for the first event — open the <a href="/demo">demo shop</a>
          </p>
        ) : null
      ) : (
        <div className="table-wrap">
          <table className="events-table" data-testid="live-events-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Path</th>
                <th scope="col">Source</th>
                <th scope="col">Device / browser</th>
                <th scope="col">Country</th>
                <th scope="col">Visitor</th>
              </tr>
            </thead>
            <tbody>
              {events.map(({ streamId, shard, index, event }) => (
                <tr key={`${shard}/${streamId}/${index}`}>
                  <td className="mono">{formatTime(event.ts)}</td>
                  <td>
                    <span className="type-badge">{event.type}</span>
                  </td>
                  <td className="path" title={event.path}>
                    {event.path}
                  </td>
                  <td>{event.source}</td>
                  <td>
                    {event.device} · {event.browser}
                  </td>
                  <td>{event.country ?? '—'}</td>
                  <td className="mono">{event.visitor.slice(0, 6)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
