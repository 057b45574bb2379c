import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formToSql, sameQuery, sqlToForm } from '../../app/admin/model/editor';
import {
  changesSemantics,
  definitionToForm,
  emptyForm,
  errorKey,
  fieldToPath,
  formToInput,
  slugId,
  validateForm,
  type WindowForm,
} from '../../app/admin/model/window-form';
import { WindowAdmin } from '../../lib/aggregation/window-admin';
import { compileSql, toSql } from '../../lib/sql';
import { BUILTIN_WINDOWS } from '../../lib/windows/builtins';
import { defineWindow, type WindowDefinition } from '../../lib/windows/definition';

/** The API's own validation, without Redis (parse never touches the store). */
const admin = new WindowAdmin(undefined as never, compileSql);

function form(patch: Partial<WindowForm>): WindowForm {
  return { ...emptyForm(), id: 'w', name: 'W', ...patch };
}

const DEFINITIONS: WindowDefinition[] = [
  ...BUILTIN_WINDOWS,
  defineWindow({
    id: 'full',
    version: 3,
    name: 'Everything',
    site: 'demo',
    type: 'tumbling',
    sizeMs: 90_000,
    offsetMs: 30_000,
    time: 'event',
    graceMs: 5_000,
    resultsRetentionMs: 7_200_000,
    groupBy: ['path', 'props.plan', { field: 'ts', floorMs: 60_000, as: 'minute' }],
    where: {
      or: [
        { field: 'type', op: '=', value: 'click' },
        { field: 'engagedMs', op: '>=', value: 1_500 },
      ],
    },
    aggregates: [
      { name: 'n', fn: 'count' },
      { name: 'refs', fn: 'count', field: 'referrer' },
      { name: 'visitors', fn: 'count_distinct', field: 'visitor' },
      { name: 'top', fn: 'top_k', field: 'path', k: 5 },
      { name: 'slow', fn: 'p99', field: 'engagedMs', where: { field: 'type', op: '=', value: 'engagement' } },
      { name: 'online', fn: 'active_visitors' },
    ],
  }),
  defineWindow({
    id: 's',
    version: 1,
    name: 'S',
    type: 'session',
    gapMs: 1_800_000,
    aggregates: [{ name: 'events', fn: 'count' }],
  }),
  defineWindow({
    id: 'st',
    version: 1,
    name: 'St',
    type: 'stagger',
    rangeMs: 60_000,
    graceMs: 0,
    groupBy: [{ field: 'ts', floorMs: 60_000, as: 'minute' }],
    aggregates: [{ name: 'events', fn: 'count' }],
  }),
  defineWindow({
    id: 'nested',
    version: 1,
    name: 'Nested',
    type: 'sliding',
    sizeMs: 300_000,
    everyMs: 1_000,
    where: {
      and: [
        { field: 'type', op: '=', value: 'a' },
        {
          or: [
            { field: 'path', op: '=', value: '/' },
            { field: 'path', op: '=', value: '/b' },
          ],
        },
      ],
    },
    aggregates: [{ name: 'events', fn: 'count' }],
  }),
];

