import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CompileOptions, compileSql, toSql } from '../../lib/sql/index';
import { defineWindow, type WindowDefinitionInput } from '../../lib/windows/definition';

/**
 * Valid queries, table-driven: each compiles to the definition `defineWindow` makes of `expect`
 * (id, version and name "t" unless the case says otherwise), and its canonical SQL compiles back to it.
 */

type Expected = Omit<WindowDefinitionInput, 'id' | 'version' | 'name'> & { name?: string; version?: number };
interface Case {
  name: string;
  sql: string;
  expect: Expected;
  options?: Partial<CompileOptions>;
}

const MIN = 60_000;
const PAGEVIEW = { field: 'type', op: '=', value: 'pageview' } as const;
const COUNT: WindowDefinitionInput['aggregates'] = [{ name: 'count', fn: 'count' }];

const windows: Case[] = [
  {
    name: 'BRIEF tumbling: STEP over ROWTIME, WHERE, alias',
    sql: `SELECT STREAM path, COUNT(*) AS views FROM clicks WHERE type = 'pageview'
          GROUP BY path, STEP(clicks.ROWTIME BY INTERVAL '1' MINUTE);`,
    expect: {
      type: 'tumbling',
      sizeMs: MIN,
      groupBy: ['path'],
      where: PAGEVIEW,
      aggregates: [{ name: 'views', fn: 'count' }],
    },
  },
  {
    name: 'BRIEF stagger: default aggregate name',
    sql: `SELECT STREAM source, COUNT(*) FROM clicks
          WINDOWED BY STAGGER (PARTITION BY source RANGE INTERVAL '1' MINUTE);`,
    expect: { type: 'stagger', rangeMs: MIN, groupBy: ['source'], aggregates: COUNT },
  },
  {
    name: 'BRIEF sliding: OVER W, default step 1 s',
    sql: `SELECT STREAM path, COUNT(*) OVER W FROM clicks
          WINDOW W AS (PARTITION BY path RANGE INTERVAL '5' MINUTE PRECEDING);`,
    expect: { type: 'sliding', sizeMs: 5 * MIN, everyMs: 1_000, groupBy: ['path'], aggregates: COUNT },
  },
  {
    name: 'Kinesis stagger example: FLOOR(event_time TO MINUTE) AS minute partition',
    sql: `SELECT STREAM FLOOR(event_time TO MINUTE) AS minute, COUNT(*) AS events FROM clicks
          WINDOWED BY STAGGER (PARTITION BY FLOOR(event_time TO MINUTE) RANGE INTERVAL '1' MINUTE);`,
    expect: {
      type: 'stagger',
      rangeMs: MIN,
      groupBy: [{ field: 'ts', floorMs: MIN, as: 'minute' }],
      aggregates: [{ name: 'events', fn: 'count' }],
    },
  },
  {
    name: 'a bucket not shown in the select list gets a default name',
    sql: `SELECT STREAM source, COUNT(*) FROM clicks
          WINDOWED BY STAGGER (PARTITION BY FLOOR(event_time TO MINUTE), source RANGE INTERVAL '1' MINUTE)`,
    expect: {
      type: 'stagger',
      rangeMs: MIN,
      groupBy: [{ field: 'ts', floorMs: MIN, as: 'event_minute' }, 'source'],
      aggregates: COUNT,
    },
  },
  {
    name: 'the seed PUMP wrapper over SOURCE_SQL_STREAM_001; the pump names the definition',
    sql: `CREATE OR REPLACE PUMP "CALLS_PER_SOURCE_PUMP" AS
          INSERT INTO "CALLS_PER_SOURCE_STREAM"
          SELECT STREAM "SOURCE", COUNT(*) FROM "SOURCE_SQL_STREAM_001"
          WINDOWED BY STAGGER(PARTITION BY "SOURCE" RANGE INTERVAL '1' MINUTE);`,
    expect: {
      name: 'CALLS_PER_SOURCE_PUMP',
      type: 'stagger',
      rangeMs: MIN,
      groupBy: ['source'],
      aggregates: COUNT,
    },
  },
  {
    name: 'CREATE STREAM before the PUMP is skipped; options.name wins over the pump',
    sql: `CREATE OR REPLACE STREAM "DEST" (path VARCHAR(512), views INTEGER);
          CREATE PUMP p AS INSERT INTO "DEST" (path, views)
          SELECT STREAM path, COUNT(*) AS views FROM clicks GROUP BY path, FLOOR(ROWTIME TO HOUR)`,
    options: { name: 'Views per hour', version: 4, site: 'site-1' },
    expect: {
      name: 'Views per hour',
      version: 4,
      site: 'site-1',
      type: 'tumbling',
      sizeMs: 60 * MIN,
      groupBy: ['path'],
      aggregates: [{ name: 'views', fn: 'count' }],
    },
  },
  {
    name: 'FLOOR(ROWTIME TO MINUTE) alone is the tumbling window (ingest time)',
    sql: 'SELECT STREAM COUNT(*) FROM clicks GROUP BY FLOOR(clicks.ROWTIME TO MINUTE)',
    expect: { type: 'tumbling', sizeMs: MIN, time: 'ingest', aggregates: COUNT },
  },
  {
    name: 'FLOOR(event_time TO HOUR): an event-time window, 10 s default grace',
    sql: 'SELECT STREAM COUNT(*) FROM clicks GROUP BY FLOOR(event_time TO HOUR)',
    expect: { type: 'tumbling', sizeMs: 60 * MIN, time: 'event', aggregates: COUNT },
  },
  {
    name: 'STEP over event_time, plural unit',
    sql: "SELECT STREAM COUNT(*) FROM clicks GROUP BY STEP(clicks.event_time BY INTERVAL '5' MINUTES)",
    expect: { type: 'tumbling', sizeMs: 5 * MIN, time: 'event', aggregates: COUNT },
  },
  {
    name: 'ROWTIME vs event time: the STEP is the window, the FLOOR a bucket (AWS two-window pattern)',
    sql: `SELECT STREAM path, FLOOR(event_time TO MINUTE) AS event_minute, COUNT(*) AS n FROM clicks
          GROUP BY path, FLOOR(event_time TO MINUTE), STEP(clicks.ROWTIME BY INTERVAL '60' SECOND)`,
    expect: {
      type: 'tumbling',
      sizeMs: MIN,
      time: 'ingest',
      groupBy: ['path', { field: 'ts', floorMs: MIN, as: 'event_minute' }],
      aggregates: [{ name: 'n', fn: 'count' }],
    },
  },
  {
    name: 'selecting the window FLOOR shows it as a bucket; ROWTIME in the select list is the result time',
    sql: `SELECT STREAM ROWTIME, FLOOR(ROWTIME TO MINUTE) AS minute, COUNT(*) FROM clicks
          GROUP BY FLOOR(ROWTIME TO MINUTE)`,
    expect: {
      type: 'tumbling',
      sizeMs: MIN,
      groupBy: [{ field: 'ingest_time', floorMs: MIN, as: 'minute' }],
      aggregates: COUNT,
    },
  },
  {
    name: 'a STEP bucket of 5 minutes beside the window STEP (the last STEP is the window)',
    sql: `SELECT STREAM COUNT(*) FROM clicks
          GROUP BY STEP(event_time BY INTERVAL '5' MINUTE), STEP(ROWTIME BY INTERVAL '1' MINUTE)`,
    expect: {
      type: 'tumbling',
      sizeMs: MIN,
      groupBy: [{ field: 'ts', floorMs: 5 * MIN, as: 'event_5_minutes' }],
      aggregates: COUNT,
    },
  },
  {
    name: 'sliding: EVERY extension and OFFSET',
    sql: `SELECT STREAM COUNT(*) OVER w AS n FROM clicks
          WINDOW w AS (RANGE INTERVAL '1' HOUR PRECEDING EVERY INTERVAL '5' SECOND) OFFSET INTERVAL '2' SECOND`,
    expect: {
      type: 'sliding',
      sizeMs: 60 * MIN,
      everyMs: 5_000,
      offsetMs: 2_000,
      aggregates: [{ name: 'n', fn: 'count' }],
    },
  },
  {
    name: 'sliding: 30 minutes default to 5 s steps (360 steps)',
    sql: "SELECT STREAM COUNT(*) OVER w FROM clicks WINDOW w AS (RANGE INTERVAL '30' MINUTE PRECEDING)",
    expect: { type: 'sliding', sizeMs: 30 * MIN, everyMs: 5_000, aggregates: COUNT },
  },
  {
    name: 'sliding: 10 minutes still step every second; 11 minutes every 2 s',
    sql: "SELECT STREAM COUNT(*) OVER w FROM clicks WINDOW w AS (RANGE INTERVAL '11' MINUTE PRECEDING)",
    expect: { type: 'sliding', sizeMs: 11 * MIN, everyMs: 2_000, aggregates: COUNT },
  },
  {
    name: 'sliding: inline OVER (…) on every aggregate, ORDER BY event_time',
    sql: `SELECT STREAM device,
            COUNT(*) OVER (PARTITION BY device ORDER BY event_time RANGE INTERVAL '1' MINUTE PRECEDING) AS n,
            COUNT(DISTINCT visitor) OVER (PARTITION BY device ORDER BY event_time RANGE INTERVAL '1' MINUTE PRECEDING) AS v
          FROM clicks`,
    expect: {
      type: 'sliding',
      sizeMs: MIN,
      everyMs: 1_000,
      time: 'event',
      groupBy: ['device'],
      aggregates: [
        { name: 'n', fn: 'count' },
        { name: 'v', fn: 'count_distinct', field: 'visitor' },
      ],
    },
  },
  {
    name: 'session: default partition visitor, which the select list may show',
    sql: `SELECT STREAM visitor, COUNT(*) AS events FROM clicks
          WINDOWED BY SESSION (GAP INTERVAL '30' MINUTE)`,
    expect: {
      type: 'session',
      gapMs: 30 * MIN,
      groupBy: ['visitor'],
      aggregates: [{ name: 'events', fn: 'count' }],
    },
  },
  {
    name: 'session: PARTITION BY, ORDER BY event_time, GRACE PERIOD, EMIT FINAL',
    sql: `SELECT STREAM visitor, path, COUNT(*) FROM clicks
          WINDOWED BY SESSION (PARTITION BY visitor, path ORDER BY event_time GAP INTERVAL '10' MINUTE)
          GRACE PERIOD INTERVAL '1' MINUTE EMIT FINAL`,
    expect: {
      type: 'session',
      gapMs: 10 * MIN,
      time: 'event',
      graceMs: MIN,
      groupBy: ['visitor', 'path'],
      aggregates: COUNT,
    },
  },
  {
    name: 'stagger: ORDER BY event_time, GRACE and RETENTION in any order, EMIT CHANGES',
    sql: `SELECT STREAM COUNT(*) FROM clicks WINDOWED BY STAGGER (ORDER BY event_time RANGE INTERVAL '2' MINUTE)
          RETENTION INTERVAL '6' HOUR EMIT CHANGES GRACE INTERVAL '0' SECOND`,
    expect: {
      type: 'stagger',
      rangeMs: 2 * MIN,
      time: 'event',
      graceMs: 0,
      resultsRetentionMs: 360 * MIN,
      aggregates: COUNT,
    },
  },
  {
    name: 'tumbling: OFFSET shifts days to UTC−8',
    sql: "SELECT STREAM COUNT(*) FROM clicks GROUP BY STEP(ROWTIME BY INTERVAL '1' DAY) OFFSET INTERVAL '16' HOUR",
    expect: { type: 'tumbling', sizeMs: 1_440 * MIN, offsetMs: 960 * MIN, aggregates: COUNT },
  },
  {
    name: 'sliding: two aggregates over one named window; a bucket in PARTITION BY; RETENTION',
    sql: `SELECT STREAM FLOOR(ROWTIME TO HOUR) AS hour, COUNT(*) OVER w AS n, TOP_K_ITEMS(path, 5) OVER w AS top
          FROM clicks WINDOW w AS (PARTITION BY FLOOR(ROWTIME TO HOUR) RANGE INTERVAL '10' MINUTE PRECEDING)
          RETENTION INTERVAL '1' HOUR`,
    expect: {
      type: 'sliding',
      sizeMs: 10 * MIN,
      everyMs: 1_000,
      resultsRetentionMs: 60 * MIN,
      groupBy: [{ field: 'ingest_time', floorMs: 60 * MIN, as: 'hour' }],
      aggregates: [
        { name: 'n', fn: 'count' },
        { name: 'top', fn: 'top_k', field: 'path', k: 5 },
      ],
    },
  },
];

