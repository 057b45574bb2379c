import { DashboardClient } from './dashboard-client';

/**
 * The soak bench's dashboards, in a process of their own, measuring e2e latency as it goes (unlike
 * e2e-clients.ts, which keeps every message until the end: a soak must not grow by its own bookkeeping).
 * Driven over IPC by bench/soak.ts (its side: soak-dashboards.ts):
 *   parent → { type: 'start', url, clients, site, windows, share }   child → { type: 'ready', subscribed }
 *   parent → { type: 'accepted', atMs: number[] }   (accept times of sampled requests, ascending, in batches)
 *   parent → { type: 'sample' }                      child → { type: 'sample', … } (since the previous sample)
 *   parent → { type: 'stop' }                        child → { type: 'result', … } and exits
 * Same rule as the e2e bench: an event accepted at time A is on a client's screen at the first message whose
 * lowest per-shard position is ≥ A. Each client keeps the last HISTORY_MS of messages (arrival time and the
 * running maximum of that lowest position) and a queue of accept times no message has reached yet.
 */

export interface SoakStartCommand {
  type: 'start';
  url: string;
  clients: number;
  site: string;
  windows: string[];
  share: string;
}

export interface SoakAcceptedCommand {
  type: 'accepted';
  atMs: number[];
}

export interface SoakSampleCommand {
  type: 'sample';
}

export interface SoakStopCommand {
  type: 'stop';
}

export type SoakClientsCommand = SoakStartCommand | SoakAcceptedCommand | SoakSampleCommand | SoakStopCommand;

/** Latencies as sparse [ms, count] pairs (1 ms buckets, capped at HISTOGRAM_MAX_MS). */
export type SparseHistogram = Array<[number, number]>;

export interface SoakSample {
  type: 'sample';
  /** (event, client) pairs seen since the previous sample, by latency. */
  histogram: SparseHistogram;
  messages: number;
  /** Pairs given up on (no message reached them within PENDING_MAX_MS). */
  unseen: number;
  /** Pairs still waiting for a message, right now. */
  pending: number;
  disconnects: number;
}

export interface SoakClientsResult {
  type: 'result';
  subscribed: number;
  receiving: number;
  histogram: SparseHistogram;
  messages: number;
  unseen: number;
  /** Pairs still waiting at the end (the run's last accepts). */
  pending: number;
  disconnects: number;
}

const HISTOGRAM_MAX_MS = 120_000;
const HISTORY_MS = 30_000;
const PENDING_MAX_MS = 120_000;

class Track {
  /** Arrival times and running max of the lowest position, from `head` on (older entries are dropped). */
  received: number[] = [];
  maxPosition: number[] = [];
  head = 0;
  pending: number[] = [];
  pendingHead = 0;
  messages = 0;
  disconnects = 0;

  onMessage(receivedAtMs: number, minPosition: number, record: (latencyMs: number) => void): void {
    const last = this.maxPosition[this.maxPosition.length - 1] ?? 0;
    const position = Math.max(last, minPosition);
    this.received.push(receivedAtMs);
    this.maxPosition.push(position);
    this.messages++;
    while (this.pendingHead < this.pending.length && (this.pending[this.pendingHead] ?? 0) <= position) {
      record(receivedAtMs - (this.pending[this.pendingHead] ?? 0));
      this.pendingHead++;
    }
    this.compact(receivedAtMs);
  }

