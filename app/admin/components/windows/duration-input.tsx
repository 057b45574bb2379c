'use client';

import { DURATION_UNITS, type Duration, isDurationUnit } from '../../model/units';
import styles from '../../styles/form.module.css';
import { errorId, FieldError } from '../field-error';

/** A number and a unit picker (ms, s, min, h, d); the form converts to ms exactly. */
export function DurationInput({
  base,
  errorKey,
  label,
  hint,
  value,
  placeholder,
  error,
  onChange,
  testId,
}: {
  base: string;
  errorKey: string;
  label: string;
  hint?: string;
  value: Duration;
  placeholder?: string;
  error: string | undefined;
  onChange: (value: Duration) => void;
  testId: string;
}) {
  const id = `${base}-${testId}`;
  const described = [hint ? `${id}-hint` : '', error ? errorId(base, errorKey) : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={styles.field}>
      <label htmlFor={id} className={styles.label}>
        {label}
      </label>
      <div className={styles.duration}>
        <input
          id={id}
          className={styles.input}
          inputMode="decimal"
          value={value.value}
          placeholder={placeholder}
          aria-invalid={error !== undefined}
          aria-describedby={described || undefined}
          onChange={(e) => onChange({ ...value, value: e.target.value })}
          data-testid={testId}
        />
        <select
          className={styles.select}
          value={value.unit}
          aria-label={`${label}: unit`}
          onChange={(e) => {
            if (isDurationUnit(e.target.value)) onChange({ ...value, unit: e.target.value });
          }}
          data-testid={`${testId}-unit`}
        >
          {DURATION_UNITS.map((unit) => (
            <option key={unit.id} value={unit.id}>
              {unit.label}
            </option>
          ))}
        </select>
      </div>
      {hint ? (
        <p id={`${id}-hint`} className={styles.hint}>
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId(base, errorKey)} message={error} testKey={errorKey} />
    </div>
  );
}
