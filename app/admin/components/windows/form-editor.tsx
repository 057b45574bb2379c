'use client';

import { WINDOW_TYPES, type WindowType } from '../../../../lib/windows/definition';
import { EVENT_FIELDS } from '../../../../lib/windows/fields';
import type { WindowForm } from '../../model/window-form';
import styles from '../../styles/form.module.css';
import { errorId, FieldError } from '../field-error';
import { AggregatesEditor } from './aggregates-editor';
import { DurationInput } from './duration-input';
import { FilterEditor } from './filter-editor';
import { GroupByEditor } from './group-by-editor';

export interface FormEditorProps {
  base: string;
  form: WindowForm;
  /** Applies a change; `touched` is the form key whose errors may show from now on. */
  update: (change: (form: WindowForm) => WindowForm, touched: string) => void;
  /** The error to show at a form key, if any. */
  error: (key: string) => string | undefined;
}

const TYPE_INFO: Record<WindowType, string> = {
  tumbling: 'Fixed, back-to-back windows: each event in exactly one.',
  sliding: 'The last N as of every step (hopping windows).',
  stagger: 'Per key, opens at its first event and lasts a range.',
  session: 'Per key, events at most a gap apart.',
};

const DEFAULT_GRACE: Record<'ingest' | 'event', string> = { ingest: 'default: 2 s', event: 'default: 10 s' };

/** The form editor: type, sizes with units, time, grace, grouping, filters and aggregates. */
export function FormEditor(props: FormEditorProps) {
  const { base, form, update, error } = props;
  const fieldsListId = `${base}-fields`;
  const duration = (key: 'size' | 'every' | 'range' | 'gap' | 'offset' | 'grace' | 'retention') => ({
    value: form[key],
    onChange: (value: WindowForm[typeof key]) => update((f) => ({ ...f, [key]: value }), errorKeyOf[key]),
    error: error(errorKeyOf[key]),
    errorKey: errorKeyOf[key],
    base,
  });

  return (
    <div className={styles.form} data-testid="window-form">
      <datalist id={fieldsListId}>
        {EVENT_FIELDS.map((field) => (
          <option key={field} value={field} />
        ))}
        <option value="props.">props.&lt;name&gt;</option>
      </datalist>

      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Window type</legend>
        <div className={styles.radioCards} role="radiogroup" aria-label="Window type">
          {WINDOW_TYPES.map((type) => (
            <label key={type} className={styles.radioCard} data-checked={form.type === type}>
              <input
                type="radio"
                name={`${base}-type`}
                value={type}
                checked={form.type === type}
                onChange={() => update((f) => ({ ...f, type }), 'type')}
                data-testid={`type-${type}`}
              />
              <span className={styles.radioTitle}>{type}</span>
              <span className={styles.radioHint}>{TYPE_INFO[type]}</span>
            </label>
          ))}
        </div>
        <FieldError id={errorId(base, 'type')} message={error('type')} testKey="type" />
      </fieldset>

      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Time</legend>
        <div className={styles.grid}>
          {form.type === 'tumbling' || form.type === 'sliding' ? (
            <DurationInput {...duration('size')} label="Size" testId="size" />
          ) : null}
          {form.type === 'sliding' ? (
            <DurationInput
              {...duration('every')}
              label="Every (step)"
              hint="How often a value is emitted."
              testId="every"
            />
          ) : null}
          {form.type === 'stagger' ? (
            <DurationInput {...duration('range')} label="Range" testId="range" />
          ) : null}
          {form.type === 'session' ? (
            <DurationInput
              {...duration('gap')}
              label="Gap"
              hint="Events further apart start a new session."
              testId="gap"
            />
          ) : null}
          {form.type === 'tumbling' || form.type === 'sliding' ? (
            <DurationInput
              {...duration('offset')}
              label="Offset (optional)"
              hint="Shifts the alignment from the UTC epoch (16 h = UTC−8 days)."
              placeholder="0"
              testId="offset"
            />
          ) : null}
          <div className={styles.field}>
            <label htmlFor={`${base}-time`} className={styles.label}>
              Time of an event
            </label>
            <select
              id={`${base}-time`}
              className={styles.select}
              value={form.time}
              onChange={(e) =>
                update((f) => ({ ...f, time: e.target.value === 'event' ? 'event' : 'ingest' }), 'time')
              }
              data-testid="time"
            >
              <option value="ingest">ingest time (arrival at the server)</option>
              <option value="event">event time (the browser’s clock)</option>
            </select>
            <FieldError id={errorId(base, 'time')} message={error('time')} testKey="time" />
          </div>
          <DurationInput
            {...duration('grace')}
            label="Grace (optional)"
            hint="How long a window waits for late events after it ends."
            placeholder={form.type === 'session' ? 'default: the gap' : DEFAULT_GRACE[form.time]}
            testId="grace"
          />
          <DurationInput
            {...duration('retention')}
            label="Keep results for (optional)"
            hint="Empty: the deployment’s default (48 h)."
            placeholder="default"
            testId="retention"
          />
        </div>
      </fieldset>

      <GroupByEditor {...props} fieldsListId={fieldsListId} />
      <FilterEditor {...props} fieldsListId={fieldsListId} />
      <AggregatesEditor {...props} fieldsListId={fieldsListId} />
      <FieldError id={errorId(base, 'form')} message={error('form')} testKey="form" />
    </div>
  );
}

const errorKeyOf = {
  size: 'sizeMs',
  every: 'everyMs',
  range: 'rangeMs',
  gap: 'gapMs',
  offset: 'offsetMs',
  grace: 'graceMs',
  retention: 'resultsRetentionMs',
} as const;
