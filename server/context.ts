import type { SigningKey } from '../lib/admin/signing-key';
import type { DefinitionStore } from '../lib/aggregation/definition-store';
import type { WindowAdmin } from '../lib/aggregation/window-admin';
import type { Config } from '../lib/config';
import type { IngestService } from '../lib/ingest/ingest-service';
import type { IngestRateLimits } from '../lib/ingest/rate-limits';
import type { Logger } from '../lib/logger';
import type { DailySaltStore } from '../lib/privacy/salt-store';
import type { Keys } from '../lib/redis/keys';
import type { RedisClient } from '../lib/redis/scripts';
import type { SiteStore } from '../lib/sites/site-store';
import type { WindowDefinition } from '../lib/windows/definition';
import type { IngestCounters } from './ingest-counters';
import type { ServerMetrics } from './metrics';
import type { FeedSink } from './realtime/feed';

/** Everything a request handler may use; built once per process in server/build-context.ts. */
export interface ServerContext {
  config: Config;
  logger: Logger;
  redis: RedisClient;
  keys: Keys;
  sites: SiteStore;
  windows: DefinitionStore;
  windowAdmin: WindowAdmin;
  /** The SQL form of a definition, or undefined when the dialect cannot express it. */
  toSql: (definition: WindowDefinition) => string | undefined;
  signingKey: SigningKey;
  salts: DailySaltStore;
  ingest: IngestService;
  rateLimits: IngestRateLimits;
  metrics: ServerMetrics;
  counters: IngestCounters;
  /** True once shutdown has begun: readiness fails so load balancers stop sending traffic. */
  draining: boolean;
  /** The realtime gateway's live feed, once socket.io is attached (absent in ingest-only test servers). */
  realtime: FeedSink | undefined;
}