const aggregates: Case[] = [
  {
    name: 'every aggregate, with aliases',
    sql: `SELECT STREAM COUNT(*) AS n, COUNT(referrer) AS r, COUNT(DISTINCT visitor) AS v, SUM(engagedMs) AS s,
            AVG(screenWidth) AS a, MIN(ROWTIME) AS first, MAX(event_time) AS last, TOP_K_ITEMS(path, 10) AS pages,
            PERCENTILE(engagedMs, 0.9) AS q, P50(props.load) AS m, P99(props.load) AS tail, ACTIVE_VISITORS() AS online
          FROM clicks GROUP BY FLOOR(ROWTIME TO MINUTE)`,
    expect: {
      type: 'tumbling',
      sizeMs: MIN,
      aggregates: [
        { name: 'n', fn: 'count' },
        { name: 'r', fn: 'count', field: 'referrer' },
        { name: 'v', fn: 'count_distinct', field: 'visitor' },
        { name: 's', fn: 'sum', field: 'engagedMs' },
        { name: 'a', fn: 'avg', field: 'screenWidth' },
        { name: 'first', fn: 'min', field: 'ingest_time' },
        { name: 'last', fn: 'max', field: 'ts' },
        { name: 'pages', fn: 'top_k', field: 'path', k: 10 },
        { name: 'q', fn: 'p90', field: 'engagedMs' },
        { name: 'm', fn: 'p50', field: 'props.load' },
        { name: 'tail', fn: 'p99', field: 'props.load' },
        { name: 'online', fn: 'active_visitors' },
      ],
    },
  },
  {
    name: 'default names are derived from function and column',
    sql: `SELECT STREAM COUNT(*), COUNT(referrer), COUNT(DISTINCT visitor), SUM(engagedMs), MIN(ROWTIME),
            MAX(event_time), TOP_K(path, 3), PERCENTILE(props.load, 0.99), COUNT(DISTINCT "props.plan"),
            ACTIVE_VISITORS()
          FROM clicks GROUP BY FLOOR(ROWTIME TO MINUTE)`,
    expect: {
      type: 'tumbling',
      sizeMs: MIN,
      aggregates: [
        { name: 'count', fn: 'count' },
        { name: 'count_referrer', fn: 'count', field: 'referrer' },
        { name: 'count_distinct_visitor', fn: 'count_distinct', field: 'visitor' },
        { name: 'sum_engaged_ms', fn: 'sum', field: 'engagedMs' },
        { name: 'min_ingest_time', fn: 'min', field: 'ingest_time' },
        { name: 'max_event_time', fn: 'max', field: 'ts' },
        { name: 'top_k_path', fn: 'top_k', field: 'path', k: 3 },
        { name: 'p99_props_load', fn: 'p99', field: 'props.load' },
        { name: 'count_distinct_props_plan', fn: 'count_distinct', field: 'props.plan' },
        { name: 'active_visitors', fn: 'active_visitors' },
      ],
    },
  },
  {
    name: 'FILTER (WHERE …) per aggregate; implicit alias; upper-case alias folds to lower case',
    sql: `SELECT STREAM visitor, COUNT(*) events, COUNT(*) FILTER (WHERE type = 'pageview') AS PAGEVIEWS
          FROM clicks WINDOWED BY SESSION (PARTITION BY visitor GAP INTERVAL '30' MINUTE)`,
    expect: {
      type: 'session',
      gapMs: 30 * MIN,
      groupBy: ['visitor'],
      aggregates: [
        { name: 'events', fn: 'count' },
        { name: 'pageviews', fn: 'count', where: PAGEVIEW },
      ],
    },
  },
];

const cases = [...windows, ...aggregates];

function expected(c: Case) {
  return defineWindow({ id: 't', version: 1, name: 't', ...c.expect });
}

describe('compileSql: valid queries', () => {
  for (const c of cases) {
    test(c.name, () => {
      const result = compileSql(c.sql, { id: 't', ...c.options });
      if (!result.ok) assert.fail(JSON.stringify(result.error));
      assert.deepEqual(result.definition, expected(c));
      const again = compileSql(toSql(result.definition), {
        id: 't',
        name: result.definition.name,
        version: result.definition.version,
        site: result.definition.site,
      });
      assert.deepEqual(again, { ok: true, definition: result.definition }, toSql(result.definition));
    });
  }
});
