import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  type RedisServerHandle,
  type RedisServerOptions,
  startRedisServer,
} from '../../scripts/redis-server';

export interface TestRedis extends RedisServerHandle {
  /** A fresh key prefix, so tests sharing a server never see each other's keys. */
  prefix: string;
  /** A plain client for assertions (closed on dispose). */
  client: Redis;
}

/**
 * A private redis-server for one test file: own port, own temp dir (removed on dispose), AOF on.
 * Use with `await using redis = await startTestRedis()`.
 */
export async function startTestRedis(options: Partial<RedisServerOptions> = {}): Promise<TestRedis> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'riffle-redis-'));
  const server = await startRedisServer({ appendfsync: 'everysec', ...options, dir });
  const client = new Redis(server.url, { protocol: 2, maxRetriesPerRequest: 1 });
  const dispose = async () => {
    client.disconnect();
    await server.stop();
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  return { ...server, prefix: testPrefix(), client, stop: dispose, [Symbol.asyncDispose]: dispose };
}

export function testPrefix(): string {
  return `t${randomBytes(4).toString('hex')}:`;
}
