import type { Keys } from '../redis/keys';
import type { RedisClient } from '../redis/scripts';
import { compareStreamIds } from '../streams/entry';
import { bufferField, splitEventArray } from './event-array';
import { type ArchiveScan, contentHash, inRange, type Problem, type TimeRange } from './verify';

/**
 * Compares a scanned archive with the shards while their events are still retained: every event from the
 * oldest retained entry up to the archiver's checkpoint (inside the time range) must be archived exactly
 * once — as a record, as a failed record under errors/, or on a manifest's dropped list — and untransformed
 * records must equal the stream's event byte for byte. Records past the checkpoint are a batch written but
 * not yet checkpointed (a crash in between); they are counted, not flagged: the retry rewrites them.
 */

export interface StreamComparison {
  /** Events of the stream compared (retained, ≤ checkpoint, in range). */
  compared: number;
  aheadOfCheckpoint: number;
  /** Archived records older than the oldest retained entry (checked against their manifests only). */
  beforeRetention: number;
  problems: Problem[];
  notes: string[];
}

const CHUNK = 1_000;

export async function compareWithStream(
  redis: RedisClient,
  keys: Keys,
  shardCount: number,
  scan: ArchiveScan,
  range: TimeRange,
): Promise<StreamComparison> {
  const result: StreamComparison = {
    compared: 0,
    aheadOfCheckpoint: 0,
    beforeRetention: 0,
    problems: [],
    notes: [],
  };
  for (let shard = 0; shard < shardCount; shard++) {
    const shardKeys = keys.shard(shard);
    const archived = scan.byShard.get(shard) ?? { records: new Map(), dropped: new Set<string>() };
    const checkpoint = await redis.hget(shardKeys.checkpoint('archiver'), 'id');
    const oldest = (await redis.xrange(shardKeys.stream, '-', '+', 'COUNT', 1))[0]?.[0] ?? null;
    const seen = new Set<string>();
    if (checkpoint === null) {
      if (archived.records.size > 0)
        result.notes.push(`shard ${shard}: records archived but no checkpoint yet`);
    } else {
      let after = '-';
      for (;;) {
        const entries = await redis.xrangeBuffer(shardKeys.stream, after, checkpoint, 'COUNT', CHUNK);
        for (const [rawId, fields] of entries) {
          const id = rawId.toString('latin1');
          const data =
            bufferField(fields, 'k')?.toString('latin1') === 'e' ? bufferField(fields, 'd') : undefined;
          if (!inRange(id, range) || data === undefined) continue;
          // The stored bytes of each event, as the archiver copies them.
          for (const [sub, span] of splitEventArray(data).entries()) {
            const address = `${id}/${sub}`;
            seen.add(address);
            result.compared++;
            const record = archived.records.get(address);
            if (record === undefined) {
              if (!archived.dropped.has(address)) {
                result.problems.push({
                  kind: 'missing',
                  detail: `shard ${shard} ${address}: in the stream, not archived`,
                });
              }
            } else if (
              record.contentHash !== null &&
              record.contentHash !== contentHash(data.subarray(span.start, span.end))
            ) {
              result.problems.push({
                kind: 'corrupt',
                detail: `${record.file}: ${address} differs from the stream`,
              });
            }
          }
        }
        if (entries.length < CHUNK) break;
        after = `(${entries[entries.length - 1]?.[0].toString('latin1')}`;
      }
    }
    for (const [address, record] of archived.records) {
      if (seen.has(address)) continue;
      const id = address.slice(0, address.indexOf('/'));
      if (checkpoint === null || compareStreamIds(id, checkpoint) > 0) result.aheadOfCheckpoint++;
      else if (oldest === null || compareStreamIds(id, oldest) < 0) result.beforeRetention++;
      else
        result.problems.push({ kind: 'corrupt', detail: `${record.file}: ${address} is not in the stream` });
    }
  }
  return result;
}
