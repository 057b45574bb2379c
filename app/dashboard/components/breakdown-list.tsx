import type { Breakdown } from '../model/breakdown';
import { FILTER_LABELS, type Filter } from '../model/filters';
import { formatCount } from '../model/format';
import styles from '../styles/breakdown.module.css';

interface BreakdownListProps {
  breakdown: Breakdown;
  /** Column header for the label (e.g. "Page"). */
  labelHeader: string;
  /** Column header for the count (e.g. "Pageviews"). */
  countHeader: string;
  /** The active filter on this list's field, if any (its row is marked). */
  active?: Filter;
  onFilter?: (filter: Filter) => void;
  max?: number;
  emptyText?: string;
  testId?: string;
}

/**
 * A ranked list. Rows of a filterable field are buttons that filter the whole dashboard. Every label is
 * rendered as text (React escapes it): paths, titles and sources are user-supplied.
 */
export function BreakdownList({
  breakdown,
  labelHeader,
  countHeader,
  active,
  onFilter,
  max = 10,
  emptyText = 'Nothing in this period yet',
  testId,
}: BreakdownListProps) {
  const entries = breakdown.entries.slice(0, max);
  if (entries.length === 0) return <p className={styles.empty}>{emptyText}</p>;
  const top = Math.max(1, ...entries.map((e) => e.count));
  const total = breakdown.entries.reduce((sum, e) => sum + e.count, 0);
  const field = breakdown.field;
  return (
    <div data-testid={testId}>
      <div className={styles.head} aria-hidden="true">
        <span>{labelHeader}</span>
        <span>{countHeader}</span>
      </div>
      <ul className={styles.list} aria-label={`${labelHeader} by ${countHeader.toLowerCase()}`}>
        {entries.map((entry) => {
          const width = `${Math.max(1, Math.round((entry.count / top) * 100))}%`;
          const share = total > 0 ? `${Math.round((entry.count / total) * 100)}%` : '';
          const content = (
            <>
              <span className={styles.bar} style={{ width }} aria-hidden="true" />
              <span className={styles.label} title={entry.label}>
                {entry.label}
              </span>
              <span className={styles.count}>
                {formatCount(entry.count)}
                <span className={styles.share}>{share}</span>
              </span>
            </>
          );
          const filterValue = entry.filterValue;
          const isActive = field !== undefined && active?.field === field && active.value === filterValue;
          return (
            <li
              key={`${entry.other ? 'other' : 'v'}:${entry.label}`}
              data-testid="breakdown-row"
              data-label={entry.label}
              data-count={entry.count}
            >
              {field !== undefined && filterValue !== undefined && onFilter ? (
                <button
                  type="button"
                  className={styles.row}
                  aria-current={isActive ? 'true' : undefined}
                  aria-label={`Filter by ${FILTER_LABELS[field]} ${entry.label}: ${formatCount(entry.count)} ${countHeader.toLowerCase()}`}
                  onClick={() => onFilter({ field, value: filterValue })}
                >
                  {content}
                </button>
              ) : (
                <div className={entry.other ? `${styles.row} ${styles.other}` : styles.row}>{content}</div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
