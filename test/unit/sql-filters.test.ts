import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CompileOptions, compileSql, toSql } from '../../lib/sql/index';
import { defineWindow, type WindowDefinitionInput } from '../../lib/windows/definition';

/**
 * Valid queries, part 2 (sql-compile.test.ts has the windows and aggregates): WHERE / FILTER conditions
 * and the lexical layer, table-driven as there; then toSql's canonical form.
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

const ONE_MINUTE = "GROUP BY STEP(ROWTIME BY INTERVAL '1' MINUTE)";
const filter = (where: string, expected: WindowDefinitionInput['where'], name: string): Case => ({
  name,
  sql: `SELECT STREAM COUNT(*) FROM clicks WHERE ${where} ${ONE_MINUTE}`,
  expect: { type: 'tumbling', sizeMs: MIN, where: expected, aggregates: COUNT },
});

const filters: Case[] = [
  filter(
    "type = 'pageview' AND path LIKE '/blog%'",
    { and: [PAGEVIEW, { field: 'path', op: 'prefix', value: '/blog' }] },
    'AND with a LIKE prefix',
  ),
  filter(
    "device = 'mobile' OR device = 'tablet' OR country IN ('DE', 'AT')",
    {
      or: [
        { field: 'device', op: '=', value: 'mobile' },
        { field: 'device', op: '=', value: 'tablet' },
        { field: 'country', op: 'in', value: ['DE', 'AT'] },
      ],
    },
    'OR chain and IN',
  ),
  filter(
    "type = 'click' AND (source = 'google' OR utm_campaign NOT IN ('x', 'y'))",
    {
      and: [
        { field: 'type', op: '=', value: 'click' },
        {
          or: [
            { field: 'source', op: '=', value: 'google' },
            { field: 'utm_campaign', op: 'not_in', value: ['x', 'y'] },
          ],
        },
      ],
    },
    'AND binds tighter than OR; parentheses; NOT IN',
  ),
  filter(
    "(type = 'a' AND path = '/') AND host = 'h'",
    {
      and: [
        {
          and: [
            { field: 'type', op: '=', value: 'a' },
            { field: 'path', op: '=', value: '/' },
          ],
        },
        { field: 'host', op: '=', value: 'h' },
      ],
    },
    'explicit parentheses keep their nesting',
  ),
  filter(
    "engagedMs >= 1000 AND engagedMs < 2.5e4 AND screenWidth > -1 AND screenWidth <= 4096 AND title <> 'x' AND os != 'y'",
    {
      and: [
        { field: 'engagedMs', op: '>=', value: 1000 },
        { field: 'engagedMs', op: '<', value: 25_000 },
        { field: 'screenWidth', op: '>', value: -1 },
        { field: 'screenWidth', op: '<=', value: 4096 },
        { field: 'title', op: '!=', value: 'x' },
        { field: 'os', op: '!=', value: 'y' },
      ],
    },
    'comparisons, <> and !=, negative and exponent numbers',
  ),
  filter(
    'target.outbound = TRUE AND props.beta = false AND props.plan IS NOT NULL AND utm_source IS NULL',
    {
      and: [
        { field: 'target.outbound', op: '=', value: true },
        { field: 'props.beta', op: '=', value: false },
        { field: 'props.plan', op: 'exists' },
        { field: 'utm_source', op: 'exists', value: false },
      ],
    },
    'booleans, IS NOT NULL → exists, IS NULL → exists false',
  ),
  filter(
    "NOT (type = 'leave' OR path IN ('/health')) AND NOT props.x IS NULL",
    {
      and: [
        {
          and: [
            { field: 'type', op: '!=', value: 'leave' },
            { field: 'path', op: 'not_in', value: ['/health'] },
          ],
        },
        { field: 'props.x', op: 'exists' },
      ],
    },
    'NOT pushed down (De Morgan) where the opposite operator exists',
  ),
  filter(
    "title = 'it''s' AND path LIKE '/exact' AND url LIKE '50\\%\\_%' ESCAPE '\\'",
    {
      and: [
        { field: 'title', op: '=', value: "it's" },
        { field: 'path', op: '=', value: '/exact' },
        { field: 'url', op: 'prefix', value: '50%_' },
      ],
    },
    "'' escapes; LIKE without wildcard is =; ESCAPE for literal % and _",
  ),
  filter(
    "NOT type <> 'x' AND NOT props.n NOT IN (1, TRUE, 'one')",
    {
      and: [
        { field: 'type', op: '=', value: 'x' },
        { field: 'props.n', op: 'in', value: [1, true, 'one'] },
      ],
    },
    'double negations cancel; IN lists mix numbers, booleans and strings',
  ),
];

const lexical: Case[] = [
  {
    name: 'comments, mixed case keywords, CRLF, no trailing semicolon',
    sql: "-- pageviews\r\nselect Stream /* the key */ PATH, count(*) As Views\r\nfrom CLICKS where TYPE = 'pageview'\r\ngroup by path, step(Clicks.RowTime by interval '1' minute) -- end",
    expect: {
      type: 'tumbling',
      sizeMs: MIN,
      groupBy: ['path'],
      where: PAGEVIEW,
      aggregates: [{ name: 'views', fn: 'count' }],
    },
  },
  {
    name: 'quoted identifiers, props (bare, quoted, keyword after the dot), target fields',
    sql: `SELECT STREAM "props.plan", props.order, props."my key", target.tag, COUNT(*) FROM clicks
          GROUP BY "props.plan", props.order, props."my key", "target.tag", FLOOR(ROWTIME TO MINUTE)`,
    expect: {
      type: 'tumbling',
      sizeMs: MIN,
      groupBy: ['props.plan', 'props.order', 'props.my key', 'target.tag'],
      aggregates: COUNT,
    },
  },
  {
    name: 'Kinesis-style upper-case columns match case-insensitively; stream alias qualifies columns',
    sql: `SELECT STREAM s.SOURCETYPE, UTM_CAMPAIGN, COUNT(*) FROM "SOURCE_SQL_STREAM_001" AS s
          GROUP BY s.SourceType, "UTM_CAMPAIGN", STEP(s.ROWTIME BY INTERVAL '10' SECOND)`,
    expect: { type: 'tumbling', sizeMs: 10_000, groupBy: ['sourceType', 'utm_campaign'], aggregates: COUNT },
  },
  {
    name: 'ts, ingest_time and APPROXIMATE_ARRIVAL_TIME name the time columns',
    sql: `SELECT STREAM MIN(ts) AS a, MAX(ingest_time) AS b, MAX(APPROXIMATE_ARRIVAL_TIME) AS c FROM clicks c
          GROUP BY STEP(c.ts BY INTERVAL '1' DAY)`,
    expect: {
      type: 'tumbling',
      sizeMs: 1_440 * MIN,
      time: 'event',
      aggregates: [
        { name: 'a', fn: 'min', field: 'ts' },
        { name: 'b', fn: 'max', field: 'ingest_time' },
        { name: 'c', fn: 'max', field: 'ingest_time' },
      ],
    },
  },
  {
    name: 'intervals: fractions of a second, MILLISECONDS, bare numbers',
    sql: `SELECT STREAM COUNT(*) OVER w FROM clicks
          WINDOW w AS (RANGE INTERVAL '1.5' SECOND PRECEDING EVERY INTERVAL 500 MILLISECONDS) GRACE INTERVAL '0.25' SECOND`,
    expect: { type: 'sliding', sizeMs: 1_500, everyMs: 500, graceMs: 250, aggregates: COUNT },
  },
  {
    name: 'a group column may be written AS itself',
    sql: "SELECT STREAM path AS path, COUNT(*) FROM clicks GROUP BY path, STEP(ROWTIME BY INTERVAL '1' MINUTE)",
    expect: { type: 'tumbling', sizeMs: MIN, groupBy: ['path'], aggregates: COUNT },
  },
  {
    name: 'quoted aliases keep their spelling; reserved words as quoted aliases',
    sql: `SELECT STREAM FLOOR(event_time TO DAY) AS "day", COUNT(*) AS "range" FROM clicks
          WINDOWED BY STAGGER (PARTITION BY FLOOR(event_time TO DAY) RANGE INTERVAL '1' HOUR)`,
    expect: {
      type: 'stagger',
      rangeMs: 60 * MIN,
      groupBy: [{ field: 'ts', floorMs: 1_440 * MIN, as: 'day' }],
      aggregates: [{ name: 'range', fn: 'count' }],
    },
  },
  {
    name: 'a trailing comment after the semicolon; tabs; a string spanning lines',
    sql: "SELECT\tSTREAM COUNT(*)\tFROM clicks WHERE title = 'a\nb' GROUP BY FLOOR(ROWTIME TO SECOND); -- done\n/* really */",
    expect: {
      type: 'tumbling',
      sizeMs: 1_000,
      where: { field: 'title', op: '=', value: 'a\nb' },
      aggregates: COUNT,
    },
  },
];

