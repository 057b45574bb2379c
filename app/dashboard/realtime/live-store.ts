import { FEED_CAP, mergeFeed } from '../model/feed';
import { pruneRows, replaceRows, rowsFrom, type WindowView } from '../model/rows';
import {
  type FeedEvent,
  feedMessageSchema,
  type WindowDeltaMessage,
  windowDeltaSchema,
  windowSnapshotSchema,
} from '../model/schemas';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface LiveWindow extends WindowView {
  /** Per shard, the ingest time (ms) of the last committed entry the rows include. */
  positions: readonly number[];
  sentAtMs: number;
  receivedAtMs: number;
}

export interface LiveState {
  status: ConnectionStatus;
  windows: Readonly<Record<string, LiveWindow>>;
  /** Subscribed windows still waiting for their snapshot in the current subscription. */
  pending: readonly string[];
  /** Windows the server declined to serve (unknown to it, or over its limit). */
  refused: readonly string[];
  feed: readonly FeedEvent[];
  /** Browser time at which the last message arrived. */
  lastMessageAtMs: number | null;
  /** Server send time − the lowest shard position, for the last window message. */
  lagMs: number | null;
  /** Server clock − browser clock, estimated from the last message (send time vs receive time). */
  clockOffsetMs: number;
  /** Messages dropped because they failed validation. */
  invalidMessages: number;
  error: string | null;
}

export const INITIAL_LIVE_STATE: LiveState = {
  status: 'connecting',
  windows: {},
  pending: [],
  refused: [],
  feed: [],
  lastMessageAtMs: null,
  lagMs: null,
  clockOffsetMs: 0,
  invalidMessages: 0,
  error: null,
};

/** Whether positions `a` are at or past `b` on every shard (so `b`'s content is already in `a`). */
export function covers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((position, shard) => position >= (b[shard] ?? 0));
}

export function lagOf(sentAtMs: number, positions: readonly number[]): number | null {
  const known = positions.filter((p) => p > 0);
  if (known.length === 0 || known.length < positions.length) return null;
  return Math.max(0, sentAtMs - Math.min(...known));
}

/**
 * The live dashboard's state machine, free of socket.io so it can be tested: snapshots replace a window,
 * deltas replace rows by (start, key). Deltas that arrive while a window awaits its snapshot are held
 * and applied after it only when they carry something the snapshot does not (positions past it).
 */
export class LiveStore {
  private state: LiveState = INITIAL_LIVE_STATE;
  private readonly listeners = new Set<() => void>();
  private readonly held = new Map<string, WindowDeltaMessage[]>();
  private scheduled = false;

  constructor(
    readonly site: string,
    private readonly schedule: (flush: () => void) => void = (flush) => setTimeout(flush, 50),
    private readonly now: () => number = () => Date.now(),
  ) {}

  getState = (): LiveState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  setStatus(status: ConnectionStatus, error: string | null = this.state.error): void {
    if (status !== this.state.status || error !== this.state.error) this.update({ status, error });
  }

  /** A (re)subscription starts: every listed window waits for a fresh snapshot; data stays on screen. */
  beginSubscription(windowIds: readonly string[]): void {
    for (const id of windowIds) this.held.delete(id);
    this.update({
      pending: [...new Set([...this.state.pending, ...windowIds])],
      refused: this.state.refused.filter((id) => !windowIds.includes(id)),
    });
  }

  /** The server's answer: windows it does not serve will get no snapshot. */
  confirmSubscription(requested: readonly string[], granted: readonly string[]): void {
    const refused = requested.filter((id) => !granted.includes(id));
    if (refused.length > 0) this.refuse(refused);
  }

  refuse(windowIds: readonly string[]): void {
    this.forget(windowIds);
    this.update({ refused: [...new Set([...this.state.refused, ...windowIds])] });
  }

  forget(windowIds: readonly string[]): void {
    const windows = { ...this.state.windows };
    for (const id of windowIds) {
      delete windows[id];
      this.held.delete(id);
    }
    this.update({ windows, pending: this.state.pending.filter((id) => !windowIds.includes(id)) });
  }

  handleSnapshot(payload: unknown): void {
    const parsed = windowSnapshotSchema.safeParse(payload);
    if (!parsed.success || parsed.data.site !== this.site) {
      this.invalid();
      return;
    }
    const snapshot = parsed.data;
    const receivedAtMs = this.now();
    let view: LiveWindow = {
      def: snapshot.window,
      rows: pruneRows(snapshot.window, rowsFrom(snapshot.rows)),
      watermark: snapshot.watermark,
      positions: snapshot.positions,
      sentAtMs: snapshot.sentAtMs,
      receivedAtMs,
    };
    for (const delta of this.held.get(snapshot.windowId) ?? []) {
      if (!covers(snapshot.positions, delta.positions)) view = applyDelta(view, delta, receivedAtMs);
    }
    this.held.delete(snapshot.windowId);
    this.update({
      windows: { ...this.state.windows, [snapshot.windowId]: view },
      pending: this.state.pending.filter((id) => id !== snapshot.windowId),
      ...this.freshness(snapshot.sentAtMs, snapshot.positions, receivedAtMs),
    });
  }

  handleDelta(payload: unknown): void {
    const parsed = windowDeltaSchema.safeParse(payload);
    if (!parsed.success || parsed.data.site !== this.site) {
      this.invalid();
      return;
    }
    const delta = parsed.data;
    const receivedAtMs = this.now();
    if (this.state.pending.includes(delta.windowId)) {
      const held = this.held.get(delta.windowId) ?? [];
      held.push(delta);
      this.held.set(delta.windowId, held);
      return;
    }
    const current = this.state.windows[delta.windowId];
    if (!current) return; // not subscribed (any more)
    this.update({
      windows: { ...this.state.windows, [delta.windowId]: applyDelta(current, delta, receivedAtMs) },
      ...this.freshness(delta.sentAtMs, delta.positions, receivedAtMs),
    });
  }

  handleFeed(payload: unknown): void {
    const parsed = feedMessageSchema.safeParse(payload);
    if (!parsed.success || parsed.data.site !== this.site) {
      this.invalid();
      return;
    }
    this.update({
      feed: mergeFeed(this.state.feed, parsed.data.events, FEED_CAP),
      lastMessageAtMs: this.now(),
    });
  }

  /** Stored events fetched over HTTP: they fill the feed without counting as a live message. */
  seedFeed(events: readonly FeedEvent[]): void {
    if (events.length > 0) this.update({ feed: mergeFeed(this.state.feed, events, FEED_CAP) });
  }

  private freshness(sentAtMs: number, positions: readonly number[], receivedAtMs: number) {
    return {
      lastMessageAtMs: receivedAtMs,
      lagMs: lagOf(sentAtMs, positions) ?? this.state.lagMs,
      clockOffsetMs: sentAtMs - receivedAtMs,
    };
  }

  private invalid(): void {
    this.update({ invalidMessages: this.state.invalidMessages + 1 });
  }

  private update(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}

function applyDelta(view: LiveWindow, delta: WindowDeltaMessage, receivedAtMs: number): LiveWindow {
  return {
    ...view,
    rows: pruneRows(view.def, replaceRows(view.rows, delta.rows)),
    watermark: delta.watermark ?? view.watermark,
    positions: delta.positions,
    sentAtMs: delta.sentAtMs,
    receivedAtMs,
  };
}
