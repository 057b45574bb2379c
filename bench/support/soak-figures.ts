import type { ConsumerName } from '../../lib/redis/keys';
import type { LoadResult } from './collect-load';
import type { SoakClientsResult } from './soak-clients';
import {
  ALL_PROCS,
  CONSUMERS,
  isStackProc,
  type LagPoint,
  NODE_PROCS,
  type NodeProc,
  type Proc,
  type Sample,
} from './soak-model';
import { histogramCount, percentileMs, round, slope } from './soak-stats';

/**
 * The soak's figures (the `key=value` lines and the JSON's top-level numbers) and its flatness verdicts.
 * Memory is judged from the end of the warm-up to the end, and over the last quarter alone (still growing
 * at the end, or a bounded store that filled up after the warm-up?); consumer lag is flat when the second
 * half after the warm-up is no worse than the first.
 */

export type Figures = Record<string, number | string | null>;

export const MEMORY_GROWTH_LIMIT = 1.2;
export const LAST_QUARTER_GROWTH_LIMIT = 1.1;
/** Lag noise allowed between the halves: the second half's worst may be this much worse than the first's… */
const LAG_GROWTH_FACTOR = 1.5;
/** …plus this. */
const LAG_SLACK_MS = 2_000;
/** Fewer lag points after the warm-up than this say nothing: the verdict is "growing". */
const MIN_LAG_POINTS = 4;

export interface SoakRun {
  minutes: number;
  rateTarget: number;
  durationS: number;
  warmupS: number;
  load: LoadResult;
  clients: SoakClientsResult;
  samples: Sample[];
  lagSeries: LagPoint[];
}

/** The samples the verdicts compare. */
interface Landmarks {
  start: Sample | undefined;
  /** The first sample after the warm-up (else the end). */
  warm: Sample | undefined;
  /** The first sample at 75 % of the run (else the end). */
  lastQuarter: Sample | undefined;
  end: Sample | undefined;
  afterWarmup: Sample[];
}

export function computeFigures(run: SoakRun): Figures {
  const marks = landmarks(run.samples, run.warmupS, run.durationS);
  const lag = CONSUMERS.map((consumer) => lagStats(run.lagSeries, consumer, run.warmupS, run.durationS));
  // The parts in the order they are printed: merging keeps the keys' insertion order.
  return merged([
    runFigures(run),
    ...ALL_PROCS.map((proc) => rssFigures(proc, marks)),
    redisFigures(marks),
    ...NODE_PROCS.map((proc) => liveHeapFigures(proc, marks)),
    ...lag.map(lagFigures),
    verdictFigures(marks, lag),
  ]);
}

function merged(parts: Figures[]): Figures {
  const figures: Figures = {};
  for (const part of parts) Object.assign(figures, part);
  return figures;
}

function landmarks(samples: Sample[], warmupS: number, durationS: number): Landmarks {
  const end = samples.findLast((s) => s.phase === 'end') ?? samples[samples.length - 1];
  const warm = samples.find((s) => s.phase !== 'start' && s.tS >= warmupS - 0.5) ?? end;
  return {
    start: samples.find((s) => s.phase === 'start'),
    warm,
    lastQuarter: samples.find((s) => s.phase !== 'start' && s.tS >= 0.75 * durationS - 0.5) ?? end,
    end,
    afterWarmup: samples.filter((s) => s.phase !== 'start' && s.tS >= (warm?.tS ?? 0)),
  };
}

function runFigures({ minutes, rateTarget, load, clients, samples, warmupS }: SoakRun): Figures {
  return {
    soak_minutes: minutes,
    soak_rate_target: rateTarget,
    throughput_events_per_s: Math.round(load.accepted / (load.elapsedMs / 1000)),
    accepted: load.accepted,
    rejected: load.failed,
    skipped: load.skipped,
    non202_requests_server: samples.reduce((s, x) => s + x.non202Requests, 0),
    e2e_latency_p50_ms: percentileMs(clients.histogram, 0.5),
    e2e_latency_p99_ms: percentileMs(clients.histogram, 0.99),
    e2e_latency_max_ms: percentileMs(clients.histogram, 1),
    e2e_pairs: histogramCount(clients.histogram),
    e2e_unseen_pairs: clients.unseen,
    dashboards_receiving: clients.receiving,
    client_disconnects: clients.disconnects,
    warmup_s: round(warmupS),
  };
}

/** end / from, or null when either is unknown or `from` is not positive. */
function rssGrowthRatio(endMb: number | null, fromMb: number | null): number | null {
  return endMb !== null && fromMb !== null && fromMb > 0 ? round(endMb / fromMb, 3) : null;
}

function rssGrowth(proc: Proc, marks: Landmarks): { sinceWarm: number | null; lastQuarter: number | null } {
  const endMb = marks.end?.rssMb[proc] ?? null;
  return {
    sinceWarm: rssGrowthRatio(endMb, marks.warm?.rssMb[proc] ?? null),
    lastQuarter: rssGrowthRatio(endMb, marks.lastQuarter?.rssMb[proc] ?? null),
  };
}

