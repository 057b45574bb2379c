import type { Logger } from '../../lib/logger';
import type { RedisClient } from '../../lib/redis/scripts';
import { fieldValue, streamIdMs } from '../../lib/streams/entry';
import { compareIds, type OutboxEntry, parseOutboxEntry } from './outbox-entry';
import type { ShardSync } from './view-loader';

/** What the tailer feeds; implemented by the view hub. */
export interface OutboxSink {
  entry(shard: number, entry: OutboxEntry): void;
  /** Every entry of the commit with checkpoint `ck` has been applied (`live`: it published live values). */
  commitComplete(shard: number, ck: string, live: boolean): void;
  /** Observed times read from Redis that the entries applied so far now cover. */
  sync(shard: number, sync: ShardSync): void;
  /** A batch was applied: time to schedule the flushes. */
  batchDone(shard: number): void;
  /** Entries were trimmed before this node read them: every view must be read again. */
  gap(shard: number): void;
}

export interface OutboxTailerOptions {
  shard: number;
  outboxKey: string;
  /** A connection of this tailer's own: XREAD BLOCK holds it. */
  reader: RedisClient;
  sink: OutboxSink;
  logger: Logger;
  /** Set to the lag (ms) between an entry's commit and this node applying it, per batch. */
  onLag: (lagMs: number) => void;
}

const READ_COUNT = 1_000;
/** Finite, so the loop regularly gets control back (shutdown, syncs) even on a quiet shard. */
export const OUTBOX_BLOCK_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;
const MAX_PENDING_SYNCS = 16;

/**
 * Tails one shard's outbox from its end, on a dedicated connection, for as long as the gateway runs. Entries
 * are grouped into commits by their checkpoint id: all of a commit's entries are appended by one script, so
 * a commit is complete when an entry of a later commit shows up or a read returns less than it asked for
 * (the stream's end). Observed times and positions only advance at that point.
 */
export class OutboxTailer {
  #closing = false;
  #loop: Promise<void> | undefined;
  /** Last outbox id applied; undefined until the loop has found the stream's end. */
  #lastId: string | undefined;
  #currentCk: string | undefined;
  #currentLive = false;
  #pendingSyncs: ShardSync[] = [];

  constructor(private readonly options: OutboxTailerOptions) {}

  get lastId(): string | undefined {
    return this.#lastId;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#closing = true;
    // Interrupts a blocked XREAD at once instead of waiting out the BLOCK.
    this.options.reader.disconnect();
    await this.#loop;
  }

  /** Observed times read at outbox position `sync.atId`: applied once the tail has got there. */
  offerSync(sync: ShardSync): void {
    // Observed times only grow, so a later sync covers an earlier one: a stalled tail keeps a few, not all.
    if (this.#pendingSyncs.length >= MAX_PENDING_SYNCS) this.#pendingSyncs.shift();
    this.#pendingSyncs.push(sync);
    this.#applySyncs();
  }

  async #run(): Promise<void> {
    const { reader, outboxKey, logger, shard } = this.options;
    let backoffMs = 100;
    let checkGap = false;
    while (!this.#closing) {
      try {
        if (this.#lastId === undefined) this.#lastId = await this.#streamEnd();
        else if (checkGap && (await this.#trimmedPast(this.#lastId))) {
          logger.warn({ shard }, 'outbox entries were trimmed before this node read them; re-reading views');
          this.options.sink.gap(shard);
        }
        checkGap = false;
        const reply = (await reader.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          OUTBOX_BLOCK_MS,
          'STREAMS',
          outboxKey,
          this.#lastId,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        this.#apply(reply?.[0]?.[1] ?? []);
        backoffMs = 100;
      } catch (error) {
        if (this.#closing) return;
        logger.warn({ err: error, shard, retryInMs: backoffMs }, 'outbox read failed; retrying');
        checkGap = true;
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  #apply(entries: ReadonlyArray<[string, string[]]>): void {
    const { sink, shard } = this.options;
    for (const [id, fields] of entries) {
      this.#lastId = id;
      const entry = parseOutboxEntry(fieldValue(fields, 'd'));
      if (entry === undefined) continue;
      if (this.#currentCk !== undefined && entry.ck !== this.#currentCk) this.#finishCommit();
      this.#currentCk = entry.ck;
      if (entry.t === 'live') this.#currentLive = true;
      sink.entry(shard, entry);
    }
    if (entries.length < READ_COUNT) this.#finishCommit();
    this.#applySyncs();
    const last = entries[entries.length - 1];
    this.options.onLag(last === undefined ? 0 : Math.max(0, Date.now() - streamIdMs(last[0])));
    if (entries.length > 0) sink.batchDone(shard);
  }

  #finishCommit(): void {
    if (this.#currentCk === undefined) return;
    this.options.sink.commitComplete(this.options.shard, this.#currentCk, this.#currentLive);
    this.#currentCk = undefined;
    this.#currentLive = false;
  }

  #applySyncs(): void {
    const position = this.#lastId;
    if (position === undefined || this.#pendingSyncs.length === 0) return;
    const due = this.#pendingSyncs.filter((s) => compareIds(s.atId, position) <= 0);
    if (due.length === 0) return;
    this.#pendingSyncs = this.#pendingSyncs.filter((s) => compareIds(s.atId, position) > 0);
    for (const sync of due) this.options.sink.sync(this.options.shard, sync);
    this.options.sink.batchDone(this.options.shard);
  }

  /** The id to read after: the outbox's current last entry (views read what came before themselves). */
  async #streamEnd(): Promise<string> {
    const last = (await this.options.reader.xrevrange(this.options.outboxKey, '+', '-', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    return last[0]?.[0] ?? '0-0';
  }

  /** Whether MAXLEN trimming removed entries after `id` (Redis ≥ 7.0 reports the largest deleted id). */
  async #trimmedPast(id: string): Promise<boolean> {
    let info: unknown;
    try {
      info = await this.options.reader.call('XINFO', 'STREAM', this.options.outboxKey);
    } catch {
      return false; // no stream yet: nothing was trimmed
    }
    const flat = Array.isArray(info) ? info : [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      if (flat[i] === 'max-deleted-entry-id' && typeof flat[i + 1] === 'string')
        return compareIds(String(flat[i + 1]), id) > 0;
    }
    return false;
  }
}
