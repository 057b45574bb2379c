import type { AggregateSpec } from '../windows/definition';
import type { Predicate } from '../windows/predicate';
import type { AggregateCall, Condition, Ident } from './ast';
import { type Ctx, writtenName } from './compile-window';
import { SqlCompileError } from './errors';
import { isNumericField, numericColumnList, resolveColumn, snakeName } from './names';

/** WHERE / FILTER conditions → predicates, and select-list aggregates → aggregate specs. */

/**
 * `negate`: the condition sits under an odd number of NOTs. NOT is pushed to the leaves (De Morgan),
 * and exists there only where the definition has the opposite operator: a missing field makes `=`
 * false and `!=` true, so those two (and IN / NOT IN, IS NULL / IS NOT NULL) are exact complements,
 * while `x < 5` and `x >= 5` are both false for a missing x, so NOT (x < 5) has no spelling.
 */
export function toPredicate(cond: Condition, ctx: Ctx, path: (string | number)[], negate = false): Predicate {
  ctx.sources.note(path, cond.pos);
  switch (cond.kind) {
    case 'not':
      return toPredicate(cond.item, ctx, path, !negate);
    case 'and':
    case 'or': {
      const kind = negate === (cond.kind === 'and') ? 'or' : 'and';
      const items = cond.items.map((item, i) => toPredicate(item, ctx, [...path, kind, i], negate));
      return kind === 'and' ? { and: items } : { or: items };
    }
    case 'compare': {
      const field = resolveColumn(cond.column, ctx.streams);
      if (!negate) return { field, op: cond.op, value: cond.value };
      if (cond.op === '=') return { field, op: '!=', value: cond.value };
      if (cond.op === '!=') return { field, op: '=', value: cond.value };
      throw new SqlCompileError(
        `NOT cannot be applied to ${cond.op}: a comparison is false for a missing value, so its negation is not a comparison; write the comparison you mean`,
        cond.pos,
      );
    }
    case 'in': {
      const field = resolveColumn(cond.column, ctx.streams);
      return { field, op: cond.negated !== negate ? 'not_in' : 'in', value: cond.values };
    }
    case 'like': {
      const field = resolveColumn(cond.column, ctx.streams);
      const not = cond.negated !== negate;
      if (!cond.prefix) return { field, op: not ? '!=' : '=', value: cond.value };
      if (not)
        throw new SqlCompileError(
          'NOT LIKE is not supported: there is no "does not start with" filter',
          cond.pos,
        );
      return { field, op: 'prefix', value: cond.value };
    }
    case 'null': {
      const field = resolveColumn(cond.column, ctx.streams);
      // IS NOT NULL is the definition's `exists`; IS NULL its `value: false`.
      return cond.negated !== negate ? { field, op: 'exists' } : { field, op: 'exists', value: false };
    }
  }
}

const NUMERIC_FNS = new Set(['sum', 'avg', 'min', 'max', 'p50', 'p90', 'p99']);

/** `count`, `count_distinct_visitor`, `p90_engaged_ms`: what an aggregate without AS is called. */
export function defaultAggregateName(fn: AggregateSpec['fn'], field: string | undefined): string {
  return (field === undefined ? fn : `${fn}_${snakeName(field)}`).slice(0, 64);
}

export function toAggregates(
  calls: { call: AggregateCall; alias: Ident | undefined }[],
  ctx: Ctx,
): AggregateSpec[] {
  const names = new Map<string, number>();
  return calls.map(({ call, alias }, i) => {
    const path = ['aggregates', i];
    ctx.sources.note(path, call.pos);
    const field = call.column === undefined ? undefined : resolveColumn(call.column, ctx.streams);
    if (call.column !== undefined && field !== undefined) {
      ctx.sources.note([...path, 'field'], call.column.pos);
      if (NUMERIC_FNS.has(call.fn) && !isNumericField(field)) {
        const message = `${call.written} needs a number column; ${writtenName(call.column)} is not one (number columns: ${numericColumnList()})`;
        throw new SqlCompileError(message, call.column.pos);
      }
    }
    const name = alias?.value ?? defaultAggregateName(call.fn, field);
    if (call.k !== undefined) ctx.sources.note([...path, 'k'], call.k.pos, 'k');
    ctx.sources.note(
      [...path, 'name'],
      alias?.pos ?? call.pos,
      alias === undefined ? `name ${name}` : `alias ${name}`,
    );
    const earlier = names.get(name);
    if (earlier !== undefined) {
      const hint = alias === undefined ? `: name it with AS` : '';
      throw new SqlCompileError(`duplicate aggregate name "${name}"${hint}`, alias?.pos ?? call.pos);
    }
    names.set(name, i);
    const where = call.filter === undefined ? undefined : toPredicate(call.filter, ctx, [...path, 'where']);
    const spec = buildSpec(call, name, field);
    if (where !== undefined) spec.where = where;
    return spec;
  });
}

function buildSpec(call: AggregateCall, name: string, field: string | undefined): AggregateSpec {
  switch (call.fn) {
    case 'count':
      return field === undefined ? { name, fn: 'count' } : { name, fn: 'count', field };
    case 'active_visitors':
      return { name, fn: 'active_visitors' };
    case 'top_k':
      return { name, fn: 'top_k', field: field ?? '', k: call.k?.value ?? 0 };
    default:
      return { name, fn: call.fn, field: field ?? '' };
  }
}
