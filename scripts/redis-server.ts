import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

/**
 * Starts a private `redis-server` (used by `npm start` when REDIS_URL is unset, and by every test that
 * needs an isolated Redis it can kill and restart): loopback only, a free port, AOF in `dir`.
 */

export const REDIS_INSTALL_HINT = [
  'redis-server (Redis ≥ 7) was not found on PATH. Install it, or set REDIS_URL to an existing Redis:',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
].join('\n');

export class RedisNotInstalledError extends Error {
  override name = 'RedisNotInstalledError';
}

export interface RedisServerOptions {
  dir: string;
  /** Defaults to a free port. */
  port?: number;
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Extra `--name value` arguments. */
  extraArgs?: string[];
  /** Where redis-server's own log goes (inherit = this terminal). */
  logFile?: string;
}

export interface RedisServerHandle {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  /** SHUTDOWN (AOF flushed), waiting for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, for fault tests. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function redisServerVersion(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('redis-server', ['--version']);
    return /v=(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? 'unknown';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new RedisNotInstalledError(REDIS_INSTALL_HINT);
    throw error;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // refused while the server starts: expected, retried below
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis-server did not answer within ${timeoutMs} ms`);
}

export async function startRedisServer(options: RedisServerOptions): Promise<RedisServerHandle> {
  const version = await redisServerVersion();
  const major = Number(version.split('.')[0]);
  if (Number.isFinite(major) && major < 7)
    throw new Error(`redis-server ${version} is too old; Riffle needs Redis ≥ 7`);
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    options.appendfsync ?? 'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    options.logFile ?? '',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    child.once('spawn', ok);
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'ENOENT' ? new RedisNotInstalledError(REDIS_INSTALL_HINT) : error),
    );
  });
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url, child, 10_000);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited(child);
  };
  return {
    url,
    port,
    dir,
    process: child,
    stop,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    [Symbol.asyncDispose]: stop,
  };
}
