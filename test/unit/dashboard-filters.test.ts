import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseDashboardQuery,
  parseFilter,
  periodRange,
  queryUrl,
  serializeDashboardQuery,
  withFilter,
  withoutFilter,
} from '../../app/dashboard/model/filters';

describe('filters in the URL', () => {
  test('filter=<field>:<value>, split at the first colon', () => {
    assert.deepEqual(parseFilter('path:/a:b'), { field: 'path', value: '/a:b' });
    assert.deepEqual(parseFilter('utm_campaign:spring sale'), {
      field: 'utm_campaign',
      value: 'spring sale',
    });
    for (const bad of ['path', ':x', 'path:', 'visitor:abc', 'constructor:x', '__proto__:x']) {
      assert.equal(parseFilter(bad), undefined, bad);
    }
  });

  test('unknown fields and repeats of a field are dropped; the period defaults to realtime', () => {
    const query = parseDashboardQuery(
      new URLSearchParams('filter=path:/a&filter=path:/b&filter=nope:1&filter=country:GB&period=yesterday'),
    );
    assert.deepEqual(query, {
      period: 'realtime',
      filters: [
        { field: 'path', value: '/a' },
        { field: 'country', value: 'GB' },
      ],
    });
  });

  test('round trip, other parameters kept, realtime left out', () => {
    const query = { period: '1h' as const, filters: [{ field: 'source' as const, value: 'Google & Co' }] };
    const qs = serializeDashboardQuery(query, new URLSearchParams('theme=x&filter=path:/old'));
    assert.equal(qs, 'theme=x&period=1h&filter=source%3AGoogle+%26+Co');
    assert.deepEqual(parseDashboardQuery(new URLSearchParams(qs)), query);
    assert.equal(serializeDashboardQuery({ period: 'realtime', filters: [] }), '');
  });

  test('adding a filter on a field replaces the old one; removing drops it', () => {
    const a = withFilter([{ field: 'path', value: '/a' }], { field: 'path', value: '/b' });
    assert.deepEqual(a, [{ field: 'path', value: '/b' }]);
    assert.deepEqual(withoutFilter([...a, { field: 'os', value: 'Linux' }], 'path'), [
      { field: 'os', value: 'Linux' },
    ]);
  });
});

test('the ad-hoc query URL', () => {
  assert.equal(
    queryUrl('demo', ['top_pages', 'sessions'], [{ field: 'path', value: '/a b' }], 1000.4, 2000.2),
    '/api/query/demo?windows=top_pages%2Csessions&filter=path%3A%2Fa+b&from=1000&to=2001',
  );
});

test('period ranges', () => {
  const now = new Date(2025, 10, 26, 15, 30).getTime();
  assert.deepEqual(periodRange('30m', now), { fromMs: now - 1_800_000, toMs: now });
  assert.deepEqual(periodRange('1h', now), { fromMs: now - 3_600_000, toMs: now });
  assert.deepEqual(periodRange('today', now), { fromMs: new Date(2025, 10, 26).getTime(), toMs: now });
});
