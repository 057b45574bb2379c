import { keyLabel } from '../model/breakdown';
import { valueCell } from '../model/export';
import { formatClock } from '../model/format';
import type { WindowDef, WindowRow } from '../model/schemas';
import styles from '../styles/charts.module.css';

const SHOWN = 15;

/** The newest results of a window, one line each (stagger and session windows, one per key and window). */
export function ResultsTable({ def, rows }: { def: WindowDef; rows: readonly WindowRow[] }) {
  const newest = [...rows].sort((a, b) => b.end - a.end || b.start - a.start).slice(0, SHOWN);
  if (newest.length === 0) return <p className={styles.headlineUnit}>No results yet.</p>;
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <caption className="visually-hidden">Latest results of {def.name}</caption>
        <thead>
          <tr>
            <th scope="col">Window</th>
            {def.groupBy.length > 0 ? <th scope="col">Key</th> : null}
            {def.aggregates.map((a) => (
              <th key={a.name} scope="col">
                {a.name}
              </th>
            ))}
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {newest.map((row) => (
            <tr key={`${row.start}|${row.end}|${JSON.stringify(row.key)}`}>
              <td>
                {formatClock(row.start)}–{formatClock(row.end)}
              </td>
              {def.groupBy.length > 0 ? <td>{keyLabel(row.key)}</td> : null}
              {def.aggregates.map((a) => (
                <td key={a.name} className={styles.num}>
                  {String(valueCell(row.values[a.name]) ?? '—')}
                </td>
              ))}
              <td>{row.final ? 'final' : 'open'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
