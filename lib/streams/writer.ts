import type { EnrichedEvent } from '../events/enriched';
import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { shardFor } from './shard-map';

export interface ShardWrite {
  shard: number;
  /** Stream id of the entry, or null when every event of this shard was a duplicate. */
  streamId: string | null;
  appended: number;
  duplicates: number;
  latencyMs: number;
}

export interface AppendResult {
  appended: number;
  duplicates: number;
  shards: ShardWrite[];
}

export interface StreamWriterOptions {
  shardCount: number;
  dedupeHorizonMs: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** A request's events grouped by shard, in their original order (a visitor's events stay in order). */
export function groupByShard(
  events: readonly EnrichedEvent[],
  shardCount: number,
): Map<number, EnrichedEvent[]> {
  const groups = new Map<number, EnrichedEvent[]>();
  for (const event of events) {
    const shard = shardFor(event.visitor, shardCount);
    let group = groups.get(shard);
    if (!group) {
      group = [];
      groups.set(shard, group);
    }
    group.push(event);
  }
  return groups;
}

function parseReply(reply: unknown, count: number): { streamId: string | null; flags: string } {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error('ingest script: unexpected reply');
  const [id, flags] = reply as [unknown, unknown];
  if (typeof flags !== 'string' || flags.length !== count) throw new Error('ingest script: bad flags');
  if (id !== null && typeof id !== 'string') throw new Error('ingest script: bad stream id');
  return { streamId: id, flags };
}

/**
 * Writes enriched events into their shards: one script call per shard (dedupe + one XADD), pipelined,
 * resolved only when every shard has answered. Re-sending the same events is harmless: their ids are
 * remembered for at least `dedupeHorizonMs`, so a retry adds nothing.
 */
export class StreamWriter {
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly options: StreamWriterOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async append(events: readonly EnrichedEvent[]): Promise<AppendResult> {
    const groups = groupByShard(events, this.options.shardCount);
    const bucketMs = this.options.dedupeHorizonMs;
    const bucket = Math.floor(this.now() / bucketMs);
    // A member lives from its bucket's start for at least two buckets, so a repeat within the horizon
    // always finds it in the previous or current bucket of a later call.
    const expiresAtMs = (bucket + 2) * bucketMs + 60_000;
    const startedMs = performance.now();
    const calls = [...groups].map(async ([shard, group]) => {
      const shardKeys = this.keys.shard(shard);
      const members = group.map((event) => `${event.site}|${event.id}`);
      // JSON.stringify never emits a raw newline, so "\n" safely separates the events for the script.
      const payload = group.map((event) => JSON.stringify(event)).join('\n');
      const reply: unknown = await this.redis.rfIngest(
        shardKeys.stream,
        shardKeys.dedupeBucket(bucket - 1),
        shardKeys.dedupeBucket(bucket),
        shardKeys.dedupeBucket(bucket + 1),
        expiresAtMs,
        payload,
        ...members,
      );
      const { streamId, flags } = parseReply(reply, group.length);
      let appended = 0;
      for (const flag of flags) if (flag === '1') appended++;
      return {
        shard,
        streamId,
        appended,
        duplicates: group.length - appended,
        latencyMs: performance.now() - startedMs,
      } satisfies ShardWrite;
    });
    const shards = await Promise.all(calls);
    return {
      appended: shards.reduce((sum, s) => sum + s.appended, 0),
      duplicates: shards.reduce((sum, s) => sum + s.duplicates, 0),
      shards,
    };
  }
}
