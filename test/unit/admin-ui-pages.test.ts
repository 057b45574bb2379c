import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describeAlarm,
  droppedCounters,
  lagLevel,
  pipelineStages,
  rejections,
} from '../../app/admin/model/health';
import { loginUrl, safeNext } from '../../app/admin/model/next-url';
import { predicateToSqlText } from '../../app/admin/model/predicate-text';
import type { Health } from '../../app/admin/model/schemas';
import {
  describeShape,
  formatKey,
  formatValue,
  stateLabel,
  windowState,
} from '../../app/admin/model/window-list';

describe('login redirect target', () => {
  test('only paths on this server; never /login; /admin by default', () => {
    const table: Array<[string | null, string]> = [
      [null, '/admin'],
      ['/admin/windows', '/admin/windows'],
      ['/admin/windows?x=1#y', '/admin/windows?x=1#y'],
      ['/dashboard/demo', '/dashboard/demo'],
      ['https://evil.example/', '/admin'],
      ['//evil.example/x', '/admin'],
      ['/\\evil.example', '/admin'],
      ['/\u0009/evil.example', '/admin'],
      ['javascript:alert(1)', '/admin'],
      ['/login?next=/admin', '/admin'],
      ['admin', '/admin'],
    ];
    for (const [raw, expected] of table) assert.equal(safeNext(raw), expected, String(raw));
  });

  test('the login URL carries the way back', () => {
    assert.equal(loginUrl('/admin/windows'), '/login?next=%2Fadmin%2Fwindows');
    assert.equal(loginUrl('/admin'), '/login');
  });
});

const health: Health = {
  shards: [
    {
      shard: 0,
      length: 10,
      firstId: '1-0',
      lastId: '2-0',
      consumers: [
        { consumer: 'aggregator', checkpointId: '2-0', lagMs: 0, owner: 'w1', epoch: 3, lastCommitAtMs: 5 },
      ],
    },
    { shard: 1, length: 5, firstId: null, lastId: null, consumers: [] },
  ],
  alarms: [],
  counters: {
    accepted: 20,
    aggregated: 14,
    bot: 2,
    duplicate: 1,
    'rejected:url': 3,
    'rejected:type': 7,
    'rejected:x': 0,
  },
};

describe('pipeline health figures', () => {
  test('stages in order: accepted → in stream → aggregated → archived', () => {
    assert.deepEqual(
      pipelineStages(health).map((s) => [s.id, s.value]),
      [
        ['accepted', 20],
        ['in-stream', 15],
        ['aggregated', 14],
        ['archived', null],
      ],
    );
    assert.deepEqual(
      droppedCounters(health).map((c) => [c.id, c.value]),
      [
        ['bot', 2],
        ['duplicate', 1],
        ['dnt', 0],
        ['shed', 0],
      ],
    );
  });

  test('archived: the archiver’s delivered records over the shards, once it reports', () => {
    const archive = (records: number, files: number) => ({
      files,
      records,
      failedRecords: 1,
      lastDeliveryAtMs: 1,
      lastError: null,
    });
    const archiving: Health = {
      ...health,
      shards: health.shards.map((shard, i) => ({
        ...shard,
        consumers: [
          ...shard.consumers,
          {
            consumer: 'archiver',
            checkpointId: null,
            lagMs: null,
            owner: null,
            epoch: null,
            lastCommitAtMs: null,
            archive: archive(10 * (i + 1), i + 1),
          },
        ],
      })),
    };
    const stage = pipelineStages(archiving).find((s) => s.id === 'archived');
    assert.equal(stage?.value, 30);
    assert.equal(stage?.note, 'records in 3 files; 2 failed (under errors/)');
  });

  test('rejections by reason, largest first, zeros left out', () => {
    assert.deepEqual(rejections(health), [
      { reason: 'type', count: 7 },
      { reason: 'url', count: 3 },
    ]);
  });

  test('lag levels and alarm details', () => {
    assert.deepEqual([null, 0, 10_001, 60_001].map(lagLevel), ['unknown', 'ok', 'warn', 'bad']);
    assert.equal(describeAlarm({ behindMs: 120_000, atMs: 5 }), 'behindMs: 120000, atMs: 5');
    assert.equal(describeAlarm('<b>text</b>'), '<b>text</b>');
  });
});

describe('windows list wording', () => {
  test('state: paused wins, then back-filling with its progress', () => {
    assert.equal(stateLabel(windowState({ status: 'running', backfillProgress: null })), 'running');
    assert.equal(stateLabel(windowState({ status: 'paused', backfillProgress: 0.5 })), 'paused');
    assert.equal(stateLabel(windowState({ status: 'running', backfillProgress: 0.426 })), 'back-filling 42%');
  });

  test('shapes, keys and values as text', () => {
    assert.equal(
      describeShape({ type: 'sliding', sizeMs: 300_000, everyMs: 1_000 }),
      'sliding 5 min every 1 s',
    );
    assert.equal(
      describeShape({ type: 'session', gapMs: 1_800_000, time: 'event' }),
      'session gap 30 min, event time',
    );
    assert.equal(formatKey(null), '—');
    assert.equal(formatKey({ path: '/a', n: 1 }), 'path = /a · n = 1');
    assert.equal(formatValue(2 / 3), '0.667');
    assert.equal(formatValue(null), '—');
    assert.equal(formatValue({ top: [{ value: '/a', count: 3 }], other: 4 }), '/a (3) + 4 other');
  });

  test('a filter the rows cannot show, as SQL-like text', () => {
    assert.equal(
      predicateToSqlText({
        and: [
          { field: 'type', op: '=', value: "it's" },
          {
            or: [
              { field: 'path', op: 'prefix', value: '/b' },
              { field: 'n', op: 'in', value: [1, 2] },
            ],
          },
          { field: 'referrer', op: 'exists', value: false },
        ],
      }),
      "type = 'it''s' AND (path LIKE '/b%' OR n IN (1, 2)) AND referrer IS NULL",
    );
  });
});
