'use client';

import type { WindowForm } from '../../model/window-form';
import styles from '../../styles/form.module.css';
import { errorId, FieldError } from '../field-error';

/** A window's name, id (while creating) and site: shared by the form and the SQL tab. */
export function MetaFields({
  base,
  form,
  sites,
  creating,
  error,
  onName,
  onId,
  onSite,
}: {
  base: string;
  form: WindowForm;
  sites: readonly string[];
  creating: boolean;
  error: (key: string) => string | undefined;
  onName: (name: string) => void;
  onId: (id: string) => void;
  onSite: (site: string) => void;
}) {
  const described = (key: string) => (error(key) ? errorId(base, key) : undefined);
  return (
    <div className={styles.grid}>
      <div className={styles.field}>
        <label htmlFor={`${base}-name`} className={styles.label}>
          Name
        </label>
        <input
          id={`${base}-name`}
          className={styles.input}
          value={form.name}
          onChange={(e) => onName(e.target.value)}
          aria-invalid={error('name') !== undefined}
          aria-describedby={described('name')}
          placeholder="Clicks per 10 s"
          data-testid="window-name"
        />
        <FieldError id={errorId(base, 'name')} message={error('name')} testKey="name" />
      </div>
      <div className={styles.field}>
        <label htmlFor={`${base}-id`} className={styles.label}>
          Id
        </label>
        <input
          id={`${base}-id`}
          className={styles.input}
          value={form.id}
          onChange={(e) => onId(e.target.value)}
          readOnly={!creating}
          aria-invalid={error('id') !== undefined}
          aria-describedby={[described('id'), `${base}-id-hint`].filter(Boolean).join(' ')}
          spellCheck={false}
          data-testid="window-id"
        />
        <p id={`${base}-id-hint`} className={styles.hint}>
          {creating ? 'From the name unless you type one; fixed once saved.' : 'Fixed once saved.'}
        </p>
        <FieldError id={errorId(base, 'id')} message={error('id')} testKey="id" />
      </div>
      <div className={styles.field}>
        <label htmlFor={`${base}-site`} className={styles.label}>
          Site
        </label>
        <select
          id={`${base}-site`}
          className={styles.select}
          value={form.site}
          onChange={(e) => onSite(e.target.value)}
          aria-invalid={error('site') !== undefined}
          aria-describedby={described('site')}
          data-testid="window-site"
        >
          <option value="">All sites (results per site)</option>
          {sites.map((site) => (
            <option key={site} value={site}>
              {site}
            </option>
          ))}
          {form.site !== '' && !sites.includes(form.site) ? (
            <option value={form.site}>{form.site}</option>
          ) : null}
        </select>
        <FieldError id={errorId(base, 'site')} message={error('site')} testKey="site" />
      </div>
    </div>
  );
}
