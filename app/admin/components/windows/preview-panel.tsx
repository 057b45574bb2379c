'use client';

import { useId, useState } from 'react';
import type { ApiError, PreviewAnswer } from '../../model/schemas';
import { formatInstant, formatKey, formatValue } from '../../model/window-list';
import formStyles from '../../styles/form.module.css';
import styles from '../../styles/ui.module.css';

const MAX_ROWS = 200;

/**
 * "Preview on the last N minutes": a dry run of the current query over the site's retained events
 * (`POST /api/admin/windows/preview`); nothing is saved.
 */
export function PreviewPanel({
  windowSite,
  sites,
  aggregateNames,
  run,
}: {
  /** '' = the window counts every site: the preview asks which one. */
  windowSite: string;
  sites: readonly string[];
  aggregateNames: readonly string[];
  run: (
    site: string,
    minutes: number,
  ) => Promise<{ ok: true; data: PreviewAnswer } | { ok: false; error: ApiError }>;
}) {
  const base = useId();
  const [minutes, setMinutes] = useState('10');
  const [pickedSite, setPickedSite] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<PreviewAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const site = windowSite !== '' ? windowSite : pickedSite || sites[0] || '';
  const minutesNumber = Number(minutes);
  const minutesValid = Number.isInteger(minutesNumber) && minutesNumber >= 1 && minutesNumber <= 1440;

  const preview = async () => {
    if (!minutesValid || site === '') return;
    setBusy(true);
    setError(undefined);
    const result = await run(site, minutesNumber);
    setBusy(false);
    if (result.ok) setAnswer(result.data);
    else {
      setAnswer(undefined);
      setError(result.error.error);
    }
  };

  const results = answer ? [...answer.results].sort((a, b) => a.start - b.start || a.end - b.end) : [];
  const columns = answer
    ? [...new Set([...aggregateNames, ...results.flatMap((r) => Object.keys(r.values))])]
    : [];
  const withDate = answer
    ? answer.to - answer.from >= 86_400_000 || results.some((r) => r.end - r.start >= 86_400_000)
    : false;

  return (
    <section className={styles.card} aria-labelledby={`${base}-title`} data-testid="preview">
      <h2 className={styles.cardTitle} id={`${base}-title`}>
        Preview
      </h2>
      <p className={styles.muted}>A dry run over the events already in the stream; nothing is saved.</p>
      <div className={formStyles.inline}>
        <div className={formStyles.field}>
          <label htmlFor={`${base}-minutes`} className={formStyles.label}>
            Last N minutes
          </label>
          <input
            id={`${base}-minutes`}
            className={`${formStyles.input} ${formStyles.narrow}`}
            inputMode="numeric"
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            aria-invalid={!minutesValid}
            aria-describedby={!minutesValid ? `${base}-minutes-error` : undefined}
            data-testid="preview-minutes"
          />
        </div>
        {windowSite === '' ? (
          <div className={formStyles.field}>
            <label htmlFor={`${base}-site`} className={formStyles.label}>
              Site
            </label>
            <select
              id={`${base}-site`}
              className={formStyles.select}
              value={site}
              onChange={(e) => setPickedSite(e.target.value)}
              data-testid="preview-site"
            >
              {sites.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <button
          type="button"
          className="button button-secondary"
          onClick={preview}
          disabled={busy || !minutesValid || site === ''}
          data-testid="preview-run"
        >
          {busy ? 'Running…' : `Preview on the last ${minutesValid ? minutesNumber : 'N'} minutes`}
        </button>
      </div>
      {!minutesValid ? (
        <p id={`${base}-minutes-error`} className={formStyles.fieldError}>
          enter a whole number of minutes from 1 to 1440
        </p>
      ) : null}
      <div aria-live="polite">
        {error ? (
          <p className={styles.inlineError} role="alert" data-testid="preview-error">
            {error}
          </p>
        ) : null}
        {answer ? (
          <div data-testid="preview-result">
            <p className={styles.muted}>
              <span data-testid="preview-scanned">{answer.scannedEvents.toLocaleString('en-US')}</span> events
              of <code>{site}</code> scanned, {formatInstant(answer.from, withDate)}–
              {formatInstant(answer.to, withDate)} UTC; {results.length}{' '}
              {results.length === 1 ? 'result' : 'results'}.
              {answer.truncated ? (
                <strong className={styles.warnText} data-testid="preview-truncated">
                  {' '}
                  Truncated: the scan stopped at its event limit; choose fewer minutes.
                </strong>
              ) : null}
            </p>
            {results.length === 0 ? (
              <p className={styles.empty}>No results: no matching events in this period.</p>
            ) : (
              <div className={styles.tableWrap}>
                <table className={styles.table} data-testid="preview-table">
                  <caption className="visually-hidden">Preview results</caption>
                  <thead>
                    <tr>
                      <th scope="col">Start (UTC)</th>
                      <th scope="col">End</th>
                      <th scope="col">Key</th>
                      {columns.map((name) => (
                        <th key={name} scope="col" className={styles.num}>
                          {name}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {results.slice(0, MAX_ROWS).map((row) => (
                      <tr
                        key={`${row.start}|${row.end}|${JSON.stringify(row.key)}`}
                        data-testid="preview-row"
                      >
                        <td className={styles.mono}>{formatInstant(row.start, withDate)}</td>
                        <td className={styles.mono}>{formatInstant(row.end, withDate)}</td>
                        <td>{formatKey(row.key)}</td>
                        {columns.map((name) => (
                          <td key={name} className={styles.num} data-column={name}>
                            {formatValue(row.values[name])}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
                {results.length > MAX_ROWS ? (
                  <p className={styles.muted}>
                    Showing the first {MAX_ROWS} of {results.length} results.
                  </p>
                ) : null}
              </div>
            )}
          </div>
        ) : null}
      </div>
    </section>
  );
}
