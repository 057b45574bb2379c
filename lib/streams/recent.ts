import type { EnrichedEvent } from '../events/enriched';
import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { compareStreamIds, decodeEntry } from './entry';

export interface ShardSummary {
  shard: number;
  length: number;
  lastId: string | null;
}

export interface StoredEvent {
  streamId: string;
  index: number;
  shard: number;
  event: EnrichedEvent;
}

const PAGE_ENTRIES = 200;
/** Bound on the entries read per shard for one call (ticks included). */
const MAX_ENTRIES_SCANNED = 5_000;

/** The newest events across all shards (newest first), optionally for one site, plus per-shard sizes. */
export async function recentEvents(
  redis: RedisClient,
  keys: Keys,
  shardCount: number,
  limit: number,
  site?: string,
): Promise<{ shards: ShardSummary[]; events: StoredEvent[] }> {
  const shards = Array.from({ length: shardCount }, (_, shard) => shard);
  const perShard = await Promise.all(
    shards.map(async (shard) => {
      const stream = keys.shard(shard).stream;
      const length = await redis.xlen(stream);
      const events: StoredEvent[] = [];
      let lastId: string | null = null;
      let end = '+';
      // Page backwards past tick entries (an idle shard writes one a second) until enough events are found.
      for (let scanned = 0; events.length < limit && scanned < MAX_ENTRIES_SCANNED; ) {
        const entries = await redis.xrevrange(stream, end, '-', 'COUNT', PAGE_ENTRIES);
        if (entries.length === 0) break;
        lastId ??= entries[0]?.[0] ?? null;
        scanned += entries.length;
        for (const [id, fields] of entries) {
          const entry = decodeEntry(id, fields);
          if (entry.kind !== 'events') continue;
          entry.events.forEach((event, index) => {
            if (site === undefined || event.site === site) events.push({ streamId: id, index, shard, event });
          });
        }
        end = `(${entries[entries.length - 1]?.[0]}`;
        if (entries.length < PAGE_ENTRIES) break;
      }
      return { summary: { shard, length, lastId }, events };
    }),
  );
  const events = perShard
    .flatMap((s) => s.events)
    .sort((a, b) => compareStreamIds(b.streamId, a.streamId) || b.index - a.index)
    .slice(0, limit);
  return { shards: perShard.map((s) => s.summary), events };
}
