import { completeRows, currentRows, primaryNumericAggregate, type WindowView } from './rows';
import { downsample, type Point, tumblingSeries, windowTotals } from './series';
import { type SessionSummary, summarizeSessions } from './sessions';

/**
 * What the headline numbers and charts read from the windows, in both modes: live (rows from the socket,
 * sliding windows step by step) and range (rows from the ad-hoc query: tumbling windows as series, every
 * other type as one result over the whole range).
 */

export interface Clock {
  /** The period shown: [fromMs, toMs) in server time. */
  fromMs: number;
  toMs: number;
  /** Live only: sliding windows ending before this (server time) have moved past every event. */
  staleBeforeMs?: number;
}

/** The sum of the primary value over the current window's keys; 0 when it has none, null without the window. */
export function currentValue(view: WindowView | undefined, clock: Clock): number | null {
  if (!view) return null;
  const name = primaryNumericAggregate(view.def);
  if (name === undefined) return null;
  const rows = currentRows(view, clock.staleBeforeMs);
  let total = 0;
  for (const row of rows) {
    const value = row.values[name];
    if (typeof value === 'number') total += value;
  }
  return total;
}

/** The total of a tumbling window's primary value over the windows overlapping the clock's period. */
export function tumblingTotal(view: WindowView | undefined, clock: Clock): number | null {
  if (view?.def.type !== 'tumbling') return null;
  const name = primaryNumericAggregate(view.def);
  if (name === undefined) return null;
  let total = 0;
  for (const point of windowTotals(view.rows.values(), name)) {
    if (point.end > clock.fromMs && point.t < clock.toMs) total += point.value;
  }
  return total;
}

export interface RateSeries {
  points: Point[];
  /** Events per second over the last minute of the series (live) or the whole period (range). */
  average: number | null;
  /** Range: events in the whole period (live: null). */
  total: number | null;
}

const LIVE_LINE_MS = 120_000;

/**
 * The events-per-second line. `events_1s` (tumbling 1 s): one point per second, zero-filled; over a long
 * range averaged into at most 180 points. `events_rate` (sliding 1 min): each step's count / 60, live only.
 */
export function eventsPerSecond(
  view: WindowView | undefined,
  clock: Clock,
  live: boolean,
): RateSeries | null {
  if (!view) return null;
  const name = primaryNumericAggregate(view.def);
  if (name === undefined) return null;
  if (view.def.type === 'tumbling') {
    const size = view.def.sizeMs ?? 1000;
    const from = live ? clock.toMs - LIVE_LINE_MS : clock.fromMs;
    // Live: leave out the current, still open second (it would dip at the right edge).
    const to = live ? clock.toMs - size : clock.toMs;
    const counts = tumblingSeries(view.rows.values(), name, from, to, size, view.def.offsetMs);
    const raw = counts.map((p) => ({ t: p.t, value: (p.value * 1000) / size }));
    const { points, factor } = downsample(raw, 180);
    const perSecond = points.map((p) => ({ t: p.t, value: p.value / factor }));
    const tail = raw.slice(live ? -60 : 0);
    const average = tail.length === 0 ? null : tail.reduce((s, p) => s + p.value, 0) / tail.length;
    const total = live ? null : counts.reduce((s, p) => s + p.value, 0);
    return { points: perSecond, average, total };
  }
  if (view.def.type === 'sliding' && live) {
    const seconds = (view.def.sizeMs ?? 60_000) / 1000;
    const points = completeRows(view)
      .filter((row) => row.end > clock.toMs - LIVE_LINE_MS)
      .map((row) => {
        const value = row.values[name];
        return { t: row.end, value: typeof value === 'number' ? value / seconds : 0 };
      });
    const latest = currentValue(view, clock);
    return { points, average: latest === null ? null : latest / seconds, total: null };
  }
  // A range: a sliding window answers one result, the events of the whole period.
  const total = currentValue(view, clock);
  const seconds = Math.max(1, (clock.toMs - clock.fromMs) / 1000);
  return { points: [], average: total === null ? null : total / seconds, total };
}

/** Pageviews (or any tumbling window) per bucket over the period: at most `maxBars` bars. */
export function barSeries(
  view: WindowView | undefined,
  clock: Clock,
  maxBars: number,
): { points: Point[]; bucketMs: number } | null {
  if (view?.def.type !== 'tumbling') return null;
  const name = primaryNumericAggregate(view.def);
  if (name === undefined) return null;
  const size = view.def.sizeMs ?? 60_000;
  const series = tumblingSeries(view.rows.values(), name, clock.fromMs, clock.toMs, size, view.def.offsetMs);
  const { points, factor } = downsample(series, maxBars);
  return { points, bucketMs: size * factor };
}

/** Sessions in the period; null when the rows are not one per session (a query that merged them). */
export function sessionSummary(view: WindowView | undefined, clock: Clock): SessionSummary | null {
  if (view?.def.type !== 'session') return null;
  const rows = [...view.rows.values()];
  if (rows.some((row) => row.key === null)) return null;
  return summarizeSessions(rows, clock.fromMs, clock.toMs);
}
