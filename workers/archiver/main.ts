import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { ArchiveTransform } from '../../lib/archive/records';
import { loadTransform } from '../../lib/archive/transform';
import { loadConfig } from '../../lib/config';
import { LeaseManager } from '../../lib/leases/lease-manager';
import { createLogger } from '../../lib/logger';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { ArchiverMetrics, startMetricsServer } from './metrics';
import { type ArchiverStep, ShardArchiver } from './shard-archiver';

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
const workerId = `${hostname().replace(/[^A-Za-z0-9_.-]/g, '')}-${process.pid}-${randomBytes(3).toString('hex')}`;
const keys = createKeys(config.KEY_PREFIX);
const redis = createRedisClient(redisUrl, { name: 'archiver', commandTimeoutMs: 10_000 });
redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
const metrics = new ArchiverMetrics();
const archivers = new Map<number, { archiver: ShardArchiver; reader: RedisClient }>();
let transform: ArchiveTransform | undefined;
let metricsServer: Server | undefined;
let closing = false;

const faultKill = (() => {
  if (config.ARCHIVER_FAULT_KILL_AT === undefined) return undefined;
  const [step, nth] = config.ARCHIVER_FAULT_KILL_AT.split(':');
  let seen = 0;
  return (reached: ArchiverStep) => {
    if (reached === step && ++seen === Number(nth)) process.kill(process.pid, 'SIGKILL');
  };
})();

const leases: LeaseManager = new LeaseManager(redis, keys, {
  consumer: 'archiver',
  workerId,
  shardCount: config.SHARDS,
  ttlMs: config.LEASE_TTL_MS,
  onAcquired: (lease) => {
    // commandTimeoutMs is the reader's watchdog: an XREAD blocks ≤ 250 ms, so 5 s without a reply is a dead link.
    const reader = createRedisClient(redisUrl, {
      name: `archiver-reader-${lease.shard}`,
      commandTimeoutMs: 5_000,
    });
    reader.on('error', (error: Error) =>
      logger.warn({ err: error, shard: lease.shard }, 'reader connection error'),
    );
    const archiver = new ShardArchiver({
      shard: lease.shard,
      keys: keys.shard(lease.shard),
      lease,
      workerId,
      redis,
      reader,
      alarmsKey: keys.alarms,
      leaseIsValid: () => leases.isValid(lease.shard),
      onFenced: () => leases.forget(lease.shard),
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
    });
    archiver.start();
    archivers.set(lease.shard, { archiver, reader });
    logger.info({ shard: lease.shard, epoch: lease.epoch }, 'shard acquired');
  },
  onLost: (shard) => {
    const entry = archivers.get(shard);
    archivers.delete(shard);
    metrics.forget(shard);
    if (!entry) return;
    logger.info({ shard }, 'shard released');
    void entry.archiver.stop().finally(() => entry.reader.disconnect());
  },
});

async function loop(): Promise<void> {
  const leaseIntervalMs = Math.max(100, Math.floor(config.LEASE_TTL_MS / 3));
  let backoffMs = 500;
  while (!closing) {
    try {
      await leases.tick();
      backoffMs = 500;
      await sleep(leaseIntervalMs);
    } catch (error) {
      logger.warn({ err: error, retryInMs: backoffMs }, 'archiver control loop error');
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 10_000);
    }
  }
}

async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down: finishing the batches being written, then releasing the leases');
  await Promise.all([...archivers.values()].map(({ archiver }) => archiver.stop()));
  await leases.releaseAll().catch((error: unknown) => logger.warn({ err: error }, 'lease release failed'));
  for (const { reader } of archivers.values()) reader.disconnect();
  metricsServer?.close();
  await redis.quit().catch(() => undefined);
  process.exit(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

async function main(): Promise<void> {
  if (config.ARCHIVE_TRANSFORM !== undefined) transform = await loadTransform(config.ARCHIVE_TRANSFORM);
  // Registering makes the janitor keep every entry this consumer has not archived yet.
  await redis.sadd(keys.consumers, 'archiver');
  if (config.ARCHIVER_METRICS_PORT !== 0) {
    metricsServer = await startMetricsServer(
      metrics,
      { workerId, ownedShards: () => [...archivers.keys()], redis, keys, shardCount: config.SHARDS },
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
  await loop();
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'archiver crashed');
  process.exit(1);
});
