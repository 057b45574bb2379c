'use client';

import type { AggregateFn } from '../../../../lib/windows/definition';
import { predicateToSqlText } from '../../model/predicate-text';
import { AGGREGATE_FNS, type AggregateRow, aggregateFieldUse } from '../../model/window-form';
import styles from '../../styles/form.module.css';
import { errorId, FieldError } from '../field-error';
import type { FormEditorProps } from './form-editor';

function isAggregateFn(value: string): value is AggregateFn {
  return AGGREGATE_FNS.some((fn) => fn.id === value);
}

/** Aggregates: a name (the result's column), a function and its field (and k for top k). */
export function AggregatesEditor({
  base,
  form,
  update,
  error,
  fieldsListId,
}: FormEditorProps & { fieldsListId: string }) {
  const setRow = (i: number, row: AggregateRow) =>
    update((f) => ({ ...f, aggregates: f.aggregates.map((r, j) => (j === i ? row : r)) }), `aggregates.${i}`);
  return (
    <fieldset className={styles.fieldset} data-testid="aggregates-editor">
      <legend className={styles.legend}>Aggregates</legend>
      <ul className={styles.rows}>
        {form.aggregates.map((row, i) => {
          const use = aggregateFieldUse(row.fn);
          const key = (part: string) => `aggregates.${i}.${part}`;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
            <li key={i} className={`${styles.row} ${styles.labelledRow}`} data-testid={`aggregate-row-${i}`}>
              <div className={styles.field}>
                <label className={styles.label} htmlFor={`${base}-aname-${i}`}>
                  Name
                </label>
                <input
                  id={`${base}-aname-${i}`}
                  className={styles.input}
                  value={row.name}
                  spellCheck={false}
                  aria-invalid={error(key('name')) !== undefined}
                  aria-describedby={error(key('name')) ? errorId(base, key('name')) : undefined}
                  onChange={(e) => setRow(i, { ...row, name: e.target.value })}
                  data-testid={`aggregate-name-${i}`}
                />
                <FieldError
                  id={errorId(base, key('name'))}
                  message={error(key('name'))}
                  testKey={key('name')}
                />
              </div>
              <div className={styles.field}>
                <label className={styles.label} htmlFor={`${base}-afn-${i}`}>
                  Function
                </label>
                <select
                  id={`${base}-afn-${i}`}
                  className={styles.select}
                  value={row.fn}
                  onChange={(e) => {
                    if (isAggregateFn(e.target.value)) setRow(i, { ...row, fn: e.target.value });
                  }}
                  data-testid={`aggregate-fn-${i}`}
                >
                  {AGGREGATE_FNS.map((fn) => (
                    <option key={fn.id} value={fn.id}>
                      {fn.label}
                    </option>
                  ))}
                </select>
                <FieldError id={errorId(base, key('fn'))} message={error(key('fn'))} testKey={key('fn')} />
              </div>
              {use === 'none' ? null : (
                <div className={styles.field}>
                  <label className={styles.label} htmlFor={`${base}-afield-${i}`}>
                    {use === 'number'
                      ? 'Number field'
                      : use === 'optional'
                        ? 'Field (empty: all events)'
                        : 'Field'}
                  </label>
                  <input
                    id={`${base}-afield-${i}`}
                    className={styles.input}
                    list={fieldsListId}
                    value={row.field}
                    placeholder={use === 'optional' ? '*' : use === 'number' ? 'engagedMs' : 'visitor'}
                    spellCheck={false}
                    aria-invalid={error(key('field')) !== undefined}
                    aria-describedby={error(key('field')) ? errorId(base, key('field')) : undefined}
                    onChange={(e) => setRow(i, { ...row, field: e.target.value })}
                    data-testid={`aggregate-field-${i}`}
                  />
                </div>
              )}
              {row.fn === 'top_k' ? (
                <div className={styles.field}>
                  <label className={styles.label} htmlFor={`${base}-ak-${i}`}>
                    k
                  </label>
                  <input
                    id={`${base}-ak-${i}`}
                    className={`${styles.input} ${styles.narrow}`}
                    inputMode="numeric"
                    value={row.k}
                    aria-invalid={error(key('k')) !== undefined}
                    aria-describedby={error(key('k')) ? errorId(base, key('k')) : undefined}
                    onChange={(e) => setRow(i, { ...row, k: e.target.value })}
                    data-testid={`aggregate-k-${i}`}
                  />
                  <FieldError id={errorId(base, key('k'))} message={error(key('k'))} testKey={key('k')} />
                </div>
              ) : null}
              {row.where !== undefined ? (
                <p className={styles.hint}>
                  Counts only events where <code>{predicateToSqlText(row.where)}</code> (its FILTER is edited
                  in SQL).
                </p>
              ) : null}
              <button
                type="button"
                className={styles.removeButton}
                aria-label={`Remove aggregate ${i + 1}`}
                onClick={() =>
                  update((f) => ({ ...f, aggregates: f.aggregates.filter((_, j) => j !== i) }), 'aggregates')
                }
              >
                ✕
              </button>
              <FieldError
                id={errorId(base, key('field'))}
                message={error(key('field'))}
                testKey={key('field')}
              />
              <FieldError
                id={errorId(base, `aggregates.${i}`)}
                message={error(`aggregates.${i}`) ?? error(key('where'))}
                testKey={`aggregates.${i}`}
              />
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className={styles.addButton}
        onClick={() =>
          update(
            (f) => ({
              ...f,
              aggregates: [
                ...f.aggregates,
                { name: `value_${f.aggregates.length + 1}`, fn: 'count', field: '', k: '10' },
              ],
            }),
            'aggregates',
          )
        }
        data-testid="aggregate-add"
      >
        + Add an aggregate
      </button>
      <FieldError id={errorId(base, 'aggregates')} message={error('aggregates')} testKey="aggregates" />
    </fieldset>
  );
}
