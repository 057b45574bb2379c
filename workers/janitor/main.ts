import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import { trimShards } from '../../lib/streams/janitor';

/**
 * The retention janitor: every JANITOR_INTERVAL_MS it trims the shards to RETENTION_HOURS without passing
 * any consumer's checkpoint, and keeps the `retention:*` alarms in Redis in step with what it found.
 * Running several is harmless (trimming is idempotent).
 */
const config = loadConfig();
const logger = createLogger('janitor', config.LOG_LEVEL);
if (config.REDIS_URL === undefined) {
  logger.fatal('REDIS_URL is not set');
  process.exit(1);
}
const redis = createRedisClient(config.REDIS_URL, { name: 'janitor', commandTimeoutMs: 10_000 });
redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
const keys = createKeys(config.KEY_PREFIX);
const retentionMs = config.RETENTION_HOURS * 3_600_000;

let closing = false;
let wake: (() => void) | undefined;

async function sweep(): Promise<void> {
  const results = await trimShards(redis, keys, config.SHARDS, retentionMs, Date.now());
  for (const result of results) {
    const alarmPrefix = `retention:`;
    const holding = new Set(result.holdingBack.map((h) => `${alarmPrefix}${h.consumer}:${result.shard}`));
    for (const { consumer, behindMs } of result.holdingBack) {
      logger.warn(
        { shard: result.shard, consumer, behindMs },
        'consumer is behind retention; not trimming past it',
      );
      await redis.hset(
        keys.alarms,
        `${alarmPrefix}${consumer}:${result.shard}`,
        JSON.stringify({ behindMs, atMs: Date.now() }),
      );
    }
    const existing = (await redis.hkeys(keys.alarms)).filter(
      (field) => field.startsWith(alarmPrefix) && field.endsWith(`:${result.shard}`) && !holding.has(field),
    );
    if (existing.length > 0) await redis.hdel(keys.alarms, ...existing);
    if (result.trimmed > 0)
      logger.info({ shard: result.shard, trimmed: result.trimmed, minId: result.minId }, 'trimmed');
  }
}

async function run(): Promise<void> {
  let backoffMs = 1_000;
  while (!closing) {
    try {
      await sweep();
      backoffMs = 1_000;
      await sleep(config.JANITOR_INTERVAL_MS);
    } catch (error) {
      logger.error({ err: error, retryInMs: backoffMs }, 'janitor sweep failed');
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 60_000);
    }
  }
  await redis.quit();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    closing = true;
    wake?.();
  });
}

logger.info(
  { retentionHours: config.RETENTION_HOURS, intervalMs: config.JANITOR_INTERVAL_MS },
  'janitor started',
);
run().then(
  () => process.exit(0),
  (error: unknown) => {
    logger.fatal({ err: error }, 'janitor crashed');
    process.exit(1);
  },
);
