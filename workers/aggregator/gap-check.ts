import type { Logger } from '../../lib/logger';
import type { ShardKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { compareStreamIds } from '../../lib/streams/entry';
import { streamInfo } from '../../lib/streams/stream-info';

export interface GapCheckDeps {
  shard: number;
  keys: ShardKeys;
  redis: RedisClient;
  logger: Logger;
  /** Hash of open alarms (keys.alarms). */
  alarmsKey: string;
}

/**
 * A consumer forced behind retention (entries trimmed past its checkpoint, e.g. by a MAXLEN elsewhere)
 * must not skip them silently. Trimming removes the oldest entries first, so entries after the checkpoint
 * can only be gone when the stream's first entry lies past the checkpoint; the loss is then counted from
 * the stream's own counters: entries ever added, minus those still there, minus those this consumer folded
 * or that were gone before it started. Raised as an alarm the admin health page shows.
 */
export async function checkForGap(deps: GapCheckDeps, checkpointId: string): Promise<void> {
  const { redis, keys, shard, logger } = deps;
  if (checkpointId === '') return;
  const info = await streamInfo(redis, keys.stream);
  if (!info?.firstId || compareStreamIds(info.firstId, checkpointId) <= 0) return;
  const [entries, base] = await redis.hmget(keys.checkpoint('aggregator'), 'entries', 'entriesBase');
  const lostEntries = info.entriesAdded - info.length - Number(base ?? 0) - Number(entries ?? 0);
  if (lostEntries <= 0) return;
  const alarm = { lostEntries, checkpointId, firstId: info.firstId, atMs: Date.now() };
  logger.error({ shard, ...alarm }, 'entries were trimmed before the aggregator read them: counted as lost');
  await redis.hset(keys.checkpoint('aggregator'), 'lostEntries', lostEntries);
  await redis.hset(deps.alarmsKey, `gap:aggregator:${shard}`, JSON.stringify(alarm));
}
