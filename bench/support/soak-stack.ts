import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { type Config, childEnvironment, parseConfig } from '../../lib/config';
import type { Keys } from '../../lib/redis/keys';
import { freePort, type RedisServerHandle, startRedisServer } from '../../scripts/redis-server';
import { CONSUMERS, type NodeProc, type Proc, SHARDS } from './soak-model';
import type { LiveHeapTracker } from './soak-process-memory';

/**
 * The soak's stack, every process on its own as `npm start` runs them: a private redis-server (AOF
 * everysec, fresh dir), the server (APP_ENABLED=false), an aggregator, an archiver (temp ARCHIVE_DIR), the
 * janitor, and the dashboards process. Any of them exiting before the soak says it may is a crash (the
 * `crash` promise rejects); stopping is idempotent, and Ctrl-C or an exception on the way out leaves no
 * process behind.
 */

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const STOP_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 200;

export interface StackOptions {
  retentionMinutes: number;
  /** Extra environment for every process of the stack (applied last). */
  extraEnv: Record<string, string>;
}

export interface RunningStack {
  baseUrl: string;
  archiverMetricsUrl: string;
  redisUrl: string;
  /** The environment every process of the stack got (the archiver a little more). */
  env: Record<string, string>;
  config: Config;
  pids: Record<Proc, number | undefined>;
  dashboards: ChildProcess;
}

interface Child {
  name: Proc;
  process: ChildProcess;
}