  onAccepted(acceptedAtMs: number, record: (latencyMs: number) => void): void {
    const last = this.maxPosition[this.maxPosition.length - 1] ?? 0;
    if (this.pendingHead < this.pending.length || last < acceptedAtMs) {
      this.pending.push(acceptedAtMs);
      return;
    }
    // The first kept message whose running maximum reached the accept time.
    let lo = this.head;
    let hi = this.maxPosition.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.maxPosition[mid] ?? 0) >= acceptedAtMs) hi = mid;
      else lo = mid + 1;
    }
    record((this.received[lo] ?? acceptedAtMs) - acceptedAtMs);
  }

  /** Drops history older than HISTORY_MS and pending accepts older than PENDING_MAX_MS (returns how many). */
  compact(nowMs: number): number {
    while (this.head < this.received.length - 1 && (this.received[this.head] ?? 0) < nowMs - HISTORY_MS)
      this.head++;
    if (this.head > 4_096) {
      this.received = this.received.slice(this.head);
      this.maxPosition = this.maxPosition.slice(this.head);
      this.head = 0;
    }
    let dropped = 0;
    while (
      this.pendingHead < this.pending.length &&
      (this.pending[this.pendingHead] ?? 0) < nowMs - PENDING_MAX_MS
    ) {
      this.pendingHead++;
      dropped++;
    }
    if (this.pendingHead > 4_096) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    return dropped;
  }

  get waiting(): number {
    return this.pending.length - this.pendingHead;
  }
}

const tracks: Track[] = [];
const clients: DashboardClient[] = [];
const total = new Uint32Array(HISTOGRAM_MAX_MS + 1);
let interval = new Uint32Array(HISTOGRAM_MAX_MS + 1);
let intervalMessages = 0;
let intervalUnseen = 0;
let totalUnseen = 0;
let stopping = false;

function record(latencyMs: number): void {
  const at = Math.min(HISTOGRAM_MAX_MS, Math.max(0, Math.round(latencyMs)));
  total[at] = (total[at] ?? 0) + 1;
  interval[at] = (interval[at] ?? 0) + 1;
}

function sparse(histogram: Uint32Array): SparseHistogram {
  const pairs: SparseHistogram = [];
  histogram.forEach((n, ms) => {
    if (n > 0) pairs.push([ms, n]);
  });
  return pairs;
}

const wallClockMs = () => performance.timeOrigin + performance.now();

async function start(command: SoakStartCommand): Promise<number> {
  let subscribed = 0;
  const batch = 20;
  for (let first = 0; first < command.clients; first += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, command.clients - first) }, async () => {
        const track = new Track();
        tracks.push(track);
        const client = await DashboardClient.connect(command.url, {
          share: command.share,
          onMessage: (message) => {
            intervalMessages++;
            track.onMessage(message.receivedAtMs, Math.min(...message.positions), record);
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

function sample(): SoakSample {
  const now = wallClockMs();
  for (const track of tracks) intervalUnseen += track.compact(now);
  totalUnseen += intervalUnseen;
  const result: SoakSample = {
    type: 'sample',
    histogram: sparse(interval),
    messages: intervalMessages,
    unseen: intervalUnseen,
    pending: tracks.reduce((sum, t) => sum + t.waiting, 0),
    disconnects: tracks.reduce((sum, t) => sum + t.disconnects, 0),
  };
  interval = new Uint32Array(HISTOGRAM_MAX_MS + 1);
  intervalMessages = 0;
  intervalUnseen = 0;
  return result;
}

function stop(): SoakClientsResult {
  const last = sample();
  stopping = true;
  for (const client of clients) client.close();
  return {
    type: 'result',
    subscribed: clients.length,
    receiving: tracks.filter((t) => t.messages > 0).length,
    histogram: sparse(total),
    messages: tracks.reduce((sum, t) => sum + t.messages, 0),
    unseen: totalUnseen,
    pending: last.pending,
    disconnects: last.disconnects,
  };
}

process.on('message', (raw: unknown) => {
  const command = raw as SoakClientsCommand;
  if (command.type === 'start') {
    start(command)
      .then((subscribed) => process.send?.({ type: 'ready', subscribed }))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  } else if (command.type === 'accepted') {
    for (const track of tracks) for (const at of command.atMs) track.onAccepted(at, record);
  } else if (command.type === 'sample') {
    process.send?.(sample());
  } else if (command.type === 'stop') {
    process.send?.(stop(), () => process.exit(0));
  }
});
// The parent going away (Ctrl-C, a crash) ends the dashboards too.
process.on('disconnect', () => process.exit(0));
