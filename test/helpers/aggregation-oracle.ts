import assert from 'node:assert/strict';
import { rowKey } from '../../bench/support/dashboard-client';
import { DefinitionStore, definitionRef } from '../../lib/aggregation/definition-store';
import type { Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { BUILTIN_WINDOWS } from '../../lib/windows/builtins';
import { defineWindow, type WindowDefinition } from '../../lib/windows/definition';
import { finalizeResult, mergeResultStates, WindowEngine } from '../../lib/windows/engine';
import { readLog, type StoredInput } from './producer';

/** The window every fault scenario checks: per second and path, events, distinct visitors, a sum. */
export const FAULT_WINDOW: WindowDefinition = defineWindow({
  id: 'fault_counts',
  version: 1,
  name: 'Fault test counts',
  type: 'tumbling',
  sizeMs: 1_000,
  graceMs: 300,
  groupBy: ['path'],
  aggregates: [
    { name: 'events', fn: 'count' },
    { name: 'visitors', fn: 'count_distinct', field: 'visitor' },
    { name: 'seq_sum', fn: 'sum', field: 'props.seq' },
  ],
});

/** Stores the test definitions as the only running windows (built-ins present but paused). */
export async function installDefinitions(
  redis: RedisClient,
  keys: Keys,
  running: WindowDefinition[],
): Promise<void> {
  const store = new DefinitionStore(redis, keys);
  const nowMs = Date.now();
  for (const definition of BUILTIN_WINDOWS) {
    await store.put({ definition, status: 'paused', builtin: true, createdAtMs: nowMs, updatedAtMs: nowMs });
  }
  for (const definition of running) {
    await store.put({
      definition,
      status: 'running',
      builtin: false,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    });
  }
}

export async function observedTimes(redis: RedisClient, keys: Keys, shards: number, def: WindowDefinition) {
  const ref = definitionRef(def);
  return Promise.all(
    Array.from({ length: shards }, async (_, s) =>
      Number((await redis.hget(keys.shard(s).aggState, `${ref}|#ot`)) ?? -1),
    ),
  );
}

interface FinalEntry {
  t: string;
  ref: string;
  site: string;
  start: number;
  end: number;
  key: unknown;
  state: string;
}

/**
 * The checks of BRIEF §8 after a fault scenario, against the log itself:
 * - no acknowledged event lost and none counted twice: merged FINALs equal a brute-force count of the log;
 * - exactly one FINAL per window and key in each shard's outbox;
 * - identical FINALs across replays: a fresh engine folding each shard's whole log emits the same ones;
 * - per-visitor order: each visitor's events appear in the log in the order they were produced.
 */
export async function assertExactlyOnce(
  redis: RedisClient,
  keys: Keys,
  shards: number,
  def: WindowDefinition,
  acknowledgedIds: readonly string[],
): Promise<{ windows: number; events: number }> {
  const ref = definitionRef(def);
  const log = await readLog(redis, keys, shards);
  const loggedIds = new Set(log.flat().flatMap((input) => input.events.map((e) => e.id)));
  for (const id of acknowledgedIds) assert.ok(loggedIds.has(id), `acknowledged event ${id} is in the log`);

  const expected = bruteForce(log.flat());
  const merged = new Map<string, string>();
  for (let shard = 0; shard < shards; shard++) {
    const members = await redis.zrangebyscore(keys.shard(shard).aggResults(ref), '-inf', '+inf');
    for (const member of members) {
      const result = JSON.parse(member) as FinalEntry;
      const id = `${result.start}|${JSON.stringify(result.key)}`;
      const existing = merged.get(id);
      merged.set(id, existing === undefined ? result.state : mergeResultStates(def, existing, result.state));
    }
    assertOutboxMatchesReplay(def, ref, shard, log[shard] ?? [], await outboxFinals(redis, keys, shard, ref));
    assertPerVisitorOrder(log[shard] ?? []);
  }
  const actual = new Map([...merged].map(([id, state]) => [id, finalizeResult(def, state)]));
  assert.deepEqual(
    [...actual.keys()].sort(),
    [...expected.keys()].sort(),
    'the same windows and keys were finalized as the log contains',
  );
  for (const [id, values] of expected) assert.deepEqual(actual.get(id), values, `window ${id}`);
  const events = [...expected.values()].reduce((sum, v) => sum + Number(v['events']), 0);
  assert.equal(
    events,
    log.flat().reduce((sum, input) => sum + input.events.length, 0),
  );
  return { windows: expected.size, events };
}

function bruteForce(inputs: readonly StoredInput[]): Map<string, Record<string, number>> {
  const cells = new Map<string, { events: number; visitors: Set<string>; seqSum: number }>();
  for (const input of inputs) {
    const start = Math.floor(input.ingestMs / 1000) * 1000;
    for (const event of input.events) {
      const id = `${start}|${JSON.stringify({ path: event.path })}`;
      const cell = cells.get(id) ?? { events: 0, visitors: new Set<string>(), seqSum: 0 };
      cell.events++;
      cell.visitors.add(event.visitor);
      cell.seqSum += Number(event.props?.['seq'] ?? 0);
      cells.set(id, cell);
    }
  }
  return new Map(
    [...cells].map(([id, c]) => [id, { events: c.events, visitors: c.visitors.size, seq_sum: c.seqSum }]),
  );
}

async function outboxFinals(
  redis: RedisClient,
  keys: Keys,
  shard: number,
  ref: string,
): Promise<FinalEntry[]> {
  const entries = await redis.xrange(keys.shard(shard).outbox, '-', '+');
  return entries
    .map(([, fields]) => JSON.parse(fields[1] ?? '{}') as FinalEntry)
    .filter((entry) => entry.t === 'final' && entry.ref === ref);
}

function assertOutboxMatchesReplay(
  def: WindowDefinition,
  ref: string,
  shard: number,
  log: readonly StoredInput[],
  finals: readonly FinalEntry[],
): void {
  const seen = new Set<string>();
  for (const final of finals) {
    const id = `${final.site}|${final.start}|${final.end}|${JSON.stringify(final.key)}`;
    assert.ok(!seen.has(id), `shard ${shard}: one FINAL per window and key (${ref} ${id})`);
    seen.add(id);
  }
  const engine = new WindowEngine(def);
  for (const input of log) {
    if (input.kind === 'tick') engine.apply({ kind: 'tick', ingestMs: input.ingestMs });
    else for (const event of input.events) engine.apply({ kind: 'event', ingestMs: input.ingestMs, event });
  }
  const replayed = engine
    .drain()
    .finals.map((f) => `${f.site}|${f.start}|${f.end}|${JSON.stringify(f.key)}|${f.state}`);
  const live = finals.map((f) => `${f.site}|${f.start}|${f.end}|${JSON.stringify(f.key)}|${f.state}`);
  // The replay may run a little further than the live run (it sees ticks written since): compare the common prefix.
  assert.deepEqual(
    live,
    replayed.slice(0, live.length),
    `shard ${shard}: FINALs identical to a fresh replay`,
  );
}

function assertPerVisitorOrder(log: readonly StoredInput[]): void {
  const lastSeq = new Map<string, number>();
  for (const input of log) {
    for (const event of input.events) {
      const seq = Number(event.props?.['seq'] ?? -1);
      const previous = lastSeq.get(event.visitor) ?? -1;
      assert.ok(seq > previous, `visitor ${event.visitor}: seq ${seq} after ${previous}`);
      lastSeq.set(event.visitor, seq);
    }
  }
}

/**
 * Brute force over the shards' logs: FAULT_WINDOW's values per (second, path), keyed like the dashboard's
 * rows, for comparing what a dashboard or the stats API shows.
 */
export async function faultWindowOracle(
  redis: RedisClient,
  keys: Keys,
  shards: number,
): Promise<Map<string, Record<string, number>>> {
  const cells = new Map<string, { events: number; visitors: Set<string>; seqSum: number }>();
  for (const input of (await readLog(redis, keys, shards)).flat()) {
    const start = Math.floor(input.ingestMs / 1000) * 1000;
    for (const event of input.events) {
      const id = rowKey({ start, key: { path: event.path } });
      const cell = cells.get(id) ?? { events: 0, visitors: new Set<string>(), seqSum: 0 };
      cell.events++;
      cell.visitors.add(event.visitor);
      cell.seqSum += Number(event.props?.['seq'] ?? 0);
      cells.set(id, cell);
    }
  }
  return new Map(
    [...cells].map(([id, c]) => [id, { events: c.events, visitors: c.visitors.size, seq_sum: c.seqSum }]),
  );
}
