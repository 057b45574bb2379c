import type { SparseHistogram } from './soak-clients';

/** Small numeric helpers of the soak bench: rounding, latency percentiles, trend slopes. */

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function bytesToMb(bytes: number, digits: number): number {
  return round(bytes / 1_048_576, digits);
}

/** How many latencies the histogram holds. */
export function histogramCount(histogram: SparseHistogram): number {
  return histogram.reduce((sum, [, n]) => sum + n, 0);
}

/** The latency (ms) at quantile q of a sparse [ms, count] histogram; null when it is empty. */
export function percentileMs(histogram: SparseHistogram, q: number): number | null {
  const total = histogramCount(histogram);
  if (total === 0) return null;
  let seen = 0;
  for (const [ms, n] of histogram) {
    seen += n;
    if (seen >= q * total) return ms;
  }
  return histogram[histogram.length - 1]?.[0] ?? null;
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
