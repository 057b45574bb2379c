import { createHmac } from 'node:crypto';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';

export interface RateLimitSettings {
  /** Requests per minute from one client IP; 0 disables. */
  ipPerMinute: number;
  /** Events per minute for one site; 0 disables. */
  sitePerMinute: number;
}

export type RateLimitVerdict =
  | { limited: false }
  | { limited: true; scope: 'ip' | 'site'; retryAfterMs: number };

/**
 * Redis-backed fixed-window limits shared by every ingest node. Client IPs are keyed by an HMAC with the
 * daily salt, so the limiter's keys never hold a raw IP.
 */
export class IngestRateLimits {
  private readonly ip: RateLimiterRedis | undefined;
  private readonly site: RateLimiterRedis | undefined;

  constructor(redis: RedisClient, keys: Keys, settings: RateLimitSettings) {
    const limiter = (scope: 'ip' | 'site', points: number) =>
      points > 0
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix: keys.rateLimit(scope), points, duration: 60 })
        : undefined;
    this.ip = limiter('ip', settings.ipPerMinute);
    this.site = limiter('site', settings.sitePerMinute);
  }

  async check(ip: string, salt: Buffer, siteId: string, eventCount: number): Promise<RateLimitVerdict> {
    const ipKey = createHmac('sha256', salt).update(`ip\n${ip}`).digest('base64url').slice(0, 16);
    const [ipVerdict, siteVerdict] = await Promise.all([
      consume(this.ip, ipKey, 1, 'ip'),
      consume(this.site, siteId, eventCount, 'site'),
    ]);
    return ipVerdict.limited ? ipVerdict : siteVerdict;
  }
}

async function consume(
  limiter: RateLimiterRedis | undefined,
  key: string,
  points: number,
  scope: 'ip' | 'site',
): Promise<RateLimitVerdict> {
  if (!limiter) return { limited: false };
  try {
    await limiter.consume(key, points);
    return { limited: false };
  } catch (rejection: unknown) {
    // The library rejects with a RateLimiterRes when over the limit, and with an Error on store failure.
    if (rejection instanceof RateLimiterRes)
      return { limited: true, scope, retryAfterMs: rejection.msBeforeNext };
    throw rejection;
  }
}
