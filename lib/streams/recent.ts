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
      const [length, entries] = await Promise.all([
        redis.xlen(stream),
        redis.xrevrange(stream, '+', '-', 'COUNT', limit),
      ]);
      const events: StoredEvent[] = [];
      for (const [id, fields] of entries) {
        const entry = decodeEntry(id, fields);
        if (entry.kind !== 'events') continue;
        entry.events.forEach((event, index) => {
          if (site === undefined || event.site === site) events.push({ streamId: id, index, shard, event });
        });
      }
      return { summary: { shard, length, lastId: entries[0]?.[0] ?? null }, events };
    }),
  );
  const events = perShard
    .flatMap((s) => s.events)
    .sort((a, b) => compareStreamIds(b.streamId, a.streamId) || b.index - a.index)
    .slice(0, limit);
  return { shards: perShard.map((s) => s.summary), events };
}
