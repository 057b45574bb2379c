import { DashboardClient } from './dashboard-client';

/**
 * The e2e bench's dashboards, in a process of their own (so receiving does not compete with the load
 * generator for one event loop). Driven over IPC by bench/e2e.ts:
 *   parent → { type: 'start', url, clients, site, windows }   child → { type: 'ready', subscribed }
 *   parent → { type: 'stop', acceptedAtMs: number[] }          child → { type: 'result', … } and exits
 * Each client records, per message, when it arrived and the lowest of its per-shard `positions`; an event
 * accepted at time A is on a client's screen at the first message whose lowest position is ≥ A.
 */

export interface StartCommand {
  type: 'start';
  url: string;
  clients: number;
  site: string;
  windows: string[];
  /** Share token for the site (dashboards need read access). */
  share: string;
}

export interface StopCommand {
  type: 'stop';
  /** Wall-clock accept times (HTTP 202 received) of the sampled events, ascending. */
  acceptedAtMs: number[];
}

export interface ClientsResult {
  type: 'result';
  subscribed: number;
  /** Clients that got at least one message after subscribing. */
  receiving: number;
  messages: number;
  snapshots: number;
  feedMessages: number;
  firstMessageAtMs: number;
  lastMessageAtMs: number;
  /** Latency (ms) of every (sampled event, client) pair that was seen, as a histogram in 1 ms buckets. */
  histogram: number[];
  /** (event, client) pairs never seen before the end of the run. */
  unseen: number;
  disconnects: number;
  /** Where the time goes, over every message: server send → client receive (1 ms buckets). */
  transitHistogram: number[];
  /** Age of the data when sent: sentAtMs − lowest position (aggregator cadence + coalescing). */
  ageAtSendHistogram: number[];
}

interface Track {
  sentAtMs: number[];
  receivedAtMs: number[];
  minPosition: number[];
  snapshots: number;
  feed: number;
  disconnects: number;
}

const HISTOGRAM_MAX_MS = 120_000;

const tracks: Track[] = [];
const clients: DashboardClient[] = [];
let stopping = false;

async function start(command: StartCommand): Promise<number> {
  let subscribed = 0;
  const batch = 20;
  for (let first = 0; first < command.clients; first += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, command.clients - first) }, async () => {
        const track: Track = {
          sentAtMs: [],
          receivedAtMs: [],
          minPosition: [],
          snapshots: 0,
          feed: 0,
          disconnects: 0,
        };
        tracks.push(track);
        const client = await DashboardClient.connect(command.url, {
          share: command.share,
          onMessage: (message) => {
            track.sentAtMs.push(message.sentAtMs);
            track.receivedAtMs.push(message.receivedAtMs);
            track.minPosition.push(Math.min(...message.positions));
            if (message.kind === 'snapshot') track.snapshots++;
          },
          onFeed: () => {
            track.feed++;
          },
        });
        client.socket.on('disconnect', () => {
          if (!stopping) track.disconnects++;
        });
        clients.push(client);
        const reply = await client.subscribe({ site: command.site, windows: command.windows, feed: true });
        if (reply.ok) subscribed++;
      }),
    );
  }
  return subscribed;
}

function bucket(histogram: number[], ms: number): void {
  const at = Math.min(HISTOGRAM_MAX_MS, Math.max(0, Math.round(ms)));
  histogram[at] = (histogram[at] ?? 0) + 1;
}

function stop(command: StopCommand): ClientsResult {
  stopping = true;
  for (const client of clients) client.close();
  const histogram = new Array<number>(HISTOGRAM_MAX_MS + 1).fill(0);
  const transitHistogram = new Array<number>(HISTOGRAM_MAX_MS + 1).fill(0);
  const ageAtSendHistogram = new Array<number>(HISTOGRAM_MAX_MS + 1).fill(0);
  let unseen = 0;
  let messages = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const track of tracks) {
    messages += track.receivedAtMs.length;
    first = Math.min(first, track.receivedAtMs[0] ?? first);
    last = Math.max(last, track.receivedAtMs[track.receivedAtMs.length - 1] ?? 0);
    track.receivedAtMs.forEach((at, i) => {
      const sent = track.sentAtMs[i] ?? at;
      bucket(transitHistogram, at - sent);
      const position = track.minPosition[i] ?? 0;
      if (position > 0) bucket(ageAtSendHistogram, sent - position);
    });
    // Positions only grow, so one pass over both ascending lists finds each event's first message.
    let m = 0;
    for (const accepted of command.acceptedAtMs) {
      while (m < track.minPosition.length && (track.minPosition[m] ?? 0) < accepted) m++;
      const at = track.receivedAtMs[m];
      if (at === undefined) {
        unseen++;
        continue;
      }
      bucket(histogram, at - accepted);
    }
  }
  return {
    type: 'result',
    subscribed: clients.length,
    receiving: tracks.filter((t) => t.receivedAtMs.length > 0).length,
    messages,
    snapshots: tracks.reduce((sum, t) => sum + t.snapshots, 0),
    feedMessages: tracks.reduce((sum, t) => sum + t.feed, 0),
    firstMessageAtMs: first,
    lastMessageAtMs: last,
    histogram,
    unseen,
    disconnects: tracks.reduce((sum, t) => sum + t.disconnects, 0),
    transitHistogram,
    ageAtSendHistogram,
  };
}

process.on('message', (raw: unknown) => {
  const command = raw as StartCommand | StopCommand;
  if (command.type === 'start') {
    start(command)
      .then((subscribed) => process.send?.({ type: 'ready', subscribed }))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  } else if (command.type === 'stop') {
    process.send?.(stop(command), () => process.exit(0));
  }
});
