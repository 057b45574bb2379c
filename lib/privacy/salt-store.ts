import { randomBytes } from 'node:crypto';
import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';

const DAY_MS = 86_400_000;
/** Yesterday's salt lives this long past midnight so an ingest node with a slightly slow clock still finds it. */
const MIDNIGHT_GRACE_MS = 60_000;

export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/**
 * The daily random salt for visitor ids, shared by every ingest process through Redis. The first process
 * to need a day's salt creates it (SET NX); it expires just after that UTC day ends, and the creator deletes
 * the previous day's salt at once, so no salt outlives its day.
 */
export class DailySaltStore {
  private cached: { dayNumber: number; salt: Buffer } | undefined;
  private pending: Promise<Buffer> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async saltFor(nowMs: number): Promise<Buffer> {
    const dayNumber = Math.floor(nowMs / DAY_MS);
    if (this.cached?.dayNumber === dayNumber) return this.cached.salt;
    // One lookup per process per day even when many requests arrive together at midnight.
    this.pending ??= this.fetch(utcDay(nowMs), nowMs).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetch(day: string, nowMs: number): Promise<Buffer> {
    const dayStartMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
    const candidate = randomBytes(32);
    const key = this.keys.salt(day);
    // SET … NX GET returns the existing salt, or nil when ours was stored.
    const existing = await this.redis.setBuffer(
      key,
      candidate,
      'PXAT',
      dayStartMs + DAY_MS + MIDNIGHT_GRACE_MS,
      'NX',
      'GET',
    );
    let salt: Buffer;
    if (existing === null) {
      salt = candidate;
      await this.redis.del(this.keys.salt(utcDay(dayStartMs - 1)));
    } else {
      salt = existing;
    }
    this.cached = { dayNumber: Math.floor(nowMs / DAY_MS), salt };
    return salt;
  }
}
