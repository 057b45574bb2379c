'use client';

import { useId, useMemo, useState } from 'react';
import { siteSchema } from '../../../../lib/sites/site';
import styles from '../../styles/form.module.css';
import { errorId, FieldError } from '../field-error';

export interface SiteDraft {
  id: string;
  name: string;
  domain: string;
  allowedOrigins: string[];
  respectDnt: boolean;
}

export const EMPTY_SITE: SiteDraft = { id: '', name: '', domain: '', allowedOrigins: [], respectDnt: false };

/** The body the API takes (`domain` only when given, origins without blank rows). */
export function siteBody(draft: SiteDraft, withId: boolean): Record<string, unknown> {
  return {
    ...(withId ? { id: draft.id.trim() } : {}),
    name: draft.name.trim(),
    ...(draft.domain.trim() === '' ? {} : { domain: draft.domain.trim() }),
    allowedOrigins: draft.allowedOrigins.map((o) => o.trim()).filter((o) => o !== ''),
    respectDnt: draft.respectDnt,
  };
}

/** The site schema the API validates with: its messages, keyed by field (`allowedOrigins.1`). */
function validate(draft: SiteDraft, withId: boolean): Record<string, string> {
  const parsed = siteSchema
    .omit({ createdAtMs: true })
    .safeParse(siteBody(withId ? draft : { ...draft, id: 'placeholder' }, true));
  const errors: Record<string, string> = {};
  if (parsed.success) return errors;
  for (const issue of parsed.error.issues) {
    const key = issue.path.join('.') || 'form';
    errors[key] ??= issue.message;
  }
  return errors;
}

/**
 * Create or edit a site: id (create only), name, domain, the origins allowed to send events (one per row),
 * and whether DNT/GPC browsers are dropped. Validated as you type with the API's own schema.
 */
