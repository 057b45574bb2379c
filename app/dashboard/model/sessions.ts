import type { WindowRow } from './schemas';

export interface SessionSummary {
  sessions: number;
  /** Sessions with at most one pageview. */
  bounces: number;
  bounceRate: number | null;
  /** Mean of end − start over the sessions (ms). */
  avgDurationMs: number | null;
  /** Mean pageviews per session. */
  pagesPerSession: number | null;
  /** Events that reached a session after it had closed (not counted). */
  late: number;
}

const byStartThenWidest = (a: WindowRow, b: WindowRow) => a.start - b.start || b.end - a.end;

/**
 * One row per session. A growing session is re-reported with a new end (and, when a late event lands
 * before it, a new start), so its earlier versions can linger next to it under other (start, end) ids.
 * Sessions of one key never overlap (they are more than the gap apart), so overlapping rows of a key are
 * versions of one session: the one covering the others (the newest) stands for it.
 */
export function dedupeSessions(rows: Iterable<WindowRow>): WindowRow[] {
  const byKey = new Map<string, WindowRow[]>();
  for (const row of rows) {
    const key = JSON.stringify(row.key);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  const out: WindowRow[] = [];
  for (const list of byKey.values()) {
    list.sort(byStartThenWidest);
    let kept: WindowRow | undefined;
    for (const row of list) {
      if (kept === undefined || row.start >= kept.end) {
        if (kept) out.push(kept);
        kept = row;
      } else if (row.end > kept.end || (row.end === kept.end && row.final && !kept.final)) {
        // Overlaps the kept version and reaches further: a merge of two versions; the later end wins.
        kept = row;
      }
    }
    if (kept) out.push(kept);
  }
  return out;
}

function numberValue(row: WindowRow, name: string): number | undefined {
  const value = row.values[name];
  return typeof value === 'number' ? value : undefined;
}

/**
 * Sessions overlapping [fromMs, toMs): count, bounce rate (≤ 1 pageview), average duration (end − start)
 * and pages per session (pageviews, else distinct pages).
 */
export function summarizeSessions(rows: Iterable<WindowRow>, fromMs: number, toMs: number): SessionSummary {
  const sessions = dedupeSessions(rows).filter((row) => row.start < toMs && row.end > fromMs);
  let bounces = 0;
  let duration = 0;
  let pages = 0;
  const lateByWindow = new Map<string, number>();
  for (const session of sessions) {
    const views = numberValue(session, 'pageviews') ?? numberValue(session, 'pages') ?? 0;
    if (views <= 1) bounces++;
    pages += views;
    duration += Math.max(0, session.end - session.start);
    if (session.late) lateByWindow.set(`${session.start}|${session.end}`, session.late);
  }
  const n = sessions.length;
  let late = 0;
  for (const count of lateByWindow.values()) late += count;
  return {
    sessions: n,
    bounces,
    bounceRate: n === 0 ? null : bounces / n,
    avgDurationMs: n === 0 ? null : duration / n,
    pagesPerSession: n === 0 ? null : pages / n,
    late,
  };
}
