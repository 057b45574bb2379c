import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ConsumerName } from '../../lib/redis/keys';
import { type Figures, LAST_QUARTER_GROWTH_LIMIT, MEMORY_GROWTH_LIMIT } from './soak-figures';
import { type LagPoint, type Sample, STACK } from './soak-model';

/**
 * What the soak prints and writes: a row per sample as it goes, then a lag table, the `key=value` figures,
 * and the JSON result (options, machine, criteria, figures, and the time series).
 */

/** At most this many rows in the lag table: a long run's lag groups into rows, worst of each. */
const LAG_TABLE_ROWS = 20;

const fmt = (v: number | null | undefined, width: number) => String(v ?? '-').padStart(width);

export function printSampleRow(s: Sample): void {
  if (s.phase === 'start')
    console.log(
      '    t_s  ev/s  non202  e2e_p50  e2e_p99  agg_lag  arch_lag | rss_MB: redis server  aggr  arch janit  dash  load | redis_used_MB | live_heap_MB: server aggr arch',
    );
  console.log(
    [
      fmt(s.tS, 7),
      fmt(s.eventsPerS, 5),
      fmt(s.non202Requests, 7),
      fmt(s.e2e?.p50Ms, 8),
      fmt(s.e2e?.p99Ms, 8),
      fmt(s.lagMs.aggregator.max, 8),
      fmt(s.lagMs.archiver.max, 9),
      '|        ',
      fmt(s.rssMb.redis, 5),
      fmt(s.rssMb.server, 6),
      fmt(s.rssMb.aggregator, 5),
      fmt(s.rssMb.archiver, 5),
      fmt(s.rssMb.janitor, 5),
      fmt(s.rssMb.dashboards, 5),
      fmt(s.rssMb.loadgen, 5),
      '|',
      fmt(s.redis.usedMemoryMb, 13),
      '|              ',
      fmt(s.liveHeapMb.server, 6),
      fmt(s.liveHeapMb.aggregator, 4),
      fmt(s.liveHeapMb.archiver, 4),
    ].join(' '),
  );
}

/** Lag over time, at most ~LAG_TABLE_ROWS rows: the worst lag of each group of samples. */
export function printLagTable(samples: Sample[]): void {
  const run = samples.filter((s) => s.phase !== 'start');
  const per = Math.max(1, Math.ceil(run.length / LAG_TABLE_ROWS));
  console.log('lag over time (worst in each row, ms):');
  console.log('    t_s  aggregator  archiver');
  for (let i = 0; i < run.length; i += per) {
    const group = run.slice(i, i + per);
    console.log(
      `${fmt(group[group.length - 1]?.tS, 7)}  ${fmt(worstLagMs(group, 'aggregator'), 10)}  ${fmt(worstLagMs(group, 'archiver'), 8)}`,
    );
  }
}

function worstLagMs(group: Sample[], consumer: ConsumerName): number | null {
  const values = group.map((s) => s.lagMs[consumer].max).filter((v): v is number => v !== null);
  return values.length === 0 ? null : Math.max(...values);
}

export function printFigures(figures: Figures): void {
  for (const [key, value] of Object.entries(figures)) console.log(`${key}=${value}`);
}

export interface SoakResult {
  options: {
    minutes: number;
    rate: number;
    clients: number;
    visitors: number;
    sampleS: number;
    warmupS: number;
    retentionMinutes: number;
    /** The stack's environment that differs from a default deployment. */
    env: Record<string, string | undefined>;
  };
  machine: { cpus: number; loadAverage1mBefore: number; loadAverage1mAfter: number };
  windows: string[];
  figures: Figures;
  samples: Sample[];
  lagSeries: LagPoint[];
}

export function writeResultJson(outFile: string, result: SoakResult): void {
  mkdirSync(dirname(outFile), { recursive: true });
  const json = {
    measuredAt: new Date().toISOString(),
    options: result.options,
    machine: result.machine,
    windows: result.windows,
    criteria: {
      memory: `rss_end / rss_after_warmup < ${MEMORY_GROWTH_LIMIT} for ${STACK.join(', ')}`,
      memoryLastQuarter: `rss_end / rss_at_75%_of_run < ${LAST_QUARTER_GROWTH_LIMIT} (still growing at the end?)`,
      lag: 'per consumer, max lag of the second half after warm-up ≤ 1.5 × the first half’s + 2 s',
    },
    ...result.figures,
    samples: result.samples,
    lagSeries: result.lagSeries,
  };
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
}
