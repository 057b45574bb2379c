import type { CsvCell } from './csv';
import type { FinalValue, WindowDef, WindowRow } from './schemas';

function groupNames(def: WindowDef): string[] {
  return def.groupBy.map((g) => (typeof g === 'string' ? g : g.as));
}

/** A value as one CSV cell: numbers as they are, top lists as "value=count; …; (other)=n". */
export function valueCell(value: FinalValue | undefined): CsvCell {
  if (value === undefined || value === null || typeof value === 'number') return value;
  const parts = value.top.map((t) => `${String(t.value)}=${t.count}`);
  if (value.other > 0) parts.push(`(other)=${value.other}`);
  return parts.join('; ');
}

/** Any window's rows as a table: window bounds, state, key fields, then one column per aggregate. */
export function windowCsv(
  def: WindowDef,
  rows: readonly WindowRow[],
): { header: string[]; rows: CsvCell[][] } {
  const keys = groupNames(def);
  const aggregates = def.aggregates.map((a) => a.name);
  return {
    header: ['start', 'end', 'final', 'late', ...keys, ...aggregates],
    rows: [...rows]
      .sort((a, b) => a.start - b.start || a.end - b.end)
      .map((row) => [
        new Date(row.start).toISOString(),
        new Date(row.end).toISOString(),
        row.final,
        row.late ?? 0,
        ...keys.map((k) => row.key?.[k] ?? null),
        ...aggregates.map((name) => valueCell(row.values[name])),
      ]),
  };
}
