'use client';

import { useEffect, useState } from 'react';
import { api } from '../../client/api';
import { type VerifyAnswer, verifySchema } from '../../model/schemas';
import styles from '../../styles/ui.module.css';

const POLL_MS = 2_000;

/**
 * "Verify installation": asks `GET /api/admin/sites/:id/verify` every 2 s until the site's first event
 * has arrived, then says when and on which page.
 */
export function VerifyInstall({ site }: { site: string }) {
  const [answer, setAnswer] = useState<VerifyAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [checks, setChecks] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      const result = await api('GET', `/api/admin/sites/${encodeURIComponent(site)}/verify`, verifySchema, {
        signal: controller.signal,
      }).catch(() => undefined);
      if (controller.signal.aborted || result === undefined) return;
      setChecks((n) => n + 1);
      if (result.ok) {
        setAnswer(result.data);
        setError(undefined);
        if (result.data.installed) return;
      } else {
        setError(result.error.error);
      }
      timer = setTimeout(check, POLL_MS);
    };
    void check();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [site]);

  const installed = answer?.installed === true;
  return (
    <div
      className={`${styles.notice} ${installed ? styles.noticeOk : ''}`}
      role="status"
      aria-live="polite"
      data-testid={`verify-${site}`}
      data-state={installed ? 'installed' : 'waiting'}
    >
      {installed ? (
        <>
          <strong>Installed ✓</strong> The first event arrived
          {answer?.lastEventAtMs ? ` at ${new Date(answer.lastEventAtMs).toLocaleTimeString()}` : ''}
          {answer?.lastEventPath ? (
            <>
              {' '}
              from <code>{answer.lastEventPath}</code>
            </>
          ) : null}
          .
        </>
      ) : (
        <>
          <span className={styles.spinner} aria-hidden="true" /> Waiting for the first event… open a page with
          the snippet; this checks every 2 s{checks > 0 ? ` (${checks} checks so far)` : ''}.
          {error ? <span className={styles.inlineError}> Last check failed: {error}</span> : null}
        </>
      )}
    </div>
  );
}
