import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
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
  /**
   * Run it in a process group of its own, so a terminal's Ctrl-C reaches only the supervisor, which stops
   * Redis after the workers have finished with it. Its pid is kept in `dir/riffle-redis.pid` so a
   * server orphaned by a killed supervisor is shut down before a new one opens the same AOF.
   */
  ownProcessGroup?: boolean;
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
  const pidFile = join(dir, 'riffle-redis.pid');
  if (options.ownProcessGroup) await stopOrphan(pidFile, dir);
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
  const child = spawn('redis-server', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: options.ownProcessGroup === true,
  });
  await new Promise<void>((ok, fail) => {
    child.once('spawn', ok);
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'ENOENT' ? new RedisNotInstalledError(REDIS_INSTALL_HINT) : error),
    );
  });
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url, child, 10_000);
  if (options.ownProcessGroup && child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
    if (options.ownProcessGroup) rmSync(pidFile, { force: true });
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

/** A redis-server left running on `dir` by a supervisor that was killed: SIGTERM (AOF flushed), then wait. */
async function stopOrphan(pidFile: string, dir: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  // Only a redis-server working in this very directory: the pid may have been reused by anything else.
  if (!Number.isInteger(pid) || pid <= 0 || !isRedisIn(pid, dir)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function isRedisIn(pid: number, dir: string): boolean {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return command.startsWith('redis-server') && readlinkSync(`/proc/${pid}/cwd`) === dir;
  } catch {
    return false; // gone, or not Linux: nothing we can safely identify
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
