import { definitionRef, type StoredWindow } from '../../lib/aggregation/definition-store';
import type { StatsResult } from '../../lib/aggregation/stats-reader';
import type { WindowSnapshot } from '../../lib/realtime/contract';
import type { WindowDefinition } from '../../lib/windows/definition';
import { finalizeResult, mergeResultStates, type Scalar } from '../../lib/windows/engine';
import { type Contribution, rowId, supersedes } from './outbox-entry';

interface Row {
  id: string;
  start: number;
  end: number;
  key: Record<string, Scalar> | null;
  /** Per shard, its newest contribution (see `supersedes`). */
  shards: Array<Contribution | undefined>;
  /** The merged, finalized row as last computed (what clients have been sent). */
  result: StatsResult | undefined;
}

export interface RowInput {
  start: number;
  end: number;
  key: Record<string, Scalar> | null;
  state: string;
  ck: string;
  final: boolean;
}

export interface ViewChanges {
  /** Rows whose merged values, `final` flag or late count changed since the last call; newest first. */
  rows: StatsResult[];
  watermark: number | null;
  watermarkChanged: boolean;
}

const newestFirst = (a: StatsResult, b: StatsResult) => b.end - a.end || b.start - a.start;
const windowOf = (row: { start: number; end: number }) => `${row.start}|${row.end}`;

/**
 * One window definition's results for one site, merged across shards the way the stats API merges them
 * (`lib/aggregation/stats-reader.ts`), but kept in memory and fed entry by entry from the outboxes. Each
 * row holds every shard's latest state by checkpoint, so the merged value is always "each shard's newest
 * word", whatever order or how many times entries arrive.
 *
 * Observed time per shard comes from three places: snapshot reads and periodic syncs (exact, applied at
 * once) and outbox entries (held back until the commit that carried them is known to be complete — see
 * `promote` — so a row is never flagged final before every shard's FINAL for it has been applied).
 */
export class WindowView {
  readonly ref: string;
  readonly definition: WindowDefinition;
  readonly #rows = new Map<string, Row>();
  readonly #observed: Array<number | undefined>;
  readonly #pendingOt: Array<number | undefined>;
  /** Per shard: late events per window (`start|end` → count), as last read from Redis. */
  readonly #late: Array<Map<string, number>>;
  readonly #dirty = new Set<Row>();
  readonly #lateDirty = new Set<string>();
  #lastWatermark: number | null = null;

  constructor(
    readonly site: string,
    readonly stored: StoredWindow,
    readonly shardCount: number,
    /** Rows kept in memory; the oldest (by end) go first. Clients keep their own copies. */
    private readonly maxRows: number,
  ) {
    this.definition = stored.definition;
    this.ref = definitionRef(stored.definition);
    this.#observed = Array.from({ length: shardCount }, () => undefined);
    this.#pendingOt = Array.from({ length: shardCount }, () => undefined);
    this.#late = Array.from({ length: shardCount }, () => new Map());
  }

  get windowId(): string {
    return this.definition.id;
  }

  get size(): number {
    return this.#rows.size;
  }

  /** Applies one shard's state of one row; true when it changed anything. */
  apply(shard: number, input: RowInput): boolean {
    const id = rowId(input);
    let row = this.#rows.get(id);
    if (row === undefined) {
      row = {
        id,
        start: input.start,
        end: input.end,
        key: input.key,
        shards: Array.from({ length: this.shardCount }, () => undefined),
        result: undefined,
      };
      this.#rows.set(id, row);
    }
    const incoming: Contribution = { ck: input.ck, state: input.state, final: input.final };
    if (!supersedes(incoming, row.shards[shard])) return false;
    row.shards[shard] = incoming;
    // A session's end moves as it grows; the newest contribution carries the current one.
    row.end = input.end;
    this.#dirty.add(row);
    return true;
  }

  /** An observed time carried by an outbox entry: takes effect at `promote(shard)`. */
  offerObservedTime(shard: number, ot: number): void {
    const pending = this.#pendingOt[shard];
    if (pending === undefined || ot > pending) this.#pendingOt[shard] = ot;
  }

