import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from '../../lib/config';
import { freePort, startRedisServer } from '../../scripts/redis-server';
import { STACK_FILE, type StackInfo } from './stack';

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const SHARDS = 4;

async function waitReady(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready within ${timeoutMs} ms`);
}

/** Starts a private Redis and the production server; returns the teardown. */
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
  const server = spawn(process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'server/main.ts')], {
    cwd: ROOT_DIR,
    env: childEnvironment({
      REDIS_URL: redis.url,
      KEY_PREFIX: stack.prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      SHARDS: String(SHARDS),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
    }),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitReady(stack.baseUrl, server, 60_000);
  mkdirSync(dirname(STACK_FILE), { recursive: true });
  writeFileSync(STACK_FILE, JSON.stringify(stack));

  return async () => {
    server.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      if (server.exitCode !== null) return resolve();
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      server.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
