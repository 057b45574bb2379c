import type { WindowRow } from './schemas';

export interface Point {
  /** Start of the bucket (ms). */
  t: number;
  value: number;
}

/** Per window (start, end), the sum of a numeric aggregate over its keys; oldest first. */
export function windowTotals(rows: Iterable<WindowRow>, name: string): Array<Point & { end: number }> {
  const totals = new Map<string, Point & { end: number }>();
  for (const row of rows) {
    const value = row.values[name];
    if (typeof value !== 'number') continue;
    const id = `${row.start}|${row.end}`;
    const point = totals.get(id);
    if (point) point.value += value;
    else totals.set(id, { t: row.start, end: row.end, value });
  }
  return [...totals.values()].sort((a, b) => a.t - b.t || a.end - b.end);
}

/** Aligned bucket start of `t` (UTC epoch alignment plus offset, as the window engine does). */
export function alignStart(t: number, sizeMs: number, offsetMs = 0): number {
  const mod = (((t - offsetMs) % sizeMs) + sizeMs) % sizeMs;
  return t - mod;
}

/**
 * A tumbling window's series over [fromMs, toMs), one point per window, zero where there were no events
 * (the engine stores no row for an empty window).
 */
export function tumblingSeries(
  rows: Iterable<WindowRow>,
  name: string,
  fromMs: number,
  toMs: number,
  sizeMs: number,
  offsetMs = 0,
): Point[] {
  const byStart = new Map<number, number>();
  for (const point of windowTotals(rows, name)) byStart.set(point.t, point.value);
  const out: Point[] = [];
  for (let t = alignStart(fromMs, sizeMs, offsetMs); t < toMs; t += sizeMs) {
    out.push({ t, value: byStart.get(t) ?? 0 });
  }
  return out;
}

/** Bucket multiples that read well on an axis (5 min, 10 min, 15 min, 1 h…). */
const NICE_FACTORS = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440];

/**
 * Merges consecutive points into at most `maxPoints` buckets (sums) of a "nice" whole number of points
 * (the smallest of 1, 2, 3, 5, 10, 15, 20, 30, 60… that fits).
 */
export function downsample(points: readonly Point[], maxPoints: number): { points: Point[]; factor: number } {
  if (points.length <= maxPoints) return { points: [...points], factor: 1 };
  const needed = Math.ceil(points.length / maxPoints);
  const factor = NICE_FACTORS.find((f) => f >= needed) ?? needed;
  const out: Point[] = [];
  for (let i = 0; i < points.length; i += factor) {
    let value = 0;
    for (let j = i; j < Math.min(i + factor, points.length); j++) value += points[j]?.value ?? 0;
    out.push({ t: points[i]?.t ?? 0, value });
  }
  return { points: out, factor };
}
