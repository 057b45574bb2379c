import { type FilterField, isFilterField } from './filters';
import type { Scalar, TopK, WindowDef, WindowRow } from './schemas';

export const OTHER_LABEL = '(other)';

export interface BreakdownEntry {
  /** What the row shows (text only). */
  label: string;
  /** The raw value to filter on; undefined when the row cannot be a filter ("other", several keys). */
  filterValue?: string;
  count: number;
  other: boolean;
}

export interface Breakdown {
  entries: BreakdownEntry[];
  /** The event field the rows stand for, when clicking a row can filter the dashboard by it. */
  field?: FilterField;
  /** Name of the counted aggregate (column header). */
  measure: string;
}

export function scalarLabel(value: Scalar | undefined): string {
  if (value === null || value === undefined || value === '') return '(none)';
  return String(value);
}

export function keyLabel(key: Record<string, Scalar> | null): string {
  if (key === null) return 'all';
  const values = Object.values(key);
  return values.length === 0 ? 'all' : values.map(scalarLabel).join(' · ');
}

function isTopK(value: unknown): value is TopK {
  return typeof value === 'object' && value !== null && 'top' in value;
}

function sorted(entries: BreakdownEntry[]): BreakdownEntry[] {
  return entries.sort(
    (a, b) => Number(a.other) - Number(b.other) || b.count - a.count || a.label.localeCompare(b.label),
  );
}

function filterable(field: string | undefined): FilterField | undefined {
  return field !== undefined && isFilterField(field) ? field : undefined;
}

/**
 * The rows of one window as a ranked list: the entries of its first top_k aggregate (summed over keys),
 * else one entry per group key with the first numeric aggregate.
 */
export function breakdownOf(def: WindowDef, rows: readonly WindowRow[]): Breakdown {
  const topAggregate = def.aggregates.find((a) => a.fn === 'top_k');
  if (topAggregate) {
    const counts = new Map<string, BreakdownEntry>();
    let other = 0;
    for (const row of rows) {
      const value = row.values[topAggregate.name];
      if (!isTopK(value)) continue;
      other += value.other;
      for (const { value: v, count } of value.top) {
        const label = scalarLabel(v);
        const entry = counts.get(label);
        if (entry) entry.count += count;
        else
          counts.set(label, { label, filterValue: v === null ? undefined : String(v), count, other: false });
      }
    }
    const entries = [...counts.values()];
    if (other > 0) entries.push({ label: OTHER_LABEL, count: other, other: true });
    const field = filterable(topAggregate.field);
    return {
      entries: sorted(field ? entries : entries.map(withoutFilter)),
      measure: topAggregate.name,
      ...(field ? { field } : {}),
    };
  }

  const measure = def.aggregates[0]?.name ?? 'value';
  const groupField =
    def.groupBy.length === 1 && typeof def.groupBy[0] === 'string' ? def.groupBy[0] : undefined;
  const field = filterable(groupField);
  const entries: BreakdownEntry[] = [];
  for (const row of rows) {
    const value = row.values[measure];
    if (typeof value !== 'number') continue;
    const raw = groupField !== undefined && row.key ? row.key[groupField] : undefined;
    const other = raw === OTHER_LABEL;
    entries.push({
      label: other ? OTHER_LABEL : keyLabel(row.key),
      count: value,
      other,
      ...(field && !other && raw !== null && raw !== undefined ? { filterValue: String(raw) } : {}),
    });
  }
  return { entries: sorted(entries), measure, ...(field ? { field } : {}) };
}

function withoutFilter({ filterValue: _, ...entry }: BreakdownEntry): BreakdownEntry {
  return entry;
}
