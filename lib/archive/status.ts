import type { ShardKeys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { compareStreamIds, streamIdMs } from '../streams/entry';
import { streamInfo } from '../streams/stream-info';

/**
 * The archiver's per-shard status in Redis (`rf:{s<k>}:arch:status`), for the admin health page and any
 * archiver process's /status. Delivery counters are incremented only by the commit script, so they count
 * each batch once whichever worker wrote it; lag, rate and the last error are the owner's latest report.
 */
export interface ArchiveShardStatus {
  checkpointId: string | null;
  lastDeliveryAtMs: number | null;
  /** The last data file delivered, relative to the archive root. */
  lastFile: string | null;
  batches: number;
  files: number;
  bytes: number;
  uncompressedBytes: number;
  records: number;
  failedRecords: number;
  droppedRecords: number;
  /** Ingest-time distance from the checkpoint to the newest entry of the shard. */
  lagMs: number | null;
  recordsPerSecond: number | null;
  owner: string | null;
  /** The last destination or Redis error of the owner, cleared by the next delivery. */
  lastError: string | null;
  reportedAtMs: number | null;
}

export interface ArchiveProgress {
  lagMs: number;
  recordsPerSecond: number;
  owner: string;
  lastError: string | null;
}

const num = (value: string | undefined): number | null =>
  value === undefined || value === '' ? null : Number(value);

export async function readArchiveStatus(
  redis: RedisClient,
  keys: ShardKeys,
): Promise<ArchiveShardStatus | null> {
  const raw = await redis.hgetall(keys.archiveStatus);
  if (Object.keys(raw).length === 0) return null;
  return {
    checkpointId: raw['checkpointId'] ?? null,
    lastDeliveryAtMs: num(raw['lastDeliveryAtMs']),
    lastFile: raw['lastFile'] ?? null,
    batches: num(raw['batches']) ?? 0,
    files: num(raw['files']) ?? 0,
    bytes: num(raw['bytes']) ?? 0,
    uncompressedBytes: num(raw['uncompressedBytes']) ?? 0,
    records: num(raw['records']) ?? 0,
    failedRecords: num(raw['failedRecords']) ?? 0,
    droppedRecords: num(raw['droppedRecords']) ?? 0,
    lagMs: num(raw['lagMs']),
    recordsPerSecond: num(raw['recordsPerSecond']),
    owner: raw['owner'] || null,
    lastError: raw['lastError'] || null,
    reportedAtMs: num(raw['reportedAtMs']),
  };
}

export async function reportArchiveProgress(
  redis: RedisClient,
  keys: ShardKeys,
  progress: ArchiveProgress,
): Promise<void> {
  await redis.hset(keys.archiveStatus, {
    lagMs: progress.lagMs,
    recordsPerSecond: Math.round(progress.recordsPerSecond * 10) / 10,
    owner: progress.owner,
    lastError: progress.lastError ?? '',
    reportedAtMs: Date.now(),
  });
}

/** Ingest-time distance from the checkpoint (or the oldest entry, before the first one) to the newest entry. */
export async function measureArchiveLag(
  redis: RedisClient,
  keys: ShardKeys,
  checkpointId: string,
): Promise<number> {
  const newest = (await redis.xrevrange(keys.stream, '+', '-', 'COUNT', 1))[0]?.[0];
  const from =
    checkpointId !== '' ? checkpointId : (await redis.xrange(keys.stream, '-', '+', 'COUNT', 1))[0]?.[0];
  return newest === undefined || from === undefined ? 0 : Math.max(0, streamIdMs(newest) - streamIdMs(from));
}

/**
 * Entries trimmed past the checkpoint (a MAXLEN elsewhere, a manual XTRIM — the janitor never does it)
 * cannot be archived any more: returns the alarm to raise instead of skipping them silently.
 */
export async function findArchiveGap(
  redis: RedisClient,
  keys: ShardKeys,
  checkpointId: string,
): Promise<{ checkpointId: string; maxDeletedId: string; atMs: number } | undefined> {
  if (checkpointId === '') return undefined;
  const info = await streamInfo(redis, keys.stream);
  if (!info || compareStreamIds(info.maxDeletedId, checkpointId) <= 0) return undefined;
  return { checkpointId, maxDeletedId: info.maxDeletedId, atMs: Date.now() };
}
