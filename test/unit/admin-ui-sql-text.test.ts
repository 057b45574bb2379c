import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { markerFor, SQL_EXAMPLES, splitLines } from '../../app/admin/model/sql-text';
import { compileSql } from '../../lib/sql';

describe('SQL error marker', () => {
  test('the marker covers the offending token, on its line, with a caret line under it', () => {
    const sql = "SELECT STREAM path\nFORM clicks\nWHERE type = 'x'";
    const compiled = compileSql(sql, { id: 'w' });
    assert.equal(compiled.ok, false);
    if (compiled.ok) return;
    const marker = markerFor(sql, compiled.error);
    assert.equal(marker.line, 2);
    assert.equal(marker.column, 1);
    assert.equal(marker.lineText, 'FORM clicks');
    assert.equal(sql.slice(marker.start, marker.end), 'FORM');
    assert.equal(marker.caret, '^^^^');
  });

  test('columns count code points; offsets are UTF-16; CRLF and CR break lines too', () => {
    const sql =
      "SELECT STREAM COUNT(*) AS n FROM clicks\r\nWHERE path = '🙂' AND nope = 1\rGROUP BY STEP(ROWTIME BY INTERVAL '1' MINUTE)";
    const compiled = compileSql(sql, { id: 'w' });
    assert.equal(compiled.ok, false);
    if (compiled.ok) return;
    assert.equal(compiled.error.token, 'nope');
    const marker = markerFor(sql, compiled.error);
    assert.equal(marker.line, 2);
    assert.equal(sql.slice(marker.start, marker.end), 'nope');
    assert.equal(marker.caret, `${' '.repeat(marker.column - 1)}^^^^`);
  });

  test('end of input and positions past the line mark one character at most', () => {
    const sql = 'SELECT STREAM COUNT(*) FROM';
    const compiled = compileSql(sql, { id: 'w' });
    assert.equal(compiled.ok, false);
    if (compiled.ok) return;
    assert.equal(compiled.error.token, 'end of input');
    const marker = markerFor(sql, compiled.error);
    assert.equal(marker.start, sql.length);
    assert.equal(marker.end, sql.length);
    assert.equal(marker.caret, `${' '.repeat(sql.length)}^`);
    const clamped = markerFor('ab', { line: 9, column: 99, token: 'zzz' });
    assert.deepEqual([clamped.line, clamped.column, clamped.start, clamped.end], [1, 3, 2, 2]);
  });

  test('tabs before the token stay tabs in the caret line', () => {
    const marker = markerFor('\tSELECT x', { line: 1, column: 9, token: 'x' });
    assert.equal(marker.caret, '\t       ^');
  });

  test('splitLines keeps empty lines', () => {
    assert.deepEqual(splitLines('a\n\nb\r\nc\rd\n'), ['a', '', 'b', 'c', 'd', '']);
  });
});

describe('SQL examples', () => {
  for (const example of SQL_EXAMPLES) {
    test(`the ${example.label} example compiles to a ${example.id} window`, () => {
      const compiled = compileSql(example.sql, { id: 'example' });
      assert.ok(compiled.ok, compiled.ok ? '' : compiled.error.message);
      assert.equal(compiled.definition.type, example.id);
    });
  }
});
