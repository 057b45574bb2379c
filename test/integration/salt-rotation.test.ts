import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DailySaltStore, utcDay } from '../../lib/privacy/salt-store';
import { visitorId } from '../../lib/privacy/visitor-id';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';

const DAY_MS = 86_400_000;
// One second before the coming UTC midnight: the salt's expiry must lie in the future for SET PXAT to keep it.
const TODAY_END = (Math.floor(Date.now() / DAY_MS) + 1) * DAY_MS;
const LAST_SECOND = TODAY_END - 1_000;
const TODAY = utcDay(LAST_SECOND);
const TOMORROW = utcDay(TODAY_END);

describe('daily salt for visitor ids', () => {
  let redis: TestRedis;
  let client: RedisClient;
  before(async () => {
    redis = await startTestRedis();
    client = createRedisClient(redis.url, { name: 'salt-test', commandTimeoutMs: 2_000 });
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  test('ingest nodes share one salt per UTC day; it rotates at midnight and the old one is deleted', async () => {
    const keys = createKeys(testPrefix());
    const nodeA = new DailySaltStore(client, keys);
    const nodeB = new DailySaltStore(client, keys);

    const a1 = await nodeA.saltFor(LAST_SECOND);
    const b1 = await nodeB.saltFor(LAST_SECOND - 3_600_000);
    assert.equal(a1.length, 32);
    assert.deepEqual(a1, b1, 'both nodes use the same salt on the same day');
    const ttlMs = await redis.client.pttl(keys.salt(TODAY));
    assert.ok(ttlMs > 0, 'the salt expires');
    const expiresAt = Date.now() + ttlMs;
    assert.ok(Math.abs(expiresAt - (TODAY_END + 60_000)) < 5_000, 'it expires a minute after its day ends');

    const a2 = await nodeA.saltFor(LAST_SECOND + 2_000); // 00:00:01 the next day
    assert.notDeepEqual(a2, a1, 'a new day has a new salt');
    assert.equal(await redis.client.exists(keys.salt(TODAY)), 0, 'the previous day’s salt is deleted');
    assert.equal(await redis.client.exists(keys.salt(TOMORROW)), 1);
    assert.deepEqual(await nodeB.saltFor(LAST_SECOND + DAY_MS / 2), a2);

    const ua = 'Mozilla/5.0';
    assert.notEqual(
      visitorId(a1, 'demo', '81.2.69.142', ua),
      visitorId(a2, 'demo', '81.2.69.142', ua),
      'ids do not link across days',
    );
    assert.notEqual(
      visitorId(a1, 'demo', '81.2.69.142', ua),
      visitorId(a1, 'other', '81.2.69.142', ua),
      'nor across sites',
    );
    assert.equal(visitorId(a1, 'demo', '81.2.69.142', ua), visitorId(b1, 'demo', '81.2.69.142', ua));
  });

  test('concurrent first requests of a day agree on one salt', async () => {
    const keys = createKeys(testPrefix());
    const stores = Array.from({ length: 8 }, () => new DailySaltStore(client, keys));
    const salts = await Promise.all(stores.map((s) => s.saltFor(LAST_SECOND)));
    for (const salt of salts) assert.deepEqual(salt, salts[0]);
  });
});
