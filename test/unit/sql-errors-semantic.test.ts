import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileSql, type SqlError } from '../../lib/sql/index';

/**
 * Errors, part 2 (sql-errors.test.ts has the syntax, window and condition errors): aggregates,
 * intervals, options and `defineWindow` issues mapped back to the SQL, table-driven as there.
 */

interface ErrorCase {
  name: string;
  sql: string;
  error: SqlError;
}

const W = 'GROUP BY FLOOR(ROWTIME TO MINUTE)';

const cases: ErrorCase[] = [
  {
    name: 'SUM of a string column',
    sql: `SELECT STREAM SUM(path) FROM clicks ${W}`,
    error: {
      message:
        'SUM needs a number column; path is not one (number columns: event_time, engagedMs, screenWidth, ROWTIME, props.<name>)',
      line: 1,
      column: 19,
      token: 'path',
    },
  },
  {
    name: 'two aggregates with the same default name',
    sql: `SELECT STREAM COUNT(*), COUNT(*) FILTER (WHERE type = 'pageview') FROM clicks ${W}`,
    error: {
      message: 'duplicate aggregate name "count": name it with AS',
      line: 1,
      column: 25,
      token: 'COUNT',
    },
  },
  {
    name: 'an unknown function',
    sql: `SELECT STREAM MEDIAN(engagedMs) FROM clicks ${W}`,
    error: {
      message:
        'unknown function MEDIAN; functions are: COUNT, SUM, AVG, MIN, MAX, TOP_K_ITEMS, PERCENTILE, P50, P90, P99, ACTIVE_VISITORS, FLOOR, STEP',
      line: 1,
      column: 15,
      token: 'MEDIAN',
    },
  },
  {
    name: 'SELECT *',
    sql: 'SELECT STREAM * FROM clicks',
    error: {
      message: 'SELECT * is not supported: list the group columns and the aggregates',
      line: 1,
      column: 15,
      token: '*',
    },
  },
  {
    name: 'no aggregate',
    sql: 'SELECT STREAM path FROM clicks GROUP BY path, FLOOR(ROWTIME TO MINUTE)',
    error: {
      message: 'a streaming query needs at least one aggregate, like COUNT(*)',
      line: 1,
      column: 15,
      token: 'path',
    },
  },
  {
    name: 'an interval unit Kinesis does not have',
    sql: "SELECT STREAM COUNT(*) FROM clicks GROUP BY STEP(ROWTIME BY INTERVAL '1' WEEK)",
    error: {
      message: 'expected SECOND, MINUTE, HOUR, DAY or MILLISECOND but found "WEEK"',
      line: 1,
      column: 74,
      token: 'WEEK',
      expected: ['SECOND', 'MINUTE', 'HOUR', 'DAY', 'MILLISECOND'],
    },
  },
  {
    name: 'an interval finer than a millisecond',
    sql: "SELECT STREAM COUNT(*) FROM clicks GROUP BY STEP(ROWTIME BY INTERVAL '0.0005' SECOND)",
    error: {
      message: "'0.0005' is not a whole number of milliseconds",
      line: 1,
      column: 70,
      token: "'0.0005'",
    },
  },
  {
    name: 'STEP over a column that is not time',
    sql: "SELECT STREAM COUNT(*) FROM clicks GROUP BY STEP(path BY INTERVAL '1' MINUTE)",
    error: {
      message: 'STEP takes a time column (ROWTIME or event_time), not path',
      line: 1,
      column: 50,
      token: 'path',
    },
  },
  {
    name: 'OFFSET on a stagger window',
    sql: "SELECT STREAM COUNT(*) FROM clicks WINDOWED BY STAGGER (RANGE INTERVAL '1' MINUTE) OFFSET INTERVAL '1' SECOND",
    error: {
      message: 'OFFSET applies to tumbling and sliding windows, not stagger windows',
      line: 1,
      column: 91,
      token: 'INTERVAL',
    },
  },
  {
    name: 'EVERY longer than the RANGE',
    sql: "SELECT STREAM COUNT(*) OVER w FROM clicks WINDOW w AS (RANGE INTERVAL '1' MINUTE PRECEDING EVERY INTERVAL '2' MINUTE)",
    error: {
      message: "EVERY must not be longer than the RANGE (INTERVAL '1' MINUTE)",
      line: 1,
      column: 98,
      token: 'INTERVAL',
    },
  },
  {
    name: 'a RANGE over 31 days',
    sql: "SELECT STREAM COUNT(*) FROM clicks WINDOWED BY STAGGER (RANGE INTERVAL '32' DAY)",
    error: { message: 'RANGE must be at most 31 days', line: 1, column: 63, token: 'INTERVAL' },
  },
  {
    name: 'a session spec with RANGE instead of GAP',
    sql: "SELECT STREAM COUNT(*) FROM clicks WINDOWED BY SESSION (PARTITION BY visitor RANGE INTERVAL '1' MINUTE)",
    error: {
      message: 'expected ORDER BY or GAP but found "RANGE"',
      line: 1,
      column: 78,
      token: 'RANGE',
      expected: ['ORDER BY', 'GAP'],
    },
  },
  {
    name: 'renaming a group column',
    sql: 'SELECT STREAM path AS page, COUNT(*) FROM clicks GROUP BY path, FLOOR(ROWTIME TO MINUTE)',
    error: {
      message: 'group column path cannot be renamed: results name it path',
      line: 1,
      column: 23,
      token: 'page',
    },
  },
  {
    name: 'HAVING',
    sql: `SELECT STREAM COUNT(*) FROM clicks ${W} HAVING COUNT(*) > 5`,
    error: {
      message: 'HAVING is not supported: filter the results where they are read',
      line: 1,
      column: 70,
      token: 'HAVING',
    },
  },
  {
    name: 'a second statement',
    sql: `SELECT STREAM COUNT(*) FROM clicks ${W}; SELECT`,
    error: {
      message: 'expected end of input but found "SELECT"',
      line: 1,
      column: 71,
      token: 'SELECT',
      expected: ['end of input'],
    },
  },
  {
    name: 'GRACE given twice',
    sql: `SELECT STREAM COUNT(*) FROM clicks ${W} GRACE INTERVAL '1' SECOND GRACE INTERVAL '2' SECOND`,
    error: { message: 'GRACE is given twice', line: 1, column: 96, token: 'GRACE' },
  },
  // Issues `defineWindow` raises, mapped back to the clause that caused them.
  {
    name: 'defineWindow: an alias that is not a definition name',
    sql: `SELECT STREAM COUNT(*) AS "VIEWS" FROM clicks ${W}`,
    error: {
      message: 'alias VIEWS: must match /^[a-z_][a-z0-9_]{0,63}$/',
      line: 1,
      column: 27,
      token: '"VIEWS"',
    },
  },
  {
    name: 'defineWindow: top-k with k over 100',
    sql: `SELECT STREAM TOP_K_ITEMS(path, 500) FROM clicks ${W}`,
    error: { message: 'k: Too big: expected number to be <=100', line: 1, column: 33, token: '500' },
  },
  {
    name: 'defineWindow: and/or nested 5 deep',
    sql: `SELECT STREAM COUNT(*) FROM clicks
WHERE (type = '1' AND (type = '2' OR (type = '3' AND (type = '4' OR (type = '5' AND type = '6'))))) ${W}`,
    error: { message: 'and/or nest at most 4 levels deep', line: 2, column: 8, token: 'type' },
  },
  {
    name: 'defineWindow: a sliding window over 3,600 panes',
    sql: "SELECT STREAM COUNT(*) OVER w FROM clicks WINDOW w AS (RANGE INTERVAL '3601' SECOND PRECEDING EVERY INTERVAL '1' SECOND)",
    error: {
      message:
        'EVERY: a window may span at most 3600 panes of gcd(sizeMs, everyMs) ms (is 3601); use a sizeMs that is a multiple of everyMs',
      line: 1,
      column: 101,
      token: 'INTERVAL',
    },
  },
];

describe('compileSql: errors in aggregates, intervals and options', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(compileSql(c.sql, { id: 't' }), { ok: false, error: c.error });
    });
  }
});
