'use client';

import type { GroupRow } from '../../model/window-form';
import styles from '../../styles/form.module.css';
import { errorId, FieldError } from '../field-error';
import { DurationInput } from './duration-input';
import type { FormEditorProps } from './form-editor';

/** Group-by (partition-by for stagger and session) rows: a field, or a time bucket of ts / ingest_time. */
export function GroupByEditor({
  base,
  form,
  update,
  error,
  fieldsListId,
}: FormEditorProps & { fieldsListId: string }) {
  const partition = form.type === 'stagger' || form.type === 'session';
  const setRow = (i: number, row: GroupRow) =>
    update((f) => ({ ...f, groupBy: f.groupBy.map((r, j) => (j === i ? row : r)) }), `groupBy.${i}`);
  return (
    <fieldset className={styles.fieldset} data-testid="groupby-editor">
      <legend className={styles.legend}>{partition ? 'Partition by' : 'Group by'}</legend>
      <p className={styles.hint}>
        {form.type === 'session'
          ? 'One session per key; empty: per visitor.'
          : partition
            ? 'One window per key tuple.'
            : 'One result per key. Results are always per site.'}{' '}
        Fields include <code>props.&lt;name&gt;</code>; a time bucket groups by the minute, hour… of a time.
      </p>
      <ul className={styles.rows}>
        {form.groupBy.map((row, i) => {
          const rowError = error(`groupBy.${i}`) ?? error(`groupBy.${i}.field`);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
            <li key={i} className={`${styles.row} ${styles.labelledRow}`} data-testid={`groupby-row-${i}`}>
              <div className={styles.field}>
                <label className={styles.label} htmlFor={`${base}-gkind-${i}`}>
                  Group {i + 1}
                </label>
                <select
                  id={`${base}-gkind-${i}`}
                  className={styles.select}
                  value={row.kind}
                  onChange={(e) =>
                    setRow(
                      i,
                      e.target.value === 'bucket'
                        ? { kind: 'bucket', field: 'ts', floor: { value: '1', unit: 'min' }, as: 'minute' }
                        : { kind: 'field', field: 'path' },
                    )
                  }
                  data-testid={`groupby-kind-${i}`}
                >
                  <option value="field">Field</option>
                  <option value="bucket">Time bucket</option>
                </select>
              </div>
              {row.kind === 'field' ? (
                <div className={styles.field}>
                  <label className={styles.label} htmlFor={`${base}-gfield-${i}`}>
                    Field
                  </label>
                  <input
                    id={`${base}-gfield-${i}`}
                    className={styles.input}
                    list={fieldsListId}
                    value={row.field}
                    spellCheck={false}
                    aria-invalid={rowError !== undefined}
                    aria-describedby={rowError ? errorId(base, `groupBy.${i}`) : undefined}
                    onChange={(e) => setRow(i, { kind: 'field', field: e.target.value })}
                    data-testid={`groupby-field-${i}`}
                  />
                </div>
              ) : (
                <>
                  <div className={styles.field}>
                    <label className={styles.label} htmlFor={`${base}-gtime-${i}`}>
                      Time
                    </label>
                    <select
                      id={`${base}-gtime-${i}`}
                      className={styles.select}
                      value={row.field}
                      onChange={(e) =>
                        setRow(i, { ...row, field: e.target.value === 'ingest_time' ? 'ingest_time' : 'ts' })
                      }
                    >
                      <option value="ts">event time (ts)</option>
                      <option value="ingest_time">ingest time</option>
                    </select>
                  </div>
                  <DurationInput
                    base={base}
                    errorKey={`groupBy.${i}.floorMs`}
                    label="Bucket"
                    value={row.floor}
                    error={error(`groupBy.${i}.floorMs`)}
                    onChange={(floor) => setRow(i, { ...row, floor })}
                    testId={`groupby-floor-${i}`}
                  />
                  <div className={styles.field}>
                    <label className={styles.label} htmlFor={`${base}-gas-${i}`}>
                      Named
                    </label>
                    <input
                      id={`${base}-gas-${i}`}
                      className={styles.input}
                      value={row.as}
                      spellCheck={false}
                      aria-invalid={error(`groupBy.${i}.as`) !== undefined}
                      aria-describedby={
                        error(`groupBy.${i}.as`) ? errorId(base, `groupBy.${i}.as`) : undefined
                      }
                      onChange={(e) => setRow(i, { ...row, as: e.target.value })}
                      data-testid={`groupby-as-${i}`}
                    />
                    <FieldError
                      id={errorId(base, `groupBy.${i}.as`)}
                      message={error(`groupBy.${i}.as`)}
                      testKey={`groupBy.${i}.as`}
                    />
                  </div>
                </>
              )}
              <button
                type="button"
                className={styles.removeButton}
                aria-label={`Remove group ${i + 1}`}
                onClick={() =>
                  update((f) => ({ ...f, groupBy: f.groupBy.filter((_, j) => j !== i) }), 'groupBy')
                }
              >
                ✕
              </button>
              <FieldError id={errorId(base, `groupBy.${i}`)} message={rowError} testKey={`groupBy.${i}`} />
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className={styles.addButton}
        onClick={() =>
          update((f) => ({ ...f, groupBy: [...f.groupBy, { kind: 'field', field: 'path' }] }), 'groupBy')
        }
        data-testid="groupby-add"
      >
        + Add a {partition ? 'partition' : 'group'} field
      </button>
      <FieldError id={errorId(base, 'groupBy')} message={error('groupBy')} testKey="groupBy" />
    </fieldset>
  );
}
