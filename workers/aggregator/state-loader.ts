import type { ShardKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';

export interface PersistedEngine {
  observedTimeMs: number;
  cells: Array<[string, string]>;
  /** Set while a back-filling engine has not caught up with the shard's checkpoint: its own position. */
  catchUpPosition: string | null;
}

/**
 * Reads a shard's committed aggregator state: the checkpoint and, per definition ref, the engine cells and
 * observed time, exactly as the last successful commit left them.
 */
export async function loadShardState(
  redis: RedisClient,
  keys: ShardKeys,
): Promise<{ checkpointId: string; engines: Map<string, PersistedEngine> }> {
  const checkpointId = (await redis.hget(keys.checkpoint('aggregator'), 'id')) ?? '';
  const engines = new Map<string, PersistedEngine>();
  const engineFor = (ref: string) => {
    let engine = engines.get(ref);
    if (!engine) {
      engine = { observedTimeMs: Number.NEGATIVE_INFINITY, cells: [], catchUpPosition: null };
      engines.set(ref, engine);
    }
    return engine;
  };
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(keys.aggState, cursor, 'COUNT', 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const field = flat[i] ?? '';
      const value = flat[i + 1] ?? '';
      const bar = field.indexOf('|');
      if (bar < 0) continue;
      const ref = field.slice(0, bar);
      const cell = field.slice(bar + 1);
      if (cell === '#ot') engineFor(ref).observedTimeMs = Number(value);
      else if (cell === '#pos') engineFor(ref).catchUpPosition = value;
      else engineFor(ref).cells.push([cell, value]);
    }
  } while (cursor !== '0');
  return { checkpointId, engines };
}
