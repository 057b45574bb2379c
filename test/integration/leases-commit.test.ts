import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LeaseManager, type OwnedLease } from '../../lib/leases/lease-manager';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { commitBatch, type ShardCommit } from '../../workers/aggregator/commit';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';

describe('shard leases and the commit script (real Redis)', () => {
  let redis: TestRedis;
  let client: RedisClient;
  before(async () => {
    redis = await startTestRedis();
    client = createRedisClient(redis.url, { name: 'lease-test', commandTimeoutMs: 2_000 });
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  function manager(prefix: string, workerId: string, ttlMs: number, shardCount = 4) {
    const owned = new Set<number>();
    const lost: number[] = [];
    const m = new LeaseManager(client, createKeys(prefix), {
      consumer: 'aggregator',
      workerId,
      shardCount,
      ttlMs,
      onAcquired: (lease: OwnedLease) => owned.add(lease.shard),
      onLost: (shard: number) => {
        owned.delete(shard);
        lost.push(shard);
      },
    });
    return { m, owned, lost };
  }

  test('two workers split four shards 2/2; epochs only grow', async () => {
    const prefix = testPrefix();
    const a = manager(prefix, 'wa', 5_000);
    const b = manager(prefix, 'wb', 5_000);
    await a.m.tick();
    assert.equal(a.owned.size, 4, 'alone, a takes every shard');
    await b.m.tick(); // b registers, finds nothing free, steals one (a has 4, b 0)
    await a.m.tick();
    await b.m.tick();
    await a.m.tick(); // a notices, on renewal, the lease b stole in its last round
    assert.deepEqual([a.owned.size, b.owned.size], [2, 2]);
    const epochs = await Promise.all(
      [0, 1, 2, 3].map((s) => client.hget(createKeys(prefix).shard(s).checkpoint('aggregator'), 'epoch')),
    );
    assert.ok(epochs.every((e) => Number(e) >= 1));
    const stolen = [...b.owned].map((s) => Number(epochs[s]));
    assert.ok(
      stolen.every((e) => e === 2),
      'a stolen lease has the next epoch',
    );
  });

  test('a worker that stops renewing loses its shards to the other within 2 × TTL, and notices on renewal', async () => {
    const prefix = testPrefix();
    const ttlMs = 600;
    const a = manager(prefix, 'wa', ttlMs);
    const b = manager(prefix, 'wb', ttlMs);
    await a.m.tick();
    await b.m.tick();
    await a.m.tick();
    await b.m.tick();
    await a.m.tick();
    assert.deepEqual([a.owned.size, b.owned.size], [2, 2]);
    a.lost.length = 0;
    const startedMs = Date.now();
    // a is paused: it stops ticking. b keeps its rounds at ttl/3.
    while (b.owned.size < 4 && Date.now() - startedMs < 2 * ttlMs) {
      await new Promise((r) => setTimeout(r, ttlMs / 3));
      await b.m.tick();
    }
    assert.equal(b.owned.size, 4, `b owns everything after ${Date.now() - startedMs} ms`);
    assert.ok(Date.now() - startedMs <= 2 * ttlMs);
    const before = [...a.owned].sort();
    for (const shard of before)
      assert.equal(a.m.isValid(shard), false, 'a no longer vouches for its old leases');
    await a.m.tick(); // a wakes up: its renewals fail, so it reports the shards lost (then may steal anew)
    assert.deepEqual([...a.lost].sort(), before);
  });

  test('commit: OK applies everything; a re-sent commit is STALE; a stale owner is FENCED', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const shardKeys = keys.shard(0);
    const a = manager(prefix, 'wa', 5_000, 1);
    await a.m.tick();
    const lease = a.m.owned().get(0);
    assert.ok(lease);
    const commit: ShardCommit = {
      leaseValue: lease.value,
      previousId: '',
      nextId: '1700000000000-0',
      deltas: [
        [
          'w@1',
          {
            upserts: [['c1', '{"n":1}']],
            deletes: [],
            finals: [
              {
                defId: 'w',
                version: 1,
                site: 'demo',
                start: 0,
                end: 10,
                key: null,
                state: '[3]',
                final: true,
              },
            ],
            late: [{ site: 'demo', start: 0, end: 10, count: 2 }],
            observedTimeMs: 12,
          },
        ],
      ],
      live: [],
      resultsMinEndMs: () => 0,
      outboxMaxEntries: 1000,
      eventCount: 3,
      entryCount: 1,
    };
    assert.equal(await commitBatch(client, shardKeys, commit), 'OK');
    assert.equal(
      await commitBatch(client, shardKeys, commit),
      'STALE',
      'a re-sent (lost-reply) commit changes nothing',
    );
    assert.equal(await client.hget(shardKeys.checkpoint('aggregator'), 'id'), '1700000000000-0');
    assert.equal(await client.hget(shardKeys.aggState, 'w@1|c1'), '{"n":1}');
    assert.equal(await client.hget(shardKeys.aggState, 'w@1|#ot'), '12');
    assert.equal(await client.hget(shardKeys.aggLate, 'w@1|demo|0|10'), '2', 'late counted once');
    assert.equal(
      await client.hget(shardKeys.checkpoint('aggregator'), 'events'),
      '3',
      'aggregated events counted once',
    );
    assert.equal(await client.xlen(shardKeys.outbox), 1, 'one FINAL in the outbox');
    assert.equal(await client.zcard(shardKeys.aggResults('w@1')), 1);

    // Another worker takes the lease over (epoch + 1): the old owner's next commit is refused whole.
    await client.del(shardKeys.lease('aggregator'));
    const b = manager(prefix, 'wb', 5_000, 1);
    await b.m.tick();
    const next: ShardCommit = { ...commit, previousId: '1700000000000-0', nextId: '1700000000001-0' };
    assert.equal(await commitBatch(client, shardKeys, next), 'FENCED');
    assert.equal(await client.hget(shardKeys.checkpoint('aggregator'), 'id'), '1700000000000-0');
    assert.equal(await client.xlen(shardKeys.outbox), 1);
  });
});