export class SoakStack {
  /** Rejects when a process exits while exits are not expected yet; observed through Promise.race. */
  readonly crash: Promise<never>;
  private crashed: (error: Error) => void = () => {};
  private readonly children: Child[] = [];
  private redisServer: RedisServerHandle | undefined;
  private tempDir: string | undefined;
  private exitsExpected = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly liveHeap: LiveHeapTracker) {
    this.crash = new Promise<never>((_, reject) => {
      this.crashed = reject;
    });
    this.crash.catch(() => {}); // observed through Promise.race by the caller
  }

  /** True once processes exiting is expected (the run is over, or being stopped). */
  get stopping(): boolean {
    return this.exitsExpected;
  }

  expectExits(): void {
    this.exitsExpected = true;
  }

  async start(options: StackOptions): Promise<RunningStack> {
    const dir = mkdtempSync(join(tmpdir(), 'riffle-soak-'));
    this.tempDir = dir;
    const archiveDir = join(dir, 'archive');
    mkdirSync(archiveDir, { recursive: true });
    const redisServer = await this.startRedis(join(dir, 'redis'));
    const port = await freePort();
    const archiverMetricsPort = await freePort();
    const env = stackEnv(redisServer.url, port, options);
    const config = parseConfig(env);
    this.startNodeProcess('server', 'server/main.ts', env);
    this.startNodeProcess('aggregator', 'workers/aggregator/main.ts', env);
    this.startNodeProcess('archiver', 'workers/archiver/main.ts', {
      ...env,
      ARCHIVE_DIR: archiveDir,
      ARCHIVER_METRICS_PORT: String(archiverMetricsPort),
    });
    this.startNodeProcess('janitor', 'workers/janitor/main.ts', env);
    const dashboards = this.forkDashboards();
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      archiverMetricsUrl: `http://127.0.0.1:${archiverMetricsPort}/metrics`,
      redisUrl: redisServer.url,
      env,
      config,
      pids: this.pids(redisServer, dashboards),
      dashboards,
    };
  }

  /** Stops everything (idempotent): the stack's processes together, Redis last, then the temp dir. */
  stopAll(): Promise<void> {
    this.exitsExpected = true;
    this.stopped ??= (async () => {
      await Promise.all(this.children.map((c) => stopProcess(c.process)));
      if (this.redisServer !== undefined) await stopProcess(this.redisServer.process);
      if (this.tempDir !== undefined) rmSync(this.tempDir, { recursive: true, force: true });
    })();
    return this.stopped;
  }

  /** Ctrl-C and SIGTERM stop the stack before exiting; any other exit kills what is left of it. */
  installCleanupHandlers(): void {
    // Last resort (an exception on the way out): nothing of ours outlives this process.
    process.on('exit', () => {
      for (const child of [...this.children.map((c) => c.process), this.redisServer?.process])
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let interrupted = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (interrupted) return;
        interrupted = true;
        console.error(`${signal}: stopping the stack`);
        this.stopAll().finally(() => process.exit(130));
      });
    }
  }

  private async startRedis(dir: string): Promise<RedisServerHandle> {
    const redisServer = await startRedisServer({ dir, appendfsync: 'everysec' });
    this.redisServer = redisServer;
    this.crashOnExit('redis-server', redisServer.process);
    return redisServer;
  }

  /** A Node process of the stack, with --trace-gc: its GC lines feed the live heap, the rest is echoed. */
  private startNodeProcess(name: NodeProc, entry: string, env: Record<string, string>): void {
    const child = spawn(process.execPath, ['--trace-gc', '--import', 'tsx', join(ROOT_DIR, entry)], {
      env: childEnvironment(env),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.stdout)
      createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
        // Not a GC line: the process's own output (warnings: LOG_LEVEL=warn).
        if (!this.liveHeap.consumeLine(name, line)) process.stdout.write(`${line}\n`);
      });
    this.children.push({ name, process: child });
    this.crashOnExit(name, child);
  }

  private forkDashboards(): ChildProcess {
    const dashboards = fork(join(ROOT_DIR, 'bench/support/soak-clients.ts'), {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    dashboards.on('error', (error) => {
      if (!this.exitsExpected) console.error('soak: dashboards:', error);
    });
    this.children.push({ name: 'dashboards', process: dashboards });
    this.crashOnExit('dashboards', dashboards);
    return dashboards;
  }

  private crashOnExit(name: string, child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      if (!this.exitsExpected)
        this.crashed(new Error(`${name} exited during the soak (code ${code}, signal ${signal})`));
    });
  }

  private pids(redisServer: RedisServerHandle, dashboards: ChildProcess): Record<Proc, number | undefined> {
    const pids: Record<Proc, number | undefined> = {
      redis: redisServer.process.pid,
      server: undefined,
      aggregator: undefined,
      archiver: undefined,
      janitor: undefined,
      dashboards: dashboards.pid,
      loadgen: process.pid,
    };
    for (const child of this.children) pids[child.name] = child.process.pid;
    return pids;
  }
}

function stackEnv(redisUrl: string, port: number, options: StackOptions): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    SHARDS: String(SHARDS),
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    // Raised, not off: the limiter's Redis round trips stay part of the measured path.
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_SITE_PER_MINUTE: '100000000',
    // Shortened so Redis reaches a steady state within the run and the janitor really trims.
    RETENTION_HOURS: String(options.retentionMinutes / 60),
    DEDUPE_HORIZON_MS: '60000',
    JANITOR_INTERVAL_MS: '5000',
    ...options.extraEnv,
  };
}

/** Until the server answers /readyz, every consumer owns every shard, and the built-in windows exist. */
export async function waitUntilReady(probe: Redis, keys: Keys, baseUrl: string): Promise<void> {
  await until('the server', async () => (await fetch(`${baseUrl}/readyz`)).ok);
  for (const consumer of CONSUMERS) {
    await until(`the ${consumer} to own every shard`, async () => {
      const leases = await Promise.all(
        Array.from({ length: SHARDS }, (_, s) => probe.get(keys.shard(s).lease(consumer))),
      );
      return leases.every((l) => l !== null) && (await probe.sismember(keys.consumers, consumer)) === 1;
    });
  }
  await until('the built-in windows', async () => (await probe.hlen(keys.windows)) > 0);
}

async function until(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  child.kill('SIGTERM');
  await exited(child);
  clearTimeout(timer);
}
