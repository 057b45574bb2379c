import type { Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import type { Scalar } from '../../lib/windows/engine';
import { compareIds, parseOutboxEntry } from './outbox-entry';
import type { WindowView } from './window-view';

/** A result as the aggregator stores it in the live hash and the results sets. */
interface StoredResult {
  site: string;
  start: number;
  end: number;
  key: Record<string, Scalar> | null;
  state: string;
}

/** Outbox entries read per page when catching up on the live hash (see below), and the most pages read. */
const CATCH_UP_PAGE = 500;
const CATCH_UP_MAX_PAGES = 8;
/** FINALs read per shard at most, as a multiple of those wanted (the stats API over-reads 20×). */
const FINALS_OVERREAD = 20;

type MultiReply = Array<[Error | null, unknown]> | null;

function replyAt(replies: MultiReply, index: number): unknown {
  const entry = replies?.[index];
  if (entry === undefined) throw new Error('MULTI returned fewer replies than commands');
  if (entry[0] !== null) throw entry[0];
  return entry[1];
}

function lastId(reply: unknown): string {
  const entries = reply as Array<[string, string[]]>;
  return entries[0]?.[0] ?? '0-0';
}

/**
 * Seeds a view from Redis, one shard at a time, the way the stats API reads it (FINALs from the results set,
 * open windows from the live hash, observed time from the state hash), but keeping each shard's state and
 * version so the outbox tail can continue from it:
 *
 * 1. One MULTI per shard (all keys share the shard's hash tag) reads, at one instant, the outbox's last id,
 *    the live hash, the observed time and the newest FINALs. The commit script writes the FINALs, the
 *    observed time and the outbox together, so those three agree.
 * 2. The live hash is written just after each commit, not inside it, so it may lag the outbox by a commit.
 *    Outbox entries newer than the live hash's checkpoint and at or before the recorded tail are therefore
 *    replayed from the outbox (newest first, until an entry at or below that checkpoint). Entries after the
 *    tail reach the view through the shard's tailer, which feeds the view from the moment it was registered,
 *    i.e. before this read. Every shard state carries its checkpoint, so overlaps are harmless.
 */
export async function loadView(
  redis: RedisClient,
  keys: Keys,
  view: WindowView,
  /** FINALs of this site wanted per shard (the newest); the results sets hold every site's. */
  finalsWanted: number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: view.shardCount }, async (_, shard) => {
      const shardKeys = keys.shard(shard);
      const replies: MultiReply = await redis
        .multi()
        .xrevrange(shardKeys.outbox, '+', '-', 'COUNT', 1)
        .hget(shardKeys.aggLive, view.ref)
        .hget(shardKeys.aggState, `${view.ref}|#ot`)
        .zrevrangebyscore(shardKeys.aggResults(view.ref), '+inf', '-inf', 'LIMIT', 0, finalsWanted)
        .exec();
      const tail = lastId(replyAt(replies, 0));
      const liveJson = replyAt(replies, 1) as string | null;
      const ot = replyAt(replies, 2) as string | null;
      const members = replyAt(replies, 3) as string[];

      const live =
        liveJson === null ? undefined : (JSON.parse(liveJson) as { ck: string; windows: StoredResult[] });
      for (const result of live?.windows ?? []) {
        if (result.site === view.site) view.apply(shard, { ...result, ck: live?.ck ?? '', final: false });
      }
      let found = 0;
      const applyFinals = (page: readonly string[]) => {
        for (const member of page) {
          const result = JSON.parse(member) as StoredResult;
          if (result.site !== view.site) continue;
          view.apply(shard, { ...result, ck: '', final: true });
          found++;
        }
      };
      applyFinals(members);
      // Other sites' FINALs share the set: page further (outside the MULTI: a FINAL never changes, and any
      // committed since reaches the view through the tail as well), at most as far as the stats API reads.
      let offset = members.length;
      let full = members.length === finalsWanted;
      while (full && found < finalsWanted && offset < finalsWanted * FINALS_OVERREAD) {
        const page = await redis.zrevrangebyscore(
          shardKeys.aggResults(view.ref),
          '+inf',
          '-inf',
          'LIMIT',
          offset,
          finalsWanted,
        );
        applyFinals(page);
        offset += page.length;
        full = page.length === finalsWanted;
      }
      if (ot !== null) view.observe(shard, Number(ot));
      await catchUp(redis, shardKeys.outbox, view, shard, tail, live?.ck);
      view.setLate(shard, await readLate(redis, shardKeys.aggLate, `${view.ref}|${view.site}|`));
    }),
  );
}

async function catchUp(
  redis: RedisClient,
  outbox: string,
  view: WindowView,
  shard: number,
  tail: string,
  liveCk: string | undefined,
): Promise<void> {
  if (tail === '0-0') return;
  let end = tail;
  for (let page = 0; page < CATCH_UP_MAX_PAGES; page++) {
    const entries = (await redis.xrevrange(outbox, end, '-', 'COUNT', CATCH_UP_PAGE)) as Array<
      [string, string[]]
    >;
    for (const [, fields] of entries) {
      const entry = parseOutboxEntry(fields[1]);
      if (entry === undefined) continue;
      if (liveCk !== undefined && compareIds(entry.ck, liveCk) <= 0) return;
      if (entry.ref === view.ref && entry.site === view.site)
        view.apply(shard, { ...entry, final: entry.t === 'final' });
    }
    const oldest = entries[entries.length - 1]?.[0];
    if (oldest === undefined || entries.length < CATCH_UP_PAGE) return;
    end = `(${oldest}`;
  }
}

/** Late counts of one definition and site on one shard: `start|end` → count (as the stats API reads them). */
export async function readLate(
  redis: RedisClient,
  key: string,
  prefix: string,
): Promise<Map<string, number>> {
  const late = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [start, end] = (flat[i] ?? '').slice(prefix.length).split('|');
      late.set(`${start}|${end}`, Number(flat[i + 1]));
    }
  } while (cursor !== '0');
  return late;
}

export interface ShardSync {
  /** The outbox's last id when the observed times were read: they hold once the tail has reached it. */
  atId: string;
  observed: Map<string, number>;
}

/**
 * Observed times of the given definitions on one shard, with the outbox position they correspond to. An
 * idle shard's observed time advances through tick commits that may write nothing to the outbox; without
 * this, windows would never turn final for the gateway on a quiet shard.
 */
export async function syncShard(
  redis: RedisClient,
  keys: Keys,
  shard: number,
  refs: readonly string[],
): Promise<ShardSync> {
  const shardKeys = keys.shard(shard);
  const multi = redis.multi().xrevrange(shardKeys.outbox, '+', '-', 'COUNT', 1);
  if (refs.length > 0) multi.hmget(shardKeys.aggState, ...refs.map((ref) => `${ref}|#ot`));
  const replies: MultiReply = await multi.exec();
  const observed = new Map<string, number>();
  if (refs.length > 0) {
    const values = replyAt(replies, 1) as Array<string | null>;
    refs.forEach((ref, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) observed.set(ref, Number(value));
    });
  }
  return { atId: lastId(replyAt(replies, 0)), observed };
}
