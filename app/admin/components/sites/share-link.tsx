'use client';

import { useId, useState } from 'react';
import { api } from '../../client/api';
import { type ShareAnswer, shareSchema } from '../../model/schemas';
import formStyles from '../../styles/form.module.css';
import styles from '../../styles/ui.module.css';
import { CopyButton } from '../copy-button';

/** A read-only dashboard link for one site (`POST /api/admin/sites/:id/share`), optionally expiring. */
export function ShareLink({ site }: { site: string }) {
  const base = useId();
  const [hours, setHours] = useState('');
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<ShareAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();

  const create = async () => {
    const trimmed = hours.trim();
    const expiresInHours = trimmed === '' ? undefined : Number(trimmed);
    if (expiresInHours !== undefined && !(Number.isFinite(expiresInHours) && expiresInHours > 0)) {
      setError('enter a positive number of hours, or leave it empty for a link that does not expire');
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await api('POST', `/api/admin/sites/${encodeURIComponent(site)}/share`, shareSchema, {
      body: expiresInHours === undefined ? {} : { expiresInHours },
    });
    setBusy(false);
    if (result.ok) setLink(result.data);
    else setError(result.error.error);
  };

  return (
    <div className={styles.subpanel} data-testid={`share-${site}`}>
      <div className={formStyles.inline}>
        <div className={formStyles.field}>
          <label htmlFor={`${base}-hours`} className={formStyles.label}>
            Expires in (hours) <span className={formStyles.optional}>(empty: never)</span>
          </label>
          <input
            id={`${base}-hours`}
            className={formStyles.input}
            inputMode="decimal"
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            aria-invalid={error !== undefined}
            aria-describedby={error !== undefined ? `${base}-error` : undefined}
            data-testid="share-hours"
          />
        </div>
        <button type="button" className="button" onClick={create} disabled={busy} data-testid="share-create">
          {busy ? 'Creating…' : 'Create share link'}
        </button>
      </div>
      {error ? (
        <p id={`${base}-error`} className={formStyles.fieldError} role="alert">
          {error}
        </p>
      ) : null}
      {link ? (
        <div className={styles.copyRow}>
          <input
            className={`${formStyles.input} ${styles.mono}`}
            readOnly
            value={link.url}
            aria-label="Share link"
            onFocus={(e) => e.target.select()}
            data-testid="share-url"
          />
          <CopyButton text={link.url} label="Copy link" testId="share-copy" />
          <p className={styles.muted}>
            {link.expiresAtMs === null
              ? 'Anyone with this link can read this site’s dashboard; it does not expire.'
              : `Anyone with this link can read this site’s dashboard until ${new Date(link.expiresAtMs).toLocaleString()}.`}
          </p>
        </div>
      ) : null}
    </div>
  );
}
