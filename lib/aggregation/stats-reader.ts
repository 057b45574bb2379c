import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import type { WindowDefinition } from '../windows/definition';
import { type FinalValue, finalizeResult, mergeResultStates, type Scalar } from '../windows/engine';
import { definitionRef } from './definition-store';

export interface StatsQuery {
  site: string;
  /** Only windows ending at or after this time (ms). */
  fromMs?: number;
  /** Only windows ending at or before this time (ms). */
  toMs?: number;
  limit: number;
}

export interface StatsResult {
  start: number;
  end: number;
  key: Record<string, Scalar> | null;
  values: Record<string, FinalValue>;
  /** True once every shard has closed the window: the value will not change any more. */
  final: boolean;
  /** Events of this window (any key) that arrived after it closed on their shard: not in the values. */
  late?: number;
}

export interface WindowStats {
  /** Lowest observed time over the shards (ms): every window ending before `watermark − grace` is final. */
  watermark: number | null;
  results: StatsResult[];
}

interface StoredResult {
  ref: string;
  site: string;
  start: number;
  end: number;
  key: Record<string, Scalar> | null;
  state: string;
}

interface ShardView {
  finals: StoredResult[];
  live: StoredResult[];
  observedTimeMs: number | null;
  late: Map<string, number>;
}

/** A window's identity: start and key (a growing session keeps its start while its end moves). */
const windowId = (r: Pick<StoredResult, 'start' | 'key'>) => `${r.start}|${JSON.stringify(r.key)}`;

async function readShard(
  redis: RedisClient,
  keys: Keys,
  shard: number,
  ref: string,
  query: StatsQuery,
): Promise<ShardView> {
  const shardKeys = keys.shard(shard);
  const from = query.fromMs ?? '-inf';
  const to = query.toMs ?? '+inf';
  const [members, liveJson, ot, late] = await Promise.all([
    // Newest first; over-fetch because other sites share the set.
    redis.zrevrangebyscore(shardKeys.aggResults(ref), to, from, 'LIMIT', 0, query.limit * 20),
    redis.hget(shardKeys.aggLive, ref),
    redis.hget(shardKeys.aggState, `${ref}|#ot`),
    readLate(redis, shardKeys.aggLate, `${ref}|${query.site}|`),
  ]);
  const inRange = (r: StoredResult) =>
    r.site === query.site &&
    (query.fromMs === undefined || r.end >= query.fromMs) &&
    (query.toMs === undefined || r.end <= query.toMs);
  const finals = members.map((m) => JSON.parse(m) as StoredResult).filter(inRange);
  const live =
    liveJson === null ? [] : (JSON.parse(liveJson) as { windows: StoredResult[] }).windows.filter(inRange);
  return { finals, live, observedTimeMs: ot === null ? null : Number(ot), late };
}

async function readLate(redis: RedisClient, key: string, prefix: string): Promise<Map<string, number>> {
  const late = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [start, end] = (flat[i] ?? '').slice(prefix.length).split('|');
      late.set(`${start}|${end}`, Number(flat[i + 1]));
    }
  } while (cursor !== '0');
  return late;
}

/**
 * A window's results for one site, merged across shards: FINAL states where a shard has closed the window,
 * its live state where it has not. Per-shard states are absolute and mergeable, so reading twice or in any
 * order gives the same numbers.
 */
export async function readWindowStats(
  redis: RedisClient,
  keys: Keys,
  shardCount: number,
  definition: WindowDefinition,
  query: StatsQuery,
): Promise<WindowStats> {
  const ref = definitionRef(definition);
  const shards = await Promise.all(
    Array.from({ length: shardCount }, (_, shard) => readShard(redis, keys, shard, ref, query)),
  );
  const merged = new Map<string, { result: StoredResult; state: string }>();
  const lateByWindow = new Map<string, number>();
  for (const shard of shards) {
    // A shard contributes its FINAL where it has one, else its live value; never both.
    const contributions = new Map<string, StoredResult>();
    for (const live of shard.live) contributions.set(windowId(live), live);
    for (const final of shard.finals) contributions.set(windowId(final), final);
    for (const [id, contribution] of contributions) {
      const existing = merged.get(id);
      if (existing) existing.state = mergeResultStates(definition, existing.state, contribution.state);
      else merged.set(id, { result: contribution, state: contribution.state });
    }
    for (const [window, count] of shard.late)
      lateByWindow.set(window, (lateByWindow.get(window) ?? 0) + count);
  }
  const observed = shards.map((s) => s.observedTimeMs);
  const watermark = observed.some((ot) => ot === null) ? null : Math.min(...(observed as number[]));
  const results = [...merged.values()]
    .map(({ result, state }) => {
      const late = lateByWindow.get(`${result.start}|${result.end}`) ?? 0;
      const final = watermark !== null && watermark >= result.end + definition.graceMs;
      const out: StatsResult = {
        start: result.start,
        end: result.end,
        key: result.key,
        values: finalizeResult(definition, state),
        final,
      };
      if (late > 0) out.late = late;
      return out;
    })
    .sort((a, b) => b.end - a.end || b.start - a.start)
    .slice(0, query.limit);
  return { watermark, results };
}
