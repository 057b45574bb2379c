import { SigningKey } from '../lib/admin/signing-key';
import { DefinitionStore } from '../lib/aggregation/definition-store';
import { WindowAdmin } from '../lib/aggregation/window-admin';
import type { Config } from '../lib/config';
import { IngestService } from '../lib/ingest/ingest-service';
import { IngestRateLimits } from '../lib/ingest/rate-limits';
import type { Logger } from '../lib/logger';
import { DailySaltStore } from '../lib/privacy/salt-store';
import { createKeys } from '../lib/redis/keys';
import type { RedisClient } from '../lib/redis/scripts';
import { SiteStore } from '../lib/sites/site-store';
import { compileSql, toSql } from '../lib/sql';
import { StreamWriter } from '../lib/streams/writer';
import type { ServerContext } from './context';
import { IngestCounters } from './ingest-counters';
import { ServerMetrics } from './metrics';

export function buildContext(config: Config, redis: RedisClient, logger: Logger): ServerContext {
  const keys = createKeys(config.KEY_PREFIX);
  const salts = new DailySaltStore(redis, keys);
  const windows = new DefinitionStore(redis, keys);
  const writer = new StreamWriter(redis, keys, {
    shardCount: config.SHARDS,
    dedupeHorizonMs: config.DEDUPE_HORIZON_MS,
  });
  return {
    config,
    logger,
    redis,
    keys,
    sites: new SiteStore(redis, keys),
    windows,
    windowAdmin: new WindowAdmin(windows, compileSql),
    toSql: (definition) => {
      try {
        return toSql(definition);
      } catch {
        return undefined; // a definition the dialect cannot express (made in the form editor)
      }
    },
    signingKey: new SigningKey(redis, keys, config.ADMIN_SESSION_SECRET),
    salts,
    ingest: new IngestService(writer, salts, { geoip: config.GEOIP }),
    rateLimits: new IngestRateLimits(redis, keys, {
      ipPerMinute: config.RATE_LIMIT_IP_PER_MINUTE,
      sitePerMinute: config.RATE_LIMIT_SITE_PER_MINUTE,
    }),
    metrics: new ServerMetrics(redis, keys, config.SHARDS),
    counters: new IngestCounters(redis, keys.ingestCounters, logger),
    draining: false,
    realtime: undefined,
  };
}
