'use client';

import Link from 'next/link';
import type { StartFrom } from '../../model/requests';
import formStyles from '../../styles/form.module.css';
import styles from '../../styles/ui.module.css';

export interface Saved {
  id: string;
  version: number;
  name: string;
  start: StartFrom;
  site: string | null;
}

/**
 * Where a new window (or a new version) starts, the note that a semantic edit is a new version, and the
 * save button with the server's answer.
 */
export function SaveSection({
  base,
  creating,
  version,
  semanticChange,
  start,
  onStart,
  saving,
  error,
  saved,
  onSave,
}: {
  base: string;
  creating: boolean;
  version: number;
  /** Editing: whether the edit changes what the window computes (undefined: not known yet). */
  semanticChange: boolean | undefined;
  start: StartFrom;
  onStart: (start: StartFrom) => void;
  saving: boolean;
  error: string | undefined;
  saved: Saved | undefined;
  onSave: () => void;
}) {
  const choosesStart = creating || semanticChange === true;
  return (
    <section className={styles.card} aria-labelledby={`${base}-save-title`} data-testid="save-section">
      <h2 className={styles.cardTitle} id={`${base}-save-title`}>
        Save
      </h2>
      {!creating ? (
        <p
          className={`${styles.notice} ${semanticChange ? styles.noticeWarn : ''}`}
          data-testid="version-note"
          data-semantic={semanticChange === true}
        >
          {semanticChange === undefined
            ? 'Fix the errors above to save.'
            : semanticChange
              ? `This edit changes what the window computes: it is saved as version ${version + 1}, a new series of results. Version ${version}’s results stay readable until they expire.`
              : `This edit does not change what the window computes: it stays version ${version} and its results continue.`}
        </p>
      ) : null}
      {choosesStart ? (
        <fieldset className={formStyles.fieldset}>
          <legend className={formStyles.legend}>
            {creating ? 'Start' : `Start of version ${version + 1}`}
          </legend>
          <div className={formStyles.radioList}>
            <label className={formStyles.radioLine}>
              <input
                type="radio"
                name={`${base}-start`}
                value="now"
                checked={start === 'now'}
                onChange={() => onStart('now')}
                data-testid="start-now"
              />
              <span>
                <strong>From now</strong> — counts events from the moment the aggregator picks it up (within a
                second).
              </span>
            </label>
            <label className={formStyles.radioLine}>
              <input
                type="radio"
                name={`${base}-start`}
                value="trim_horizon"
                checked={start === 'trim_horizon'}
                onChange={() => onStart('trim_horizon')}
                data-testid="start-backfill"
              />
              <span>
                <strong>Back-fill from the start of retention</strong> — first folds every event still in the
                stream (each exactly once), then continues live; the windows page shows its progress.
              </span>
            </label>
          </div>
        </fieldset>
      ) : null}
      {error ? (
        <p className={styles.inlineError} role="alert" data-testid="save-error">
          {error}
        </p>
      ) : null}
      {saved ? (
        <p className={`${styles.notice} ${styles.noticeOk}`} role="status" data-testid="save-ok">
          Saved “{saved.name}” ({saved.id}, version {saved.version}),{' '}
          {saved.start === 'trim_horizon' ? 'back-filling from the start of retention' : 'counting from now'}.{' '}
          <Link href="/admin/windows">All windows</Link>
          {' · '}
          <a href={saved.site === null ? '/' : `/dashboard/${encodeURIComponent(saved.site)}`}>
            Open the dashboard
          </a>
        </p>
      ) : null}
      <div className={formStyles.actions}>
        <button type="button" className="button" onClick={onSave} disabled={saving} data-testid="window-save">
          {saving ? 'Saving…' : creating ? 'Create window' : 'Save changes'}
        </button>
      </div>
    </section>
  );
}
