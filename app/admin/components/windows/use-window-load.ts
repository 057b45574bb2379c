'use client';

import { useEffect, useState } from 'react';
import { type WindowDefinition, windowDefinitionSchema } from '../../../../lib/windows/definition';
import { api } from '../../client/api';
import { initialSql } from '../../model/editor';
import { sitesSchema, windowsSchema } from '../../model/schemas';

export interface LoadedWindow {
  definition: WindowDefinition;
  builtin: boolean;
  /** The SQL to open it with ('' when it has no SQL spelling). */
  sql: string;
  /** Whether it was written in SQL (it then opens on the SQL tab). */
  writtenInSql: boolean;
}

export type WindowLoad =
  | { kind: 'loading' }
  | { kind: 'new' }
  | { kind: 'ready'; window: LoadedWindow }
  | { kind: 'missing'; message: string };

/** The site ids (for the site pickers) and, when editing, the stored window. */
export function useWindowLoad(editId: string | undefined): { load: WindowLoad; sites: string[] } {
  const [load, setLoad] = useState<WindowLoad>(editId === undefined ? { kind: 'new' } : { kind: 'loading' });
  const [sites, setSites] = useState<string[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    api('GET', '/api/admin/sites', sitesSchema, { signal })
      .then((result) => {
        if (result.ok) setSites(result.data.sites.map((s) => s.id));
      })
      .catch(() => undefined);
    if (editId !== undefined) {
      api('GET', '/api/admin/windows', windowsSchema, { signal })
        .then((result) => {
          if (!result.ok) return setLoad({ kind: 'missing', message: result.error.error });
          const row = result.data.windows.find((w) => w.definition.id === editId);
          if (!row) return setLoad({ kind: 'missing', message: `There is no window “${editId}”.` });
          const parsed = windowDefinitionSchema.safeParse(row.definition);
          if (!parsed.success) {
            return setLoad({ kind: 'missing', message: `The stored window “${editId}” is not valid here.` });
          }
          const sql = initialSql(row, parsed.data);
          setLoad({
            kind: 'ready',
            window: {
              definition: parsed.data,
              builtin: row.builtin,
              sql,
              writtenInSql: row.sql !== undefined && sql !== '',
            },
          });
        })
        .catch(() => undefined);
    }
    return () => controller.abort();
  }, [editId]);

  return { load, sites };
}
