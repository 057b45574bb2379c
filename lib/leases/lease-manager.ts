import type { ConsumerName, Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { type LeaseView, planLeases } from './balance';

export interface OwnedLease {
  shard: number;
  /** `owner:epoch`: what the commit script checks (fencing). */
  value: string;
  epoch: number;
  /** Local monotonic time after which this worker must assume the lease is gone and stop committing. */
  validUntilMs: number;
}

export interface LeaseManagerOptions {
  consumer: ConsumerName;
  workerId: string;
  shardCount: number;
  ttlMs: number;
  /** Called once a lease is ours (start reading the shard). */
  onAcquired: (lease: OwnedLease) => void;
  /** Called when a lease is no longer ours (stop the shard; do not commit). */
  onLost: (shard: number) => void;
  /** Monotonic clock in ms (injectable for tests). */
  now?: () => number;
}

/** Margin kept before the TTL ends, for clock drift between this process and Redis and for one round trip. */
const SAFETY_MARGIN_RATIO = 0.2;

/**
 * Holds this worker's shard leases: renews them, takes free ones, steals per planLeases(), and reports each
 * change. Leases expire on the Redis clock; locally a lease counts as valid only until
 * `last successful renew + ttl − margin`, so a paused worker stops committing before anyone can take over —
 * and the commit script's epoch check makes it safe even when it does not.
 */
export class LeaseManager {
  private readonly leases = new Map<number, OwnedLease>();
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly options: LeaseManagerOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  owned(): ReadonlyMap<number, OwnedLease> {
    return this.leases;
  }

  isValid(shard: number): boolean {
    const lease = this.leases.get(shard);
    return lease !== undefined && this.now() < lease.validUntilMs;
  }

  /** One round: renew, heartbeat, then take or steal at most what the plan says. */
  async tick(): Promise<void> {
    await this.renewAll();
    const { consumer, workerId, ttlMs, shardCount } = this.options;
    const live = (await this.redis.rfHeartbeat(this.keys.workers(consumer), workerId, ttlMs)) as string[];
    const views = await this.view(shardCount);
    const plan = planLeases(workerId, live, views);
    for (const shard of plan.take) await this.acquire(shard, '');
    if (plan.steal) await this.acquire(plan.steal.shard, plan.steal.value);
  }

  /** Gives every lease back (graceful shutdown) and leaves the worker registry. */
  async releaseAll(): Promise<void> {
    for (const [shard, lease] of this.leases) {
      this.leases.delete(shard);
      this.options.onLost(shard);
      await this.redis.rfLeaseRelease(this.keys.shard(shard).lease(this.options.consumer), lease.value);
    }
    await this.redis.zrem(this.keys.workers(this.options.consumer), this.options.workerId);
  }

  /** Drops a lease locally (e.g. after a FENCED commit) without touching Redis. */
  forget(shard: number): void {
    if (this.leases.delete(shard)) this.options.onLost(shard);
  }

  private async renewAll(): Promise<void> {
    const { consumer, ttlMs } = this.options;
    for (const [shard, lease] of [...this.leases]) {
      const startedMs = this.now();
      let renewed = false;
      try {
        renewed =
          (await this.redis.rfLeaseRenew(this.keys.shard(shard).lease(consumer), lease.value, ttlMs)) === 1;
      } catch {
        // Unknown outcome: keep the local deadline; the lease lapses by itself if Redis stays away.
        continue;
      }
      if (renewed) lease.validUntilMs = startedMs + ttlMs * (1 - SAFETY_MARGIN_RATIO);
      else this.forget(shard);
    }
  }

  private async view(shardCount: number): Promise<LeaseView[]> {
    const shards = Array.from({ length: shardCount }, (_, shard) => shard);
    const values = await Promise.all(
      shards.map((shard) => this.redis.get(this.keys.shard(shard).lease(this.options.consumer))),
    );
    return shards.map((shard) => {
      const value = values[shard] ?? null;
      const owner = value === null ? null : value.slice(0, value.lastIndexOf(':'));
      return { shard, owner, value };
    });
  }

  private async acquire(shard: number, expected: string): Promise<void> {
    const { consumer, workerId, ttlMs } = this.options;
    const shardKeys = this.keys.shard(shard);
    const startedMs = this.now();
    const reply = (await this.redis.rfLeaseAcquire(
      shardKeys.lease(consumer),
      shardKeys.checkpoint(consumer),
      workerId,
      ttlMs,
      expected,
    )) as [number, number | string];
    if (reply[0] !== 1) return;
    const epoch = Number(reply[1]);
    const lease: OwnedLease = {
      shard,
      value: `${workerId}:${epoch}`,
      epoch,
      validUntilMs: startedMs + ttlMs * (1 - SAFETY_MARGIN_RATIO),
    };
    this.leases.set(shard, lease);
    this.options.onAcquired(lease);
  }
}
