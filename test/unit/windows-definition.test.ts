import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_WINDOWS } from '../../lib/windows/builtins';
import { defineWindow, windowDefinitionSchema } from '../../lib/windows/definition';

const base = {
  id: 'pv_by_path',
  version: 1,
  name: 'Pageviews by path',
  type: 'tumbling',
  sizeMs: 60_000,
  aggregates: [{ name: 'views', fn: 'count' }],
} as const;

/** Nests a leaf `depth` and/or levels deep. */
function nested(depth: number): unknown {
  let node: unknown = { field: 'type', op: '=', value: 'pageview' };
  for (let i = 0; i < depth; i++) node = i % 2 === 0 ? { and: [node] } : { or: [node] };
  return node;
}

describe('window definitions: valid', () => {
  test('defaults: every site, ingest time, grace 2 s, offset 0, no groupBy', () => {
    const def = defineWindow(base);
    assert.equal(def.site, null);
    assert.equal(def.time, 'ingest');
    assert.equal(def.graceMs, 2_000);
    assert.equal(def.offsetMs, 0);
    assert.deepEqual(def.groupBy, []);
  });

  test('event time defaults to 10 s of grace; an explicit grace wins', () => {
    assert.equal(defineWindow({ ...base, time: 'event' }).graceMs, 10_000);
    assert.equal(defineWindow({ ...base, time: 'event', graceMs: 0 }).graceMs, 0);
  });

  test('sessions: grace defaults to the gap, groupBy to visitor; no offset', () => {
    const def = defineWindow({ ...base, type: 'session', sizeMs: undefined, gapMs: 1_800_000 });
    assert.equal(def.graceMs, 1_800_000);
    assert.deepEqual(def.groupBy, ['visitor']);
    assert.equal(def.offsetMs, undefined);
  });

  test('parsing is idempotent, also through JSON (what the admin store keeps)', () => {
    const inputs = [
      base,
      { ...base, type: 'sliding', sizeMs: 5, everyMs: 2, offsetMs: 1 },
      {
        ...base,
        type: 'stagger',
        sizeMs: undefined,
        rangeMs: 60_000,
        groupBy: [{ field: 'ts', floorMs: 60_000, as: 'minute' }],
      },
      {
        ...base,
        where: nested(4),
        aggregates: [{ name: 'p', fn: 'p99', field: 'props.ms', where: nested(2) }],
      },
      ...BUILTIN_WINDOWS,
    ];
    for (const input of inputs) {
      const once = defineWindow(input);
      assert.deepEqual(defineWindow(once), once);
      assert.deepEqual(defineWindow(JSON.parse(JSON.stringify(once))), once);
    }
  });

  test('every aggregate kind, props and target fields, ingest_time', () => {
    const def = defineWindow({
      ...base,
      groupBy: ['props.plan', 'target.tag', 'country'],
      where: {
        or: [
          { field: 'path', op: 'prefix', value: '/blog' },
          { field: 'props.n', op: 'in', value: [1, 2] },
        ],
      },
      aggregates: [
        { name: 'n', fn: 'count' },
        { name: 'with_ms', fn: 'count', field: 'engagedMs' },
        { name: 'visitors', fn: 'count_distinct', field: 'visitor' },
        { name: 'total', fn: 'sum', field: 'engagedMs' },
        { name: 'mean', fn: 'avg', field: 'props.price' },
        { name: 'first', fn: 'min', field: 'ingest_time' },
        { name: 'last', fn: 'max', field: 'ts' },
        { name: 'pages', fn: 'top_k', field: 'path', k: 10 },
        { name: 'p50', fn: 'p50', field: 'screenWidth' },
        { name: 'p90', fn: 'p90', field: 'engagedMs' },
        { name: 'p99', fn: 'p99', field: 'engagedMs' },
      ],
    });
    assert.equal(def.aggregates.length, 11);
  });

  test('built-ins: the ids the dashboard depends on, version 1, every site, ingest time', () => {
    assert.deepEqual(
      BUILTIN_WINDOWS.map((d) => d.id),
      [
        'visitors_live',
        'events_rate',
        'pageviews_1m',
        'top_pages',
        'top_sources',
        'devices',
        'sessions',
        'online_now',
        'events_1s',
        'browsers',
        'operating_systems',
        'countries',
        'campaigns',
        'custom_events',
        'referrers',
      ],
    );
    for (const def of BUILTIN_WINDOWS) {
      assert.equal(def.version, 1);
      assert.equal(def.site, null);
      assert.equal(def.time, 'ingest');
    }
  });

  test('built-ins: 1 s steps keep their results 1 h, 5 s steps 6 h or 1 h, the rest the default', () => {
    const retention = Object.fromEntries(BUILTIN_WINDOWS.map((d) => [d.id, d.resultsRetentionMs]));
    const hour = 3_600_000;
    assert.deepEqual(retention, {
      visitors_live: hour,
      events_rate: hour,
      pageviews_1m: undefined,
      top_pages: 6 * hour,
      top_sources: 6 * hour,
      devices: 6 * hour,
      sessions: undefined,
      online_now: hour,
      events_1s: hour,
      browsers: hour,
      operating_systems: hour,
      countries: hour,
      campaigns: hour,
      custom_events: hour,
      referrers: hour,
    });
    // Short steps keep thousands of results per site and shard, not the 172,800 of 48 h of 1 s steps.
    for (const def of BUILTIN_WINDOWS) {
      const step = def.type === 'sliding' ? def.everyMs : def.type === 'tumbling' ? def.sizeMs : undefined;
      if (step !== undefined && step <= 5_000) {
        assert.ok((def.resultsRetentionMs ?? 48 * hour) / step <= 4_320, def.id);
      }
    }
  });

  test('resultsRetentionMs: optional (absent = the deployment default), integer ms from 1 minute to 31 days', () => {
    assert.equal('resultsRetentionMs' in defineWindow(base), false);
    for (const ms of [60_000, 3_600_000, 31 * 86_400_000]) {
      const def = defineWindow({ ...base, resultsRetentionMs: ms });
      assert.equal(def.resultsRetentionMs, ms);
      assert.deepEqual(defineWindow(JSON.parse(JSON.stringify(def))), def);
    }
  });

  test('active_visitors takes no field; exists and not_in parse to themselves', () => {
    const def = defineWindow({
      ...base,
      where: {
        and: [
          { field: 'utm_campaign', op: 'exists' },
          { field: 'referrerDomain', op: 'exists', value: false },
          { field: 'type', op: 'not_in', value: ['pageview', 'leave'] },
        ],
      },
      aggregates: [{ name: 'online', fn: 'active_visitors', where: { field: 'path', op: 'exists' } }],
    });
    assert.deepEqual(def.aggregates, [
      { name: 'online', fn: 'active_visitors', where: { field: 'path', op: 'exists' } },
    ]);
    assert.deepEqual(def.where, {
      and: [
        { field: 'utm_campaign', op: 'exists' },
        { field: 'referrerDomain', op: 'exists', value: false },
        { field: 'type', op: 'not_in', value: ['pageview', 'leave'] },
      ],
    });
    assert.deepEqual(defineWindow(JSON.parse(JSON.stringify(def))), def);
  });
});

