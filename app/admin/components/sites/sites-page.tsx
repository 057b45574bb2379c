'use client';

import { useEffect, useState } from 'react';
import { api } from '../../client/api';
import { usePolling } from '../../client/use-polling';
import { createdSiteSchema, sitesSchema } from '../../model/schemas';
import shell from '../../styles/shell.module.css';
import styles from '../../styles/ui.module.css';
import { CopyButton } from '../copy-button';
import { SiteCard } from './site-card';
import { EMPTY_SITE, SiteForm, siteBody } from './site-form';
import { VerifyInstall } from './verify-install';

interface Created {
  id: string;
  name: string;
  snippet: string;
}

/** `/admin` and `/admin/sites`: the sites, a form to add one, and the snippet of a site just created. */
export function SitesPage() {
  const { state, reload } = usePolling(async (signal) => {
    const result = await api('GET', '/api/admin/sites', sitesSchema, { signal });
    return result.ok
      ? { ok: true as const, data: result.data.sites }
      : { ok: false as const, message: result.error.error };
  }, 0);
  const [origin, setOrigin] = useState('');
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [apiError, setApiError] = useState<{ message: string; field?: string | undefined } | undefined>();
  const [created, setCreated] = useState<Created | undefined>();

  useEffect(() => setOrigin(window.location.origin), []);

  return (
    <>
      <header className={shell.pageHeader}>
        <div>
          <h1 className={shell.pageTitle}>Sites</h1>
          <p className={shell.pageLead}>
            Paste a site’s snippet into the &lt;head&gt; of every page you want to measure.
          </p>
        </div>
        {!creating ? (
          <button
            type="button"
            className="button"
            onClick={() => {
              setCreating(true);
              setCreated(undefined);
            }}
            data-testid="site-new"
          >
            + Add a site
          </button>
        ) : null}
      </header>

      {creating ? (
        <section className={styles.card} aria-labelledby="new-site-title">
          <h2 className={styles.cardTitle} id="new-site-title">
            New site
          </h2>
          <SiteForm
            mode="create"
            initial={EMPTY_SITE}
            busy={busy}
            apiError={apiError}
            onCancel={() => {
              setCreating(false);
              setApiError(undefined);
            }}
            onSubmit={async (draft) => {
              setBusy(true);
              setApiError(undefined);
              const result = await api('POST', '/api/admin/sites', createdSiteSchema, {
                body: siteBody(draft, true),
              });
              setBusy(false);
              if (!result.ok) {
                setApiError({ message: result.error.error, field: result.error.field });
                return;
              }
              setCreating(false);
              setCreated({
                id: result.data.site.id,
                name: result.data.site.name,
                snippet: result.data.snippet,
              });
              reload();
            }}
          />
        </section>
      ) : null}

      {created ? (
        <section
          className={`${styles.card} ${styles.highlight}`}
          aria-labelledby="created-title"
          data-testid="site-created"
        >
          <div className={styles.cardHeader}>
            <h2 className={styles.cardTitle} id="created-title">
              “{created.name}” is ready: install the snippet
            </h2>
            <button type="button" className="button button-secondary" onClick={() => setCreated(undefined)}>
              Done
            </button>
          </div>
          <p>
            Paste this into the <code>&lt;head&gt;</code> of every page of the site. It is the exact tag for
            this server.
          </p>
          <div className={styles.copyRow}>
            <pre className={styles.code} data-testid="created-snippet">
              {created.snippet}
            </pre>
            <CopyButton text={created.snippet} label="Copy snippet" testId="created-copy" />
          </div>
          <VerifyInstall site={created.id} />
        </section>
      ) : null}

      {state.status === 'loading' ? (
        <p className={styles.empty} role="status">
          Loading sites…
        </p>
      ) : state.status === 'error' ? (
        <p className={styles.inlineError} role="alert">
          Could not load the sites: {state.error}
        </p>
      ) : state.data.length === 0 ? (
        <p className={styles.empty}>No sites yet: add one above.</p>
      ) : (
        <div className={styles.stack} data-testid="site-list">
          {state.data.map((site) => (
            <SiteCard key={site.id} site={site} origin={origin} onChanged={reload} />
          ))}
        </div>
      )}
    </>
  );
}
