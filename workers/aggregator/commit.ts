import type { ShardKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import type { EngineDelta, WindowResult } from '../../lib/windows/engine';

export type CommitOutcome = 'OK' | 'FENCED' | 'STALE';

/** Everything one batch changes on one shard, gathered from every definition's engine. */
export interface ShardCommit {
  leaseValue: string;
  /** Checkpoint the batch was read after ('' = never committed). */
  previousId: string;
  nextId: string;
  /** Per definition ref (`<id>@<version>`): its engine's delta. */
  deltas: ReadonlyArray<readonly [ref: string, delta: EngineDelta]>;
  /** Live values to publish with this commit. */
  live: ReadonlyArray<[ref: string, results: WindowResult[]]>;
  /** Per definition ref: FINAL results of windows ending before this are dropped (retention). */
  resultsMinEndMs: (ref: string) => number;
  outboxMaxEntries: number;
  /** Events folded by this batch (for the pipeline's "aggregated" counter). */
  eventCount: number;
  /** Stream entries in this batch, and on a shard's first commit the entries lost before (gap accounting). */
  entryCount: number;
  entriesBase?: number;
  /** Back-filling engines' own positions: a stream id, or null once caught up (the field is deleted). */
  catchUp?: ReadonlyArray<readonly [ref: string, position: string | null]>;
}

/**
 * An outbox entry: a shard's absolute state of one window and key. `ck` (the commit's checkpoint id) orders
 * a shard's entries, so a reader keeps the newest per shard whatever order it sees them in.
 */
export function outboxEntry(
  kind: 'final' | 'live',
  ref: string,
  result: WindowResult,
  observedTimeMs: number,
  checkpointId: string,
): string {
  const { defId, version, site, start, end, key, state } = result;
  return JSON.stringify({
    t: kind,
    ref,
    def: defId,
    v: version,
    site,
    start,
    end,
    key,
    state,
    ot: observedTimeMs,
    ck: checkpointId,
  });
}

export function resultMember(ref: string, result: WindowResult): string {
  const { site, start, end, key, state } = result;
  return JSON.stringify({ ref, site, start, end, key, state });
}

/** Flattens a ShardCommit into commit-n.lua's numkeys, KEYS and ARGV (see the script's header). */
export function commitArguments(keys: ShardKeys, commit: ShardCommit): Array<string | number> {
  const sets: Array<string | number> = [];
  const deletes: string[] = [];
  const outbox: string[] = [];
  const late: Array<string | number> = [];
  const resultKeys: string[] = [];
  const results: Array<string | number> = [];
  for (const [ref, delta] of commit.deltas) {
    for (const [cell, value] of delta.upserts) sets.push(`${ref}|${cell}`, value);
    for (const cell of delta.deletes) deletes.push(`${ref}|${cell}`);
    sets.push(`${ref}|#ot`, delta.observedTimeMs);
    for (const final of delta.finals)
      outbox.push(outboxEntry('final', ref, final, delta.observedTimeMs, commit.nextId));
    for (const count of delta.late)
      late.push(`${ref}|${count.site}|${count.start}|${count.end}`, count.count);
    if (delta.finals.length > 0) {
      resultKeys.push(keys.aggResults(ref));
      results.push(commit.resultsMinEndMs(ref), delta.finals.length);
      for (const final of delta.finals) results.push(final.end, resultMember(ref, final));
    }
  }
  for (const [ref, position] of commit.catchUp ?? []) {
    if (position === null) deletes.push(`${ref}|#pos`);
    else sets.push(`${ref}|#pos`, position);
  }
  for (const [ref, liveResults] of commit.live) {
    const ot = commit.deltas.find(([r]) => r === ref)?.[1].observedTimeMs ?? 0;
    for (const result of liveResults) outbox.push(outboxEntry('live', ref, result, ot, commit.nextId));
  }
  const fixedKeys = [
    keys.checkpoint('aggregator'),
    keys.lease('aggregator'),
    keys.outbox,
    keys.aggState,
    keys.aggLate,
  ];
  return [
    fixedKeys.length + resultKeys.length,
    ...fixedKeys,
    ...resultKeys,
    commit.leaseValue,
    commit.previousId,
    commit.nextId,
    commit.outboxMaxEntries,
    0,
    sets.length / 2,
    deletes.length,
    outbox.length,
    late.length / 2,
    commit.eventCount,
    commit.entryCount,
    commit.entriesBase ?? '',
    ...sets,
    ...deletes,
    ...outbox,
    ...late,
    ...results,
  ];
}

export async function commitBatch(
  redis: RedisClient,
  keys: ShardKeys,
  commit: ShardCommit,
): Promise<CommitOutcome> {
  const reply: unknown = await redis.rfCommit(...commitArguments(keys, commit));
  if (reply === 'OK' || reply === 'FENCED' || reply === 'STALE') return reply;
  throw new Error(`commit script: unexpected reply ${String(reply)}`);
}
