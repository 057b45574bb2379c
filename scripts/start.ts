import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, childEnvironment, loadConfig, publicUrl } from '../lib/config';
import { createLogger } from '../lib/logger';
import { ensureBuild } from './ensure-build';
import { RedisNotInstalledError, type RedisServerHandle, startRedisServer } from './redis-server';
import { Supervisor } from './supervisor';

/**
 * `npm start`: builds what is stale, starts Redis unless REDIS_URL is set, runs the server and the workers
 * under a supervisor, and prints where to click. Ctrl-C stops everything, Redis last.
 */
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));

async function waitUntilReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * The admin password: ADMIN_PASSWORD when set; else one generated on first start into DATA_DIR/admin-password
 * (mode 0600) and printed once, so a newcomer can log in without configuring anything.
 */
function adminPassword(
  configured: string | undefined,
  file: string,
): { password: string; generated: boolean } {
  if (configured !== undefined) return { password: configured, generated: false };
  if (existsSync(file)) return { password: readFileSync(file, 'utf8').trim(), generated: false };
  const password = randomBytes(12).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { password, generated: true };
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger('riffle', config.LOG_LEVEL);
  ensureBuild(ROOT_DIR, childEnvironment({}), (message) => logger.info(message));

  let redisServer: RedisServerHandle | undefined;
  let redisUrl = config.REDIS_URL;
  if (redisUrl === undefined) {
    try {
      redisServer = await startRedisServer({
        dir: resolve(ROOT_DIR, config.DATA_DIR, 'redis'),
        logFile: resolve(ROOT_DIR, config.DATA_DIR, 'redis', 'redis.log'),
        ownProcessGroup: true,
      });
    } catch (error) {
      if (error instanceof RedisNotInstalledError) {
        console.error(error.message);
        process.exit(1);
      }
      throw error;
    }
    redisUrl = redisServer.url;
    logger.info({ url: redisUrl, dir: redisServer.dir }, 'started a private redis-server (AOF on)');
  }

  const passwordFile = resolve(ROOT_DIR, config.DATA_DIR, 'admin-password');
  const admin = adminPassword(config.ADMIN_PASSWORD, passwordFile);
  const env = childEnvironment({
    REDIS_URL: redisUrl,
    NODE_ENV: config.NODE_ENV,
    ADMIN_PASSWORD: admin.password,
  });
  const supervisor = new Supervisor(
    [
      { name: 'server', entry: resolve(ROOT_DIR, 'server/main.ts'), env },
      { name: 'aggregator', entry: resolve(ROOT_DIR, 'workers/aggregator/main.ts'), env },
      {
        name: 'archiver',
        entry: resolve(ROOT_DIR, 'workers/archiver/main.ts'),
        // Like the private Redis, the archive lives under the checkout's DATA_DIR whatever the cwd.
        env: { ...env, ARCHIVE_DIR: resolve(ROOT_DIR, config.ARCHIVE_DIR ?? `${config.DATA_DIR}/archive`) },
      },
      { name: 'janitor', entry: resolve(ROOT_DIR, 'workers/janitor/main.ts'), env },
    ],
    logger,
    config.SHUTDOWN_TIMEOUT_MS,
  );
  supervisor.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping all processes');
    await supervisor.stop();
    await redisServer?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const base = publicUrl(config);
  if (await waitUntilReady(`http://127.0.0.1:${config.PORT}`, 120_000)) {
    console.log(
      [
        '',
        '  Riffle is running.',
        `    Dashboard:  ${base}/`,
        `    Demo shop:  ${base}/demo   (click around; events land in the shards)`,
        `    Admin:      ${base}/admin   (password: ${admin.generated ? admin.password : config.ADMIN_PASSWORD !== undefined ? 'ADMIN_PASSWORD' : `in ${passwordFile}`})`,
        `    Collect:    POST ${base}/api/collect   ·   snippet ${base}/js/script.js`,
        `    Metrics:    ${base}/metrics`,
        `    Redis:      ${redisUrl}${redisServer ? ' (private, data in .data/redis)' : ''}`,
        '  Simulated visitors:  npm run traffic -- --rate 200 --duration 60',
        '  Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
  } else {
    logger.error('the server did not become ready within 120 s; see the logs above');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
