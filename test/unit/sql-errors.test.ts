import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileSql, type SqlError } from '../../lib/sql/index';

/**
 * Errors, table-driven: the exact message, 1-based line and column of the offending token, the token
 * as written and (parse errors) what was expected there.
 */

interface ErrorCase {
  name: string;
  sql: string;
  error: SqlError;
}

const W = 'GROUP BY FLOOR(ROWTIME TO MINUTE)';

const cases: ErrorCase[] = [
  {
    name: 'a misspelled FROM',
    sql: 'SELECT STREAM path FORM clicks',
    error: {
      message: 'expected "," or FROM but found "FORM"',
      line: 1,
      column: 20,
      token: 'FORM',
      expected: ['","', 'FROM'],
    },
  },
  {
    name: 'SELECT without STREAM',
    sql: 'SELECT COUNT(*) FROM clicks',
    error: {
      message: 'expected STREAM but found "COUNT"',
      line: 1,
      column: 8,
      token: 'COUNT',
      expected: ['STREAM'],
    },
  },
  {
    name: 'an unterminated string, on the third line',
    sql: "SELECT STREAM path, COUNT(*)\nFROM clicks\nWHERE type = 'pageview",
    error: { message: "unterminated string: ' needs a closing '", line: 3, column: 14, token: "'" },
  },
  {
    name: 'an unterminated block comment',
    sql: 'SELECT STREAM COUNT(*) /* oops FROM clicks',
    error: { message: 'unterminated comment: /* needs a closing */', line: 1, column: 24, token: '/*' },
  },
  {
    name: 'a character outside the dialect',
    sql: 'SELECT STREAM COUNT(*) FROM clicks WHERE path # 1',
    error: { message: 'unexpected character "#"', line: 1, column: 47, token: '#' },
  },
  {
    name: 'no window',
    sql: 'SELECT STREAM COUNT(*) FROM clicks;',
    error: {
      message: 'missing GROUP BY or WINDOWED BY: a streaming aggregate needs a window',
      line: 1,
      column: 35,
      token: ';',
      expected: ['GROUP BY', 'WINDOWED BY', 'WINDOW'],
    },
  },
  {
    name: 'GROUP BY without STEP or FLOOR',
    sql: 'SELECT STREAM path, COUNT(*)\n  FROM clicks\n  GROUP BY path',
    error: {
      message:
        "GROUP BY needs a time window: add STEP(clicks.ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(clicks.ROWTIME TO MINUTE)",
      line: 3,
      column: 3,
      token: 'GROUP',
    },
  },
  {
    name: 'a misspelled clause after FROM lists every clause that may follow',
    sql: 'SELECT STREAM COUNT(*) FROM clicks GROPU BY path',
    error: {
      message:
        'expected WHERE, GROUP BY, WINDOWED BY, WINDOW, OFFSET, GRACE, RETENTION, EMIT, ";" or end of input but found "GROPU"',
      line: 1,
      column: 36,
      token: 'GROPU',
      expected: [
        'WHERE',
        'GROUP BY',
        'WINDOWED BY',
        'WINDOW',
        'OFFSET',
        'GRACE',
        'RETENTION',
        'EMIT',
        '";"',
        'end of input',
      ],
    },
  },
  {
    name: 'after an option, only the options not yet given may follow',
    sql: `SELECT STREAM COUNT(*) FROM clicks ${W} GRACE INTERVAL '1' SECOND WINDOW`,
    error: {
      message: 'expected OFFSET, RETENTION, EMIT, ";" or end of input but found "WINDOW"',
      line: 1,
      column: 96,
      token: 'WINDOW',
      expected: ['OFFSET', 'RETENTION', 'EMIT', '";"', 'end of input'],
    },
  },
  {
    name: 'an unknown stream',
    sql: `SELECT STREAM COUNT(*) FROM events ${W}`,
    error: {
      message: 'unknown stream events: read from clicks or SOURCE_SQL_STREAM_001',
      line: 1,
      column: 29,
      token: 'events',
    },
  },
  {
    name: 'a column that is neither grouped nor aggregated',
    sql: "SELECT STREAM path, title, COUNT(*) FROM clicks\nGROUP BY path, STEP(ROWTIME BY INTERVAL '1' MINUTE)",
    error: {
      message: 'column title is not in GROUP BY: group by it or aggregate it',
      line: 1,
      column: 21,
      token: 'title',
    },
  },
  {
    name: 'a stagger query showing a column it does not partition by',
    sql: "SELECT STREAM path, COUNT(*) FROM clicks WINDOWED BY STAGGER (PARTITION BY source RANGE INTERVAL '1' MINUTE)",
    error: {
      message: 'column path is not in PARTITION BY: partition by it or aggregate it',
      line: 1,
      column: 15,
      token: 'path',
    },
  },
  {
    name: 'a window name that is not declared',
    sql: "SELECT STREAM path, COUNT(*) OVER W2 FROM clicks\nWINDOW W AS (PARTITION BY path RANGE INTERVAL '5' MINUTE PRECEDING)",
    error: { message: 'window W2 is not declared; declared: w', line: 1, column: 35, token: 'W2' },
  },
  {
    name: 'an aggregate without OVER in a sliding query',
    sql: "SELECT STREAM COUNT(*) OVER w, SUM(engagedMs) FROM clicks WINDOW w AS (RANGE INTERVAL '1' MINUTE PRECEDING)",
    error: {
      message: 'SUM(…) needs OVER: in a sliding query every aggregate uses the window',
      line: 1,
      column: 32,
      token: 'SUM',
    },
  },
  {
    name: 'two different sliding windows',
    sql: "SELECT STREAM COUNT(*) OVER (RANGE INTERVAL '1' MINUTE PRECEDING), SUM(engagedMs) OVER (RANGE INTERVAL '2' MINUTE PRECEDING) FROM clicks",
    error: {
      message: 'all aggregates must use the same window: a definition runs one window',
      line: 1,
      column: 88,
      token: '(',
    },
  },
  {
    name: 'OVER together with GROUP BY',
    sql: "SELECT STREAM COUNT(*) OVER w FROM clicks GROUP BY path WINDOW w AS (RANGE INTERVAL '1' MINUTE PRECEDING)",
    error: {
      message:
        'GROUP BY cannot be combined with OVER: a sliding window takes its grouping from its PARTITION BY',
      line: 1,
      column: 43,
      token: 'GROUP',
    },
  },
  {
    name: 'ROWS windows',
    sql: 'SELECT STREAM COUNT(*) OVER w FROM clicks WINDOW w AS (ROWS 10 PRECEDING)',
    error: {
      message: 'ROWS windows are not supported: use RANGE INTERVAL … PRECEDING',
      line: 1,
      column: 56,
      token: 'ROWS',
    },
  },
  {
    name: 'a percentile we keep no sketch for',
    sql: `SELECT STREAM PERCENTILE(engagedMs, 0.95) FROM clicks ${W}`,
    error: {
      message: 'PERCENTILE supports 0.5, 0.9 and 0.99 (kept as p50, p90, p99 sketches), not 0.95',
      line: 1,
      column: 37,
      token: '0.95',
      expected: ['0.5', '0.9', '0.99'],
    },
  },
  {
    name: 'LIKE with a leading %',
    sql: `SELECT STREAM COUNT(*) FROM clicks WHERE path LIKE '%blog%' ${W}`,
    error: {
      message: `LIKE supports prefix patterns only ('abc%': one % at the end); "%" at character 1 is a wildcard`,
      line: 1,
      column: 52,
      token: "'%blog%'",
    },
  },
  {
    name: 'LIKE with an unescaped _',
    sql: `SELECT STREAM COUNT(*) FROM clicks\nWHERE utm_campaign LIKE 'spring_%' ${W}`,
    error: {
      message: `LIKE supports prefix patterns only ('abc%': one % at the end); "_" at character 7 is a wildcard (write it as \\_ with ESCAPE '\\' to match a literal _)`,
      line: 2,
      column: 25,
      token: "'spring_%'",
    },
  },
  {
    name: 'NOT over a comparison',
    sql: `SELECT STREAM COUNT(*) FROM clicks WHERE NOT engagedMs < 5 ${W}`,
    error: {
      message:
        'NOT cannot be applied to <: a comparison is false for a missing value, so its negation is not a comparison; write the comparison you mean',
      line: 1,
      column: 46,
      token: 'engagedMs',
    },
  },
  {
    name: 'NOT LIKE',
    sql: `SELECT STREAM COUNT(*) FROM clicks WHERE path NOT LIKE '/a%' ${W}`,
    error: {
      message: 'NOT LIKE is not supported: there is no "does not start with" filter',
      line: 1,
      column: 42,
      token: 'path',
    },
  },
  {
    name: '= NULL',
    sql: `SELECT STREAM COUNT(*) FROM clicks WHERE type = NULL ${W}`,
    error: {
      message: 'NULL is not a value here: write IS NULL or IS NOT NULL',
      line: 1,
      column: 49,
      token: 'NULL',
    },
  },
];

