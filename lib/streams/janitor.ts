import type { ConsumerName, Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { compareStreamIds, streamIdMs } from './entry';

export interface TrimResult {
  shard: number;
  /** Entries older than this id were trimmed (`XTRIM MINID ~`), or null when nothing could be trimmed. */
  minId: string | null;
  trimmed: number;
  /** Consumers whose checkpoint holds back retention on this shard, with how far behind they are. */
  holdingBack: Array<{ consumer: string; behindMs: number }>;
}

/**
 * Time-based retention (BRIEF §2): trims each shard to RETENTION_HOURS, but never past the checkpoint of
 * any registered consumer. A consumer that would lose unread events is reported instead of skipped over;
 * a registered consumer without a checkpoint on a shard (not started yet) blocks trimming that shard.
 */
export async function trimShards(
  redis: RedisClient,
  keys: Keys,
  shardCount: number,
  retentionMs: number,
  nowMs: number,
): Promise<TrimResult[]> {
  const consumers = (await redis.smembers(keys.consumers)).sort() as ConsumerName[];
  const cutoffMs = Math.max(0, nowMs - retentionMs);
  const cutoffId = `${cutoffMs}-0`;
  const results: TrimResult[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    const shardKeys = keys.shard(shard);
    const oldest = (await redis.xrange(shardKeys.stream, '-', '+', 'COUNT', 1))[0]?.[0];
    if (oldest === undefined || streamIdMs(oldest) >= cutoffMs) {
      results.push({ shard, minId: null, trimmed: 0, holdingBack: [] });
      continue;
    }
    let minId: string | null = cutoffId;
    const holdingBack: TrimResult['holdingBack'] = [];
    for (const consumer of consumers) {
      const checkpoint = await redis.hget(shardKeys.checkpoint(consumer), 'id');
      if (checkpoint === null) {
        minId = null;
        holdingBack.push({ consumer, behindMs: cutoffMs - streamIdMs(oldest) });
      } else if (compareStreamIds(checkpoint, cutoffId) < 0) {
        if (minId !== null && compareStreamIds(checkpoint, minId) < 0) minId = checkpoint;
        // Behind only if something it has not read is already older than retention (a consumer at the very
        // end of a quiet stream holds nothing back).
        const [unread] = await redis.xrange(shardKeys.stream, `(${checkpoint}`, `(${cutoffId}`, 'COUNT', 1);
        if (unread) holdingBack.push({ consumer, behindMs: cutoffMs - streamIdMs(unread[0]) });
      }
    }
    const trimmed = minId === null ? 0 : await redis.xtrim(shardKeys.stream, 'MINID', '~', minId);
    results.push({ shard, minId, trimmed, holdingBack });
  }
  return results;
}
