import type { WindowDef, WindowRow } from './schemas';

/**
 * A window's rows as the dashboard holds them: keyed by (start, key JSON). Values are absolute and
 * already merged over the shards, so applying a row twice, or a newer version of it, never double counts:
 * the client only ever replaces rows, it never adds numbers.
 */
export type RowMap = ReadonlyMap<string, WindowRow>;

export interface WindowView {
  def: WindowDef;
  rows: RowMap;
  /** Lowest observed time over the shards (ms), null until every shard has been processed. */
  watermark: number | null;
}

/** A row's identity: start and key (a growing session keeps its start; its end moves). */
export function rowId(row: Pick<WindowRow, 'start' | 'key'>): string {
  return `${row.start}|${JSON.stringify(row.key)}`;
}

export function rowsFrom(rows: readonly WindowRow[]): Map<string, WindowRow> {
  const map = new Map<string, WindowRow>();
  for (const row of rows) map.set(rowId(row), row);
  return map;
}

/** Replaces the rows of `changed` in `current` (a new map: React state stays immutable). */
export function replaceRows(current: RowMap, changed: readonly WindowRow[]): Map<string, WindowRow> {
  const next = new Map(current);
  for (const row of changed) next.set(rowId(row), row);
  return next;
}

const MINUTE_MS = 60_000;
const MAX_ROWS = 3_000;

/** How far back (by window end) the live view keeps rows of a window: enough for every chart it feeds. */
export function keepSpanMs(def: WindowDef): number {
  switch (def.type) {
    case 'tumbling':
      return Math.max(5 * MINUTE_MS, 90 * (def.sizeMs ?? MINUTE_MS));
    case 'sliding':
      return Math.max(5 * MINUTE_MS, 3 * (def.everyMs ?? 1_000));
    case 'session':
      return Math.max(60 * MINUTE_MS, def.gapMs ?? 0);
    case 'stagger':
      return Math.max(60 * MINUTE_MS, 3 * (def.rangeMs ?? 0));
  }
}

/** Drops rows that ended more than keepSpanMs before the newest one, and the oldest beyond MAX_ROWS. */
export function pruneRows(def: WindowDef, rows: RowMap): RowMap {
  let newest = Number.NEGATIVE_INFINITY;
  for (const row of rows.values()) newest = Math.max(newest, row.end);
  const cutoff = newest - keepSpanMs(def);
  let kept = [...rows].filter(([, row]) => row.end >= cutoff);
  if (kept.length > MAX_ROWS) kept = kept.sort(([, a], [, b]) => b.end - a.end).slice(0, MAX_ROWS);
  return kept.length === rows.size ? rows : new Map(kept);
}

/**
 * Rows sharing the newest complete window: "the current value" of a window. A sliding window whose
 * trailing step has moved past every event emits nothing (it has no keys left), so its last rows stay
 * behind: once every shard's observed time has reached a step's end (end ≤ watermark), that step is no
 * longer anyone's trailing window and the current value is empty. Without a watermark, `staleBeforeMs`
 * (server time) stands in for it.
 */
export function currentRows(view: WindowView, staleBeforeMs?: number): WindowRow[] {
  const end = currentEnd(view);
  if (end === undefined) return [];
  if (view.def.type === 'sliding') {
    if (
      view.watermark !== null ? end <= view.watermark : staleBeforeMs !== undefined && end < staleBeforeMs
    ) {
      return [];
    }
  }
  return [...view.rows.values()].filter((row) => row.end === end);
}

/**
 * The end of the newest window every shard has contributed to. Shards advance on their own; a sliding
 * window's newest step may so far hold only the fastest shard's share. The slowest shard (at the watermark)
 * reports the trailing window whose end lies in (watermark, watermark + every]; every other shard still
 * holds that window (live or FINAL), so that is the newest complete one. Other types: the newest window.
 */
export function currentEnd(view: WindowView): number | undefined {
  let newest: number | undefined;
  let newestComplete: number | undefined;
  const limit =
    view.def.type === 'sliding' && view.watermark !== null
      ? view.watermark + (view.def.everyMs ?? 0)
      : Number.POSITIVE_INFINITY;
  for (const row of view.rows.values()) {
    if (newest === undefined || row.end > newest) newest = row.end;
    if (row.end <= limit && (newestComplete === undefined || row.end > newestComplete)) {
      newestComplete = row.end;
    }
  }
  return newestComplete ?? newest;
}

/** Complete windows of a sliding definition (see currentEnd), oldest first; other types: every row. */
export function completeRows(view: WindowView): WindowRow[] {
  const end = currentEnd(view);
  const rows = [...view.rows.values()];
  const kept = view.def.type === 'sliding' && end !== undefined ? rows.filter((r) => r.end <= end) : rows;
  return kept.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The first aggregate whose value is a number, as the window's headline value. */
export function primaryNumericAggregate(def: WindowDef): string | undefined {
  return def.aggregates.find((a) => a.fn !== 'top_k')?.name;
}

export function numericValue(row: WindowRow | undefined, name: string | undefined): number | null {
  if (row === undefined || name === undefined) return null;
  const value = row.values[name];
  return typeof value === 'number' ? value : null;
}

/** Sum of `late` over the rows (per window, counted once even when the window has several keys). */
export function lateCount(rows: Iterable<WindowRow>): number {
  const perWindow = new Map<string, number>();
  for (const row of rows) if (row.late) perWindow.set(`${row.start}|${row.end}`, row.late);
  let total = 0;
  for (const late of perWindow.values()) total += late;
  return total;
}
