import { randomBytes } from 'node:crypto';
import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';

/**
 * The key that signs sessions and share links: ADMIN_SESSION_SECRET when set, else a random key created
 * once in Redis (SET NX), so every server node signs and verifies with the same key without configuration.
 */
export class SigningKey {
  private key: Buffer | undefined;
  private loading: Promise<Buffer> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    configured: string | undefined,
  ) {
    if (configured !== undefined) this.key = Buffer.from(configured, 'utf8');
  }

  async get(): Promise<Buffer> {
    if (this.key) return this.key;
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<Buffer> {
    const candidate = randomBytes(32);
    const existing = await this.redis.setBuffer(this.keys.adminSecret, candidate, 'NX', 'GET');
    this.key = existing ?? candidate;
    return this.key;
  }
}
