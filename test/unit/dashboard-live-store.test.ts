import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WindowRow } from '../../app/dashboard/model/schemas';
import { covers, LiveStore, lagOf } from '../../app/dashboard/realtime/live-store';

const window = {
  id: 'pageviews_1m',
  version: 1,
  name: 'Pageviews per minute',
  site: null,
  type: 'tumbling',
  sizeMs: 60_000,
  time: 'ingest',
  graceMs: 2_000,
  groupBy: [],
  aggregates: [{ name: 'pageviews', fn: 'count' }],
  status: 'running',
};

const row = (start: number, pageviews: number): WindowRow => ({
  start,
  end: start + 60_000,
  key: null,
  values: { pageviews },
  final: false,
});

function snapshot(rows: WindowRow[], positions: number[], site = 'demo') {
  return { site, windowId: 'pageviews_1m', window, watermark: 1_000, rows, positions, sentAtMs: 10_000 };
}

function delta(rows: WindowRow[], positions: number[]) {
  return { site: 'demo', windowId: 'pageviews_1m', watermark: 1_000, rows, positions, sentAtMs: 10_000 };
}

/** A store that notifies synchronously, at a fixed clock. */
function store(): LiveStore {
  return new LiveStore(
    'demo',
    (flush) => flush(),
    () => 10_100,
  );
}

const total = (s: LiveStore) =>
  [...(s.getState().windows['pageviews_1m']?.rows.values() ?? [])].reduce(
    (sum, r) => sum + Number(r.values['pageviews']),
    0,
  );

describe('snapshot, then deltas', () => {
  test('a delta replaces the rows it carries', () => {
    const s = store();
    s.beginSubscription(['pageviews_1m']);
    s.handleSnapshot(snapshot([row(0, 3), row(60_000, 1)], [5, 5]));
    s.handleDelta(delta([row(60_000, 4)], [6, 6]));
    s.handleDelta(delta([row(60_000, 4)], [6, 6])); // delivered twice
    assert.equal(total(s), 7);
    assert.deepEqual(s.getState().pending, []);
  });

  test('a reconnect brings a fresh snapshot that replaces everything: nothing counted twice', () => {
    const s = store();
    s.beginSubscription(['pageviews_1m']);
    s.handleSnapshot(snapshot([row(0, 3)], [5, 5]));
    s.handleDelta(delta([row(60_000, 2)], [6, 6]));
    // Disconnected while 5 more pageviews arrived; the new snapshot has them all, absolute.
    s.beginSubscription(['pageviews_1m']);
    assert.equal(total(s), 5, 'the old data stays on screen until the snapshot arrives');
    s.handleSnapshot(snapshot([row(0, 3), row(60_000, 7)], [9, 9]));
    assert.equal(total(s), 10);
  });

  test('deltas held while a snapshot is awaited apply only when they are newer than it', () => {
    const s = store();
    s.beginSubscription(['pageviews_1m']);
    s.handleDelta(delta([row(0, 1)], [4, 4])); // older than the snapshot: dropped
    s.handleDelta(delta([row(60_000, 9)], [7, 5])); // newer on shard 0: applied after it
    s.handleSnapshot(snapshot([row(0, 3), row(60_000, 2)], [5, 5]));
    assert.equal(total(s), 12);
  });

  test('messages for another site, or malformed ones, are dropped and counted', () => {
    const s = store();
    s.beginSubscription(['pageviews_1m']);
    s.handleSnapshot(snapshot([row(0, 3)], [5, 5], 'other'));
    s.handleSnapshot({ site: 'demo', windowId: 'pageviews_1m', rows: 'nope' });
    s.handleDelta(delta([{ ...row(0, 1), values: { pageviews: 'x' } } as unknown as WindowRow], [6, 6]));
    assert.equal(s.getState().invalidMessages, 3);
    assert.equal(s.getState().windows['pageviews_1m'], undefined);
  });

  test('windows the server refuses leave the pending list and are remembered', () => {
    const s = store();
    s.beginSubscription(['pageviews_1m', 'nope']);
    s.confirmSubscription(['pageviews_1m', 'nope'], ['pageviews_1m']);
    assert.deepEqual(s.getState().pending, ['pageviews_1m']);
    assert.deepEqual(s.getState().refused, ['nope']);
  });
});

describe('freshness', () => {
  test('lag is the send time minus the lowest shard position, once every shard has one', () => {
    assert.equal(lagOf(10_000, [9_700, 9_900]), 300);
    assert.equal(lagOf(10_000, [0, 9_900]), null);
    assert.equal(lagOf(10_000, []), null);
  });

  test('the store records the receive time, lag and clock offset of the last message', () => {
    const s = store();
    s.beginSubscription(['pageviews_1m']);
    s.handleSnapshot(snapshot([row(0, 3)], [9_600, 9_800]));
    const state = s.getState();
    assert.equal(state.lastMessageAtMs, 10_100);
    assert.equal(state.lagMs, 400);
    assert.equal(state.clockOffsetMs, -100);
  });

  test('covers compares positions shard by shard', () => {
    assert.equal(covers([5, 5], [5, 4]), true);
    assert.equal(covers([5, 5], [6, 4]), false);
    assert.equal(covers([5], [5, 5]), false);
  });
});

test('feed events are kept newest first, once each, capped', () => {
  const s = store();
  const event = (id: string, receivedAtMs: number) => ({
    id,
    receivedAtMs,
    type: 'pageview',
    path: '/',
    source: 'Direct / None',
    device: 'desktop',
    browser: 'Chrome',
    os: 'Linux',
    visitor: 'abc123',
  });
  s.handleFeed({ site: 'demo', events: [event('a', 1), event('b', 2)] });
  s.handleFeed({ site: 'demo', events: [event('b', 2), event('c', 3)] });
  assert.deepEqual(
    s.getState().feed.map((e) => e.id),
    ['c', 'b', 'a'],
  );
  s.handleFeed({ site: 'demo', events: Array.from({ length: 150 }, (_, i) => event(`n${i}`, 10 + i)) });
  assert.equal(s.getState().feed.length, 100);
  assert.equal(s.getState().feed[0]?.id, 'n149');
});

test('stored events seed the feed: receive time from the stream id, shortened visitor, other sites left out', async () => {
  const { feedFromRecent } = await import('../../app/dashboard/model/feed');
  const stored = (streamId: string, site: string, id: string) => ({
    streamId,
    index: 0,
    shard: 1,
    event: {
      id,
      site,
      type: 'pageview',
      ts: 1,
      url: 'https://shop.example/a?secret=1',
      host: 'shop.example',
      path: '/a',
      source: 'Direct / None',
      sourceType: 'direct',
      device: 'desktop',
      browser: 'Chrome',
      os: 'Linux',
      visitor: 'abcdef0123456789',
    },
  });
  const feed = feedFromRecent(
    { shards: [], events: [stored('1700000000123-0', 'demo', 'e1'), stored('5-0', 'other', 'e2')] },
    'demo',
  );
  assert.deepEqual(feed, [
    {
      id: 'e1',
      type: 'pageview',
      path: '/a',
      source: 'Direct / None',
      device: 'desktop',
      browser: 'Chrome',
      os: 'Linux',
      visitor: 'abcdef',
      receivedAtMs: 1_700_000_000_123,
    },
  ]);
  assert.deepEqual(feedFromRecent({ nope: true }, 'demo'), []);
});
