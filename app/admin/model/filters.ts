import { NUMERIC_FIELDS } from '../../../lib/windows/fields';
import type { Predicate, PredicateLeaf, PredicateValue } from '../../../lib/windows/predicate';

/**
 * The form's filter editor: rows of field / operator / value combined by one AND or OR, converted to and
 * from a definition's `where` predicate. A predicate the rows cannot show without loss (nesting, mixed
 * lists, list values with commas) is kept whole as `advanced` and edited in SQL instead.
 */

/** The predicate operators, plus "missing" (`{ op: 'exists', value: false }`), as the form offers them. */
export const FILTER_OPS = [
  { id: '=', label: 'equals' },
  { id: '!=', label: 'does not equal' },
  { id: 'in', label: 'is one of' },
  { id: 'not_in', label: 'is none of' },
  { id: 'prefix', label: 'starts with' },
  { id: '<', label: '<' },
  { id: '<=', label: '≤' },
  { id: '>', label: '>' },
  { id: '>=', label: '≥' },
  { id: 'exists', label: 'is present' },
  { id: 'missing', label: 'is missing' },
] as const;

export type FilterOp = (typeof FILTER_OPS)[number]['id'];
/** How the value text is read: as text, as a number, or as true/false. */
export type ValueKind = 'text' | 'number' | 'boolean';
export type Combinator = 'and' | 'or';

export interface FilterRow {
  field: string;
  op: FilterOp;
  /** As typed; lists (`in`, `not_in`) are comma-separated. */
  value: string;
  kind: ValueKind;
}

export interface FilterState {
  combinator: Combinator;
  rows: FilterRow[];
  /** A predicate the rows cannot express; when set, it is the `where` as is. */
  advanced?: Predicate;
}

export const EMPTY_FILTERS: FilterState = { combinator: 'and', rows: [] };

export function isFilterOp(value: string): value is FilterOp {
  return FILTER_OPS.some((op) => op.id === value);
}

export function takesValue(op: FilterOp): boolean {
  return op !== 'exists' && op !== 'missing';
}

export function isListOp(op: FilterOp): boolean {
  return op === 'in' || op === 'not_in';
}

/** The value kind a new row on `field` starts with. */
export function defaultKind(field: string): ValueKind {
  if (NUMERIC_FIELDS.includes(field)) return 'number';
  if (field === 'target.outbound') return 'boolean';
  return 'text';
}

export function newFilterRow(field = 'type'): FilterRow {
  return { field, op: '=', value: '', kind: defaultKind(field) };
}

function readScalar(text: string, kind: ValueKind): PredicateValue | { problem: string } {
  if (kind === 'text') return text;
  const trimmed = text.trim();
  if (kind === 'boolean') {
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
    return { problem: 'enter true or false' };
  }
  if (trimmed === '' || !Number.isFinite(Number(trimmed))) return { problem: 'enter a number' };
  return Number(trimmed);
}

/** The row's value as the predicate holds it, or why the text cannot be read. */
export function rowValue(
  row: FilterRow,
): PredicateValue | PredicateValue[] | undefined | { problem: string } {
  if (!takesValue(row.op)) return undefined;
  if (!isListOp(row.op)) return readScalar(row.value, row.kind);
  const items = row.value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) return { problem: 'enter one or more values, separated by commas' };
  const values: PredicateValue[] = [];
  for (const item of items) {
    const value = readScalar(item, row.kind);
    if (typeof value === 'object') return value;
    values.push(value);
  }
  return values;
}

function isProblem(value: unknown): value is { problem: string } {
  return typeof value === 'object' && value !== null && 'problem' in value;
}

/** A row as a predicate leaf. Unreadable values stay strings, so the schema still checks everything else. */
export function rowToLeaf(row: FilterRow): PredicateLeaf {
  if (row.op === 'missing') return { field: row.field, op: 'exists', value: false };
  if (row.op === 'exists') return { field: row.field, op: 'exists' };
  const value = rowValue(row);
  return {
    field: row.field,
    op: row.op,
    value: value === undefined || isProblem(value) ? row.value : value,
  };
}

/** Problems reading the rows' value texts, keyed by row index. */
export function rowProblems(state: FilterState): Map<number, string> {
  const problems = new Map<number, string>();
  if (state.advanced !== undefined) return problems;
  state.rows.forEach((row, i) => {
    const value = rowValue(row);
    if (isProblem(value)) problems.set(i, value.problem);
  });
  return problems;
}

/** The `where` of the filter state: none, one leaf, or one and/or over the leaves. */
export function filtersToPredicate(state: FilterState): Predicate | undefined {
  if (state.advanced !== undefined) return state.advanced;
  const leaves = state.rows.map(rowToLeaf);
  if (leaves.length === 0) return undefined;
  if (leaves.length === 1) return leaves[0];
  return state.combinator === 'and' ? { and: leaves } : { or: leaves };
}

function kindOf(value: PredicateValue): ValueKind {
  return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text';
}

function leafToRow(leaf: Predicate): FilterRow | undefined {
  if ('and' in leaf || 'or' in leaf) return undefined;
  if (leaf.op === 'exists') {
    return { field: leaf.field, op: leaf.value === false ? 'missing' : 'exists', value: '', kind: 'text' };
  }
  const { value } = leaf;
  if (Array.isArray(value)) {
    const first = value[0];
    if (first === undefined) return undefined;
    const kind = kindOf(first);
    // A list row is comma-separated text: values with commas, blanks or mixed kinds do not survive it.
    const plain = value.every(
      (v) =>
        kindOf(v) === kind &&
        (kind !== 'text' || (String(v).trim() === v && v !== '' && !String(v).includes(','))),
    );
    if (!plain || !isListOp(leaf.op as FilterOp)) return undefined;
    return { field: leaf.field, op: leaf.op, value: value.map(String).join(', '), kind };
  }
  if (isListOp(leaf.op as FilterOp)) return undefined;
  return { field: leaf.field, op: leaf.op, value: String(value), kind: kindOf(value) };
}

/** The rows showing `where` exactly, or an `advanced` state holding it when rows cannot. */
export function predicateToFilters(where: Predicate | undefined): FilterState {
  if (where === undefined) return { combinator: 'and', rows: [] };
  const single = leafToRow(where);
  if (single) return { combinator: 'and', rows: [single] };
  const combinator: Combinator | undefined = 'and' in where ? 'and' : 'or' in where ? 'or' : undefined;
  const children = 'and' in where ? where.and : 'or' in where ? where.or : [];
  const rows = children.map(leafToRow);
  if (combinator === undefined || rows.length < 2 || rows.some((row) => row === undefined)) {
    return { combinator: combinator ?? 'and', rows: [], advanced: where };
  }
  return { combinator, rows: rows.filter((row): row is FilterRow => row !== undefined) };
}

/**
 * Where a schema issue under `where` belongs in the rows: `['where', 'value']` (one row) or
 * `['where', 'and', 2, 'op']` → `{ row: 2, part: 'op' }`; anything else is about the filter as a whole.
 */
export function wherePathToRow(
  state: FilterState,
  path: readonly (string | number)[],
): { row: number; part: string } | undefined {
  if (state.advanced !== undefined || path[0] !== 'where') return undefined;
  if (state.rows.length === 1) {
    const part = path[1];
    return { row: 0, part: typeof part === 'string' ? part : '' };
  }
  const [, combinator, index, part] = path;
  if ((combinator === 'and' || combinator === 'or') && typeof index === 'number') {
    return { row: index, part: typeof part === 'string' ? part : '' };
  }
  return undefined;
}
