import type { AggregateCall, AggregateName, Ident, SelectItem } from './ast';
import type { Cursor } from './cursor';
import { SqlCompileError } from './errors';
import {
  isTimeFunction,
  parseColumn,
  parseCondition,
  parseIdent,
  parseParenthesizedSpec,
  parseTimeExpr,
} from './parse-expr';

/** Select-list items: group columns, FLOOR/STEP buckets and aggregates with FILTER, OVER and AS. */

const AGGREGATES: Record<string, AggregateName> = {
  count: 'count',
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  top_k_items: 'top_k',
  top_k: 'top_k',
  // Settled by its second argument (parseSecondArgument).
  percentile: 'p50',
  p50: 'p50',
  p90: 'p90',
  p99: 'p99',
  active_visitors: 'active_visitors',
};
export const FUNCTION_NAMES =
  'COUNT, SUM, AVG, MIN, MAX, TOP_K_ITEMS, PERCENTILE, P50, P90, P99, ACTIVE_VISITORS, FLOOR, STEP';

export function parseSelectItem(cur: Cursor): SelectItem {
  const pos = cur.peek();
  let expr: SelectItem['expr'];
  if (isTimeFunction(cur)) expr = parseTimeExpr(cur);
  else if (pos.kind === 'word' && cur.isSymbol('(', 1)) expr = parseAggregate(cur);
  else expr = parseColumn(cur);
  let alias: Ident | undefined;
  // Without AS, a name is an alias only before "," or FROM, so `path FORM clicks` reads as a typo.
  if (cur.acceptWord('as') || (cur.isName() && (cur.isSymbol(',', 1) || cur.isWord('from', 1)))) {
    alias = parseIdent(cur, 'an alias');
    if (!alias.quoted) alias.value = alias.value.toLowerCase();
  }
  return { expr, alias, pos };
}

function parseAggregate(cur: Cursor): AggregateCall {
  const name = cur.next();
  const fn = AGGREGATES[name.value.toLowerCase()];
  if (fn === undefined) {
    throw new SqlCompileError(`unknown function ${name.value}; functions are: ${FUNCTION_NAMES}`, name);
  }
  const call: AggregateCall = {
    kind: 'aggregate',
    fn,
    written: name.value.toUpperCase(),
    column: undefined,
    k: undefined,
    filter: undefined,
    over: undefined,
    pos: name,
  };
  cur.expectSymbol('(');
  if (fn === 'count' && cur.acceptSymbol('*')) {
    // COUNT(*): no column.
  } else if (fn === 'count' && cur.acceptWord('distinct')) {
    call.fn = 'count_distinct';
    call.column = parseColumn(cur);
  } else if (fn !== 'active_visitors') {
    call.column = parseColumn(cur);
  }
  if (fn === 'top_k' || call.written === 'PERCENTILE') parseSecondArgument(cur, call);
  cur.expectSymbol(')');
  if (cur.acceptWord('filter')) {
    cur.expectSymbol('(');
    cur.expectWord('where');
    call.filter = parseCondition(cur);
    cur.expectSymbol(')');
  }
  if (cur.acceptWord('over')) {
    call.over = cur.isSymbol('(')
      ? { name: undefined, spec: parseParenthesizedSpec(cur, 'sliding') }
      : { name: parseIdent(cur, 'a window name or "("'), spec: undefined };
  }
  return call;
}

const PERCENTILES = new Map<number, AggregateName>([
  [0.5, 'p50'],
  [0.9, 'p90'],
  [0.99, 'p99'],
]);

/** `TOP_K_ITEMS(col, k)`'s k, or `PERCENTILE(col, q)`'s q (one of the three sketches we keep). */
function parseSecondArgument(cur: Cursor, call: AggregateCall): void {
  cur.expectSymbol(',');
  const token = cur.peek();
  if (token.kind !== 'number')
    cur.fail([call.fn === 'top_k' ? 'a whole number k' : 'a fraction: 0.5, 0.9 or 0.99']);
  cur.next();
  const value = Number(token.value);
  if (call.fn === 'top_k') {
    if (!Number.isInteger(value))
      throw new SqlCompileError(`k must be a whole number, not ${token.value}`, token);
    call.k = { value, pos: token };
    return;
  }
  const fn = PERCENTILES.get(value);
  if (fn === undefined) {
    throw new SqlCompileError(
      `PERCENTILE supports 0.5, 0.9 and 0.99 (kept as p50, p90, p99 sketches), not ${token.value}`,
      token,
      ['0.5', '0.9', '0.99'],
    );
  }
  call.fn = fn;
}
