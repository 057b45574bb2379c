import { Cluster, Redis, type RedisOptions } from 'ioredis';
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

export const CLUSTER_SCHEME = 'redis+cluster:';

/**
 * Seed nodes of a `redis+cluster://host1:port,host2:port` URL (credentials and TLS options of the first
 * node apply to all).
 */
export function clusterNodes(url: string): Array<{ host: string; port: number }> {
  const rest = url.slice(`${CLUSTER_SCHEME}//`.length).split('/')[0] ?? '';
  const hosts = rest.slice(rest.lastIndexOf('@') + 1);
  return hosts.split(',').map((hostPort) => {
    const colon = hostPort.lastIndexOf(':');
    return colon < 0
      ? { host: hostPort, port: 6379 }
      : { host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)) };
  });
}

/**
 * Creates a client for REDIS_URL with Riffle's scripts registered: a single node (`redis://`, `rediss://`)
 * or a Redis Cluster (`redis+cluster://…`). Every multi-key script and command Riffle sends stays on one
 * slot (shard keys share the `{s<k>}` hash tag), so the same code runs on both.
 */
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
  let client: RedisClient;
  if (url.startsWith(CLUSTER_SCHEME)) {
    const credentials = /^redis\+cluster:\/\/(?:([^:@/]*):([^@/]*)@)?/.exec(url);
    client = new Cluster(clusterNodes(url), {
      enableAutoPipelining: redisOptions.enableAutoPipelining ?? false,
      // A failover moves slots: keep retrying instead of failing the commands in flight.
      clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
      redisOptions: {
        ...redisOptions,
        ...(credentials?.[2] ? { password: decodeURIComponent(credentials[2]) } : {}),
        ...(credentials?.[1] ? { username: decodeURIComponent(credentials[1]) } : {}),
      },
    });
  } else {
    client = new Redis(url, redisOptions);
  }
  registerScripts(client);
  return client;
}
