import { definitionRef, type StoredWindow } from '../../lib/aggregation/definition-store';
import type { Logger } from '../../lib/logger';
import { COALESCE_MS, rooms } from '../../lib/realtime/contract';
import type { Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { streamIdMs } from '../../lib/streams/entry';
import type { ServerMetrics } from '../metrics';
import { type Client, ClientBuffers } from './clients';
import { sendFlush, type ViewSlot } from './fanout';
import type { OutboxEntry } from './outbox-entry';
import type { OutboxSink } from './outbox-tailer';
import type { RealtimeServer } from './types';
import { loadView, readLate, type ShardSync } from './view-loader';
import { WindowView } from './window-view';

export type { ViewSlot } from './fanout';

export interface ViewHubOptions {
  io: RealtimeServer;
  redis: RedisClient;
  keys: Keys;
  shardCount: number;
  snapshotRows: number;
  clientBufferBytes: number;
  metrics: ServerMetrics;
  logger: Logger;
}

/** Rows a view keeps in memory per snapshot row (clients replace rows, so older ones are theirs to keep). */
const ROWS_KEPT_PER_SNAPSHOT_ROW = 4;
/** How often a window whose rows did not change still sends moved positions. */
const POSITIONS_REFRESH_MS = 1_000;

/**
 * The node's merged views of the windows its clients watch, fed by the outbox tailers, and the fan-out to
 * the clients. Every message for a window goes out in that window's flush, and flushes of one window are at
 * least COALESCE_MS apart, so no client gets more than one message per window per COALESCE_MS (a snapshot
 * counts). A flush sends one delta to the window's room (encoded once), minus the clients that are owed a
 * snapshot (they get it instead) or that are behind (they get nothing until they drain).
 */
export class ViewHub implements OutboxSink {
  /** Per shard, ingest time (ms) of the newest commit whose live values have been applied. */
  readonly positions: number[];
  readonly #slots = new Map<string, ViewSlot>();
  readonly #byRef = new Map<string, ViewSlot>();
  readonly #touched: Array<Set<ViewSlot>>;
  readonly #changed = new Set<ViewSlot>();
  #positionsMoved = false;
  #closing = false;
  readonly clients: ClientBuffers;

  constructor(private readonly options: ViewHubOptions) {
    this.positions = Array.from({ length: options.shardCount }, () => 0);
    this.#touched = Array.from({ length: options.shardCount }, () => new Set());
    this.clients = new ClientBuffers(options.clientBufferBytes, options.metrics, (client) => {
      for (const slot of client.slots) {
        slot.awaiting.add(client);
        this.#schedule(slot);
      }
    });
  }

  /** Definition refs with a view on this node (for the observed-time sync). */
  activeRefs(): string[] {
    return [...new Set([...this.#slots.values()].map((slot) => slot.view.ref))];
  }

  // ── outbox sink ──────────────────────────────────────────────────────────────────────────────────

  entry(shard: number, entry: OutboxEntry): void {
    const slot = this.#byRef.get(`${entry.site}|${entry.ref}`);
    if (slot === undefined) return;
    if (slot.view.apply(shard, { ...entry, final: entry.t === 'final' })) this.#changed.add(slot);
    slot.view.offerObservedTime(shard, entry.ot);
    this.#touched[shard]?.add(slot);
  }

  commitComplete(shard: number, ck: string, live: boolean): void {
    const touched = this.#touched[shard];
    for (const slot of touched ?? []) if (slot.view.promote(shard)) this.#changed.add(slot);
    touched?.clear();
    const ms = streamIdMs(ck);
    if (live && ms > (this.positions[shard] ?? 0)) {
      this.positions[shard] = ms;
      this.#positionsMoved = true;
    }
  }

  sync(shard: number, sync: ShardSync): void {
    for (const slot of this.#slots.values()) {
      const ot = sync.observed.get(slot.view.ref);
      if (ot !== undefined && slot.view.observe(shard, ot)) this.#changed.add(slot);
    }
  }

  batchDone(): void {
    for (const slot of this.#changed) this.#schedule(slot);
    this.#changed.clear();
    if (this.#positionsMoved) this.refreshPositions();
    this.#positionsMoved = false;
  }

  /**
   * Positions move with every live commit of any site; a window whose rows did not change passes them on
   * at most every POSITIONS_REFRESH_MS (its clients still see how fresh the data is, without a message
   * every 250 ms for an idle site). Also called by the gateway's periodic sync, so the last move is sent.
   */
  refreshPositions(): void {
    const now = performance.now();
    for (const slot of this.#slots.values()) {
      if (now - slot.lastSentAt < POSITIONS_REFRESH_MS) continue;
      if (this.positions.some((p, i) => p !== slot.sentPositions[i])) this.#schedule(slot);
    }
  }

  gap(): void {
    for (const slot of this.#slots.values()) this.#reload(slot, slot.view.stored);
  }

  // ── subscriptions ────────────────────────────────────────────────────────────────────────────────

  /** The slot of a window for a site, seeded from Redis if new; hold it until `attach` or `release`. */
  async acquire(site: string, stored: StoredWindow): Promise<ViewSlot> {
    const key = `${site}|${stored.definition.id}`;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      const view = this.#newView(site, stored);
      const created: ViewSlot = {
        key,
        site,
        view,
        loaded: false,
        ready: Promise.resolve(),
        subscribers: new Set(),
        awaiting: new Set(),
        holds: 0,
        timer: undefined,
        lastSentAt: Number.NEGATIVE_INFINITY,
        sentPositions: [],
      };
      this.#slots.set(key, created);
      this.#byRef.set(`${site}|${view.ref}`, created);
      created.ready = this.#load(created, view);
      slot = created;
    } else if (
      slot.view.ref !== definitionRef(stored.definition) ||
      slot.view.stored.status !== stored.status
    ) {
      this.#reload(slot, stored);
    }
    slot.holds++;
    try {
      await slot.ready;
    } catch (error) {
      this.release(slot);
      throw error;
    }
    return slot;
  }

  release(slot: ViewSlot): void {
    slot.holds--;
    this.#dropIfUnused(slot);
  }

  /** Subscribes a client to an acquired slot: it joins the room and is owed a snapshot. */
  attach(client: Client, slot: ViewSlot): void {
    slot.holds--;
    slot.subscribers.add(client);
    slot.awaiting.add(client);
    client.slots.add(slot);
    void client.socket.join(rooms.window(slot.site, slot.view.windowId));
    this.#schedule(slot);
  }

  detach(client: Client, slot: ViewSlot): void {
    slot.subscribers.delete(client);
    slot.awaiting.delete(client);
    client.slots.delete(slot);
    void client.socket.leave(rooms.window(slot.site, slot.view.windowId));
    this.#dropIfUnused(slot);
  }

  /** Applies definition changes (new version, paused, resumed) to the views that exist. */
  refreshDefinitions(stored: readonly StoredWindow[]): void {
    for (const slot of this.#slots.values()) {
      const current = stored.find((w) => w.definition.id === slot.view.windowId);
      if (current === undefined) continue; // deleted: the view just stops receiving entries
      const changed =
        definitionRef(current.definition) !== slot.view.ref || current.status !== slot.view.stored.status;
      if (changed) this.#reload(slot, current);
    }
  }

  /** Re-reads the late counts of every view (they change only when events arrive after a close). */
  async refreshLate(): Promise<void> {
    const { redis, keys, shardCount } = this.options;
    for (const slot of [...this.#slots.values()]) {
      if (!slot.loaded) continue;
      const view = slot.view;
      for (let shard = 0; shard < shardCount; shard++) {
        const counts = await readLate(redis, keys.shard(shard).aggLate, `${view.ref}|${view.site}|`);
        if (view.setLate(shard, counts)) this.#schedule(slot);
      }
    }
  }

  close(): void {
    this.#closing = true;
    for (const slot of this.#slots.values()) clearTimeout(slot.timer);
    this.clients.close();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────

  get #rowsKept(): number {
    return Math.max(200, this.options.snapshotRows * ROWS_KEPT_PER_SNAPSHOT_ROW);
  }

  #newView(site: string, stored: StoredWindow): WindowView {
    return new WindowView(site, stored, this.options.shardCount, this.#rowsKept);
  }

  async #load(slot: ViewSlot, view: WindowView): Promise<void> {
    const { redis, keys } = this.options;
    await loadView(redis, keys, view, this.#rowsKept);
    if (slot.view !== view) return; // replaced by a newer reload meanwhile
    slot.loaded = true;
    this.#schedule(slot);
  }

  /** Replaces a slot's view with a fresh one read from Redis; every subscriber then gets a snapshot. */
  #reload(slot: ViewSlot, stored: StoredWindow): void {
    this.#byRef.delete(`${slot.site}|${slot.view.ref}`);
    const view = this.#newView(slot.site, stored);
    slot.view = view;
    slot.loaded = false;
    this.#byRef.set(`${slot.site}|${view.ref}`, slot);
    for (const client of slot.subscribers) slot.awaiting.add(client);
    const attempt = async (backoffMs: number): Promise<void> => {
      try {
        await this.#load(slot, view);
      } catch (error) {
        if (this.#closing || slot.view !== view) return;
        this.options.logger.warn(
          { err: error, window: slot.key, retryInMs: backoffMs },
          'view reload failed',
        );
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        return attempt(Math.min(backoffMs * 2, 5_000));
      }
    };
    slot.ready = attempt(200);
  }

  #dropIfUnused(slot: ViewSlot): void {
    if (slot.holds > 0 || slot.subscribers.size > 0 || this.#slots.get(slot.key) !== slot) return;
    clearTimeout(slot.timer);
    this.#slots.delete(slot.key);
    this.#byRef.delete(`${slot.site}|${slot.view.ref}`);
    for (const touched of this.#touched) touched.delete(slot);
  }

  #schedule(slot: ViewSlot): void {
    if (slot.timer !== undefined || this.#closing) return;
    const delay = Math.max(0, slot.lastSentAt + COALESCE_MS - performance.now());
    slot.timer = setTimeout(() => this.#flush(slot), delay);
  }

  #flush(slot: ViewSlot): void {
    slot.timer = undefined;
    if (!slot.loaded || slot.subscribers.size === 0 || this.#slots.get(slot.key) !== slot) return;
    const now = performance.now();
    if (now - slot.lastSentAt < COALESCE_MS) {
      this.#schedule(slot); // a timer may fire a little early; never send two messages within the period
      return;
    }
    const { io, metrics, snapshotRows } = this.options;
    sendFlush(slot, [...this.positions], { io, metrics, snapshotRows, clients: this.clients });
    slot.view.evict();
  }
}
