import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PLACEHOLDER_ID } from '../../app/admin/model/editor';
import {
  apiSqlError,
  type EditorState,
  placeApiError,
  saveRequest,
  windowPart,
} from '../../app/admin/model/requests';
import { definitionToForm, emptyForm, type WindowForm } from '../../app/admin/model/window-form';
import { compileSql } from '../../lib/sql';

const SQL =
  "SELECT STREAM COUNT(*) AS clicks FROM clicks WHERE type = 'click' GROUP BY STEP(ROWTIME BY INTERVAL '10' SECOND)";
const named: WindowForm = { ...emptyForm(), id: 'clicks', name: 'Clicks', site: 'demo' };

function state(patch: Partial<EditorState>): EditorState {
  return { tab: 'sql', form: named, sql: SQL, version: 1, ...patch };
}

describe('the editor’s requests', () => {
  test('create from SQL: the text with id, name, site and start', () => {
    assert.deepEqual(saveRequest(state({}), undefined, 'trim_horizon'), {
      ok: true,
      method: 'POST',
      path: '/api/admin/windows',
      body: { sql: SQL, id: 'clicks', name: 'Clicks', site: 'demo', start: 'trim_horizon' },
    });
  });

  test('create from the form: the definition (its site inside) and start', () => {
    const request = saveRequest(state({ tab: 'form' }), undefined, 'now');
    assert.ok(request.ok);
    assert.equal(request.method, 'POST');
    const definition = request.body['definition'] as Record<string, unknown>;
    assert.deepEqual(
      [definition['id'], definition['name'], definition['site'], definition['sizeMs']],
      ['clicks', 'Clicks', 'demo', 60_000],
    );
    assert.equal(request.body['start'], 'now');
  });

  test('edit: start only with a new version; SQL stays SQL unless renamed or moved', () => {
    const compiled = compileSql(SQL, { id: 'clicks', name: 'Clicks', site: 'demo' });
    assert.ok(compiled.ok);
    const existing = compiled.definition;
    const same = saveRequest(state({ form: { ...named, name: 'Clicks' } }), existing, 'trim_horizon');
    assert.deepEqual(same, {
      ok: true,
      method: 'PATCH',
      path: '/api/admin/windows/clicks',
      body: { sql: SQL },
    });
    const longer = saveRequest(state({ sql: SQL.replace("'10'", "'20'") }), existing, 'trim_horizon');
    assert.ok(longer.ok);
    assert.deepEqual(longer.body, { sql: SQL.replace("'10'", "'20'"), start: 'trim_horizon' });
    const renamed = saveRequest(state({ form: { ...named, name: 'All clicks' } }), existing, 'now');
    assert.ok(renamed.ok);
    assert.equal((renamed.body['definition'] as { name: string }).name, 'All clicks');
    assert.equal(renamed.body['start'], undefined);
    const moved = saveRequest(state({ form: { ...named, site: '' } }), existing, 'now');
    assert.ok(moved.ok);
    assert.equal((moved.body['definition'] as { site: unknown }).site, null);
    assert.equal(moved.body['start'], 'now');
    const fromForm = saveRequest(
      state({ tab: 'form', form: { ...definitionToForm(existing), name: 'X' } }),
      existing,
      'now',
    );
    assert.ok(fromForm.ok);
    assert.equal(fromForm.body['start'], undefined);
  });

  test('refused locally: a missing name, an SQL error (with its position), a form with errors', () => {
    const noName = saveRequest(state({ form: { ...named, name: '' } }), undefined, 'now');
    assert.deepEqual(noName, { ok: false, problem: 'Fix the window’s name first.', showFormErrors: true });
    const bad = saveRequest(state({ sql: 'SELECT STREAM path\nFORM clicks' }), undefined, 'now');
    assert.ok(!bad.ok);
    assert.deepEqual([bad.sqlError?.line, bad.sqlError?.column], [2, 1]);
    const form = windowPart(state({ tab: 'form', form: { ...named, aggregates: [] } }));
    assert.deepEqual(form, { ok: false, problem: 'Fix the errors in the form first.', showFormErrors: true });
  });

  test('a preview of a new window needs no id or name yet', () => {
    const part = windowPart(state({ tab: 'form', form: { ...named, id: '', name: '' } }));
    assert.ok(part.ok);
    const definition = part.body['definition'] as Record<string, unknown>;
    assert.deepEqual([definition['id'], definition['name']], [PLACEHOLDER_ID, PLACEHOLDER_ID]);
    const sqlPart = windowPart(state({ form: { ...named, id: '', name: '' } }));
    assert.deepEqual(sqlPart, { ok: true, body: { sql: SQL, id: PLACEHOLDER_ID } });
  });
});

describe('placing the API’s errors', () => {
  test('SQL errors go to the editor with line, column and token', () => {
    const error = {
      error: 'expected FROM',
      field: 'sql',
      line: 2,
      column: 1,
      token: 'FORM',
      expected: ['FROM'],
    };
    assert.deepEqual(apiSqlError(error), {
      message: 'expected FROM',
      line: 2,
      column: 1,
      token: 'FORM',
      expected: ['FROM'],
    });
    const placed = placeApiError(error, named, 'sql');
    assert.deepEqual(placed.sqlError, apiSqlError(error));
    assert.deepEqual(placed.fieldErrors, {});
  });

  test('field errors go to their field; a conflict on the id to the id', () => {
    const filtered: WindowForm = {
      ...named,
      filters: {
        combinator: 'and',
        rows: [
          { field: 'type', op: '=', value: 'a', kind: 'text' },
          { field: 'path', op: '=', value: 'b', kind: 'text' },
        ],
      },
    };
    assert.deepEqual(
      placeApiError({ error: 'bad', field: 'where.and.1.value' }, filtered, 'form').fieldErrors,
      {
        'where.1.value': 'bad',
      },
    );
    const conflict = placeApiError({ error: 'a window "clicks" already exists', field: 'id' }, named, 'sql');
    assert.deepEqual(conflict.fieldErrors, { id: 'a window "clicks" already exists' });
    assert.equal(conflict.message, 'a window "clicks" already exists (at id)');
    assert.deepEqual(placeApiError({ error: 'internal error' }, named, 'form'), {
      fieldErrors: {},
      message: 'internal error',
    });
  });
});
