'use client';

import { useMemo } from 'react';
import { type Filter, type Period, periodRange, queryUrl } from '../model/filters';
import { rowsFrom, type WindowView } from '../model/rows';
import { queryResponseSchema, type WindowDef, windowStatsSchema } from '../model/schemas';
import { fetchJson, HttpError } from './fetch-json';
import { usePolling } from './use-polling';

/** Periods roll with the clock: realtime with filters refreshes faster than the longer periods. */
const REFRESH_MS = { realtime: 5_000, other: 10_000 } as const;

export interface RangeData {
  /** `query`: the ad-hoc query API (filters applied); `stats`: stored window results (no filters). */
  source: 'query' | 'stats';
  fromMs: number;
  toMs: number;
  windows: Readonly<Record<string, WindowView>>;
  scannedEvents: number | null;
  truncated: boolean;
  fetchedAtMs: number;
}

export type RangeState =
  | { status: 'off' }
  | { status: 'loading' }
  | { status: 'ready'; data: RangeData; error?: string }
  /** The server has no ad-hoc query API; `data` holds what the stats API alone can give. */
  | { status: 'unavailable'; data: RangeData | null }
  | { status: 'error'; message: string };

type Loaded = { available: true; data: RangeData } | { available: false; data: RangeData | null };

/** The query API is missing when the server answers with an HTML 404 page (no such route) or 405/501. */
function isMissingEndpoint(error: unknown): boolean {
  return (
    error instanceof HttpError &&
    ((error.status === 404 && error.field !== 'site' && error.field !== 'windows') ||
      error.status === 405 ||
      error.status === 501)
  );
}

/** Windows per ad-hoc query request (the API's limit); more are split over parallel requests. */
const WINDOWS_PER_QUERY = 20;

async function loadQuery(
  site: string,
  ids: readonly string[],
  filters: readonly Filter[],
  fromMs: number,
  toMs: number,
  signal: AbortSignal,
): Promise<RangeData> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += WINDOWS_PER_QUERY) chunks.push(ids.slice(i, i + WINDOWS_PER_QUERY));
  const answers = await Promise.all(
    chunks.map((chunk) =>
      fetchJson(queryUrl(site, chunk, filters, fromMs, toMs), queryResponseSchema, signal),
    ),
  );
  const windows: Record<string, WindowView> = {};
  for (const answer of answers) {
    for (const [id, result] of Object.entries(answer.windows)) {
      windows[id] = { def: result.window, rows: rowsFrom(result.results), watermark: null };
    }
  }
  const first = answers[0];
  return {
    source: 'query',
    fromMs: first?.from ?? fromMs,
    toMs: first?.to ?? toMs,
    windows,
    scannedEvents: Math.max(0, ...answers.map((a) => a.scannedEvents)),
    truncated: answers.some((a) => a.truncated),
    fetchedAtMs: Date.now(),
  };
}

/**
 * Without the query API and without filters, the windows whose stored results add up over any range
 * (tumbling series, sessions) still come from the stats API.
 */
async function loadStats(
  site: string,
  defs: readonly WindowDef[],
  fromMs: number,
  toMs: number,
  signal: AbortSignal,
): Promise<RangeData | null> {
  const usable = defs.filter((def) => def.type === 'tumbling' || def.type === 'session');
  if (usable.length === 0) return null;
  const windows: Record<string, WindowView> = {};
  let truncated = false;
  await Promise.all(
    usable.map(async (def) => {
      const to = toMs + (def.sizeMs ?? 0);
      const url = `/api/stats/${encodeURIComponent(site)}/${encodeURIComponent(def.id)}?from=${Math.floor(fromMs)}&to=${Math.ceil(to)}&limit=1000`;
      const answer = await fetchJson(url, windowStatsSchema, signal);
      if (answer.results.length === 1000) truncated = true;
      windows[def.id] = { def: answer.window, rows: rowsFrom(answer.results), watermark: answer.watermark };
    }),
  );
  return { source: 'stats', fromMs, toMs, windows, scannedEvents: null, truncated, fetchedAtMs: Date.now() };
}

/**
 * Window results over a period and filters, through `GET /api/query/:site`, refreshed every 10 s (the
 * periods roll with the clock). `enabled` false (realtime without filters: the socket serves) → off.
 */
export function useRangeData(
  site: string,
  windows: ReadonlyMap<string, WindowDef> | undefined,
  windowIds: readonly string[],
  filters: readonly Filter[],
  period: Period,
  enabled: boolean,
): RangeState {
  const key =
    enabled && windows !== undefined && windowIds.length > 0
      ? JSON.stringify([site, windowIds, filters, period])
      : null;
  const polled = usePolling<Loaded>(
    key,
    async (signal) => {
      const { fromMs, toMs } = periodRange(period, Date.now());
      try {
        return { available: true, data: await loadQuery(site, windowIds, filters, fromMs, toMs, signal) };
      } catch (error) {
        if (!isMissingEndpoint(error)) throw error;
      }
      const defs = windowIds.map((id) => windows?.get(id)).filter((d): d is WindowDef => d !== undefined);
      return {
        available: false,
        data: filters.length === 0 ? await loadStats(site, defs, fromMs, toMs, signal) : null,
      };
    },
    period === 'realtime' ? REFRESH_MS.realtime : REFRESH_MS.other,
  );
  return useMemo((): RangeState => {
    if (key === null) return { status: 'off' };
    if (polled.status === 'loading') return { status: 'loading' };
    if (polled.status === 'error') return { status: 'error', message: polled.message };
    const { data } = polled;
    if (!data.available) return { status: 'unavailable', data: data.data };
    return polled.error === undefined
      ? { status: 'ready', data: data.data }
      : { status: 'ready', data: data.data, error: polled.error };
  }, [key, polled]);
}
