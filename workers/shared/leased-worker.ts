import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseManager, type OwnedLease } from '../../lib/leases/lease-manager';
import type { Logger } from '../../lib/logger';
import { createRedisClient } from '../../lib/redis/client';
import type { ConsumerName, Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';

/** What a worker runs on one owned shard. */
export interface ShardRunner {
  start(): void;
  /** Finishes the batch in hand (never commits after the lease is gone), then stops. */
  stop(): Promise<void>;
}

/** What a runner gets for its shard: the lease, its own blocking-read connection and the lease checks. */
export interface ShardContext {
  lease: OwnedLease;
  reader: RedisClient;
  leaseIsValid: () => boolean;
  onFenced: () => void;
}

export interface LeasedWorkerOptions<R extends ShardRunner> {
  consumer: ConsumerName;
  workerId: string;
  redisUrl: string;
  redis: RedisClient;
  keys: Keys;
  shardCount: number;
  leaseTtlMs: number;
  logger: Logger;
  createRunner(shard: ShardContext): R;
  onReleased?(shard: number): void;
  /** Extra work on each control-loop pass (definition changes), at most every `intervalMs`. */
  poll?: { intervalMs: number; run(): Promise<void> };
  /** Closes what the process opened besides the shards (metrics server). */
  onShutdown?(): void;
}

/** `host-pid-random`: unique per process, readable in lease values and logs. */
export function newWorkerId(): string {
  return `${hostname().replace(/[^A-Za-z0-9_.-]/g, '')}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** For fault tests: `step:n` kills the process with SIGKILL the n-th time it reaches `step`. */
export function faultKiller(spec: string | undefined): ((reached: string) => void) | undefined {
  if (spec === undefined) return undefined;
  const [step, nth] = spec.split(':');
  let seen = 0;
  return (reached) => {
    if (reached === step && ++seen === Number(nth)) process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * The process shell shared by the aggregator and the archiver: owns shards through leases, runs one
 * ShardRunner per owned shard on a reader connection of its own, keeps the leases in a control loop that
 * backs off on errors, and on SIGTERM/SIGINT finishes the runners before releasing the leases.
 */
export class LeasedWorker<R extends ShardRunner> {
  readonly leases: LeaseManager;
  readonly #runners = new Map<number, { runner: R; reader: RedisClient }>();
  #closing = false;

  constructor(private readonly options: LeasedWorkerOptions<R>) {
    const { consumer, workerId, shardCount, leaseTtlMs, logger } = options;
    this.leases = new LeaseManager(options.redis, options.keys, {
      consumer,
      workerId,
      shardCount,
      ttlMs: leaseTtlMs,
      onAcquired: (lease) => {
        // commandTimeoutMs is the reader's watchdog: its XREADs block ≤ 1 s, so 5 s without a reply is a dead link.
        const reader = createRedisClient(options.redisUrl, {
          name: `${consumer}-reader-${lease.shard}`,
          commandTimeoutMs: 5_000,
        });
        reader.on('error', (error: Error) =>
          logger.warn({ err: error, shard: lease.shard }, 'reader connection error'),
        );
        const runner = options.createRunner({
          lease,
          reader,
          leaseIsValid: () => this.leases.isValid(lease.shard),
          onFenced: () => this.leases.forget(lease.shard),
        });
        runner.start();
        this.#runners.set(lease.shard, { runner, reader });
        logger.info({ shard: lease.shard, epoch: lease.epoch }, 'shard acquired');
      },
      onLost: (shard) => {
        const entry = this.#runners.get(shard);
        this.#runners.delete(shard);
        options.onReleased?.(shard);
        if (!entry) return;
        logger.info({ shard }, 'shard released');
        void entry.runner.stop().finally(() => entry.reader.disconnect());
      },
    });
  }

  runners(): IterableIterator<R> {
    return [...this.#runners.values()].map((entry) => entry.runner).values();
  }

  ownedShards(): number[] {
    return [...this.#runners.keys()];
  }

  /** Runs the control loop until shutdown; installs the signal handlers. */
  async run(): Promise<void> {
    process.on('SIGTERM', () => void this.shutdown('SIGTERM'));
    process.on('SIGINT', () => void this.shutdown('SIGINT'));
    const { leaseTtlMs, logger, consumer, poll } = this.options;
    const leaseIntervalMs = Math.max(100, Math.floor(leaseTtlMs / 3));
    const passIntervalMs = Math.min(poll?.intervalMs ?? leaseIntervalMs, leaseIntervalMs);
    let lastLeaseTickMs = Number.NEGATIVE_INFINITY; // take leases at once on start
    let backoffMs = 500;
    while (!this.#closing) {
      try {
        await poll?.run();
        if (performance.now() - lastLeaseTickMs >= leaseIntervalMs) {
          await this.leases.tick();
          lastLeaseTickMs = performance.now();
        }
        backoffMs = 500;
        await sleep(passIntervalMs);
      } catch (error) {
        logger.warn({ err: error, retryInMs: backoffMs }, `${consumer} control loop error`);
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  }

  private async shutdown(signal: string): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const { logger, redis } = this.options;
    logger.info({ signal }, 'shutting down: finishing the current batches, then releasing the leases');
    await Promise.all([...this.#runners.values()].map(({ runner }) => runner.stop()));
    await this.leases
      .releaseAll()
      .catch((error: unknown) => logger.warn({ err: error }, 'lease release failed'));
    for (const { reader } of this.#runners.values()) reader.disconnect();
    this.options.onShutdown?.();
    await redis.quit().catch(() => undefined);
    process.exit(0);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
