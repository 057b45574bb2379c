import { FILTER_LABELS, type Filter, type FilterField } from '../model/filters';
import styles from '../styles/toolbar.module.css';
import { countryLabel } from './breakdown-panel';

interface FilterChipsProps {
  filters: readonly Filter[];
  onRemove: (field: FilterField) => void;
  onClear: () => void;
}

/** The active filters, each removable; the values are visitor-supplied strings shown as text. */
export function FilterChips({ filters, onRemove, onClear }: FilterChipsProps) {
  if (filters.length === 0) return null;
  return (
    <ul className={styles.chips} aria-label="Active filters" data-testid="filter-chips">
      {filters.map((filter) => {
        const value = filter.field === 'country' ? countryLabel(filter.value) : filter.value;
        return (
          <li key={filter.field} className={styles.chip} data-testid={`filter-chip-${filter.field}`}>
            <span className={styles.chipText} title={`${FILTER_LABELS[filter.field]} is ${filter.value}`}>
              <span className={styles.chipField}>{FILTER_LABELS[filter.field]} is </span>
              {value}
            </span>
            <button
              type="button"
              className={styles.chipRemove}
              aria-label={`Remove filter ${FILTER_LABELS[filter.field]} is ${filter.value}`}
              onClick={() => onRemove(filter.field)}
            >
              ×
            </button>
          </li>
        );
      })}
      {filters.length > 1 ? (
        <li>
          <button type="button" className={styles.clear} onClick={onClear}>
            Clear all
          </button>
        </li>
      ) : null}
    </ul>
  );
}