  /** The commit whose entries offered observed times is complete: they take effect. */
  promote(shard: number): boolean {
    const pending = this.#pendingOt[shard];
    this.#pendingOt[shard] = undefined;
    return pending === undefined ? false : this.observe(shard, pending);
  }

  /** An observed time known to be covered by the entries applied so far (snapshot read, sync). */
  observe(shard: number, ot: number): boolean {
    const current = this.#observed[shard];
    if (current !== undefined && current >= ot) return false;
    this.#observed[shard] = ot;
    return true;
  }

  /** Replaces one shard's late counts; marks the windows whose counts changed. */
  setLate(shard: number, counts: ReadonlyMap<string, number>): boolean {
    const current = this.#late[shard];
    if (current === undefined) return false;
    let changed = false;
    for (const [window, count] of counts) {
      if (current.get(window) !== count) {
        current.set(window, count);
        this.#lateDirty.add(window);
        changed = true;
      }
    }
    return changed;
  }

  /** Lowest observed time over the shards; null until every shard has reported one (as the stats API). */
  get watermark(): number | null {
    let min = Number.POSITIVE_INFINITY;
    for (const ot of this.#observed) {
      if (ot === undefined) return null;
      if (ot < min) min = ot;
    }
    return min;
  }

  /** Recomputes what changed since the previous call (the rows a delta carries). */
  takeChanges(): ViewChanges {
    const watermark = this.watermark;
    const watermarkChanged = watermark !== this.#lastWatermark;
    const changed = new Set(this.#dirty);
    if (watermarkChanged || this.#lateDirty.size > 0) {
      for (const row of this.#rows.values()) {
        const flips = row.result !== undefined && row.result.final !== this.#isFinal(row, watermark);
        if (flips || this.#lateDirty.has(windowOf(row))) changed.add(row);
      }
    }
    this.#dirty.clear();
    this.#lateDirty.clear();
    this.#lastWatermark = watermark;
    const rows: StatsResult[] = [];
    for (const row of changed) {
      const result = this.#compute(row, watermark);
      row.result = result;
      rows.push(result);
    }
    rows.sort(newestFirst);
    return { rows, watermark, watermarkChanged };
  }

  /** The newest `limit` rows as last computed by `takeChanges`, newest first (the stats API's order). */
  snapshot(limit: number, positions: number[], nowMs: number): WindowSnapshot {
    const rows: StatsResult[] = [];
    for (const row of this.#rows.values()) if (row.result !== undefined) rows.push(row.result);
    rows.sort(newestFirst);
    return {
      site: this.site,
      windowId: this.windowId,
      window: { ...this.definition, status: this.stored.status },
      watermark: this.#lastWatermark,
      rows: rows.slice(0, limit),
      positions,
      sentAtMs: nowMs,
    };
  }

  /** Drops the oldest rows beyond the bound (only clean ones, i.e. right after `takeChanges`). */
  evict(): void {
    if (this.#rows.size <= this.maxRows) return;
    const rows = [...this.#rows.values()].sort((a, b) => a.end - b.end || a.start - b.start);
    for (const row of rows.slice(0, this.#rows.size - this.maxRows)) {
      if (!this.#dirty.has(row)) this.#rows.delete(row.id);
    }
  }

  #isFinal(row: Row, watermark: number | null): boolean {
    return watermark !== null && watermark >= row.end + this.definition.graceMs;
  }

  /** Merges the shards in shard order, exactly as readWindowStats does, and finalizes. */
  #compute(row: Row, watermark: number | null): StatsResult {
    let state: string | undefined;
    for (const contribution of row.shards) {
      if (contribution === undefined) continue;
      state =
        state === undefined
          ? contribution.state
          : mergeResultStates(this.definition, state, contribution.state);
    }
    const result: StatsResult = {
      start: row.start,
      end: row.end,
      key: row.key,
      values: state === undefined ? {} : finalizeResult(this.definition, state),
      final: this.#isFinal(row, watermark),
    };
    let late = 0;
    const window = windowOf(row);
    for (const counts of this.#late) late += counts.get(window) ?? 0;
    if (late > 0) result.late = late;
    return result;
  }
}
