import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { EnrichedEvent } from '../../lib/events/enriched';
import { createKeys } from '../../lib/redis/keys';
import { decodeEntry } from '../../lib/streams/entry';

/** What the global setup started, shared with the tests through a file. */
export interface StackInfo {
  baseUrl: string;
  redisUrl: string;
  prefix: string;
  shards: number;
}

export const STACK_FILE = fileURLToPath(new URL('../.artifacts/stack.json', import.meta.url));
/** Playwright storage state of a logged-in admin (written by the global setup). */
export const ADMIN_STATE_FILE = fileURLToPath(new URL('../.artifacts/admin-state.json', import.meta.url));

export function readStack(): StackInfo {
  return JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackInfo;
}

export interface StoredEvent {
  streamId: string;
  index: number;
  shard: number;
  event: EnrichedEvent;
}

/** Every event in every shard, in stream order per shard. */
export async function readAllEvents(stack: StackInfo): Promise<StoredEvent[]> {
  const redis = new Redis(stack.redisUrl, { protocol: 2 });
  try {
    const keys = createKeys(stack.prefix);
    const out: StoredEvent[] = [];
    for (let shard = 0; shard < stack.shards; shard++) {
      for (const [streamId, fields] of await redis.xrange(keys.shard(shard).stream, '-', '+')) {
        const entry = decodeEntry(streamId, fields);
        if (entry.kind === 'events')
          for (const [index, event] of entry.events.entries()) out.push({ streamId, index, shard, event });
      }
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/** Polls until `predicate` holds for the stored events (or fails after `timeoutMs`). */
export async function waitForEvents(
  stack: StackInfo,
  predicate: (events: StoredEvent[]) => boolean,
  timeoutMs = 10_000,
): Promise<StoredEvent[]> {
  const deadline = Date.now() + timeoutMs;
  let events: StoredEvent[] = [];
  while (Date.now() < deadline) {
    events = await readAllEvents(stack);
    if (predicate(events)) return events;
    await new Promise((r) => setTimeout(r, 200));
  }
  return events;
}
