import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, startRedisServer } from '../../scripts/redis-server';
import { stackEnvironment, startAggregator, startServer } from './processes';
import { STACK_FILE, type StackInfo } from './stack';

const SHARDS = 4;

/** Starts a private Redis, the production server and an aggregator; returns the teardown. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-e2e-'));
  const redis = await startRedisServer({ dir, appendfsync: 'always' });
  const port = await freePort();
  const stack: StackInfo = {
    baseUrl: `http://127.0.0.1:${port}`,
    redisUrl: redis.url,
    prefix: 'e2e:',
    shards: SHARDS,
  };
  const env = stackEnvironment(stack);
  // The admin UI's e2e (e2e/admin.spec.ts) logs in with this password.
  env['ADMIN_PASSWORD'] = 'e2e-admin-password';
  const server = await startServer(env, port);
  const aggregator = startAggregator(env);
  mkdirSync(dirname(STACK_FILE), { recursive: true });
  writeFileSync(STACK_FILE, JSON.stringify(stack));

  return async () => {
    await Promise.all([server.stop(), aggregator.stop()]);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