const cases = [...filters, ...lexical];

function expected(c: Case) {
  return defineWindow({ id: 't', version: 1, name: 't', ...c.expect });
}

describe('compileSql: conditions and lexical layer', () => {
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

describe('toSql: canonical form', () => {
  test('one clause per line, every name with AS, defaults left out', () => {
    const result = compileSql(
      `select stream path, count(*) views from clicks where type = 'pageview' and path like '/blog%'
       group by path, floor(event_time to minute), step(rowtime by interval '60' second) grace interval '2' second`,
      { id: 't' },
    );
    assert.ok(result.ok);
    assert.equal(
      toSql(result.definition),
      [
        'SELECT STREAM path, FLOOR(event_time TO MINUTE) AS event_minute, COUNT(*) AS views',
        'FROM clicks',
        "WHERE type = 'pageview' AND path LIKE '/blog%'",
        "GROUP BY path, FLOOR(event_time TO MINUTE), STEP(clicks.ROWTIME BY INTERVAL '1' MINUTE);",
      ].join('\n'),
    );
  });

  test('sliding: the window is named w, EVERY only when it is not the default', () => {
    const d = defineWindow({
      id: 't',
      version: 1,
      name: 't',
      type: 'sliding',
      sizeMs: 30 * MIN,
      everyMs: 1_000,
      time: 'event',
      groupBy: ['device'],
      aggregates: [{ name: 'events', fn: 'count' }],
    });
    assert.equal(
      toSql(d),
      [
        'SELECT STREAM device, COUNT(*) OVER w AS events',
        'FROM clicks',
        "WINDOW w AS (PARTITION BY device ORDER BY event_time RANGE INTERVAL '30' MINUTE PRECEDING EVERY INTERVAL '1' SECOND);",
      ].join('\n'),
    );
  });
});
