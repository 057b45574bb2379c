import type { Redis } from 'ioredis';
import type { Keys } from '../../lib/redis/keys';
import { type RedisMemory, SHARDS } from './soak-model';
import { bytesToMb, round } from './soak-stats';

/**
 * Redis's side of the soak's memory: INFO figures, entry counts of the structures that must stay bounded
 * (streams, outboxes, dedupe buckets, the socket.io stream), and what every key holds, by kind of key — so
 * a growing used_memory can be pinned on the structure that grows.
 */

export interface RedisMemoryScope {
  keys: Keys;
  keyPrefix: string;
  /** The dedupe bucket width: which bucket keys exist right now. */
  dedupeHorizonMs: number;
}

export async function readRedisMemory(probe: Redis, scope: RedisMemoryScope): Promise<RedisMemory> {
  const [memory, persistence, holdings] = await Promise.all([
    probe.info('memory'),
    probe.info('persistence'),
    readHoldings(probe, scope),
  ]);
  return {
    usedMemoryMb: bytesToMb(infoField(memory, 'used_memory'), 1),
    usedMemoryRssMb: bytesToMb(infoField(memory, 'used_memory_rss'), 1),
    fragmentationRatio: infoField(memory, 'mem_fragmentation_ratio'),
    ...holdings,
    aofMb: bytesToMb(infoField(persistence, 'aof_current_size'), 1),
  };
}

type Holdings = Omit<RedisMemory, 'usedMemoryMb' | 'usedMemoryRssMb' | 'fragmentationRatio' | 'aofMb'>;

/** Entry counts of the bounded structures, then what every key holds. */
async function readHoldings(probe: Redis, scope: RedisMemoryScope): Promise<Holdings> {
  const entries = await countEntries(probe, scope);
  const byKind = await memoryByKind(probe, scope.keyPrefix);
  return { ...entries, keys: byKind.keyCount, byKind: byKind.kinds };
}

function infoField(info: string, field: string): number {
  return Number(new RegExp(`^${field}:([0-9.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
}

/**
 * Dedupe bucket keys that may exist now: the writer touches the bucket ahead of the current one, and a
 * bucket expires up to two buckets and a minute after it starts.
 */
const DEDUPE_BUCKETS_BEHIND = 3;
const DEDUPE_BUCKETS_AHEAD = 1;
/** Replies per shard in the counting pipeline: stream, outbox, then each dedupe bucket. */
const REPLIES_PER_SHARD = 2 + DEDUPE_BUCKETS_BEHIND + 1 + DEDUPE_BUCKETS_AHEAD;

async function countEntries(
  probe: Redis,
  scope: RedisMemoryScope,
): Promise<Omit<Holdings, 'keys' | 'byKind'>> {
  const bucket = Math.floor(Date.now() / scope.dedupeHorizonMs);
  const counts = probe.pipeline();
  for (let shard = 0; shard < SHARDS; shard++) {
    const shardKeys = scope.keys.shard(shard);
    counts.xlen(shardKeys.stream);
    counts.xlen(shardKeys.outbox);
    for (let b = bucket - DEDUPE_BUCKETS_BEHIND; b <= bucket + DEDUPE_BUCKETS_AHEAD; b++)
      counts.scard(shardKeys.dedupeBucket(b));
  }
  counts.xlen(scope.keys.socketIo.stream);
  const replies = ((await counts.exec()) ?? []).map(([, n]) => Number(n ?? 0));
  let streamEntries = 0;
  let outboxEntries = 0;
  let dedupeMembers = 0;
  for (let shard = 0; shard < SHARDS; shard++) {
    const at = shard * REPLIES_PER_SHARD;
    streamEntries += replies[at] ?? 0;
    outboxEntries += replies[at + 1] ?? 0;
    for (let i = 2; i < REPLIES_PER_SHARD; i++) dedupeMembers += replies[at + i] ?? 0;
  }
  return {
    streamEntries,
    outboxEntries,
    dedupeMembers,
    socketIoStreamEntries: replies[SHARDS * REPLIES_PER_SHARD] ?? 0,
  };
}

/** Every key, by kind (MEMORY USAGE, which Redis samples for big collections). */
async function memoryByKind(
  probe: Redis,
  keyPrefix: string,
): Promise<{ keyCount: number; kinds: RedisMemory['byKind'] }> {
  const all = await scanAllKeys(probe);
  const usage = probe.pipeline();
  for (const key of all) usage.memory('USAGE', key);
  const bytes = ((await usage.exec()) ?? []).map(([, n]) => Number(n ?? 0));
  const kinds: RedisMemory['byKind'] = {};
  all.forEach((key, i) => {
    const kind = keyKind(key, keyPrefix);
    const slot = kinds[kind] ?? { keys: 0, mb: 0 };
    kinds[kind] = slot;
    slot.keys++;
    slot.mb += (bytes[i] ?? 0) / 1_048_576;
  });
  for (const slot of Object.values(kinds)) slot.mb = round(slot.mb, 2);
  return { keyCount: all.length, kinds };
}

async function scanAllKeys(probe: Redis): Promise<string[]> {
  const all: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await probe.scan(cursor, 'COUNT', 1_000);
    cursor = next;
    all.push(...page);
  } while (cursor !== '0');
  return all;
}

/** The kind of a Redis key, for the memory breakdown: its name without prefix, shard tag and variable parts. */
function keyKind(key: string, prefix: string): string {
  const name = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  const shardless = name.replace(/^\{s\d+\}:/, '');
  if (shardless === 'in') return 'stream';
  if (shardless === 'out') return 'outbox';
  if (shardless.startsWith('dd:')) return 'dedupe';
  if (shardless.startsWith('agg:res:')) return 'agg_results';
  if (shardless.startsWith('agg:')) return `agg_${shardless.slice(4).split(':')[0]}`;
  if (shardless.startsWith('rl')) return 'rate_limit';
  if (shardless.startsWith('sio')) return 'socketio';
  if (shardless.startsWith('arch:')) return 'archive_status';
  return 'other';
}
