import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileSql, toSql } from '../../lib/sql/index';
import { BUILTIN_WINDOWS } from '../../lib/windows/builtins';
import {
  type AggregateSpec,
  defineWindow,
  type GroupField,
  MAX_GRACE_MS,
  MAX_RESULTS_RETENTION_MS,
  MAX_SLIDING_STEPS,
  MAX_SPAN_MS,
  MIN_RESULTS_RETENTION_MS,
  type WindowDefinition,
} from '../../lib/windows/definition';
import { EVENT_FIELDS, NUMERIC_FIELDS } from '../../lib/windows/fields';
import type { Predicate, PredicateLeaf } from '../../lib/windows/predicate';

/**
 * toSql → compileSql gives the definition back, for random definitions the dialect can express: all
 * of them except two spellings that have no SQL form of their own and normalize to the same meaning
 * (an and/or of one item; `exists` with `value: true`), which the generators leave out.
 */

function roundTrip(d: WindowDefinition): WindowDefinition {
  const sql = toSql(d);
  const result = compileSql(sql, { id: d.id, name: d.name, version: d.version, site: d.site });
  if (!result.ok) assert.fail(`${JSON.stringify(result.error)}\n${sql}`);
  return result.definition;
}

const propName = fc.oneof(
  fc.constantFrom('plan', 'Plan', 'order', 'load_ms', 'a.b', 'my key', 'x"y', '1st', 'é'),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const field = fc.oneof(
  fc.constantFrom(...EVENT_FIELDS),
  propName.map((n) => `props.${n}`),
);
const numericField = fc.oneof(
  fc.constantFrom(...NUMERIC_FIELDS),
  propName.map((n) => `props.${n}`),
);
const name = fc.oneof(
  fc.constantFrom('views', 'minute', 'count', 'range', 'from', 'order', '_x', 'p99'),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/),
);
const ms = (max: number) =>
  fc.oneof(
    fc.integer({ min: 1, max }),
    fc.constantFrom(1_000, 60_000, 3_600_000, 86_400_000).filter((v) => v <= max),
  );

const scalar = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("it's", '50%_off\\', '', '\n'),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Object.is(v, -0)),
  fc.boolean(),
);

const leaf: fc.Arbitrary<PredicateLeaf> = fc.oneof(
  fc.record({ field, op: fc.constantFrom('=' as const, '!=' as const), value: scalar }),
  fc.record({
    field,
    op: fc.constantFrom('<' as const, '<=' as const, '>' as const, '>=' as const),
    value: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
  }),
  fc.record({
    field,
    op: fc.constantFrom('in' as const, 'not_in' as const),
    value: fc.array(scalar, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    field,
    op: fc.constant('prefix' as const),
    value: fc.oneof(fc.string(), fc.constantFrom('/blog', 'a%b_c\\')),
  }),
  fc.record({ field, op: fc.constant('exists' as const) }),
  fc.record({ field, op: fc.constant('exists' as const), value: fc.constant(false) }),
);

const predicate: fc.Arbitrary<Predicate> = fc
  .letrec<{ node: Predicate }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((or) => ({ or })),
    ),
  }))
  .node.filter((p) => depth(p) <= 4);

function depth(p: Predicate): number {
  if ('and' in p) return 1 + Math.max(...p.and.map(depth));
  if ('or' in p) return 1 + Math.max(...p.or.map(depth));
  return 0;
}

const aggregate = (aggName: string): fc.Arbitrary<AggregateSpec> =>
  fc
    .tuple(
      fc.oneof(
        fc.constant({ fn: 'count' as const }),
        field.map((f) => ({ fn: 'count' as const, field: f })),
        field.map((f) => ({ fn: 'count_distinct' as const, field: f })),
        fc.record({
          fn: fc.constantFrom('sum', 'avg', 'min', 'max', 'p50', 'p90', 'p99' as const),
          field: numericField,
        }),
        fc.record({ fn: fc.constant('top_k' as const), field, k: fc.integer({ min: 1, max: 100 }) }),
        fc.constant({ fn: 'active_visitors' as const }),
      ),
      fc.option(predicate, { nil: undefined }),
    )
    .map(
      ([spec, where]) =>
        ({ name: aggName, ...spec, ...(where === undefined ? {} : { where }) }) as AggregateSpec,
    );

