import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, startRedisServer } from '../../scripts/redis-server';
import { E2E_ADMIN_PASSWORD, stackEnvironment, startAggregator, startServer } from './processes';
import { ADMIN_STATE_FILE, STACK_FILE, type StackInfo } from './stack';

const SHARDS = 4;

/**
 * Logs in once and saves the session cookie as Playwright storage state: dashboards need an admin session
 * (or a share link), so every spec starts logged in unless it builds an anonymous context on purpose.
 */
async function saveAdminLogin(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/admin/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: baseUrl },
    body: JSON.stringify({ password: E2E_ADMIN_PASSWORD }),
  });
  const cookie = response.headers.get('set-cookie') ?? '';
  const [pair = ''] = cookie.split(';');
  const eq = pair.indexOf('=');
  if (!response.ok || eq < 0) throw new Error(`e2e login failed: HTTP ${response.status}`);
  const state = {
    cookies: [
      {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        domain: new URL(baseUrl).hostname,
        path: '/',
        expires: Math.floor(Date.now() / 1000) + 3600,
        httpOnly: true,
        secure: false,
        sameSite: 'Lax' as const,
      },
    ],
    origins: [],
  };
  mkdirSync(dirname(ADMIN_STATE_FILE), { recursive: true });
  writeFileSync(ADMIN_STATE_FILE, JSON.stringify(state));
}

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
  const server = await startServer(env, port);
  await saveAdminLogin(stack.baseUrl);
  const aggregator = startAggregator(env);
  mkdirSync(dirname(STACK_FILE), { recursive: true });
  writeFileSync(STACK_FILE, JSON.stringify(stack));

  return async () => {
    await Promise.all([server.stop(), aggregator.stop()]);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
