import type { Redis } from 'ioredis';
import { readPipelineHealth } from '../../lib/aggregation/pipeline-health';
import type { ConsumerName, Keys } from '../../lib/redis/keys';
import { streamIdMs } from '../../lib/streams/entry';
import { CONSUMERS, type IntervalLag, type LagPoint, SHARDS } from './soak-model';

/**
 * Consumer lag, measured every second (the sample interval is too coarse for the archiver's saw-tooth):
 * each consumer's worst shard, newest stream entry − checkpoint in ms of ingest time — the admin health
 * page's figure. Keeps the whole series, and the worst and latest lag since the last sample.
 */
export class LagTracker {
  readonly series: LagPoint[] = [];
  private interval: IntervalLag = emptyIntervalLag();
  private measuring = false;

  constructor(
    private readonly probe: Redis,
    private readonly keys: Keys,
    /** Seconds since the load started, for the series' time axis. */
    private readonly elapsedS: () => number,
  ) {}

  async measure(): Promise<void> {
    if (this.measuring) return; // a slow Redis: skip a beat rather than pile up
    this.measuring = true;
    try {
      const worstLagMs = await this.readWorstLagMs();
      const point: LagPoint = { tS: this.elapsedS(), aggregator: null, archiver: null };
      for (const consumer of CONSUMERS) {
        const worst = worstLagMs[consumer];
        if (worst === null) continue;
        point[consumer] = worst;
        const slot = this.interval[consumer];
        slot.max = Math.max(slot.max ?? 0, worst);
        slot.last = worst;
      }
      this.series.push(point);
    } finally {
      this.measuring = false;
    }
  }

  /** The worst and latest lag since the previous call. */
  takeInterval(): IntervalLag {
    const interval = this.interval;
    this.interval = emptyIntervalLag();
    return interval;
  }

  /** Worst shard's lag per consumer; null until every shard of it has a lag to report. */
  private async readWorstLagMs(): Promise<Record<ConsumerName, number | null>> {
    const health = await readPipelineHealth(this.probe, this.keys, SHARDS);
    const worst: Record<ConsumerName, number | null> = { aggregator: null, archiver: null };
    for (const consumer of CONSUMERS) {
      // Before a consumer's first checkpoint on a shard (the archiver's first batch takes a while), its
      // lag runs from the oldest entry, as the archiver itself reports it.
      const lags = health.shards.flatMap((s) =>
        s.consumers
          .filter((c) => c.consumer === consumer)
          .map((c) =>
            c.lagMs !== null || s.firstId === null || s.lastId === null
              ? c.lagMs
              : Math.max(0, streamIdMs(s.lastId) - streamIdMs(s.firstId)),
          ),
      );
      const known = lags.filter((l): l is number => l !== null);
      if (lags.length === 0 || known.length < lags.length) continue;
      worst[consumer] = Math.max(...known);
    }
    return worst;
  }
}

function emptyIntervalLag(): IntervalLag {
  return { aggregator: { max: null, last: null }, archiver: { max: null, last: null } };
}