describe('form ↔ definition', () => {
  for (const definition of DEFINITIONS) {
    test(`${definition.id}: definition → form → definition is the identity`, () => {
      const validation = validateForm(definitionToForm(definition), definition.version);
      assert.equal(validation.ok, true, JSON.stringify(validation.errors));
      if (validation.ok) assert.deepEqual(validation.definition, definition);
    });
  }

  test('only the chosen type’s sizes go into the definition', () => {
    const { input } = formToInput(form({ type: 'session', gap: { value: '15', unit: 'min' } }));
    assert.equal(input['gapMs'], 900_000);
    for (const key of ['sizeMs', 'everyMs', 'rangeMs', 'offsetMs']) assert.equal(key in input, false, key);
    const sliding = formToInput(
      form({ type: 'sliding', size: { value: '5', unit: 'min' }, every: { value: '10', unit: 's' } }),
    );
    assert.equal(sliding.input['sizeMs'], 300_000);
    assert.equal(sliding.input['everyMs'], 10_000);
    assert.equal(sliding.input['site'], null);
  });

  test('messages are the API’s, at the field the API names', () => {
    const cases: Array<[WindowForm, string]> = [
      [form({ size: { value: '', unit: 's' } }), 'sizeMs'],
      [
        form({ type: 'sliding', size: { value: '1', unit: 'min' }, every: { value: '2', unit: 'min' } }),
        'everyMs',
      ],
      [form({ offset: { value: '2', unit: 'min' } }), 'offsetMs'],
      [form({ name: '' }), 'name'],
      [form({ id: 'Bad Id' }), 'id'],
      [form({ aggregates: [{ name: 'Bad name', fn: 'count', field: '', k: '10' }] }), 'aggregates.0.name'],
      [form({ aggregates: [{ name: 'x', fn: 'sum', field: 'path', k: '10' }] }), 'aggregates.0.field'],
      [form({ aggregates: [{ name: 'x', fn: 'top_k', field: 'path', k: '500' }] }), 'aggregates.0.k'],
      [form({ aggregates: [] }), 'aggregates'],
      [form({ groupBy: [{ kind: 'field', field: 'nope' }] }), 'groupBy.0'],
      [
        form({
          groupBy: [{ kind: 'bucket', field: 'ts', floor: { value: '1', unit: 'min' }, as: 'Minute!' }],
        }),
        'groupBy.0.as',
      ],
      [
        form({
          filters: {
            combinator: 'or',
            rows: [
              { field: 'type', op: '=', value: 'a', kind: 'text' },
              { field: 'bogus', op: '=', value: 'b', kind: 'text' },
            ],
          },
        }),
        'where.1.field',
      ],
      [
        form({
          filters: { combinator: 'and', rows: [{ field: 'path', op: 'prefix', value: '1', kind: 'number' }] },
        }),
        'where.0.value',
      ],
    ];
    for (const [state, key] of cases) {
      const local = validateForm(state);
      assert.equal(local.ok, false, key);
      const api = admin.parse({ definition: formToInput(state).input }, undefined, 1);
      if (api.ok || api.problem.kind !== 'invalid') assert.fail(`${key}: the API accepted the form`);
      const apiKey = errorKey(state, fieldToPath(api.problem.field));
      assert.equal(apiKey, key, `API field ${api.problem.field}`);
      assert.equal(local.errors[key], api.problem.message, key);
    }
  });

  test('texts that are not numbers are reported before the schema, at their field', () => {
    const local = validateForm(
      form({
        size: { value: 'ten', unit: 's' },
        aggregates: [{ name: 'top', fn: 'top_k', field: 'path', k: 'x' }],
        filters: {
          combinator: 'and',
          rows: [{ field: 'screenWidth', op: '>', value: 'wide', kind: 'number' }],
        },
      }),
    );
    assert.equal(local.ok, false);
    assert.equal(local.errors['sizeMs'], 'enter a number, like 10 or 1.5');
    assert.equal(local.errors['aggregates.0.k'], 'enter a number');
    assert.equal(local.errors['where.0.value'], 'enter a number');
  });

  test('ids from names; semantic changes ignore name and version', () => {
    assert.equal(slugId('Clicks per 10 s!'), 'clicks_per_10_s');
    const [first] = BUILTIN_WINDOWS;
    assert.ok(first);
    assert.equal(changesSemantics(first, { ...first, name: 'Renamed', version: 9 }), false);
    assert.equal(changesSemantics(first, { ...first, graceMs: first.graceMs + 1 }), true);
    assert.equal(changesSemantics(first, { ...first, site: 'demo' }), true);
  });
});

describe('form ↔ SQL (the editor’s tab switch)', () => {
  for (const definition of DEFINITIONS) {
    test(`${definition.id}: form → SQL → form keeps the query`, () => {
      const start = definitionToForm(definition);
      const sql = formToSql(start, definition.version);
      assert.ok(sql.ok);
      assert.equal(sql.sql, toSql(definition));
      const back = sqlToForm(start, sql.sql, definition.version);
      assert.ok(back.ok);
      assert.ok(sameQuery(back.definition, definition));
      const validation = validateForm(back.form, definition.version);
      assert.ok(validation.ok);
      assert.deepEqual(validation.definition, definition);
    });
  }

  test('SQL with an error stays SQL: the error names line and column', () => {
    const result = sqlToForm(emptyForm(), 'SELECT STREAM path\nFORM clicks', 1);
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual([result.error.line, result.error.column, result.error.token], [2, 1, 'FORM']);
  });

  test('a new window converts before it has a name; the PUMP names it', () => {
    const pump =
      "CREATE OR REPLACE PUMP clicks_pump AS INSERT INTO out SELECT STREAM COUNT(*) AS clicks FROM clicks WHERE type = 'click' GROUP BY STEP(clicks.ROWTIME BY INTERVAL '10' SECOND);";
    const converted = sqlToForm(emptyForm(), pump, 1);
    assert.ok(converted.ok);
    assert.equal(converted.form.name, 'clicks_pump');
    assert.deepEqual(converted.form.size, { value: '10', unit: 's' });
    assert.deepEqual(converted.form.filters.rows, [{ field: 'type', op: '=', value: 'click', kind: 'text' }]);
    const sql = formToSql({ ...emptyForm() }, 1);
    assert.ok(sql.ok);
  });

  test('a form with errors does not turn into SQL', () => {
    const result = formToSql(form({ aggregates: [] }), 1);
    assert.equal(result.ok, false);
  });
});
