'use client';

import { useMemo } from 'react';
import { type WindowDef, windowListSchema } from '../model/schemas';
import { fetchJson } from './fetch-json';
import { type Polled, usePolling } from './use-polling';

/** How often the window list is read again, so windows defined in the admin get a panel without a reload. */
const REFRESH_MS = 15_000;
/** Before the first aggregator has created the built-in windows, the list is empty: look again soon. */
const EMPTY_REFRESH_MS = 2_000;

/** The windows that apply to a site (`GET /api/stats/:site`), indexed by id, stable while unchanged. */
export function useWindowList(site: string): Polled<ReadonlyMap<string, WindowDef>> {
  const polled = usePolling(
    site,
    async (signal) =>
      (await fetchJson(`/api/stats/${encodeURIComponent(site)}`, windowListSchema, signal)).windows,
    (previous) => (previous !== undefined && previous.length > 0 ? REFRESH_MS : EMPTY_REFRESH_MS),
  );
  const data = polled.status === 'ready' ? polled.data : undefined;
  const json = useMemo(() => (data === undefined ? null : JSON.stringify(data)), [data]);
  // Keyed by content: a poll that changed nothing keeps the same map (and the socket's subscription).
  const index = useMemo(
    () =>
      json === null ? undefined : new Map((JSON.parse(json) as WindowDef[]).map((def) => [def.id, def])),
    [json],
  );
  if (polled.status === 'error') return polled;
  if (polled.status === 'loading' || index === undefined) return { status: 'loading' };
  return polled.error === undefined
    ? { status: 'ready', data: index }
    : { status: 'ready', data: index, error: polled.error };
}
