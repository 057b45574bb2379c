import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DefinitionStore, type StartPosition } from '../../lib/aggregation/definition-store';
import { loadConfig } from '../../lib/config';
import { LeaseManager } from '../../lib/leases/lease-manager';
import { createLogger } from '../../lib/logger';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { BUILTIN_WINDOWS } from '../../lib/windows/builtins';
import type { WindowDefinition } from '../../lib/windows/definition';
import { ShardProcessor } from './shard-processor';

/**
 * An aggregator process: owns some shards through leases, runs every running window definition over them
 * (one ShardProcessor per owned shard) and follows definition changes without a restart. Any number of
 * aggregators share the shards.
 */
const config = loadConfig();
const logger = createLogger('aggregator', config.LOG_LEVEL);
if (config.REDIS_URL === undefined) {
  logger.fatal('REDIS_URL is not set');
  process.exit(1);
}
const redisUrl = config.REDIS_URL;
const workerId = `${hostname().replace(/[^A-Za-z0-9_.-]/g, '')}-${process.pid}-${randomBytes(3).toString('hex')}`;
const keys = createKeys(config.KEY_PREFIX);
const redis = createRedisClient(redisUrl, { name: 'aggregator', commandTimeoutMs: 10_000 });
redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
const definitions = new DefinitionStore(redis, keys);
const processors = new Map<number, { processor: ShardProcessor; reader: RedisClient }>();
let running: Array<{ definition: WindowDefinition; startFrom: StartPosition }> = [];
let closing = false;

const faultKill = (() => {
  if (config.FAULT_KILL_AT === undefined) return undefined;
  const [step, nth] = config.FAULT_KILL_AT.split(':');
  let seen = 0;
  return (reached: string) => {
    if (reached === step && ++seen === Number(nth)) process.kill(process.pid, 'SIGKILL');
  };
})();

const leases: LeaseManager = new LeaseManager(redis, keys, {
  consumer: 'aggregator',
  workerId,
  shardCount: config.SHARDS,
  ttlMs: config.LEASE_TTL_MS,
  onAcquired: (lease) => {
    // commandTimeoutMs is the reader's watchdog: an XREAD blocks ≤ 1 s, so 5 s without a reply means a dead link.
    const reader = createRedisClient(redisUrl, {
      name: `aggregator-reader-${lease.shard}`,
      commandTimeoutMs: 5_000,
    });
    reader.on('error', (error: Error) =>
      logger.warn({ err: error, shard: lease.shard }, 'reader connection error'),
    );
    const processor = new ShardProcessor({
      shard: lease.shard,
      keys: keys.shard(lease.shard),
      lease,
      redis,
      reader,
      alarmsKey: keys.alarms,
      leaseIsValid: () => leases.isValid(lease.shard),
      onFenced: () => leases.forget(lease.shard),
      logger,
      options: {
        batchEntries: config.AGGREGATOR_BATCH_ENTRIES,
        tickIntervalMs: config.TICK_INTERVAL_MS,
        liveIntervalMs: config.LIVE_INTERVAL_MS,
        resultsRetentionMs: config.RESULTS_RETENTION_HOURS * 3_600_000,
        outboxMaxEntries: config.OUTBOX_MAX_ENTRIES,
      },
      ...(faultKill ? { onStep: faultKill } : {}),
    });
    processor.setDefinitions(running);
    processor.start();
    processors.set(lease.shard, { processor, reader });
    logger.info({ shard: lease.shard, epoch: lease.epoch }, 'shard acquired');
  },
  onLost: (shard) => {
    const entry = processors.get(shard);
    processors.delete(shard);
    if (!entry) return;
    logger.info({ shard }, 'shard released');
    void entry.processor.stop().finally(() => entry.reader.disconnect());
  },
});

async function refreshDefinitions(): Promise<void> {
  const stored = await definitions.list();
  running = stored
    .filter((w) => w.status === 'running')
    .map((w) => ({ definition: w.definition, startFrom: w.startFrom }));
  for (const { processor } of processors.values()) processor.setDefinitions(running);
}

async function loop(): Promise<void> {
  const leaseIntervalMs = Math.max(100, Math.floor(config.LEASE_TTL_MS / 3));
  // Definition changes must reach running workers within 1 s: poll well inside that.
  const definitionPollMs = 250;
  let revision = -1;
  let lastLeaseTickMs = Number.NEGATIVE_INFINITY; // take leases at once on start
  let backoffMs = 500;
  while (!closing) {
    try {
      const currentRevision = await definitions.revision();
      if (currentRevision !== revision) {
        await refreshDefinitions();
        revision = currentRevision;
      }
      if (performance.now() - lastLeaseTickMs >= leaseIntervalMs) {
        await leases.tick();
        lastLeaseTickMs = performance.now();
      }
      backoffMs = 500;
      await sleep(Math.min(definitionPollMs, leaseIntervalMs));
    } catch (error) {
      logger.warn({ err: error, retryInMs: backoffMs }, 'aggregator control loop error');
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 10_000);
    }
  }
}

async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down: finishing the current batches, then releasing the leases');
  await Promise.all([...processors.values()].map(({ processor }) => processor.stop()));
  await leases.releaseAll().catch((error: unknown) => logger.warn({ err: error }, 'lease release failed'));
  for (const { reader } of processors.values()) reader.disconnect();
  await redis.quit().catch(() => undefined);
  process.exit(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

async function main(): Promise<void> {
  await redis.sadd(keys.consumers, 'aggregator');
  const created = await definitions.ensureBuiltins(BUILTIN_WINDOWS, Date.now());
  if (created > 0) logger.info({ created }, 'created the built-in windows');
  logger.info({ workerId, shards: config.SHARDS, leaseTtlMs: config.LEASE_TTL_MS }, 'aggregator started');
  await loop();
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'aggregator crashed');
  process.exit(1);
});
