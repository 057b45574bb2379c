import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createRedisClient } from '../../lib/redis/client';
import { demoSite } from '../../lib/sites/site-store';
import { createRequestListener } from '../../server/app';
import { buildContext } from '../../server/build-context';
import type { ServerContext } from '../../server/context';

export interface TestServer {
  baseUrl: string;
  ctx: ServerContext;
  server: Server;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The real HTTP server (collect, health, metrics routes; no Next.js pages) on a random port, over the
 * given Redis with a fresh key prefix. `env` overrides settings as environment variables would.
 */
export async function startTestServer(
  redisUrl: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const config = parseConfig({
    REDIS_URL: redisUrl,
    KEY_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_IP_PER_MINUTE: '0',
    RATE_LIMIT_SITE_PER_MINUTE: '0',
    ...env,
  });
  const logger = createLogger('test-server', config.LOG_LEVEL);
  const redis = createRedisClient(redisUrl, {
    name: 'test-server',
    commandTimeoutMs: 5_000,
    autoPipelining: true,
  });
  const ctx = buildContext(config, redis, logger);
  await ctx.sites.create(demoSite(Date.now()));
  const server = createServer(createRequestListener(ctx));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    redis.disconnect();
  };
  return { baseUrl: `http://127.0.0.1:${port}`, ctx, server, close, [Symbol.asyncDispose]: close };
}

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export async function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', 'User-Agent': CHROME_UA, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A read-only share token for a site, signed with the server's key (dashboards and their APIs accept it). */
export async function shareTokenFor(ctx: Pick<ServerContext, 'signingKey'>, site: string): Promise<string> {
  const { issueToken } = await import('../../lib/admin/tokens');
  return issueToken(await ctx.signingKey.get(), { kind: 'share', site, exp: null });
}
