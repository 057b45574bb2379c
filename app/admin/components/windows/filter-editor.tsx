'use client';

import {
  type Combinator,
  defaultKind,
  FILTER_OPS,
  type FilterRow,
  isFilterOp,
  isListOp,
  newFilterRow,
  takesValue,
  type ValueKind,
} from '../../model/filters';
import { predicateToSqlText } from '../../model/predicate-text';
import styles from '../../styles/form.module.css';
import { errorId, FieldError } from '../field-error';
import type { FormEditorProps } from './form-editor';

/** Filter rows (field, operator, value) combined by AND or OR; a nested filter is shown and kept, not edited. */
export function FilterEditor({
  base,
  form,
  update,
  error,
  fieldsListId,
}: FormEditorProps & { fieldsListId: string }) {
  const { filters } = form;
  const setRow = (i: number, row: FilterRow) =>
    update(
      (f) => ({ ...f, filters: { ...f.filters, rows: f.filters.rows.map((r, j) => (j === i ? row : r)) } }),
      `where.${i}`,
    );

  if (filters.advanced !== undefined) {
    return (
      <fieldset className={styles.fieldset} data-testid="filter-editor">
        <legend className={styles.legend}>Filter</legend>
        <p className={styles.hint}>
          This filter nests AND and OR (or uses lists the rows cannot show); it is kept as it is. Edit it in
          the SQL tab, or clear it to build a new one here.
        </p>
        <pre className={styles.readonlyCode} data-testid="filter-advanced">
          {predicateToSqlText(filters.advanced)}
        </pre>
        <button
          type="button"
          className={styles.addButton}
          onClick={() => update((f) => ({ ...f, filters: { combinator: 'and', rows: [] } }), 'where')}
        >
          Clear the filter
        </button>
        <FieldError id={errorId(base, 'where')} message={error('where')} testKey="where" />
      </fieldset>
    );
  }

  return (
    <fieldset className={styles.fieldset} data-testid="filter-editor">
      <legend className={styles.legend}>Filter</legend>
      <p className={styles.hint}>Only events matching the filter count. No rows: every event.</p>
      {filters.rows.length > 1 ? (
        <div className={styles.inline}>
          <label htmlFor={`${base}-combinator`} className={styles.label}>
            Combine rows with
          </label>
          <select
            id={`${base}-combinator`}
            className={styles.select}
            value={filters.combinator}
            onChange={(e) => {
              const combinator: Combinator = e.target.value === 'or' ? 'or' : 'and';
              update((f) => ({ ...f, filters: { ...f.filters, combinator } }), 'where');
            }}
            data-testid="filter-combinator"
          >
            <option value="and">AND (all rows match)</option>
            <option value="or">OR (any row matches)</option>
          </select>
        </div>
      ) : null}
      <ul className={styles.rows}>
        {filters.rows.map((row, i) => {
          const rowError = error(`where.${i}.value`) ?? error(`where.${i}.op`) ?? error(`where.${i}`);
          const fieldError = error(`where.${i}.field`);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
            <li key={i} className={styles.row} data-testid={`filter-row-${i}`}>
              {i > 0 ? (
                <span className={styles.joiner} aria-hidden="true">
                  {filters.combinator.toUpperCase()}
                </span>
              ) : null}
              <label className="visually-hidden" htmlFor={`${base}-ffield-${i}`}>
                Filter {i + 1}: field
              </label>
              <input
                id={`${base}-ffield-${i}`}
                className={styles.input}
                list={fieldsListId}
                value={row.field}
                spellCheck={false}
                aria-invalid={fieldError !== undefined}
                aria-describedby={fieldError ? errorId(base, `where.${i}.field`) : undefined}
                onChange={(e) => {
                  const field = e.target.value;
                  setRow(i, { ...row, field, kind: row.value === '' ? defaultKind(field) : row.kind });
                }}
                data-testid={`filter-field-${i}`}
              />
              <label className="visually-hidden" htmlFor={`${base}-fop-${i}`}>
                Filter {i + 1}: operator
              </label>
              <select
                id={`${base}-fop-${i}`}
                className={styles.select}
                value={row.op}
                onChange={(e) => {
                  if (isFilterOp(e.target.value)) setRow(i, { ...row, op: e.target.value });
                }}
                data-testid={`filter-op-${i}`}
              >
                {FILTER_OPS.map((op) => (
                  <option key={op.id} value={op.id}>
                    {op.label}
                  </option>
                ))}
              </select>
              {takesValue(row.op) ? (
                <>
                  <label className="visually-hidden" htmlFor={`${base}-fkind-${i}`}>
                    Filter {i + 1}: value type
                  </label>
                  <select
                    id={`${base}-fkind-${i}`}
                    className={styles.select}
                    value={row.kind}
                    onChange={(e) => {
                      const kind: ValueKind =
                        e.target.value === 'number'
                          ? 'number'
                          : e.target.value === 'boolean'
                            ? 'boolean'
                            : 'text';
                      setRow(i, { ...row, kind });
                    }}
                    data-testid={`filter-kind-${i}`}
                  >
                    <option value="text">text</option>
                    <option value="number">number</option>
                    <option value="boolean">true/false</option>
                  </select>
                  <label className="visually-hidden" htmlFor={`${base}-fvalue-${i}`}>
                    Filter {i + 1}: {isListOp(row.op) ? 'values, separated by commas' : 'value'}
                  </label>
                  <input
                    id={`${base}-fvalue-${i}`}
                    className={styles.input}
                    value={row.value}
                    placeholder={isListOp(row.op) ? 'a, b, c' : row.kind === 'boolean' ? 'true' : 'value'}
                    spellCheck={false}
                    aria-invalid={rowError !== undefined}
                    aria-describedby={rowError ? errorId(base, `where.${i}`) : undefined}
                    onChange={(e) => setRow(i, { ...row, value: e.target.value })}
                    data-testid={`filter-value-${i}`}
                  />
                </>
              ) : null}
              <button
                type="button"
                className={styles.removeButton}
                aria-label={`Remove filter ${i + 1}`}
                onClick={() =>
                  update(
                    (f) => ({
                      ...f,
                      filters: { ...f.filters, rows: f.filters.rows.filter((_, j) => j !== i) },
                    }),
                    'where',
                  )
                }
              >
                ✕
              </button>
              <FieldError
                id={errorId(base, `where.${i}.field`)}
                message={fieldError}
                testKey={`where.${i}.field`}
              />
              <FieldError id={errorId(base, `where.${i}`)} message={rowError} testKey={`where.${i}`} />
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className={styles.addButton}
        onClick={() =>
          update(
            (f) => ({ ...f, filters: { ...f.filters, rows: [...f.filters.rows, newFilterRow()] } }),
            'where',
          )
        }
        data-testid="filter-add"
      >
        + Add a filter row
      </button>
      <FieldError id={errorId(base, 'where')} message={error('where')} testKey="where" />
    </fieldset>
  );
}
