import { createHash } from 'node:crypto';

/**
 * Partition key → shard, as Kinesis does it: the 128-bit MD5 of the key, placed on `shardCount` equal
 * ranges of the hash-key space [0, 2^128). Ranges (not `hash mod n`) mean a later split or merge moves
 * only the keys of the affected ranges.
 */

const HASH_SPACE = 1n << 128n;

export interface HashKeyRange {
  shard: number;
  /** Inclusive start of the range, as a decimal string (Kinesis's StartingHashKey). */
  startingHashKey: string;
  /** Inclusive end of the range (Kinesis's EndingHashKey). */
  endingHashKey: string;
}

export function hashKey(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey).digest('hex')}`);
}

export function shardForHashKey(hash: bigint, shardCount: number): number {
  return Number((hash * BigInt(shardCount)) / HASH_SPACE);
}

export function shardFor(partitionKey: string, shardCount: number): number {
  return shardForHashKey(hashKey(partitionKey), shardCount);
}

/** The range owned by each shard; shard k covers [ceil(k·2^128/n), ceil((k+1)·2^128/n) − 1]. */
export function hashKeyRanges(shardCount: number): HashKeyRange[] {
  const n = BigInt(shardCount);
  const start = (k: bigint) => (k * HASH_SPACE + n - 1n) / n;
  return Array.from({ length: shardCount }, (_, k) => ({
    shard: k,
    startingHashKey: start(BigInt(k)).toString(),
    endingHashKey: (start(BigInt(k + 1)) - 1n).toString(),
  }));
}
