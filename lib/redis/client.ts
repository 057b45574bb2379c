import { Redis, type RedisOptions } from 'ioredis';
import { type RedisClient, registerScripts } from './scripts';

export type { RedisClient } from './scripts';

export interface RedisClientOptions {
  /** Label shown in CLIENT LIST and logs. */
  name: string;
  /**
   * Fail a command after this long instead of waiting for a reconnect forever (ingest answers 503 rather
   * than hanging). Undefined = no timeout (blocking readers manage their own).
   */
  commandTimeoutMs?: number;
  /** Batch commands issued in the same tick into one write (high-concurrency request paths). */
  autoPipelining?: boolean;
}

/** Creates a client for REDIS_URL with Riffle's scripts registered. */
export function createRedisClient(url: string, options: RedisClientOptions): RedisClient {
  const redisOptions: RedisOptions = {
    connectionName: `riffle:${options.name}`,
    enableAutoPipelining: options.autoPipelining ?? false,
    maxRetriesPerRequest: options.commandTimeoutMs === undefined ? null : 2,
    // Reply shapes below assume RESP2 (ioredis 6 defaults to RESP3).
    protocol: 2,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  };
  const client = new Redis(url, redisOptions);
  registerScripts(client);
  return client;
}
