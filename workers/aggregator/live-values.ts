import type { RedisClient } from '../../lib/redis/scripts';
import type { WindowResult } from '../../lib/windows/engine';

/** Open windows kept per definition in the live hash; sessions of many visitors must not grow it without bound. */
export const MAX_LIVE_WINDOWS_PER_DEFINITION = 500;

/**
 * A window's identity without its end: a session keeps its start while it grows (its end moves with every
 * event), and for the other window types the start already determines the end.
 */
function windowKey(result: Pick<WindowResult, 'site' | 'start' | 'key'>): string {
  return `${result.site}|${result.start}|${JSON.stringify(result.key)}`;
}

/**
 * The latest value of every open window of a shard, per definition, mirrored into the shard's live hash so
 * the stats API can show windows that have not closed yet. Absolute values, overwritten as they change:
 * unlike FINALs they need no exactly-once bookkeeping.
 */
export class LiveValues {
  private readonly open = new Map<string, Map<string, WindowResult>>();
  private readonly dirty = new Set<string>();

  update(ref: string, results: readonly WindowResult[]): void {
    if (results.length === 0) return;
    let windows = this.open.get(ref);
    if (!windows) {
      windows = new Map();
      this.open.set(ref, windows);
    }
    for (const result of results) windows.set(windowKey(result), result);
    // Keep the newest windows when over the cap.
    if (windows.size > MAX_LIVE_WINDOWS_PER_DEFINITION) {
      const newest = [...windows]
        .sort(([, a], [, b]) => b.end - a.end)
        .slice(0, MAX_LIVE_WINDOWS_PER_DEFINITION);
      this.open.set(ref, new Map(newest));
    }
    this.dirty.add(ref);
  }

  /** Closed windows leave the live view (their FINAL is in the results set). */
  settle(ref: string, finals: readonly WindowResult[]): void {
    const windows = this.open.get(ref);
    if (!windows || finals.length === 0) return;
    for (const final of finals) windows.delete(windowKey(final));
    this.dirty.add(ref);
  }

  forget(ref: string): void {
    this.open.delete(ref);
  }

  /** Writes the changed definitions' open windows, tagged with the checkpoint they reflect. */
  async publish(redis: RedisClient, liveKey: string, checkpointId: string): Promise<void> {
    if (this.dirty.size === 0) return;
    const fields: string[] = [];
    for (const ref of this.dirty) {
      fields.push(
        ref,
        JSON.stringify({ ck: checkpointId, windows: [...(this.open.get(ref)?.values() ?? [])] }),
      );
    }
    this.dirty.clear();
    await redis.hset(liveKey, ...fields);
  }
}
