import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WindowRow } from '../../app/dashboard/model/schemas';
import { dedupeSessions, summarizeSessions } from '../../app/dashboard/model/sessions';

function session(visitor: string, start: number, end: number, pageviews: number, final = false): WindowRow {
  return { start, end, key: { visitor }, values: { events: pageviews + 1, pageviews }, final };
}

describe('session summary', () => {
  test('count, bounce rate (≤ 1 pageview), average duration (end − start), pages per session', () => {
    const rows = [
      session('a', 0, 60_001, 3),
      session('b', 10_000, 10_001, 1), // bounce
      session('c', 20_000, 140_001, 0), // no pageview: a bounce too
      session('d', 30_000, 90_001, 4),
    ];
    const s = summarizeSessions(rows, 0, 200_000);
    assert.equal(s.sessions, 4);
    assert.equal(s.bounces, 2);
    assert.equal(s.bounceRate, 0.5);
    assert.equal(s.avgDurationMs, (60_001 + 1 + 120_001 + 60_001) / 4);
    assert.equal(s.pagesPerSession, 2);
  });

  test('only sessions overlapping [from, to) count', () => {
    const rows = [session('a', 0, 1_000, 2), session('b', 5_000, 6_000, 2), session('c', 9_000, 12_000, 2)];
    assert.equal(summarizeSessions(rows, 1_000, 10_000).sessions, 2);
  });

  test('no sessions: nulls, not NaN', () => {
    const s = summarizeSessions([], 0, 1);
    assert.deepEqual([s.sessions, s.bounceRate, s.avgDurationMs, s.pagesPerSession], [0, null, null, null]);
  });
});

describe('versions of a growing session count once', () => {
  test('a session re-reported with a later end (and an earlier start) is one session', () => {
    const rows = [
      session('a', 1_000, 1_001, 1),
      session('a', 1_000, 5_001, 2),
      session('a', 500, 9_001, 3, true),
      session('b', 2_000, 2_001, 1),
    ];
    const kept = dedupeSessions(rows);
    assert.equal(kept.length, 2);
    assert.deepEqual(
      kept.find((r) => r.key?.['visitor'] === 'a'),
      session('a', 500, 9_001, 3, true),
    );
    assert.equal(summarizeSessions(rows, 0, 10_000).sessions, 2);
  });

  test('two sessions of one visitor, more than the gap apart, stay two', () => {
    const rows = [session('a', 0, 1_001, 1), session('a', 1_000_000, 1_000_001, 1)];
    assert.equal(dedupeSessions(rows).length, 2);
  });
});