export function SiteForm({
  initial,
  mode,
  busy,
  apiError,
  onSubmit,
  onCancel,
}: {
  initial: SiteDraft;
  mode: 'create' | 'edit';
  busy: boolean;
  apiError: { message: string; field?: string | undefined } | undefined;
  onSubmit: (draft: SiteDraft) => void;
  onCancel: () => void;
}) {
  const base = useId();
  const [draft, setDraft] = useState<SiteDraft>(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const errors = useMemo(() => validate(draft, mode === 'create'), [draft, mode]);
  // Rows of the origin list hide their blank entries from the body; their indexes shift with it.
  const originIndex = (row: number) =>
    draft.allowedOrigins.slice(0, row).filter((o) => o.trim() !== '').length;

  const shown = (key: string): string | undefined => {
    const message = errors[key] ?? (apiError?.field === key ? apiError.message : undefined);
    if (message === undefined) return undefined;
    const root = key.split('.')[0] ?? key;
    return submitted || touched.has(root) || apiError?.field === key ? message : undefined;
  };
  const update = (patch: Partial<SiteDraft>, field: string) => {
    setDraft((d) => ({ ...d, ...patch }));
    setTouched((t) => new Set(t).add(field));
  };
  const field = (key: string) => ({
    id: `${base}-${key}`,
    'aria-invalid': shown(key) !== undefined,
    'aria-describedby': shown(key) !== undefined ? errorId(base, key) : undefined,
  });

  return (
    <form
      className={styles.form}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (Object.keys(errors).length === 0) onSubmit(draft);
      }}
      data-testid={`site-form-${mode}`}
    >
      <div className={styles.grid}>
        {mode === 'create' ? (
          <div className={styles.field}>
            <label htmlFor={`${base}-id`} className={styles.label}>
              Site id
            </label>
            <input
              {...field('id')}
              className={styles.input}
              value={draft.id}
              onChange={(e) => update({ id: e.target.value }, 'id')}
              autoComplete="off"
              spellCheck={false}
              placeholder="shop"
              data-testid="site-id"
            />
            <p className={styles.hint}>Lower case, digits, “_” and “-”; in the snippet and dashboard URL.</p>
            <FieldError id={errorId(base, 'id')} message={shown('id')} testKey="site-id" />
          </div>
        ) : null}
        <div className={styles.field}>
          <label htmlFor={`${base}-name`} className={styles.label}>
            Name
          </label>
          <input
            {...field('name')}
            className={styles.input}
            value={draft.name}
            onChange={(e) => update({ name: e.target.value }, 'name')}
            placeholder="My shop"
            data-testid="site-name"
          />
          <FieldError id={errorId(base, 'name')} message={shown('name')} testKey="site-name" />
        </div>
        <div className={styles.field}>
          <label htmlFor={`${base}-domain`} className={styles.label}>
            Domain <span className={styles.optional}>(optional)</span>
          </label>
          <input
            {...field('domain')}
            className={styles.input}
            value={draft.domain}
            onChange={(e) => update({ domain: e.target.value }, 'domain')}
            placeholder="shop.example"
            spellCheck={false}
            data-testid="site-domain"
          />
          <p className={styles.hint}>
            For Plausible-compatible clients that send a domain instead of a site id.
          </p>
          <FieldError id={errorId(base, 'domain')} message={shown('domain')} testKey="site-domain" />
        </div>
      </div>

      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Allowed origins</legend>
        <p className={styles.hint}>
          Pages at these origins may send events (this server’s own origin always may). Use{' '}
          <code>https://*.example.com</code> for subdomains, or <code>*</code> for any.
        </p>
        <ul className={styles.rows}>
          {draft.allowedOrigins.map((origin, row) => {
            const key = `allowedOrigins.${originIndex(row)}`;
            const message = origin.trim() === '' ? undefined : shown(key);
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
              <li key={row} className={styles.row}>
                <label htmlFor={`${base}-origin-${row}`} className="visually-hidden">
                  Allowed origin {row + 1}
                </label>
                <input
                  id={`${base}-origin-${row}`}
                  className={styles.input}
                  value={origin}
                  aria-invalid={message !== undefined}
                  aria-describedby={message !== undefined ? errorId(base, `origin-${row}`) : undefined}
                  onChange={(e) =>
                    update(
                      {
                        allowedOrigins: draft.allowedOrigins.map((o, i) => (i === row ? e.target.value : o)),
                      },
                      'allowedOrigins',
                    )
                  }
                  placeholder="https://shop.example"
                  spellCheck={false}
                  data-testid={`site-origin-${row}`}
                />
                <button
                  type="button"
                  className={styles.removeButton}
                  onClick={() =>
                    update(
                      { allowedOrigins: draft.allowedOrigins.filter((_, i) => i !== row) },
                      'allowedOrigins',
                    )
                  }
                  aria-label={`Remove origin ${row + 1}`}
                >
                  ✕
                </button>
                <FieldError
                  id={errorId(base, `origin-${row}`)}
                  message={message}
                  testKey={`site-origin-${row}`}
                />
              </li>
            );
          })}
        </ul>
        <button
          type="button"
          className={styles.addButton}
          onClick={() => update({ allowedOrigins: [...draft.allowedOrigins, ''] }, 'allowedOrigins')}
          data-testid="site-add-origin"
        >
          + Add an origin
        </button>
        <FieldError
          id={errorId(base, 'allowedOrigins')}
          message={shown('allowedOrigins')}
          testKey="site-origins"
        />
      </fieldset>

      <div className={styles.checkboxField}>
        <input
          id={`${base}-dnt`}
          type="checkbox"
          checked={draft.respectDnt}
          onChange={(e) => update({ respectDnt: e.target.checked }, 'respectDnt')}
          data-testid="site-dnt"
        />
        <label htmlFor={`${base}-dnt`}>
          Honour Do Not Track and Global Privacy Control (drop events from browsers that send{' '}
          <code>DNT: 1</code> or <code>Sec-GPC: 1</code>)
        </label>
      </div>

      {apiError ? (
        <p className={styles.formError} role="alert">
          {apiError.message}
        </p>
      ) : null}

      <div className={styles.actions}>
        <button type="submit" className="button" disabled={busy} data-testid="site-save">
          {busy ? 'Saving…' : mode === 'create' ? 'Create site' : 'Save changes'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
