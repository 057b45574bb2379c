import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { hashKeyRanges, shardFor } from '../../lib/streams/shard-map';

describe('shard map (Kinesis hash-key ranges over MD5)', () => {
  test('4 shards: the ranges are Kinesis’s even split of [0, 2^128)', () => {
    assert.deepEqual(
      hashKeyRanges(4).map((r) => [r.startingHashKey, r.endingHashKey]),
      [
        ['0', '85070591730234615865843651857942052863'],
        ['85070591730234615865843651857942052864', '170141183460469231731687303715884105727'],
        ['170141183460469231731687303715884105728', '255211775190703847597530955573826158591'],
        ['255211775190703847597530955573826158592', '340282366920938463463374607431768211455'],
      ],
    );
  });

  test('ranges tile the hash space without gaps for odd shard counts', () => {
    for (const n of [1, 3, 5, 7, 12]) {
      const ranges = hashKeyRanges(n);
      assert.equal(ranges[0]?.startingHashKey, '0');
      assert.equal(ranges.at(-1)?.endingHashKey, ((1n << 128n) - 1n).toString());
      for (let i = 1; i < n; i++) {
        assert.equal(
          BigInt(ranges[i]?.startingHashKey ?? -1),
          BigInt(ranges[i - 1]?.endingHashKey ?? -1) + 1n,
        );
      }
    }
  });

  test('known partition keys → known shards (4 shards = the top two bits of the MD5)', () => {
    const keys = ['visitor-1', 'visitor-2', 'abc', 'Zm9vYmFy', '', 'ünïcødé', 'x'.repeat(500)];
    for (const key of keys) {
      const firstNibble = Number.parseInt(createHash('md5').update(key).digest('hex')[0] ?? '0', 16);
      assert.equal(shardFor(key, 4), firstNibble >> 2, key);
    }
    // Fixed values, so a change of the hash function or of the mapping cannot go unnoticed.
    assert.deepEqual(
      ['alice', 'bob', 'carol', 'dave'].map((k) => shardFor(k, 4)),
      ['alice', 'bob', 'carol', 'dave'].map(
        (k) => Number.parseInt(createHash('md5').update(k).digest('hex').slice(0, 2), 16) >> 6,
      ),
    );
  });

  test('a shard of every key lies inside that shard’s range', () => {
    const ranges = hashKeyRanges(7);
    for (let i = 0; i < 2000; i++) {
      const key = `k${i}`;
      const hash = BigInt(`0x${createHash('md5').update(key).digest('hex')}`);
      const range = ranges[shardFor(key, 7)];
      assert.ok(range && hash >= BigInt(range.startingHashKey) && hash <= BigInt(range.endingHashKey), key);
    }
  });

  test('100 000 visitor ids spread evenly: every shard within ±3 % of its share', () => {
    for (const shards of [4, 8]) {
      const counts = new Array<number>(shards).fill(0);
      for (let i = 0; i < 100_000; i++) {
        const shard = shardFor(
          createHash('sha256').update(String(i)).digest('base64url').slice(0, 16),
          shards,
        );
        counts[shard] = (counts[shard] ?? 0) + 1;
      }
      const share = 100_000 / shards;
      for (const count of counts)
        assert.ok(Math.abs(count - share) / share <= 0.03, `${shards} shards: ${counts.join(',')}`);
    }
  });
});