describe('compileSql: errors', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(compileSql(c.sql, { id: 't' }), { ok: false, error: c.error });
    });
  }

  test('an unknown column: at its first use, listing the columns (the Kinesis seed as written)', () => {
    const seed = `CREATE OR REPLACE PUMP "CALLS_PER_IP_PUMP" AS
INSERT INTO "CALLS_PER_IP_STREAM"
SELECT STREAM "source_ip_address", COUNT(*)
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER(PARTITION BY "source_ip_address" RANGE INTERVAL '1' MINUTE);`;
    const result = compileSql(seed, { id: 't' });
    assert.ok(!result.ok);
    const { message, ...at } = result.error;
    assert.deepEqual(at, { line: 3, column: 15, token: '"source_ip_address"' });
    assert.match(message, /^unknown column source_ip_address; columns are: site, type, path, /);
    assert.match(message, /, visitor, event_time, .*, ROWTIME, props\.<name>$/);
  });

  test('options that defineWindow rejects point at the start', () => {
    const result = compileSql(`SELECT STREAM COUNT(*) FROM clicks ${W}`, { id: 'Bad Id' });
    assert.deepEqual(result, {
      ok: false,
      error: {
        message:
          'options.id: must be 1–64 characters of a–z, 0–9, "_" or "-", starting with a letter or digit',
        line: 1,
        column: 1,
      },
    });
  });

  test('columns count code points: an emoji before the error moves it one column', () => {
    const result = compileSql("SELECT STREAM COUNT(*) FROM clicks WHERE title = '😀' AND nope = 1", {
      id: 't',
    });
    assert.ok(!result.ok);
    assert.deepEqual([result.error.line, result.error.column, result.error.token], [1, 58, 'nope']);
  });
});
