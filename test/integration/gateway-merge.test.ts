import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredWindow } from '../../lib/aggregation/definition-store';
import { finalizeResult, mergeResultStates, WindowEngine, type WindowResult } from '../../lib/windows/engine';
import { rowId } from '../../server/realtime/outbox-entry';
import { type RowInput, WindowView } from '../../server/realtime/window-view';
import { FAULT_WINDOW } from '../helpers/aggregation-oracle';
import { testEvent } from '../helpers/producer';

/**
 * The gateway's merge state on its own, with outbox entries made by the real window engine: whatever the
 * order and however often each entry arrives, the merged rows equal the merge of each shard's newest
 * state — and, once every shard has closed the windows, a brute-force count of the events.
 */

const SHARDS = 3;
const stored: StoredWindow = {
  definition: FAULT_WINDOW,
  status: 'running',
  builtin: false,
  createdAtMs: 0,
  updatedAtMs: 0,
  startFrom: 'now',
};

interface Entry extends RowInput {
  shard: number;
  ot: number;
}

/** A tiny seeded PRNG (mulberry32), so a failing order can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each shard folds its events in commits; every commit emits its live changes and FINALs, as the aggregator does. */
function outboxes(seed: number, closeAll: boolean) {
  const next = random(seed);
  const entries: Entry[] = [];
  const counts = new Map<string, number>();
  const lastOt: number[] = [];
  for (let shard = 0; shard < SHARDS; shard++) {
    const engine = new WindowEngine(FAULT_WINDOW);
    let ms = 10_000;
    let seq = 0;
    const emit = (results: readonly WindowResult[], final: boolean, ck: string) => {
      for (const r of results) entries.push({ ...r, final, ck, shard, ot: engine.observedTimeMs });
    };
    for (let commit = 0; commit < 40; commit++) {
      for (let i = 0; i < 1 + Math.floor(next() * 4); i++) {
        ms += Math.floor(next() * 150);
        const event = testEvent(`s${shard}v${Math.floor(next() * 6)}`, seq++);
        engine.apply({ kind: 'event', ingestMs: ms, event });
        const id = rowId({ start: Math.floor(ms / 1000) * 1000, key: { path: event.path } });
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const ck = `${ms}-${commit}`;
      emit(engine.drain().finals, true, ck);
      emit(engine.live(), false, ck);
    }
    if (closeAll) {
      engine.apply({ kind: 'tick', ingestMs: ms + 5_000 });
      emit(engine.drain().finals, true, `${ms + 5_000}-0`);
    }
    lastOt.push(engine.observedTimeMs);
  }
  return { entries, counts, lastOt };
}

/** What the view must show: per row, the merge of each shard's FINAL, else its newest live state. */
function expected(entries: readonly Entry[]): Map<string, string> {
  const newest = new Map<string, Entry>();
  for (const entry of entries) {
    const id = `${entry.shard}|${rowId(entry)}`;
    const current = newest.get(id);
    const wins =
      current === undefined ||
      (entry.final && !current.final) ||
      (entry.final === current.final && entry.ck.localeCompare(current.ck, 'en', { numeric: true }) > 0);
    if (wins) newest.set(id, entry);
  }
  const merged = new Map<string, string>();
  for (const shard of [0, 1, 2]) {
    for (const entry of newest.values()) {
      if (entry.shard !== shard) continue;
      const state = merged.get(rowId(entry));
      merged.set(
        rowId(entry),
        state === undefined ? entry.state : mergeResultStates(FAULT_WINDOW, state, entry.state),
      );
    }
  }
  return merged;
}

function feed(entries: readonly Entry[], seed: number): WindowView {
  const next = random(seed);
  const deliveries = entries.flatMap((e) => Array.from({ length: 1 + Math.floor(next() * 3) }, () => e));
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j] as Entry, deliveries[i] as Entry];
  }
  const view = new WindowView('demo', stored, SHARDS, 10_000);
  for (const entry of deliveries) {
    view.apply(entry.shard, entry);
    view.offerObservedTime(entry.shard, entry.ot);
    view.promote(entry.shard);
  }
  return view;
}

describe('gateway merge state (outbox entries from the real engine)', () => {
  test('open windows: shuffled, repeated deliveries give each shard’s newest live state, merged', () => {
    for (let seed = 1; seed <= 15; seed++) {
      const { entries } = outboxes(seed, false);
      const rows = feed(entries, seed * 7).takeChanges().rows;
      const want = expected(entries);
      assert.equal(rows.length, want.size, `seed ${seed}`);
      for (const row of rows)
        assert.deepEqual(
          row.values,
          finalizeResult(FAULT_WINDOW, want.get(rowId(row)) ?? ''),
          `seed ${seed}`,
        );
    }
  });

  test('closed windows: every row final and equal to a brute-force count, whatever the order', () => {
    for (let seed = 1; seed <= 15; seed++) {
      const { entries, counts } = outboxes(seed, true);
      const { rows, watermark } = feed(entries, seed * 13).takeChanges();
      assert.ok(watermark !== null, `seed ${seed}: every shard reported`);
      assert.deepEqual(new Set(rows.map((r) => rowId(r))), new Set(counts.keys()), `seed ${seed}`);
      for (const row of rows) {
        assert.equal(row.final, true, `seed ${seed}: ${rowId(row)} final`);
        assert.equal(row.values['events'], counts.get(rowId(row)), `seed ${seed}: ${rowId(row)}`);
      }
    }
  });

  test('a repeated or older entry changes nothing and is not reported as a change', () => {
    const { entries } = outboxes(3, true);
    const view = feed(entries, 5);
    view.takeChanges();
    for (const entry of [...entries].reverse()) view.apply(entry.shard, entry);
    assert.deepEqual(view.takeChanges().rows, []);
  });
});
