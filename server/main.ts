import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { type Config, loadConfig, publicUrl } from '../lib/config';
import { createLogger, type Logger } from '../lib/logger';
import { createRedisClient } from '../lib/redis/client';
import { demoSite } from '../lib/sites/site-store';
import { createRequestListener, type FallbackHandler } from './app';
import { buildContext } from './build-context';
import { startRealtimeGateway } from './realtime/gateway';

const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));

async function startNext(config: Config): Promise<FallbackHandler> {
  const app = next({
    dev: config.NODE_ENV === 'development',
    dir: ROOT_DIR,
    hostname: 'localhost',
    port: config.PORT,
  });
  await app.prepare();
  return app.getRequestHandler();
}

async function main(logger: Logger): Promise<void> {
  const config = loadConfig();
  if (config.REDIS_URL === undefined) {
    logger.fatal(
      'REDIS_URL is not set: run `npm start` (which starts Redis for you) or point REDIS_URL at Redis ≥ 7',
    );
    process.exit(1);
  }
  const redis = createRedisClient(config.REDIS_URL, {
    name: 'server',
    commandTimeoutMs: 5_000,
    autoPipelining: true,
  });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  const ctx = buildContext(config, redis, logger);
  if (config.DEMO_SITE && (await ctx.sites.create(demoSite(Date.now()))))
    logger.info('created the demo site');

  const fallback = config.APP_ENABLED ? await startNext(config) : undefined;
  const server = createServer(createRequestListener(ctx, fallback));
  server.keepAliveTimeout = 65_000;
  // socket.io shares the HTTP server with the routes and Next.js (it takes the /socket.io/ path).
  const gateway = startRealtimeGateway(server, ctx);
  ctx.realtime = gateway;
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  logger.info({ url: publicUrl(config), port: config.PORT }, 'server listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.draining = true;
    logger.info({ signal }, 'shutting down');
    const hardStop = setTimeout(() => {
      logger.warn('graceful shutdown timed out; closing connections');
      server.closeAllConnections();
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    hardStop.unref();
    // Outbox readers first, then io.close() (sockets, adapter; it also stops the HTTP listener and waits for
    // in-flight requests), then Redis. The second server.close() only waits (or reports "not running").
    gateway
      .close()
      .catch((error: unknown) => logger.warn({ err: error }, 'realtime gateway did not close cleanly'))
      .finally(() => {
        server.close(() => {
          redis.quit().finally(() => process.exit(0));
        });
        server.closeIdleConnections();
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

const logger = createLogger('server', loadConfig().LOG_LEVEL);
main(logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'server failed to start');
  process.exit(1);
});
