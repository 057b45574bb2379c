import type { Scalar } from '../../lib/windows/engine';

/**
 * One aggregator outbox entry (field `d` of `rf:{s<k>}:out`, written by workers/aggregator/commit.ts): one
 * shard's absolute state of one window and key, versioned by `ck`, the commit's checkpoint id.
 */
export interface OutboxEntry {
  t: 'final' | 'live';
  /** Definition version: `<id>@<version>`. */
  ref: string;
  site: string;
  start: number;
  end: number;
  key: Record<string, Scalar> | null;
  /** Serialized aggregate states, mergeable across shards (`mergeResultStates`). */
  state: string;
  /** The definition's observed time on this shard after the commit. */
  ot: number;
  /** The commit's checkpoint id (a stream id of the shard's input): increases per shard. */
  ck: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses an outbox entry. Only our own aggregator writes the outbox, so this is a cheap shape check (no
 * schema library on a path that sees thousands of entries a second); anything else is skipped, not fatal.
 */
export function parseOutboxEntry(data: string | undefined): OutboxEntry | undefined {
  if (data === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const { t, ref, site, start, end, key, state, ot, ck } = parsed;
  if (t !== 'final' && t !== 'live') return undefined;
  if (typeof ref !== 'string' || typeof site !== 'string' || typeof state !== 'string') return undefined;
  if (typeof start !== 'number' || typeof end !== 'number' || typeof ck !== 'string') return undefined;
  if (key !== null && !isRecord(key)) return undefined;
  return {
    t,
    ref,
    site,
    start,
    end,
    key: key as Record<string, Scalar> | null,
    state,
    ot: typeof ot === 'number' ? ot : 0,
    ck,
  };
}

/** A row's identity, as the stats API and the clients use it: window bounds and group key. */
/**
 * A row's identity: start and key. Not the end: a session grows (its end moves with every event) while
 * staying the same row, and for every other window type the start already determines the end.
 */
export function rowId(row: { start: number; key: Record<string, Scalar> | null }): string {
  return `${row.start}|${JSON.stringify(row.key)}`;
}

/** One shard's contribution to a row. FINALs read from the results set carry no checkpoint (`ck: ''`). */
export interface Contribution {
  ck: string;
  state: string;
  final: boolean;
}

/** Numeric order of stream ids (`<ms>-<seq>`); '' sorts first. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return -1;
  if (b === '') return 1;
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  const byMs = Number(a.slice(0, dashA)) - Number(b.slice(0, dashB));
  return byMs !== 0 ? byMs : Number(a.slice(dashA + 1)) - Number(b.slice(dashB + 1));
}

/**
 * Whether `incoming` replaces `current` for one shard of one row. A shard's FINAL is its last word on a
 * window (it closed there and later events are not applied), so it wins over any live value; between two
 * live values the newer checkpoint wins. Equal versions change nothing, so a repeated or reordered delivery
 * can never move a value backwards.
 */
export function supersedes(incoming: Contribution, current: Contribution | undefined): boolean {
  if (current === undefined) return true;
  if (incoming.final !== current.final) return incoming.final;
  if (current.final) return false;
  return compareIds(incoming.ck, current.ck) > 0;
}
