import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  completeRows,
  currentEnd,
  currentRows,
  lateCount,
  pruneRows,
  replaceRows,
  rowId,
  rowsFrom,
  type WindowView,
} from '../../app/dashboard/model/rows';
import type { WindowDef, WindowRow } from '../../app/dashboard/model/schemas';

const sliding: WindowDef = {
  id: 'events_rate',
  name: 'Events in the last minute',
  type: 'sliding',
  sizeMs: 60_000,
  everyMs: 1_000,
  groupBy: [],
  aggregates: [{ name: 'events', fn: 'count' }],
};
const tumbling: WindowDef = { ...sliding, id: 'pageviews_1m', type: 'tumbling', everyMs: undefined };

function row(
  start: number,
  end: number,
  events: number,
  key: WindowRow['key'] = null,
  final = false,
): WindowRow {
  return { start, end, key, values: { events }, final };
}

describe('rows are replaced by (start, key), never added up', () => {
  test('the id is start|key JSON: a growing session (same start, later end) stays one row', () => {
    assert.equal(rowId(row(0, 60, 1, { device: 'mobile' })), '0|{"device":"mobile"}');
    assert.equal(rowId(row(0, 60, 1)), '0|null');
    const grown = replaceRows(rowsFrom([row(0, 10, 1, { visitor: 'v' })]), [row(0, 25, 2, { visitor: 'v' })]);
    assert.deepEqual(
      [...grown.values()].map((r) => [r.end, r.values['events']]),
      [[25, 2]],
    );
  });

  test('a newer value of a row replaces it; the same delta applied twice changes nothing', () => {
    const base = rowsFrom([row(0, 60, 3), row(60, 120, 1)]);
    const once = replaceRows(base, [row(60, 120, 5)]);
    const twice = replaceRows(once, [row(60, 120, 5)]);
    assert.deepEqual(
      [...twice.values()].map((r) => r.values['events']),
      [3, 5],
    );
    assert.deepEqual(twice, once);
    assert.equal(base.get('60|null')?.values['events'], 1, 'the input map is not mutated');
  });

  test('keys are distinct rows of one window', () => {
    const rows = replaceRows(new Map(), [
      row(0, 60, 2, { device: 'mobile' }),
      row(0, 60, 7, { device: 'desktop' }),
    ]);
    assert.equal(rows.size, 2);
  });
});

describe('pruning keeps what the charts need', () => {
  test('tumbling 1 min: 90 minutes back from the newest window', () => {
    const rows = rowsFrom(Array.from({ length: 200 }, (_, i) => row(i * 60_000, (i + 1) * 60_000, i)));
    const kept = pruneRows(tumbling, rows);
    const ends = [...kept.values()].map((r) => r.end);
    assert.equal(Math.max(...ends), 200 * 60_000);
    assert.equal(Math.min(...ends), 110 * 60_000);
  });

  test('an unchanged map is returned as is', () => {
    const rows = rowsFrom([row(0, 60_000, 1)]);
    assert.equal(pruneRows(tumbling, rows), rows);
  });
});

describe('the current window of a sliding definition', () => {
  const view = (rows: WindowRow[], watermark: number | null): WindowView => ({
    def: sliding,
    rows: rowsFrom(rows),
    watermark,
  });

  test('is the newest step every shard has reached (end ≤ watermark + every)', () => {
    // Shards at 10.5 s and 11.2 s: the 11 s step holds only the faster shard so far.
    const v = view([row(-49_000, 11_000, 4), row(-50_000, 10_000, 9), row(-48_000, 12_000, 2)], 10_500);
    assert.equal(currentEnd(v), 11_000);
    assert.deepEqual(
      currentRows(v).map((r) => r.values['events']),
      [4],
    );
    assert.deepEqual(
      completeRows(v).map((r) => r.end),
      [10_000, 11_000],
    );
  });

  test('without a watermark it is the newest window', () => {
    assert.equal(currentEnd(view([row(0, 60_000, 1), row(1_000, 61_000, 2)], null)), 61_000);
  });

  test('once every shard is past a step’s end, that step is gone: the window has no current value', () => {
    assert.equal(currentRows(view([row(0, 60_000, 3)], 59_500)).length, 1);
    assert.equal(currentRows(view([row(0, 60_000, 3)], 60_000)).length, 0);
  });

  test('without a watermark, a step that ended before staleBefore (server time) is gone', () => {
    const v = view([row(0, 60_000, 3)], null);
    assert.equal(currentRows(v, 60_001).length, 0);
    assert.equal(currentRows(v, 59_000).length, 1);
  });
});

test('late counts are per window, counted once however many keys it has', () => {
  const a = { ...row(0, 60, 1, { d: 'a' }), late: 2 };
  const b = { ...row(0, 60, 1, { d: 'b' }), late: 2 };
  const c = { ...row(60, 120, 1), late: 1 };
  assert.equal(lateCount([a, b, c]), 3);
});
