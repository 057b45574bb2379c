import type { RedisClient } from '../redis/scripts';
import { decodeEntry, type StreamEntry } from './entry';

export interface ReadOptions {
  /** Entries strictly after this id ('0-0' = from the start of retention). */
  afterId: string;
  count: number;
  /** Finite block: the loop gets control back regularly (ticks, live values, shutdown). */
  blockMs: number;
}

/**
 * One XREAD on one shard. The client must be dedicated to this reader: a blocking XREAD holds its
 * connection, and sharing it would stall every other command behind the block.
 */
export async function readEntries(
  client: RedisClient,
  stream: string,
  options: ReadOptions,
): Promise<StreamEntry[]> {
  const reply = (await client.xread(
    'COUNT',
    options.count,
    'BLOCK',
    options.blockMs,
    'STREAMS',
    stream,
    options.afterId,
  )) as Array<[string, Array<[string, string[]]>]> | null;
  const entries = reply?.[0]?.[1] ?? [];
  return entries.map(([id, fields]) => decodeEntry(id, fields));
}

/** The id a tick entry gets is Redis's own (`*`), so ticks and events share one ordered clock. */
export async function writeTick(client: RedisClient, stream: string): Promise<string> {
  const id = await client.xadd(stream, '*', 'k', 't');
  if (id === null) throw new Error('XADD of a tick returned no id');
  return id;
}
