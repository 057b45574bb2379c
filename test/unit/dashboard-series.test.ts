import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { breakdownOf, keyLabel } from '../../app/dashboard/model/breakdown';
import {
  formatAgo,
  formatBucket,
  formatCount,
  formatDuration,
  formatPercent,
  formatSpan,
  formatWindowSize,
} from '../../app/dashboard/model/format';
import {
  autoPanelWindows,
  liveWindowIds,
  pickWindow,
  propsSummary,
  rangeWindowIds,
} from '../../app/dashboard/model/panels';
import { rowsFrom } from '../../app/dashboard/model/rows';
import type { FeedEvent, WindowDef, WindowRow } from '../../app/dashboard/model/schemas';
import { currentValue, eventsPerSecond, tumblingTotal } from '../../app/dashboard/model/select';
import { alignStart, downsample, tumblingSeries } from '../../app/dashboard/model/series';

const def = (id: string, extra: Partial<WindowDef> = {}): WindowDef => ({
  id,
  name: id,
  type: 'sliding',
  sizeMs: 60_000,
  everyMs: 1_000,
  groupBy: [],
  aggregates: [{ name: 'events', fn: 'count' }],
  ...extra,
});
const row = (
  start: number,
  end: number,
  values: WindowRow['values'],
  key: WindowRow['key'] = null,
): WindowRow => ({
  start,
  end,
  key,
  values,
  final: false,
});

describe('series', () => {
  test('tumbling windows are zero-filled over the range', () => {
    const rows = [row(60_000, 120_000, { n: 2 }), row(180_000, 240_000, { n: 5 })];
    assert.deepEqual(
      tumblingSeries(rows, 'n', 30_000, 240_000, 60_000).map((p) => [p.t, p.value]),
      [
        [0, 0],
        [60_000, 2],
        [120_000, 0],
        [180_000, 5],
      ],
    );
  });

  test('keys of one window add up', () => {
    const rows = [row(0, 60_000, { n: 2 }, { d: 'a' }), row(0, 60_000, { n: 3 }, { d: 'b' })];
    assert.deepEqual(tumblingSeries(rows, 'n', 0, 60_000, 60_000), [{ t: 0, value: 5 }]);
  });

  test('alignment follows the engine: t − mod(t − offset, size), also before the epoch', () => {
    assert.equal(alignStart(125, 60), 120);
    assert.equal(alignStart(-5, 60), -60);
    assert.equal(alignStart(125, 60, 10), 70);
  });

  test('downsampling sums whole groups of points', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ t: i, value: 1 }));
    const { points: out, factor } = downsample(points, 4);
    assert.equal(factor, 3);
    assert.deepEqual(
      out.map((p) => p.value),
      [3, 3, 3, 1],
    );
  });
});

describe('what the headline numbers read', () => {
  const clock = { fromMs: 0, toMs: 120_000 };

  test('events per second from events_1s: counts per second, the open second left out live', () => {
    const view = {
      def: def('events_1s', { type: 'tumbling', sizeMs: 1_000, everyMs: undefined }),
      rows: rowsFrom([
        row(117_000, 118_000, { events: 4 }),
        row(118_000, 119_000, { events: 2 }),
        row(119_000, 120_000, { events: 9 }),
      ]),
      watermark: 119_500,
    };
    const series = eventsPerSecond(view, clock, true);
    assert.deepEqual(series?.points.slice(-2), [
      { t: 117_000, value: 4 },
      { t: 118_000, value: 2 },
    ]);
    assert.equal(series?.average, 6 / 60);
  });

  test('events per second from events_rate: the last minute / 60', () => {
    const view = {
      def: def('events_rate'),
      rows: rowsFrom([row(59_000, 119_000, { events: 120 })]),
      watermark: 118_500,
    };
    assert.equal(eventsPerSecond(view, clock, true)?.average, 2);
  });

  test('a tumbling total covers the windows overlapping the period', () => {
    const view = {
      def: def('pageviews_1m', { type: 'tumbling', everyMs: undefined }),
      rows: rowsFrom([
        row(-60_000, 0, { events: 100 }),
        row(0, 60_000, { events: 3 }),
        row(60_000, 120_000, { events: 4 }),
      ]),
      watermark: null,
    };
    assert.equal(tumblingTotal(view, clock), 7);
  });

  test('the current value sums the keys of the newest window; a window gone stale reads 0', () => {
    const view = {
      def: def('devices', { groupBy: ['device'] }),
      rows: rowsFrom([
        row(0, 60_000, { events: 2 }, { device: 'a' }),
        row(0, 60_000, { events: 3 }, { device: 'b' }),
      ]),
      watermark: 59_500,
    };
    assert.equal(currentValue(view, clock), 5);
    assert.equal(currentValue({ ...view, watermark: 61_000 }, clock), 0, 'every shard is past the step');
    assert.equal(currentValue({ ...view, watermark: null }, { ...clock, staleBeforeMs: 70_000 }), 0);
    assert.equal(currentValue(undefined, clock), null);
  });
});

