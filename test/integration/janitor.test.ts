import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { trimShards } from '../../lib/streams/janitor';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';

const HOUR_MS = 3_600_000;

describe('retention janitor', () => {
  let redis: TestRedis;
  let client: RedisClient;
  before(async () => {
    redis = await startTestRedis();
    client = createRedisClient(redis.url, { name: 'janitor-test', commandTimeoutMs: 2_000 });
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  /** 1 000 entries one minute apart, the newest `nowMs`, in shard 0 (explicit ids = ingest times). */
  async function fill(prefix: string, nowMs: number): Promise<string[]> {
    const stream = createKeys(prefix).shard(0).stream;
    const ids: string[] = [];
    for (let i = 999; i >= 0; i--) {
      const id = `${nowMs - i * 60_000}-0`;
      await redis.client.xadd(stream, id, 'k', 'e', 'd', '[]');
      ids.push(id);
    }
    return ids;
  }

  test('without consumers it trims to the retention period (never newer entries)', async () => {
    const prefix = testPrefix();
    const now = Date.UTC(2026, 10, 26, 12);
    await fill(prefix, now);
    const [result] = await trimShards(client, createKeys(prefix), 1, 10 * HOUR_MS, now);
    const remaining = await redis.client.xrange(createKeys(prefix).shard(0).stream, '-', '+');
    const oldestMs = Number(remaining[0]?.[0].split('-')[0]);
    assert.ok(result && result.trimmed > 0);
    assert.ok(oldestMs <= now - 10 * HOUR_MS, 'nothing inside retention was trimmed');
    // MINID ~ trims whole macro nodes: allow up to one node (100 entries) of slack.
    assert.ok(oldestMs > now - 10 * HOUR_MS - 100 * 60_000, 'old entries are gone');
  });

  test('never trims past the lowest consumer checkpoint, and reports who holds retention back', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const now = Date.UTC(2026, 10, 26, 12);
    const ids = await fill(prefix, now);
    const slowCheckpoint = ids[100] ?? '';
    await redis.client.sadd(keys.consumers, 'aggregator', 'archiver');
    await redis.client.hset(keys.shard(0).checkpoint('aggregator'), 'id', ids[990] ?? '');
    await redis.client.hset(keys.shard(0).checkpoint('archiver'), 'id', slowCheckpoint);

    const [result] = await trimShards(client, keys, 1, HOUR_MS, now);
    assert.equal(result?.minId, slowCheckpoint);
    assert.deepEqual(
      result?.holdingBack.map((h) => h.consumer),
      ['archiver'],
    );
    assert.ok((result?.holdingBack[0]?.behindMs ?? 0) > 0);
    const remaining = (await redis.client.xrange(keys.shard(0).stream, '-', '+')).map(([id]) => id);
    assert.ok(remaining.includes(slowCheckpoint), 'the unread entry at the checkpoint survives');
    for (const id of ids.slice(100)) assert.ok(remaining.includes(id), `unread entry ${id} survives`);
  });

  test('a registered consumer without a checkpoint blocks trimming of that shard', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const now = Date.UTC(2026, 10, 26, 12);
    await fill(prefix, now);
    await redis.client.sadd(keys.consumers, 'archiver');
    const [result] = await trimShards(client, keys, 1, HOUR_MS, now);
    assert.equal(result?.trimmed, 0);
    assert.equal(result?.minId, null);
    assert.deepEqual(
      result?.holdingBack.map((h) => h.consumer),
      ['archiver'],
    );
    assert.equal(await redis.client.xlen(keys.shard(0).stream), 1000);
  });

  test('a consumer that has read everything holds nothing back, even when the stream is older than retention', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const now = Date.UTC(2026, 10, 26, 12);
    const ids = await fill(prefix, now);
    await redis.client.sadd(keys.consumers, 'archiver');
    await redis.client.hset(keys.shard(0).checkpoint('archiver'), 'id', ids.at(-1) ?? '');
    const [result] = await trimShards(client, keys, 1, 60_000, now + 3_600_000);
    assert.deepEqual(result?.holdingBack, []);
    assert.ok((result?.trimmed ?? 0) > 0, 'read entries are trimmed');
    assert.ok((await redis.client.xlen(keys.shard(0).stream)) >= 1, 'the checkpoint entry itself stays');
  });
});