function rssFigures(proc: Proc, marks: Landmarks): Figures {
  const growth = rssGrowth(proc, marks);
  const points = marks.afterWarmup
    .map((s) => [s.tS / 60, s.rssMb[proc]] as [number, number | null])
    .filter((p): p is [number, number] => p[1] !== null);
  return {
    [`rss_start_mb_${proc}`]: marks.start?.rssMb[proc] ?? null,
    [`rss_warm_mb_${proc}`]: marks.warm?.rssMb[proc] ?? null,
    [`rss_end_mb_${proc}`]: marks.end?.rssMb[proc] ?? null,
    [`rss_growth_ratio_${proc}`]: growth.sinceWarm,
    [`rss_slope_mb_per_min_${proc}`]: round(slope(points), 2),
    [`rss_growth_ratio_last_quarter_${proc}`]: growth.lastQuarter,
  };
}

function redisFigures({ start, warm, end }: Landmarks): Figures {
  const figures: Figures = {
    redis_used_memory_start_mb: start?.redis.usedMemoryMb ?? null,
    redis_used_memory_warm_mb: warm?.redis.usedMemoryMb ?? null,
    redis_used_memory_end_mb: end?.redis.usedMemoryMb ?? null,
    redis_used_memory_growth_ratio:
      end && warm ? round(end.redis.usedMemoryMb / warm.redis.usedMemoryMb, 3) : null,
  };
  const kinds = new Set([...Object.keys(warm?.redis.byKind ?? {}), ...Object.keys(end?.redis.byKind ?? {})]);
  for (const kind of [...kinds].sort()) {
    figures[`redis_mb_warm_${kind}`] = warm?.redis.byKind[kind]?.mb ?? 0;
    figures[`redis_mb_end_${kind}`] = end?.redis.byKind[kind]?.mb ?? 0;
  }
  return figures;
}

function liveHeapFigures(proc: NodeProc, { warm, end }: Landmarks): Figures {
  const warmMb = warm?.liveHeapMb[proc] ?? null;
  const endMb = end?.liveHeapMb[proc] ?? null;
  return {
    [`heap_live_warm_mb_${proc}`]: warmMb,
    [`heap_live_end_mb_${proc}`]: endMb,
    [`heap_live_growth_ratio_${proc}`]: warmMb !== null && endMb !== null ? round(endMb / warmMb, 3) : null,
    [`full_gcs_after_warmup_${proc}`]: (end?.fullGcs[proc] ?? 0) - (warm?.fullGcs[proc] ?? 0),
  };
}

interface LagStats {
  consumer: ConsumerName;
  maxMs: number | null;
  endMs: number | null;
  firstHalfMaxMs: number;
  secondHalfMaxMs: number;
  /** Lag points after the warm-up. */
  points: number;
}

function lagStats(series: LagPoint[], consumer: ConsumerName, warmupS: number, durationS: number): LagStats {
  const known = (points: LagPoint[]) => points.map((p) => p[consumer]).filter((v): v is number => v !== null);
  const all = known(series.filter((p) => p.tS > 0 && p.tS <= durationS));
  const late = known(series.filter((p) => p.tS >= warmupS && p.tS <= durationS));
  const half = Math.floor(late.length / 2);
  return {
    consumer,
    maxMs: all.length > 0 ? Math.max(...all) : null,
    endMs: all[all.length - 1] ?? null,
    firstHalfMaxMs: Math.max(0, ...late.slice(0, half)),
    secondHalfMaxMs: Math.max(0, ...late.slice(half)),
    points: late.length,
  };
}

function lagFigures(stats: LagStats): Figures {
  return {
    [`lag_max_ms_${stats.consumer}`]: stats.maxMs,
    [`lag_end_ms_${stats.consumer}`]: stats.endMs,
    [`lag_max_first_half_ms_${stats.consumer}`]: stats.firstHalfMaxMs,
    [`lag_max_second_half_ms_${stats.consumer}`]: stats.secondHalfMaxMs,
  };
}

/** Flat: the worst lag of the second half of the measured part is no worse than the first half's (with room for noise). */
function isLagGrowing(stats: LagStats): boolean {
  return (
    stats.points < MIN_LAG_POINTS ||
    stats.secondHalfMaxMs > LAG_GROWTH_FACTOR * stats.firstHalfMaxMs + LAG_SLACK_MS
  );
}

function verdictFigures(marks: Landmarks, lag: LagStats[]): Figures {
  const growth = ALL_PROCS.filter(isStackProc).map((proc) => ({ proc, ...rssGrowth(proc, marks) }));
  // Still growing at the very end? The last quarter of the run on its own: a store that fills up to its
  // bound (an outbox MAXLEN, a 5-minute window's state) grows after the warm-up, then stops.
  const growing = growth.filter((g) => g.sinceWarm === null || g.sinceWarm >= MEMORY_GROWTH_LIMIT);
  const growingAtEnd = growth.filter(
    (g) => g.lastQuarter === null || g.lastQuarter >= LAST_QUARTER_GROWTH_LIMIT,
  );
  const lagging = lag.filter(isLagGrowing).map((s) => s.consumer);
  return {
    memory_flat: growing.length === 0 ? 'yes' : 'no',
    memory_growing: listOrNone(growing.map((g) => g.proc)),
    memory_flat_last_quarter: growingAtEnd.length === 0 ? 'yes' : 'no',
    memory_growing_last_quarter: listOrNone(growingAtEnd.map((g) => g.proc)),
    lag_flat: lagging.length === 0 ? 'yes' : 'no',
    lag_growing: listOrNone(lagging),
  };
}

function listOrNone(names: string[]): string {
  return names.length === 0 ? 'none' : names.join(',');
}
