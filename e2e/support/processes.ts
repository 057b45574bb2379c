import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from '../../lib/config';

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The environment of every process of the e2e stack: one Redis and key prefix, short worker intervals. */
export function stackEnvironment(options: {
  redisUrl: string;
  prefix: string;
  shards: number;
}): Record<string, string> {
  return {
    REDIS_URL: options.redisUrl,
    KEY_PREFIX: options.prefix,
    SHARDS: String(options.shards),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // Small intervals keep the dashboard e2e fast: idle shards tick, live values publish often.
    TICK_INTERVAL_MS: '200',
    LIVE_INTERVAL_MS: '100',
    LEASE_TTL_MS: '3000',
    // One admin for every server of the stack; a shared session key, so the saved login works on all.
    ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
    ADMIN_SESSION_SECRET: 'e2e-session-secret-0123456789abcdef0123456789',
  };
}

export const E2E_ADMIN_PASSWORD = 'e2e-admin-password';

export interface StackProcess {
  readonly process: ChildProcess;
  /** SIGTERM (graceful), then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

function handle(child: ChildProcess): StackProcess {
  return {
    process: child,
    stop: (signal = 'SIGTERM', graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill(signal);
      }),
  };
}

function start(entry: string, env: Record<string, string>): StackProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT_DIR, entry)], {
    cwd: ROOT_DIR,
    env: childEnvironment(env),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return handle(child);
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready within ${timeoutMs} ms`);
}

/** Starts the real server (HTTP, socket.io gateway, Next.js pages) on `port`; resolves once it is ready. */
export async function startServer(
  env: Record<string, string>,
  port: number,
  timeoutMs = 60_000,
): Promise<StackProcess> {
  const server = start('server/main.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  try {
    await waitReady(`http://127.0.0.1:${port}`, server.process, timeoutMs);
  } catch (error) {
    await server.stop('SIGKILL');
    throw error;
  }
  return server;
}

/** Starts an aggregator worker (it takes the shards' leases and folds the windows). */
export function startAggregator(env: Record<string, string>): StackProcess {
  return start('workers/aggregator/main.ts', env);
}
