'use client';

import { useMemo } from 'react';
import type { Filter, Period } from '../model/filters';
import { periodRange } from '../model/filters';
import {
  liveWindowIds,
  PANEL_WINDOWS,
  type PanelRole,
  pickWindow,
  rangeWindowIds,
  type WindowIndex,
} from '../model/panels';
import type { WindowView } from '../model/rows';
import type { FeedEvent } from '../model/schemas';
import type { Clock } from '../model/select';
import type { LiveState } from '../realtime/live-store';
import { useSiteSocket } from '../realtime/use-site-socket';
import { type RangeState, useRangeData } from './use-range-data';
import { useWindowList } from './use-window-list';

export type ViewStatus =
  | { kind: 'ready' }
  | { kind: 'loading' }
  | { kind: 'missing'; message: string }
  | { kind: 'unavailable'; message: string }
  | { kind: 'error'; message: string };

export interface DashboardData {
  mode: 'live' | 'range';
  /** The window list (`GET /api/stats/:site`); undefined while loading. */
  windows: WindowIndex | undefined;
  windowListError: string | null;
  /** Unknown site (the stats API answered 404). */
  notFound: boolean;
  live: LiveState;
  range: RangeState;
  feed: readonly FeedEvent[];
  clock: Clock;
  /** The window that feeds a role, and its rows in the current mode. */
  view: (role: PanelRole) => { id?: string; view?: WindowView; status: ViewStatus };
  viewById: (id: string) => { view?: WindowView; status: ViewStatus };
}

const MISSING = 'Not available on this server yet';
export const QUERY_UNAVAILABLE =
  'Not available: this server has no ad-hoc query API (GET /api/query) for filters and past periods yet';

const SLIDING_SLACK_MS = 5_000;

/**
 * Everything the dashboard shows, from one of two sources: realtime without filters → the socket
 * (snapshot + deltas); any filter or a past period → the ad-hoc query API (stats API as a fallback for
 * unfiltered series). The live feed always comes from the socket.
 */
export function useDashboardData(
  site: string,
  period: Period,
  filters: readonly Filter[],
  nowMs: number,
): DashboardData {
  const list = useWindowList(site);
  const windows = list.status === 'ready' ? list.data : undefined;
  const mode = period === 'realtime' && filters.length === 0 ? 'live' : 'range';
  const liveIds = useMemo(() => (windows ? liveWindowIds(windows) : []), [windows]);
  const live = useSiteSocket(site, liveIds);

  const { fromMs, toMs } = periodRange(period, nowMs);
  const rangeIds = useMemo(
    () => (windows ? rangeWindowIds(windows, toMs - fromMs) : []),
    [windows, toMs, fromMs],
  );
  const range = useRangeData(site, windows, rangeIds, filters, period, mode === 'range');

  const serverNow = nowMs + live.clockOffsetMs;
  const rangeData = range.status === 'ready' || range.status === 'unavailable' ? range.data : null;
  const clock: Clock =
    mode === 'live'
      ? {
          fromMs: serverNow - 30 * 60_000,
          toMs: serverNow,
          staleBeforeMs: serverNow - SLIDING_SLACK_MS - (live.lagMs ?? 0),
        }
      : rangeData
        ? { fromMs: rangeData.fromMs, toMs: rangeData.toMs }
        : { fromMs, toMs };

  const viewById = (id: string): { view?: WindowView; status: ViewStatus } => {
    if (mode === 'live') {
      const view = live.windows[id];
      if (view) return { view, status: { kind: 'ready' } };
      if (live.refused.includes(id)) {
        return { status: { kind: 'missing', message: 'The live gateway does not serve this window' } };
      }
      return { status: { kind: 'loading' } };
    }
    switch (range.status) {
      case 'off':
      case 'loading':
        return { status: { kind: 'loading' } };
      case 'error':
        return { status: { kind: 'error', message: `Could not load this period: ${range.message}` } };
      case 'unavailable': {
        const view = range.data?.windows[id];
        return view
          ? { view, status: { kind: 'ready' } }
          : { status: { kind: 'unavailable', message: QUERY_UNAVAILABLE } };
      }
      case 'ready': {
        const view = range.data.windows[id];
        return view
          ? { view, status: { kind: 'ready' } }
          : { status: { kind: 'missing', message: 'Not in the query answer' } };
      }
    }
  };

  const view = (role: PanelRole) => {
    if (!windows) {
      return list.status === 'error'
        ? { status: { kind: 'error', message: list.message } as ViewStatus }
        : { status: { kind: 'loading' } as ViewStatus };
    }
    // In a range, a window left out of the query (per-second series over a day) falls back to the next.
    const answered = rangeData
      ? PANEL_WINDOWS[role].find((id) => windows.has(id) && rangeData.windows[id] !== undefined)
      : undefined;
    const def = answered === undefined ? pickWindow(role, windows) : windows.get(answered);
    if (!def) return { status: { kind: 'missing', message: MISSING } as ViewStatus };
    return { id: def.id, ...viewById(def.id) };
  };

  const notFound = list.status === 'error' && /unknown site/i.test(list.message);
  return {
    mode,
    windows,
    windowListError:
      list.status === 'error' ? list.message : list.status === 'ready' ? (list.error ?? null) : null,
    notFound,
    live,
    range,
    feed: live.feed,
    clock,
    view,
    viewById,
  };
}
