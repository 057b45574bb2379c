import { DefinitionStore, type StartPosition } from '../../lib/aggregation/definition-store';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import { BUILTIN_WINDOWS } from '../../lib/windows/builtins';
import type { WindowDefinition } from '../../lib/windows/definition';
import { faultKiller, LeasedWorker, newWorkerId } from '../shared/leased-worker';
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
const workerId = newWorkerId();
const keys = createKeys(config.KEY_PREFIX);
const redis = createRedisClient(redisUrl, { name: 'aggregator', commandTimeoutMs: 10_000 });
redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
const definitions = new DefinitionStore(redis, keys);
const faultKill = faultKiller(config.FAULT_KILL_AT);
let running: Array<{ definition: WindowDefinition; startFrom: StartPosition }> = [];
let revision = -1;

const worker = new LeasedWorker<ShardProcessor>({
  consumer: 'aggregator',
  workerId,
  redisUrl,
  redis,
  keys,
  shardCount: config.SHARDS,
  leaseTtlMs: config.LEASE_TTL_MS,
  logger,
  createRunner: ({ lease, reader, leaseIsValid, onFenced }) => {
    const processor = new ShardProcessor({
      shard: lease.shard,
      keys: keys.shard(lease.shard),
      lease,
      redis,
      reader,
      alarmsKey: keys.alarms,
      leaseIsValid,
      onFenced,
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
    return processor;
  },
  // Definition changes must reach running workers within 1 s: poll well inside that.
  poll: { intervalMs: 250, run: refreshDefinitions },
});

async function refreshDefinitions(): Promise<void> {
  const currentRevision = await definitions.revision();
  if (currentRevision === revision) return;
  const stored = await definitions.list();
  running = stored
    .filter((w) => w.status === 'running')
    .map((w) => ({ definition: w.definition, startFrom: w.startFrom }));
  for (const processor of worker.runners()) processor.setDefinitions(running);
  revision = currentRevision;
}

async function main(): Promise<void> {
  await redis.sadd(keys.consumers, 'aggregator');
  const created = await definitions.ensureBuiltins(BUILTIN_WINDOWS, Date.now());
  if (created > 0) logger.info({ created }, 'created the built-in windows');
  logger.info({ workerId, shards: config.SHARDS, leaseTtlMs: config.LEASE_TTL_MS }, 'aggregator started');
  await worker.run();
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'aggregator crashed');
  process.exit(1);
});
