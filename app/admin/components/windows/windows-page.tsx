'use client';

import Link from 'next/link';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../../client/api';
import { usePolling } from '../../client/use-polling';
import { type WindowRow, windowsSchema } from '../../model/schemas';
import { describeShape, stateLabel, windowState } from '../../model/window-list';
import shell from '../../styles/shell.module.css';
import styles from '../../styles/ui.module.css';
import { ConfirmDialog } from '../confirm-dialog';

/** Back-fill progress and the figures move on their own: the list is read again every few seconds. */
const REFRESH_MS = 3_000;

/** `/admin/windows`: every window, built-in and user-defined, with state, late count and recent results. */
export function WindowsPage() {
  const { state, reload } = usePolling(async (signal) => {
    const result = await api('GET', '/api/admin/windows', windowsSchema, { signal });
    return result.ok
      ? { ok: true as const, data: result.data.windows }
      : { ok: false as const, message: result.error.error };
  }, REFRESH_MS);
  const [busyId, setBusyId] = useState<string | undefined>();
  const [deleting, setDeleting] = useState<WindowRow | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();

  const setStatus = async (row: WindowRow, status: 'running' | 'paused') => {
    setBusyId(row.definition.id);
    setActionError(undefined);
    const result = await api(
      'PATCH',
      `/api/admin/windows/${encodeURIComponent(row.definition.id)}`,
      z.unknown(),
      {
        body: { status },
      },
    );
    setBusyId(undefined);
    if (!result.ok) setActionError(`${row.definition.name}: ${result.error.error}`);
    reload();
  };

  const remove = async () => {
    if (!deleting) return;
    setBusyId(deleting.definition.id);
    const result = await api(
      'DELETE',
      `/api/admin/windows/${encodeURIComponent(deleting.definition.id)}`,
      z.unknown(),
    );
    setBusyId(undefined);
    if (!result.ok) setActionError(`${deleting.definition.name}: ${result.error.error}`);
    setDeleting(undefined);
    reload();
  };

  return (
    <>
      <header className={shell.pageHeader}>
        <div>
          <h1 className={shell.pageTitle}>Windows</h1>
          <p className={shell.pageLead}>
            What the aggregator computes: the built-in windows behind the dashboard, and your own.
          </p>
        </div>
        <Link href="/admin/windows/new" className="button" data-testid="window-new">
          + New window
        </Link>
      </header>
      {actionError ? (
        <p className={styles.inlineError} role="alert">
          {actionError}
        </p>
      ) : null}
      {state.status === 'loading' ? (
        <p className={styles.empty} role="status">
          Loading windows…
        </p>
      ) : state.status === 'error' ? (
        <p className={styles.inlineError} role="alert">
          Could not load the windows: {state.error}
        </p>
      ) : (
        <div className={styles.tableWrap}>
          {state.error ? (
            <p className={styles.inlineError} role="status">
              Refresh failed: {state.error}
            </p>
          ) : null}
          <table className={styles.table} data-testid="window-table">
            <caption className="visually-hidden">Windows with their state and recent figures</caption>
            <thead>
              <tr>
                <th scope="col">Window</th>
                <th scope="col">Shape</th>
                <th scope="col">State</th>
                <th scope="col" className={styles.num}>
                  Late
                </th>
                <th scope="col" className={styles.num}>
                  Results, last 10 min
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.data.map((row) => {
                const id = row.definition.id;
                const current = windowState(row);
                return (
                  <tr key={id} data-testid={`window-row-${id}`} data-state={current.kind}>
                    <th scope="row" className={styles.rowHeader}>
                      <span className={styles.rowTitle}>{row.definition.name}</span>
                      <span className={styles.rowMeta}>
                        <span className={styles.mono}>{id}</span> · v{row.definition.version}
                        {row.definition.site ? ` · site ${row.definition.site}` : ' · all sites'}
                        {row.builtin ? <span className={styles.badge}>built-in</span> : null}
                      </span>
                    </th>
                    <td>{describeShape(row.definition)}</td>
                    <td>
                      <span
                        className={styles.state}
                        data-state={current.kind}
                        data-testid={`window-state-${id}`}
                      >
                        {stateLabel(current)}
                      </span>
                      {current.kind === 'backfilling' ? (
                        <progress
                          className={styles.progress}
                          max={1}
                          value={current.progress}
                          aria-label={`Back-fill of ${row.definition.name}`}
                        />
                      ) : null}
                    </td>
                    <td className={styles.num} data-testid={`window-late-${id}`}>
                      {row.late.toLocaleString('en-US')}
                    </td>
                    <td className={styles.num} data-testid={`window-results-${id}`}>
                      {row.resultsLast10Min.toLocaleString('en-US')}
                    </td>
                    <td>
                      <div className={styles.rowActions}>
                        <button
                          type="button"
                          className="button button-secondary"
                          disabled={busyId === id}
                          onClick={() => setStatus(row, row.status === 'paused' ? 'running' : 'paused')}
                          data-testid={`window-toggle-${id}`}
                          aria-label={`${row.status === 'paused' ? 'Resume' : 'Pause'} ${row.definition.name}`}
                        >
                          {row.status === 'paused' ? 'Resume' : 'Pause'}
                        </button>
                        {row.builtin ? null : (
                          <>
                            <Link
                              href={`/admin/windows/${encodeURIComponent(id)}`}
                              className="button button-secondary"
                              data-testid={`window-edit-${id}`}
                              aria-label={`Edit ${row.definition.name}`}
                            >
                              Edit
                            </Link>
                            <button
                              type="button"
                              className={`button button-secondary ${styles.dangerOutline}`}
                              disabled={busyId === id}
                              onClick={() => setDeleting(row)}
                              data-testid={`window-delete-${id}`}
                              aria-label={`Delete ${row.definition.name}`}
                            >
                              Delete
                            </button>
                          </>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete the window “${deleting?.definition.name ?? ''}”?`}
        confirmLabel="Delete window"
        busy={busyId !== undefined}
        onConfirm={remove}
        onCancel={() => setDeleting(undefined)}
      >
        <p>
          The aggregator stops computing it within a second. Its results already stored stay readable until
          they expire.
        </p>
      </ConfirmDialog>
    </>
  );
}
