import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type FilterState,
  filtersToPredicate,
  predicateToFilters,
  rowProblems,
  rowToLeaf,
  wherePathToRow,
} from '../../app/admin/model/filters';
import type { Predicate } from '../../lib/windows/predicate';

describe('filter rows → predicate', () => {
  test('no rows: no where; one row: a leaf; several: one and/or', () => {
    assert.equal(filtersToPredicate({ combinator: 'and', rows: [] }), undefined);
    const click = { field: 'type', op: '=', value: 'click', kind: 'text' } as const;
    const blog = { field: 'path', op: 'prefix', value: '/blog', kind: 'text' } as const;
    assert.deepEqual(filtersToPredicate({ combinator: 'and', rows: [click] }), {
      field: 'type',
      op: '=',
      value: 'click',
    });
    assert.deepEqual(filtersToPredicate({ combinator: 'or', rows: [click, blog] }), {
      or: [
        { field: 'type', op: '=', value: 'click' },
        { field: 'path', op: 'prefix', value: '/blog' },
      ],
    });
  });

  test('values are read by kind; lists split at commas; present / missing take no value', () => {
    const table: Array<[Parameters<typeof rowToLeaf>[0], ReturnType<typeof rowToLeaf>]> = [
      [
        { field: 'screenWidth', op: '>=', value: ' 768 ', kind: 'number' },
        { field: 'screenWidth', op: '>=', value: 768 },
      ],
      [
        { field: 'target.outbound', op: '=', value: 'true', kind: 'boolean' },
        { field: 'target.outbound', op: '=', value: true },
      ],
      [
        { field: 'country', op: 'in', value: 'GB, FR ,,DE', kind: 'text' },
        { field: 'country', op: 'in', value: ['GB', 'FR', 'DE'] },
      ],
      [
        { field: 'props.size', op: 'not_in', value: '1,2', kind: 'number' },
        { field: 'props.size', op: 'not_in', value: [1, 2] },
      ],
      [
        { field: 'title', op: '=', value: ' spaced ', kind: 'text' },
        { field: 'title', op: '=', value: ' spaced ' },
      ],
      [
        { field: 'referrer', op: 'exists', value: 'x', kind: 'text' },
        { field: 'referrer', op: 'exists' },
      ],
      [
        { field: 'referrer', op: 'missing', value: '', kind: 'text' },
        { field: 'referrer', op: 'exists', value: false },
      ],
    ];
    for (const [row, leaf] of table) assert.deepEqual(rowToLeaf(row), leaf, JSON.stringify(row));
  });

  test('unreadable values are reported per row and stay text for the schema', () => {
    const state: FilterState = {
      combinator: 'and',
      rows: [
        { field: 'screenWidth', op: '>', value: 'wide', kind: 'number' },
        { field: 'type', op: '=', value: 'click', kind: 'text' },
        { field: 'target.outbound', op: '=', value: 'yes', kind: 'boolean' },
        { field: 'country', op: 'in', value: ' , ', kind: 'text' },
      ],
    };
    assert.deepEqual(
      [...rowProblems(state)],
      [
        [0, 'enter a number'],
        [2, 'enter true or false'],
        [3, 'enter one or more values, separated by commas'],
      ],
    );
    assert.deepEqual(rowToLeaf(state.rows[0] ?? assert.fail()), {
      field: 'screenWidth',
      op: '>',
      value: 'wide',
    });
  });
});

describe('predicate → filter rows', () => {
  const roundTrips: Predicate[] = [
    { field: 'type', op: '=', value: 'click' },
    {
      and: [
        { field: 'type', op: '=', value: 'pageview' },
        { field: 'path', op: 'prefix', value: '/blog' },
      ],
    },
    {
      or: [
        { field: 'engagedMs', op: '>', value: 1000 },
        { field: 'referrer', op: 'exists', value: false },
      ],
    },
    { field: 'country', op: 'not_in', value: ['GB', 'FR'] },
    { field: 'target.outbound', op: '!=', value: true },
    { field: 'source', op: 'exists' },
  ];
  for (const where of roundTrips) {
    test(`rows show ${JSON.stringify(where)} exactly`, () => {
      const state = predicateToFilters(where);
      assert.equal(state.advanced, undefined);
      assert.deepEqual(filtersToPredicate(state), where);
    });
  }

  test('what rows cannot show is kept whole as advanced', () => {
    const kept: Predicate[] = [
      {
        and: [
          { field: 'type', op: '=', value: 'a' },
          {
            or: [
              { field: 'path', op: '=', value: '/' },
              { field: 'path', op: '=', value: '/x' },
            ],
          },
        ],
      },
      { field: 'path', op: 'in', value: ['/a,b', '/c'] },
      { field: 'props.x', op: 'in', value: ['1', 1] },
      { field: 'title', op: 'in', value: [' padded'] },
      { and: [{ field: 'type', op: '=', value: 'a' }] },
    ];
    for (const where of kept) {
      const state = predicateToFilters(where);
      assert.deepEqual(state.advanced, where, JSON.stringify(where));
      assert.deepEqual(filtersToPredicate(state), where);
    }
    assert.deepEqual(predicateToFilters(undefined), { combinator: 'and', rows: [] });
  });

  test('schema issue paths land on their row', () => {
    const one = predicateToFilters({ field: 'type', op: '=', value: 'x' });
    const two = predicateToFilters({
      or: [
        { field: 'type', op: '=', value: 'x' },
        { field: 'path', op: '=', value: '/' },
      ],
    });
    assert.deepEqual(wherePathToRow(one, ['where', 'field']), { row: 0, part: 'field' });
    assert.deepEqual(wherePathToRow(two, ['where', 'or', 1, 'value']), { row: 1, part: 'value' });
    assert.deepEqual(wherePathToRow(two, ['where', 'or', 1]), { row: 1, part: '' });
    assert.equal(wherePathToRow(two, ['where']), undefined);
  });
});
