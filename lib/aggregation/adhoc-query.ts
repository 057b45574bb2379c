import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { decodeEntry, streamIdMs } from '../streams/entry';
import { defineWindow, type WindowDefinition } from '../windows/definition';
import { finalizeResult, mergeResultStates, WindowEngine } from '../windows/engine';
import type { Predicate } from '../windows/predicate';
import type { FilterField } from './filter-fields';
import type { StatsResult } from './stats-reader';

export { FILTER_FIELDS, type FilterField } from './filter-fields';

export interface Filter {
  field: FilterField;
  value: string;
}

export interface AdhocQuery {
  site: string;
  fromMs: number;
  toMs: number;
  filters: readonly Filter[];
  /** Upper bound on events read, so one request cannot scan a whole day of a busy site. */
  maxEvents: number;
}

export interface AdhocResult {
  scannedEvents: number;
  truncated: boolean;
  windows: Map<string, StatsResult[]>;
}

/** Far enough past any window end plus grace (spans ≤ 31 days, grace ≤ 7 days) to close every window. */
const CLOSE_ALL_AFTER_MS = 40 * 86_400_000;
const PAGE_ENTRIES = 2_000;

/**
 * How a definition is evaluated over a fixed range: tumbling windows keep their series; sliding windows
 * become one window covering the whole range (their "last N minutes" meaning); sessions and stagger windows
 * keep their own windows. Filters are ANDed to the definition's own `where`.
 */
export function rangeDefinition(
  definition: WindowDefinition,
  query: Pick<AdhocQuery, 'fromMs' | 'toMs' | 'filters'>,
): WindowDefinition {
  const filters: Predicate[] = query.filters.map((f) => ({ field: f.field, op: '=', value: f.value }));
  const where: Predicate | undefined =
    filters.length === 0
      ? definition.where
      : { and: [...(definition.where ? [definition.where] : []), ...filters] };
  const base = { ...definition, where };
  if (definition.type !== 'sliding') return defineWindow(base);
  const sizeMs = Math.max(1, query.toMs - query.fromMs);
  return defineWindow({
    ...base,
    type: 'tumbling',
    sizeMs,
    everyMs: undefined,
    offsetMs: query.fromMs % sizeMs,
    graceMs: 0,
  });
}

/**
 * Runs window definitions over the retained raw events of one site in `[from, to)` — a dry run: fresh
 * engines per shard, nothing written — and merges the shards like the stats API does. Used by dashboard
 * filters and time ranges, and by the admin preview.
 */
export async function runAdhocQuery(
  redis: RedisClient,
  keys: Keys,
  shardCount: number,
  definitions: readonly WindowDefinition[],
  query: AdhocQuery,
): Promise<AdhocResult> {
  const derived = definitions.map((d) => ({ id: d.id, definition: rangeDefinition(d, query) }));
  const merged = new Map<string, Map<string, { result: StatsResult; state: string }>>();
  for (const { id } of derived) merged.set(id, new Map());
  let scannedEvents = 0;
  let truncated = false;
  for (let shard = 0; shard < shardCount && !truncated; shard++) {
    const engines = derived.map(({ id, definition }) => ({
      id,
      definition,
      engine: new WindowEngine(definition),
    }));
    let cursor = `${query.fromMs}-0`;
    let lastIngestMs = query.fromMs;
    for (;;) {
      const entries = await redis.xrange(
        keys.shard(shard).stream,
        cursor,
        `${query.toMs - 1}-18446744073709551615`,
        'COUNT',
        PAGE_ENTRIES,
      );
      for (const [id, fields] of entries) {
        const entry = decodeEntry(id, fields);
        if (entry.kind !== 'events') continue;
        const ingestMs = streamIdMs(id);
        lastIngestMs = ingestMs;
        for (const event of entry.events) {
          if (event.site !== query.site) continue;
          scannedEvents++;
          for (const { engine } of engines) engine.apply({ kind: 'event', ingestMs, event });
        }
      }
      if (scannedEvents >= query.maxEvents) truncated = true;
      if (entries.length < PAGE_ENTRIES || truncated) break;
      cursor = `(${entries[entries.length - 1]?.[0]}`;
    }
    for (const { id, definition, engine } of engines) {
      engine.apply({ kind: 'tick', ingestMs: Math.max(lastIngestMs, query.toMs) + CLOSE_ALL_AFTER_MS });
      const windows = merged.get(id) ?? new Map();
      for (const final of engine.drain().finals) {
        const windowKey = `${final.start}|${final.end}|${JSON.stringify(final.key)}`;
        const existing = windows.get(windowKey);
        if (existing) existing.state = mergeResultStates(definition, existing.state, final.state);
        else
          windows.set(windowKey, {
            result: { start: final.start, end: final.end, key: final.key, values: {}, final: true },
            state: final.state,
          });
      }
      merged.set(id, windows);
    }
  }
  const out = new Map<string, StatsResult[]>();
  for (const { id, definition } of derived) {
    const rows = [...(merged.get(id)?.values() ?? [])]
      .map(({ result, state }) => ({ ...result, values: finalizeResult(definition, state) }))
      .sort((a, b) => b.end - a.end || b.start - a.start);
    out.set(id, rows);
  }
  return { scannedEvents, truncated, windows: out };
}
