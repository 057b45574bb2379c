import { type ArchiveShardStatus, readArchiveStatus } from '../archive/status';
import type { ConsumerName, Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { streamIdMs } from '../streams/entry';

export interface ConsumerHealth {
  consumer: ConsumerName;
  /** The checkpoint (last processed entry) and how far it trails the newest entry, in ms of ingest time. */
  checkpointId: string | null;
  lagMs: number | null;
  /** Lease holder `owner` and its epoch, or null when nobody holds the shard. */
  owner: string | null;
  epoch: number | null;
  lastCommitAtMs: number | null;
  /** Archiver only: deliveries (files, bytes, records, last delivery), rate, lag and last error. */
  archive?: ArchiveShardStatus | null;
}

export interface ShardHealth {
  shard: number;
  length: number;
  firstId: string | null;
  lastId: string | null;
  consumers: ConsumerHealth[];
}

export interface PipelineHealth {
  shards: ShardHealth[];
  alarms: Array<{ id: string; detail: unknown }>;
}

const CONSUMERS: readonly ConsumerName[] = ['aggregator', 'archiver'];

/** What the admin health page shows per shard: size, ends, and each consumer's position, owner and lag. */
export async function readPipelineHealth(
  redis: RedisClient,
  keys: Keys,
  shardCount: number,
): Promise<PipelineHealth> {
  const registered = new Set(await redis.smembers(keys.consumers));
  const shards = await Promise.all(
    Array.from({ length: shardCount }, async (_, shard): Promise<ShardHealth> => {
      const shardKeys = keys.shard(shard);
      const [length, first, last] = await Promise.all([
        redis.xlen(shardKeys.stream),
        redis.xrange(shardKeys.stream, '-', '+', 'COUNT', 1),
        redis.xrevrange(shardKeys.stream, '+', '-', 'COUNT', 1),
      ]);
      const lastId = last[0]?.[0] ?? null;
      const consumers = await Promise.all(
        CONSUMERS.filter((c) => registered.has(c)).map(async (consumer): Promise<ConsumerHealth> => {
          const [checkpoint, lease, archive] = await Promise.all([
            redis.hmget(shardKeys.checkpoint(consumer), 'id', 'committedAtMs'),
            redis.get(shardKeys.lease(consumer)),
            consumer === 'archiver' ? readArchiveStatus(redis, shardKeys) : undefined,
          ]);
          const checkpointId = checkpoint[0] ?? null;
          const colon = lease?.lastIndexOf(':') ?? -1;
          return {
            consumer,
            checkpointId,
            lagMs:
              lastId === null
                ? 0
                : checkpointId === null
                  ? null
                  : Math.max(0, streamIdMs(lastId) - streamIdMs(checkpointId)),
            owner: lease && colon > 0 ? lease.slice(0, colon) : null,
            epoch: lease && colon > 0 ? Number(lease.slice(colon + 1)) : null,
            lastCommitAtMs: checkpoint[1] ? Number(checkpoint[1]) : null,
            ...(archive === undefined ? {} : { archive }),
          };
        }),
      );
      return { shard, length, firstId: first[0]?.[0] ?? null, lastId, consumers };
    }),
  );
  const rawAlarms = await redis.hgetall(keys.alarms);
  const alarms = Object.entries(rawAlarms).map(([id, json]) => {
    try {
      return { id, detail: JSON.parse(json) as unknown };
    } catch {
      return { id, detail: json };
    }
  });
  return { shards, alarms };
}

/** `GET /api/admin/health` and the socket's `health` event: the pipeline plus the per-stage counters. */
export interface AdminHealth extends PipelineHealth {
  /** The ingest counters (accepted, bot, duplicate, rejected:<field>, …) and `aggregated`, summed over shards. */
  counters: Record<string, number>;
}

/**
 * What the admin health page shows, computed in one place for the HTTP route and the socket broadcaster so
 * both always send the same JSON.
 */
export async function readAdminHealth(
  redis: RedisClient,
  keys: Keys,
  shardCount: number,
): Promise<AdminHealth> {
  const [pipeline, counters, aggregated] = await Promise.all([
    readPipelineHealth(redis, keys, shardCount),
    redis.hgetall(keys.ingestCounters),
    Promise.all(
      Array.from({ length: shardCount }, (_, s) =>
        redis.hget(keys.shard(s).checkpoint('aggregator'), 'events'),
      ),
    ),
  ]);
  return {
    ...pipeline,
    counters: {
      ...Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, Number(v)])),
      aggregated: aggregated.reduce((sum, v) => sum + Number(v ?? 0), 0),
    },
  };
}
