'use client';

import { useState } from 'react';
import { z } from 'zod';
import { api } from '../../client/api';
import { type AdminSite, siteSchema } from '../../model/schemas';
import styles from '../../styles/ui.module.css';
import { ConfirmDialog } from '../confirm-dialog';
import { CopyButton } from '../copy-button';
import { ShareLink } from './share-link';
import { SiteForm, siteBody } from './site-form';
import { VerifyInstall } from './verify-install';

export function snippetFor(origin: string, site: string): string {
  return `<script defer src="${origin}/js/script.js" data-site="${site}"></script>`;
}

type Panel = 'none' | 'edit' | 'share' | 'verify';

/** One site: its settings and snippet, with edit, share, verify and delete. */
export function SiteCard({
  site,
  origin,
  onChanged,
}: {
  site: AdminSite;
  origin: string;
  onChanged: () => void;
}) {
  const [panel, setPanel] = useState<Panel>('none');
  const [busy, setBusy] = useState(false);
  const [apiError, setApiError] = useState<{ message: string; field?: string | undefined } | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string | undefined>();
  const snippet = snippetFor(origin, site.id);
  const toggle = (next: Panel) => setPanel((current) => (current === next ? 'none' : next));

  const remove = async () => {
    setBusy(true);
    const result = await api('DELETE', `/api/admin/sites/${encodeURIComponent(site.id)}`, z.unknown());
    setBusy(false);
    setConfirming(false);
    if (result.ok) onChanged();
    else setDeleteError(result.error.error);
  };

  return (
    <section
      className={styles.card}
      data-testid={`site-${site.id}`}
      aria-labelledby={`site-title-${site.id}`}
    >
      <div className={styles.cardHeader}>
        <h2 className={styles.cardTitle} id={`site-title-${site.id}`}>
          {site.name} <span className={styles.mono}>({site.id})</span>
        </h2>
        <div className={styles.actions}>
          <a
            className="button button-secondary"
            href={`/dashboard/${encodeURIComponent(site.id)}`}
            data-testid={`dashboard-link-${site.id}`}
          >
            Open dashboard →
          </a>
          <button
            type="button"
            className="button button-secondary"
            aria-expanded={panel === 'edit'}
            onClick={() => toggle('edit')}
            data-testid={`site-edit-${site.id}`}
          >
            Edit
          </button>
          <button
            type="button"
            className="button button-secondary"
            aria-expanded={panel === 'share'}
            onClick={() => toggle('share')}
            data-testid={`site-share-${site.id}`}
          >
            Share link
          </button>
          <button
            type="button"
            className="button button-secondary"
            aria-expanded={panel === 'verify'}
            onClick={() => toggle('verify')}
            data-testid={`site-verify-${site.id}`}
          >
            Verify installation
          </button>
          <button
            type="button"
            className={`button button-secondary ${styles.dangerOutline}`}
            onClick={() => setConfirming(true)}
            data-testid={`site-delete-${site.id}`}
          >
            Delete
          </button>
        </div>
      </div>

      <div className={styles.copyRow}>
        <pre className={styles.code} data-testid={`snippet-${site.id}`}>
          {snippet}
        </pre>
        <CopyButton text={snippet} label="Copy snippet" testId={`copy-snippet-${site.id}`} />
      </div>
      <dl className={styles.facts}>
        <div>
          <dt>Domain</dt>
          <dd>{site.domain ?? '—'}</dd>
        </div>
        <div>
          <dt>Allowed origins</dt>
          <dd>
            {site.allowedOrigins.length > 0
              ? site.allowedOrigins.join(', ')
              : 'this server only (add your site’s origin)'}
          </dd>
        </div>
        <div>
          <dt>Do Not Track / GPC</dt>
          <dd>{site.respectDnt ? 'honoured' : 'ignored (anonymous counts only)'}</dd>
        </div>
      </dl>
      {deleteError ? (
        <p className={styles.inlineError} role="alert">
          Could not delete: {deleteError}
        </p>
      ) : null}

      {panel === 'edit' ? (
        <div className={styles.subpanel}>
          <SiteForm
            mode="edit"
            initial={{
              id: site.id,
              name: site.name,
              domain: site.domain ?? '',
              allowedOrigins: site.allowedOrigins,
              respectDnt: site.respectDnt,
            }}
            busy={busy}
            apiError={apiError}
            onCancel={() => setPanel('none')}
            onSubmit={async (draft) => {
              setBusy(true);
              setApiError(undefined);
              const result = await api(
                'PATCH',
                `/api/admin/sites/${encodeURIComponent(site.id)}`,
                z.object({ site: siteSchema }),
                { body: siteBody(draft, false) },
              );
              setBusy(false);
              if (result.ok) {
                setPanel('none');
                onChanged();
              } else setApiError({ message: result.error.error, field: result.error.field });
            }}
          />
        </div>
      ) : null}
      {panel === 'share' ? <ShareLink site={site.id} /> : null}
      {panel === 'verify' ? <VerifyInstall site={site.id} /> : null}

      <ConfirmDialog
        open={confirming}
        title={`Delete the site “${site.name}”?`}
        confirmLabel="Delete site"
        busy={busy}
        onConfirm={remove}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Its snippet stops being accepted at once: events for <code>{site.id}</code> are refused. Events
          already in the stream stay until retention trims them, and window results until they expire.
        </p>
      </ConfirmDialog>
    </section>
  );
}