const invalid: Array<[string, unknown, Array<string | number>]> = [
  ['id with capitals and a space', { ...base, id: 'Bad ID' }, ['id']],
  ['version 0', { ...base, version: 0 }, ['version']],
  ['empty name', { ...base, name: '' }, ['name']],
  ['unknown type', { ...base, type: 'hopping' }, ['type']],
  ['site that is not a site id', { ...base, site: 'Shop Example' }, ['site']],
  ['tumbling without sizeMs', { ...base, sizeMs: undefined }, ['sizeMs']],
  ['tumbling with gapMs', { ...base, gapMs: 1000 }, ['gapMs']],
  ['sliding every > size', { ...base, type: 'sliding', sizeMs: 10, everyMs: 20 }, ['everyMs']],
  [
    'sliding with more than 3600 panes',
    { ...base, type: 'sliding', sizeMs: 3_601_000, everyMs: 1000 },
    ['everyMs'],
  ],
  ['sliding without everyMs', { ...base, type: 'sliding' }, ['everyMs']],
  ['offset not below the size', { ...base, offsetMs: 60_000 }, ['offsetMs']],
  [
    'session with an offset',
    { ...base, type: 'session', sizeMs: undefined, gapMs: 10, offsetMs: 1 },
    ['offsetMs'],
  ],
  ['stagger without rangeMs', { ...base, type: 'stagger', sizeMs: undefined }, ['rangeMs']],
  ['negative grace', { ...base, graceMs: -1 }, ['graceMs']],
  ['unknown top-level key', { ...base, window: 'x' }, []],
  ['unknown group field', { ...base, groupBy: ['path', 'colour'] }, ['groupBy', 1]],
  [
    'time bucket of 0 ms',
    { ...base, groupBy: [{ field: 'ts', floorMs: 0, as: 'm' }] },
    ['groupBy', 0, 'floorMs'],
  ],
  ['group field that is a number', { ...base, groupBy: [3] }, ['groupBy', 0]],
  ['duplicate group field', { ...base, groupBy: ['path', 'path'] }, ['groupBy', 1]],
  [
    'nine group fields',
    { ...base, groupBy: ['path', 'host', 'url', 'os', 'device', 'country', 'browser', 'type', 'title'] },
    ['groupBy'],
  ],
  [
    'where on an unknown field',
    { ...base, where: { field: 'colour', op: '=', value: 'red' } },
    ['where', 'field'],
  ],
  [
    'where "in" with one value',
    { ...base, where: { field: 'path', op: 'in', value: '/a' } },
    ['where', 'value'],
  ],
  [
    'where "prefix" with a number',
    { ...base, where: { field: 'path', op: 'prefix', value: 1 } },
    ['where', 'value'],
  ],
  [
    'where "not_in" with one value',
    { ...base, where: { field: 'type', op: 'not_in', value: 'leave' } },
    ['where', 'value'],
  ],
  [
    'where "exists" with a string value',
    { ...base, where: { field: 'utm_campaign', op: 'exists', value: 'yes' } },
    ['where', 'value'],
  ],
  [
    'where "exists" on an unknown field',
    { ...base, where: { field: 'campaign', op: 'exists' } },
    ['where', 'field'],
  ],
  [
    'where with an unknown op',
    { ...base, where: { and: [{ field: 'path', op: '~', value: '/a' }] } },
    ['where', 'and', 0, 'op'],
  ],
  [
    'where mixing a leaf and "and"',
    { ...base, where: { field: 'path', op: '=', value: '/a', and: [nested(0)] } },
    ['where'],
  ],
  ['where nested 5 deep', { ...base, where: nested(5) }, ['where']],
  ['no aggregates', { ...base, aggregates: [] }, ['aggregates']],
  [
    '21 aggregates',
    { ...base, aggregates: Array.from({ length: 21 }, (_, i) => ({ name: `a${i}`, fn: 'count' })) },
    ['aggregates'],
  ],
  [
    'aggregate name with capitals',
    { ...base, aggregates: [{ name: 'Views', fn: 'count' }] },
    ['aggregates', 0, 'name'],
  ],
  [
    'duplicate aggregate names',
    {
      ...base,
      aggregates: [
        { name: 'v', fn: 'count' },
        { name: 'v', fn: 'count' },
      ],
    },
    ['aggregates', 1, 'name'],
  ],
  [
    'unknown aggregate fn',
    { ...base, aggregates: [{ name: 'm', fn: 'median', field: 'ts' }] },
    ['aggregates', 0, 'fn'],
  ],
  [
    'sum of a text field',
    { ...base, aggregates: [{ name: 's', fn: 'sum', field: 'path' }] },
    ['aggregates', 0, 'field'],
  ],
  [
    'count_distinct without a field',
    { ...base, aggregates: [{ name: 'd', fn: 'count_distinct' }] },
    ['aggregates', 0, 'field'],
  ],
  [
    'top_k with k 101',
    { ...base, aggregates: [{ name: 't', fn: 'top_k', field: 'path', k: 101 }] },
    ['aggregates', 0, 'k'],
  ],
  [
    'active_visitors with a field',
    { ...base, aggregates: [{ name: 'online', fn: 'active_visitors', field: 'visitor' }] },
    ['aggregates', 0, 'field'],
  ],
  ['resultsRetentionMs under a minute', { ...base, resultsRetentionMs: 59_999 }, ['resultsRetentionMs']],
  [
    'resultsRetentionMs over 31 days',
    { ...base, resultsRetentionMs: 31 * 86_400_000 + 1 },
    ['resultsRetentionMs'],
  ],
  ['resultsRetentionMs not an integer', { ...base, resultsRetentionMs: 90_000.5 }, ['resultsRetentionMs']],
  ['resultsRetentionMs in hours', { ...base, resultsRetentionMs: '1h' }, ['resultsRetentionMs']],
  [
    'aggregate where nested 5 deep',
    { ...base, aggregates: [{ name: 'c', fn: 'count', where: nested(5) }] },
    ['aggregates', 0, 'where'],
  ],
];

describe('window definitions: invalid, with the issue path naming the field', () => {
  for (const [name, input, path] of invalid) {
    test(`${name} → ${JSON.stringify(path)}`, () => {
      const result = windowDefinitionSchema.safeParse(input);
      assert.equal(result.success, false);
      assert.deepEqual(
        result.error?.issues.map((issue) => issue.path),
        [path],
        JSON.stringify(result.error?.issues),
      );
    });
  }

  test('an unknown field name lists the valid ones', () => {
    const result = windowDefinitionSchema.safeParse({ ...base, groupBy: ['colour'] });
    const message = result.error?.issues[0]?.message ?? '';
    assert.match(message, /unknown field "colour"/);
    assert.match(message, /path, .*utm_campaign.*props\.<name>/);
  });

  test('defineWindow throws (a ZodError) on invalid input', () => {
    assert.throws(() => defineWindow({ ...base, sizeMs: -5 }), /sizeMs/);
  });
});