describe('breakdowns', () => {
  test('top_k entries, the "other" bucket last and not filterable', () => {
    const pages = def('top_pages', { aggregates: [{ name: 'pages', fn: 'top_k', field: 'path', k: 10 }] });
    const b = breakdownOf(pages, [
      row(0, 1, {
        pages: {
          top: [
            { value: '/b', count: 2 },
            { value: '/a', count: 5 },
          ],
          other: 9,
        },
      }),
    ]);
    assert.equal(b.field, 'path');
    assert.deepEqual(
      b.entries.map((e) => [e.label, e.count, e.filterValue]),
      [
        ['/a', 5, '/a'],
        ['/b', 2, '/b'],
        ['(other)', 9, undefined],
      ],
    );
  });

  test('grouped rows: one entry per key; a field that cannot be filtered on gives plain rows', () => {
    const devices = def('devices', { groupBy: ['device'] });
    const b = breakdownOf(devices, [
      row(0, 1, { events: 1 }, { device: 'mobile' }),
      row(0, 1, { events: 4 }, { device: '(other)' }),
    ]);
    assert.deepEqual(
      b.entries.map((e) => [e.label, e.filterValue, e.other]),
      [
        ['mobile', 'mobile', false],
        ['(other)', undefined, true],
      ],
    );
    const titles = def('t', { aggregates: [{ name: 'top', fn: 'top_k', field: 'title', k: 3 }] });
    const plain = breakdownOf(titles, [row(0, 1, { top: { top: [{ value: 'Home', count: 1 }], other: 0 } })]);
    assert.equal(plain.field, undefined);
    assert.equal(plain.entries[0]?.filterValue, undefined);
  });

  test('key labels', () => {
    assert.equal(keyLabel({ path: '/x', device: null }), '/x · (none)');
    assert.equal(keyLabel(null), 'all');
  });
});

describe('panels and windows', () => {
  const index = new Map(
    ['visitors_live', 'events_rate', 'top_pages', 'sessions', 'my_window'].map(
      (id) => [id, def(id)] as const,
    ),
  );

  test('a missing window falls back (online_now → visitors_live) or is absent', () => {
    assert.equal(pickWindow('online', index)?.id, 'visitors_live');
    assert.equal(pickWindow('eventsPerSecond', index)?.id, 'events_rate');
    assert.equal(pickWindow('countries', index), undefined);
  });

  test('every window without a dedicated panel gets one automatically, and is subscribed', () => {
    assert.deepEqual(
      autoPanelWindows(index.values()).map((d) => d.id),
      ['my_window'],
    );
    assert.deepEqual(liveWindowIds(index), [
      'events_rate',
      'my_window',
      'sessions',
      'top_pages',
      'visitors_live',
    ]);
  });

  test('per-second windows are queried only for ranges up to an hour', () => {
    const withPerSecond = new Map([...index, ['events_1s', def('events_1s', { type: 'tumbling' })] as const]);
    assert.ok(rangeWindowIds(withPerSecond, 3_600_000).includes('events_1s'));
    assert.ok(!rangeWindowIds(withPerSecond, 86_400_000).includes('events_1s'));
  });

  test('custom event properties from the feed, most frequent first', () => {
    const e = (type: string, props?: FeedEvent['props']): FeedEvent => ({
      id: Math.random().toString(36),
      receivedAtMs: 0,
      type,
      path: '/',
      source: 's',
      device: 'd',
      browser: 'b',
      os: 'o',
      visitor: 'v',
      ...(props ? { props } : {}),
    });
    const feed = [
      e('signup', { plan: 'pro' }),
      e('signup', { plan: 'pro', seats: 3 }),
      e('signup', { plan: 'free' }),
      e('click'),
    ];
    assert.deepEqual(propsSummary(feed, 'signup'), [
      { prop: 'plan', value: 'pro', count: 2 },
      { prop: 'plan', value: 'free', count: 1 },
      { prop: 'seats', value: '3', count: 1 },
    ]);
  });
});

test('formatting', () => {
  assert.equal(formatCount(1234), '1,234');
  assert.equal(formatCount(12_345), '12.3K');
  assert.equal(formatCount(null), '—');
  assert.equal(formatPercent(0.456), '46%');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(185_000), '3m 05s');
  assert.equal(formatDuration(3_720_000), '1h 02m');
  assert.equal(formatSpan(400), '0.4 s');
  assert.equal(formatSpan(45_000), '45 s');
  assert.equal(formatAgo(180_000), '3 min ago');
  assert.equal(formatWindowSize(1_800_000), '30 min');
  assert.equal(formatWindowSize(1_000), '1 s');
});

test('downsampling picks a nice bucket multiple', () => {
  const minutes = Array.from({ length: 600 }, (_, i) => ({ t: i * 60_000, value: 1 }));
  const { points, factor } = downsample(minutes, 144);
  assert.equal(factor, 5);
  assert.equal(points.length, 120);
  assert.equal(points[0]?.value, 5);
  assert.equal(formatBucket(60_000 * factor), '5 minutes');
  assert.equal(formatBucket(60_000), 'minute');
  assert.equal(formatBucket(3_600_000), 'hour');
});
