import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { ArchiveTransform } from '../../lib/archive/records';
import { loadTransform } from '../../lib/archive/transform';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import { faultKiller, LeasedWorker, newWorkerId } from '../shared/leased-worker';
import { ArchiverMetrics, startMetricsServer } from './metrics';
import { ShardArchiver } from './shard-archiver';

/**
 * An archiver process (Firehose-like): owns some shards through leases (consumer `archiver`, separate from
 * the aggregator's) and writes each owned shard's events as gzip NDJSON batches under ARCHIVE_DIR, one
 * ShardArchiver per shard. Any number of archivers share the shards.
 */
const config = loadConfig();
const logger = createLogger('archiver', config.LOG_LEVEL);
if (config.REDIS_URL === undefined) {
  logger.fatal('REDIS_URL is not set');
  process.exit(1);
}
const redisUrl = config.REDIS_URL;
const archiveRoot = resolve(config.ARCHIVE_DIR ?? join(config.DATA_DIR, 'archive'));
const workerId = newWorkerId();
const keys = createKeys(config.KEY_PREFIX);
const redis = createRedisClient(redisUrl, { name: 'archiver', commandTimeoutMs: 10_000 });
redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
const metrics = new ArchiverMetrics();
const faultKill = faultKiller(config.ARCHIVER_FAULT_KILL_AT);
let transform: ArchiveTransform | undefined;
let metricsServer: Server | undefined;

const worker = new LeasedWorker<ShardArchiver>({
  consumer: 'archiver',
  workerId,
  redisUrl,
  redis,
  keys,
  shardCount: config.SHARDS,
  leaseTtlMs: config.LEASE_TTL_MS,
  logger,
  createRunner: ({ lease, reader, leaseIsValid, onFenced }) =>
    new ShardArchiver({
      shard: lease.shard,
      keys: keys.shard(lease.shard),
      lease,
      workerId,
      redis,
      reader,
      alarmsKey: keys.alarms,
      leaseIsValid,
      onFenced,
      logger,
      observer: metrics,
      transform,
      options: {
        root: archiveRoot,
        limits: { maxBytes: config.ARCHIVE_MAX_BYTES, maxIntervalMs: config.ARCHIVE_MAX_INTERVAL_MS },
        gzipLevel: config.ARCHIVE_GZIP_LEVEL,
        readCount: 256,
        blockMs: 250,
      },
      ...(faultKill ? { onStep: faultKill } : {}),
    }),
  onReleased: (shard) => metrics.forget(shard),
  onShutdown: () => metricsServer?.close(),
});

async function main(): Promise<void> {
  if (config.ARCHIVE_TRANSFORM !== undefined) transform = await loadTransform(config.ARCHIVE_TRANSFORM);
  // Registering makes the janitor keep every entry this consumer has not archived yet.
  await redis.sadd(keys.consumers, 'archiver');
  if (config.ARCHIVER_METRICS_PORT !== 0) {
    metricsServer = await startMetricsServer(
      metrics,
      { workerId, ownedShards: () => worker.ownedShards(), redis, keys, shardCount: config.SHARDS },
      config.HOST,
      config.ARCHIVER_METRICS_PORT,
    );
  }
  logger.info(
    {
      workerId,
      shards: config.SHARDS,
      dir: archiveRoot,
      maxBytes: config.ARCHIVE_MAX_BYTES,
      maxIntervalMs: config.ARCHIVE_MAX_INTERVAL_MS,
      gzipLevel: config.ARCHIVE_GZIP_LEVEL,
      transform: config.ARCHIVE_TRANSFORM ?? null,
      metricsPort: config.ARCHIVER_METRICS_PORT || null,
    },
    'archiver started',
  );
  await worker.run();
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'archiver crashed');
  process.exit(1);
});
