import type { Health } from './schemas';

/**
 * The health page's figures, derived from `GET /api/admin/health`: the pipeline's stages in order, the
 * rejections by reason, and per-shard consumer positions. Pure, so the page only lays them out.
 */

export interface Stage {
  id: string;
  label: string;
  value: number | null;
  note: string;
}

export interface Rejection {
  reason: string;
  count: number;
}

function counter(counters: Health['counters'], name: string): number | null {
  const value = counters[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The archiver's delivery figures summed over the shards; null while no archiver has reported. */
export function archiveTotals(health: Health): { files: number; records: number; failed: number } | null {
  const statuses = health.shards.flatMap((shard) =>
    shard.consumers.flatMap((c) => (c.consumer === 'archiver' && c.archive ? [c.archive] : [])),
  );
  if (statuses.length === 0) return null;
  return {
    files: statuses.reduce((sum, a) => sum + a.files, 0),
    records: statuses.reduce((sum, a) => sum + a.records, 0),
    failed: statuses.reduce((sum, a) => sum + a.failedRecords, 0),
  };
}

/** accepted → in stream → aggregated → archived (null: not reported by this deployment). */
export function pipelineStages(health: Health): Stage[] {
  const inStream = health.shards.reduce((sum, shard) => sum + shard.length, 0);
  const archiver = health.shards.some((shard) => shard.consumers.some((c) => c.consumer === 'archiver'));
  const archived = archiveTotals(health);
  return [
    {
      id: 'accepted',
      label: 'Accepted',
      value: counter(health.counters, 'accepted') ?? 0,
      note: 'by the collect API',
    },
    {
      id: 'in-stream',
      label: 'In stream',
      value: inStream,
      note: 'entries retained now (event batches and idle ticks)',
    },
    {
      id: 'aggregated',
      label: 'Aggregated',
      value: counter(health.counters, 'aggregated') ?? 0,
      note: 'events folded by the aggregator',
    },
    {
      id: 'archived',
      label: 'Archived',
      value: archived?.records ?? counter(health.counters, 'archived'),
      note: archived
        ? `records in ${archived.files} files${archived.failed > 0 ? `; ${archived.failed} failed (under errors/)` : ''}`
        : archiver
          ? 'archiver registered, no delivery yet'
          : 'no archiver registered',
    },
  ];
}

/** Dropped before the stream: bots, duplicates, DNT/GPC, load shedding. */
export function droppedCounters(health: Health): Stage[] {
  return [
    { id: 'bot', label: 'Bots', value: counter(health.counters, 'bot') ?? 0, note: 'dropped (isbot)' },
    {
      id: 'duplicate',
      label: 'Duplicates',
      value: counter(health.counters, 'duplicate') ?? 0,
      note: 'client retries dropped by event id',
    },
    { id: 'dnt', label: 'DNT / GPC', value: counter(health.counters, 'dnt') ?? 0, note: 'honoured per site' },
    {
      id: 'shed',
      label: 'Shed',
      value: counter(health.counters, 'shed') ?? 0,
      note: 'refused while busy (503)',
    },
  ];
}

/** `rejected:<field>` counters, largest first. */
export function rejections(health: Health): Rejection[] {
  return Object.entries(health.counters)
    .filter(([name, value]) => name.startsWith('rejected:') && typeof value === 'number' && value > 0)
    .map(([name, value]) => ({ reason: name.slice('rejected:'.length) || '(none)', count: value ?? 0 }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** The ms part of a stream id ("1700000000000-3" → 1700000000000). */
export function streamIdMs(id: string | null): number | null {
  if (id === null) return null;
  const ms = Number(id.split('-')[0]);
  return Number.isFinite(ms) ? ms : null;
}

/** A consumer lag is a problem past 10 s (the dashboard promises a second), and bad past a minute. */
export function lagLevel(lagMs: number | null): 'ok' | 'warn' | 'bad' | 'unknown' {
  if (lagMs === null) return 'unknown';
  if (lagMs > 60_000) return 'bad';
  if (lagMs > 10_000) return 'warn';
  return 'ok';
}

/** An alarm's detail as one line of text ("behindMs: 120000, atMs: …"), for display as text. */
export function describeAlarm(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
