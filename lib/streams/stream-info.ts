import type { RedisClient } from '../redis/scripts';

export interface StreamInfo {
  length: number;
  /** Entries ever appended (Redis ≥ 7), trimmed ones included. */
  entriesAdded: number;
  /** The highest id removed by XDEL ('0-0' when none; Redis 7.0 does not move it when trimming). */
  maxDeletedId: string;
  firstId: string | null;
}

/** XINFO STREAM, parsed (RESP2 flat reply). Undefined when the stream does not exist yet. */
export async function streamInfo(redis: RedisClient, stream: string): Promise<StreamInfo | undefined> {
  let reply: unknown;
  try {
    reply = await redis.xinfo('STREAM', stream);
  } catch (error) {
    if (error instanceof Error && /no such key/i.test(error.message)) return undefined;
    throw error;
  }
  if (!Array.isArray(reply)) return undefined;
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  const first = fields.get('first-entry');
  return {
    length: Number(fields.get('length') ?? 0),
    entriesAdded: Number(fields.get('entries-added') ?? 0),
    maxDeletedId: String(fields.get('max-deleted-entry-id') ?? '0-0'),
    firstId: Array.isArray(first) && typeof first[0] === 'string' ? first[0] : null,
  };
}