const groupBy: fc.Arbitrary<GroupField[]> = fc
  .uniqueArray(
    fc.oneof(
      field,
      name.map((as) => `bucket:${as}`),
    ),
    { maxLength: 8 },
  )
  .chain((items) =>
    fc.tuple(
      ...items.map(
        (item): fc.Arbitrary<GroupField> =>
          item.startsWith('bucket:')
            ? fc.record({
                field: fc.constantFrom('ts' as const, 'ingest_time' as const),
                floorMs: ms(MAX_SPAN_MS),
                as: fc.constant(item.slice('bucket:'.length)),
              })
            : fc.constant(item),
      ),
    ),
  )
  // A bucket's `as` may not repeat a field's name.
  .filter((g) => new Set(g.map((x) => (typeof x === 'string' ? x : x.as))).size === g.length);

const windowShape = fc.oneof(
  fc
    .tuple(ms(MAX_SPAN_MS), fc.nat())
    .map(([sizeMs, o]) => ({ type: 'tumbling' as const, sizeMs, offsetMs: o % sizeMs })),
  fc
    .tuple(ms(600_000), fc.integer({ min: 1, max: MAX_SLIDING_STEPS }), fc.nat())
    .filter(([every, n]) => every * n <= MAX_SPAN_MS)
    .map(([everyMs, n, o]) => ({
      type: 'sliding' as const,
      sizeMs: everyMs * n,
      everyMs,
      offsetMs: o % everyMs,
    })),
  ms(MAX_SPAN_MS).map((rangeMs) => ({ type: 'stagger' as const, rangeMs })),
  ms(MAX_SPAN_MS).map((gapMs) => ({ type: 'session' as const, gapMs })),
);

const definition = fc
  .record({
    window: windowShape,
    time: fc.constantFrom('ingest' as const, 'event' as const),
    graceMs: fc.option(fc.integer({ min: 0, max: MAX_GRACE_MS }), { nil: undefined }),
    retention: fc.option(fc.integer({ min: MIN_RESULTS_RETENTION_MS, max: MAX_RESULTS_RETENTION_MS }), {
      nil: undefined,
    }),
    site: fc.constantFrom(null, 'site-1'),
    groupBy,
    where: fc.option(predicate, { nil: undefined }),
    aggNames: fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
  })
  .chain((r) => fc.tuple(fc.constant(r), fc.tuple(...r.aggNames.map(aggregate))))
  .map(([r, aggregates]) =>
    defineWindow({
      id: 'rt',
      version: 3,
      name: 'Round trip',
      site: r.site,
      ...r.window,
      time: r.time,
      graceMs: r.graceMs,
      resultsRetentionMs: r.retention,
      groupBy: r.groupBy,
      where: r.where,
      aggregates,
    }),
  );

describe('sql round trip', () => {
  test('compileSql(toSql(d)) equals d for random definitions', () => {
    fc.assert(
      fc.property(definition, (d) => {
        assert.deepEqual(roundTrip(d), d);
      }),
      { numRuns: 400 },
    );
  });

  test('the built-in definitions round-trip', () => {
    for (const d of BUILTIN_WINDOWS) assert.deepEqual(roundTrip(d), d);
  });

  test('toSql is canonical: rendering a compiled rendering changes nothing', () => {
    fc.assert(
      fc.property(definition, (d) => {
        assert.equal(toSql(roundTrip(d)), toSql(d));
      }),
      { numRuns: 100 },
    );
  });
});
