import { randomBytes } from 'node:crypto';
import type { EnrichedEvent } from '../../lib/events/enriched';
import type { Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { decodeEntry, streamIdMs } from '../../lib/streams/entry';
import { StreamWriter } from '../../lib/streams/writer';

export const TEST_PATHS = ['/', '/pricing', '/docs', '/blog', '/signup'] as const;

export function testEvent(
  visitor: string,
  seq: number,
  overrides: Partial<EnrichedEvent> = {},
): EnrichedEvent {
  const path = TEST_PATHS[seq % TEST_PATHS.length] ?? '/';
  return {
    id: randomBytes(9).toString('base64url'),
    site: 'demo',
    type: seq % 3 === 0 ? 'click' : 'pageview',
    ts: Date.now(),
    url: `https://shop.example${path}`,
    host: 'shop.example',
    path,
    source: 'Direct / None',
    sourceType: 'direct',
    browser: 'Chrome',
    os: 'Linux',
    device: 'desktop',
    visitor,
    props: { seq },
    ...overrides,
  };
}

/**
 * Writes events through the real ingest script (dedupe + aggregated append), like the collect endpoint
 * does, at about `eventsPerSecond`, in requests of up to 5 events of one visitor.
 */
export async function produce(
  redis: RedisClient,
  keys: Keys,
  shardCount: number,
  options: {
    visitors: number;
    events: number;
    eventsPerSecond: number;
    visitorPrefix?: string;
    /** Pick visitors from this list instead of `<prefix><n>`. */
    visitorIds?: readonly string[];
    overrides?: Partial<EnrichedEvent>;
  },
): Promise<EnrichedEvent[]> {
  const writer = new StreamWriter(redis, keys, { shardCount, dedupeHorizonMs: 600_000 });
  const seqs = new Map<string, number>();
  const acknowledged: EnrichedEvent[] = [];
  const startedMs = Date.now();
  while (acknowledged.length < options.events) {
    const pick = Math.floor(Math.random() * (options.visitorIds?.length ?? options.visitors));
    const visitor = options.visitorIds?.[pick] ?? `${options.visitorPrefix ?? 'v'}${pick}`;
    const batch: EnrichedEvent[] = [];
    const size = Math.min(1 + Math.floor(Math.random() * 5), options.events - acknowledged.length);
    for (let i = 0; i < size; i++) {
      const seq = seqs.get(visitor) ?? 0;
      seqs.set(visitor, seq + 1);
      batch.push(testEvent(visitor, seq, options.overrides));
    }
    await writer.append(batch);
    acknowledged.push(...batch);
    const aheadMs = (acknowledged.length / options.eventsPerSecond) * 1000 - (Date.now() - startedMs);
    if (aheadMs > 0) await new Promise((r) => setTimeout(r, aheadMs));
  }
  return acknowledged;
}

export interface StoredInput {
  shard: number;
  id: string;
  ingestMs: number;
  kind: 'events' | 'tick';
  events: EnrichedEvent[];
}

/** Every entry of every shard, in stream order: the log the aggregator folds. */
export async function readLog(redis: RedisClient, keys: Keys, shardCount: number): Promise<StoredInput[][]> {
  const shards: StoredInput[][] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    const entries = await redis.xrange(keys.shard(shard).stream, '-', '+');
    shards.push(
      entries.flatMap(([id, fields]) => {
        const entry = decodeEntry(id, fields);
        if (entry.kind === 'unknown') return [];
        return [
          {
            shard,
            id,
            ingestMs: streamIdMs(id),
            kind: entry.kind,
            events: entry.kind === 'events' ? entry.events : [],
          },
        ];
      }),
    );
  }
  return shards;
}
