'use client';

import { useId, useMemo, useRef } from 'react';
import type { SqlError } from '../../../../lib/sql';
import { markerFor, SQL_EXAMPLES, splitLines } from '../../model/sql-text';
import styles from '../../styles/sql.module.css';

/**
 * A monospace SQL editor: line numbers, and an error marked where the compiler says it is (a highlight
 * under the offending token, drawn by a backdrop behind the transparent textarea, plus the line with a
 * caret under the message). Tab keeps moving focus (no keyboard trap).
 */
export function SqlEditor({
  sql,
  onChange,
  error,
  status,
  disabled = false,
}: {
  sql: string;
  onChange: (sql: string) => void;
  error: SqlError | undefined;
  /** What compiled, in words (shown when there is no error). */
  status: string | undefined;
  disabled?: boolean;
}) {
  const id = useId();
  const gutter = useRef<HTMLDivElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => splitLines(sql), [sql]);
  const marker = useMemo(() => (error ? markerFor(sql, error) : undefined), [sql, error]);
  const rows = Math.min(Math.max(lines.length + 1, 8), 28);

  const syncScroll = (target: HTMLTextAreaElement) => {
    if (gutter.current) gutter.current.scrollTop = target.scrollTop;
    if (backdrop.current) {
      backdrop.current.scrollTop = target.scrollTop;
      backdrop.current.scrollLeft = target.scrollLeft;
    }
  };

  return (
    <div className={styles.wrap} data-testid="sql-editor">
      <div className={styles.toolbar}>
        <label htmlFor={`${id}-sql`} className={styles.label}>
          Streaming SQL
        </label>
        <fieldset className={styles.examples}>
          <legend className={styles.examplesLabel}>Insert an example:</legend>
          {SQL_EXAMPLES.map((example) => (
            <button
              key={example.id}
              type="button"
              className={styles.exampleButton}
              disabled={disabled}
              onClick={() => onChange(example.sql)}
              aria-label={`Insert the ${example.label.toLowerCase()} window example (replaces the query)`}
              data-testid={`sql-example-${example.id}`}
            >
              {example.label}
            </button>
          ))}
        </fieldset>
      </div>
      <div className={styles.editor} data-invalid={error !== undefined}>
        <div className={styles.gutter} ref={gutter} aria-hidden="true">
          {lines.map((_, i) => (
            <span
              // biome-ignore lint/suspicious/noArrayIndexKey: a line number is its index.
              key={i}
              className={marker?.line === i + 1 ? styles.gutterError : undefined}
            >
              {i + 1}
            </span>
          ))}
        </div>
        <div className={styles.code}>
          <div className={styles.backdrop} ref={backdrop} aria-hidden="true">
            {marker ? (
              <>
                {sql.slice(0, marker.start)}
                <mark className={styles.mark} data-testid="sql-error-marker">
                  {sql.slice(marker.start, marker.end) || ' '}
                </mark>
                {sql.slice(marker.end)}
              </>
            ) : (
              sql
            )}
            {'\n '}
          </div>
          <textarea
            id={`${id}-sql`}
            className={styles.textarea}
            value={sql}
            rows={rows}
            wrap="off"
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            autoCorrect="off"
            disabled={disabled}
            placeholder="SELECT STREAM COUNT(*) AS events FROM clicks GROUP BY STEP(clicks.ROWTIME BY INTERVAL '1' MINUTE);"
            aria-invalid={error !== undefined}
            aria-describedby={`${id}-status`}
            onChange={(e) => onChange(e.target.value)}
            onScroll={(e) => syncScroll(e.currentTarget)}
            data-testid="sql-input"
          />
        </div>
      </div>
      <div id={`${id}-status`} aria-live="polite" className={styles.status}>
        {error && marker ? (
          <div className={styles.error} data-testid="sql-error">
            <p className={styles.errorText}>
              <strong data-testid="sql-error-position">
                Line {marker.line}, column {marker.column}
              </strong>
              : <span data-testid="sql-error-message">{error.message}</span>
            </p>
            <pre className={styles.errorLine} aria-hidden="true">
              <span className={styles.errorLineNumber}>{marker.line} | </span>
              {marker.lineText}
              {'\n'}
              <span className={styles.errorLineNumber}>{' '.repeat(String(marker.line).length)} | </span>
              <span className={styles.caret} data-testid="sql-error-caret">
                {marker.caret}
              </span>
            </pre>
            {error.expected && error.expected.length > 0 ? (
              <p className={styles.expected}>Expected here: {error.expected.join(', ')}</p>
            ) : null}
          </div>
        ) : status ? (
          <p className={styles.ok} data-testid="sql-ok">
            ✓ {status}
          </p>
        ) : null}
      </div>
    </div>
  );
}
