import type { Logger } from '../lib/logger';
import type { RedisClient } from '../lib/redis/scripts';

/**
 * Per-stage counters for the admin health page, summed over every server node in one Redis hash. Increments
 * are buffered and flushed once a second, so counting costs the ingest path no Redis round trip.
 */
export class IngestCounters {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly logger: Logger,
    intervalMs = 1_000,
  ) {
    // unref: the flush timer alone never keeps a process alive.
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  add(field: string, count: number): void {
    if (count > 0) this.pending.set(field, (this.pending.get(field) ?? 0) + count);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      const pipeline = this.redis.pipeline();
      for (const [field, count] of batch) pipeline.hincrby(this.key, field, count);
      await pipeline.exec();
    } catch (error) {
      // Put them back: counts are only delayed, not lost, when Redis blips.
      for (const [field, count] of batch) this.add(field, count);
      this.logger.warn({ err: error }, 'could not flush ingest counters');
    }
  }
}
