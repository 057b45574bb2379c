import { bytesToMb, round } from './soak-stats';

/**
 * What the soak reads off the processes' Prometheus endpoints: non-202 collect answers, heap in use and
 * event-loop lag. A scrape that fails reads as empty text, so a slow or restarting process leaves a gap in
 * the series rather than failing the sample.
 */

export async function scrape(url: string | undefined): Promise<string> {
  if (url === undefined) return '';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

/** Sums of Prometheus samples by metric name (labels ignored), or filtered by a predicate on the line. */
export function metricSum(text: string, name: string, where: (line: string) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !where(line)) continue;
    const next = line.charAt(name.length);
    if (next !== '{' && next !== ' ') continue;
    sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** Collect requests answered with anything but 202 since the server started. */
export function non202Total(serverMetrics: string): number {
  return metricSum(serverMetrics, 'riffle_collect_requests_total', (line) => !line.includes('status="202"'));
}

/** A heap gauge in MB, or null when the scrape failed. */
export function heapMb(metrics: string, name: string): number | null {
  return metrics === '' ? null : bytesToMb(metricSum(metrics, name), 1);
}

export function eventLoopLagP99Ms(serverMetrics: string): number | null {
  return serverMetrics === ''
    ? null
    : round(metricSum(serverMetrics, 'riffle_server_nodejs_eventloop_lag_p99_seconds') * 1000, 1);
}
