import type { Redis } from 'ioredis';
import type { SoakSample } from './soak-clients';
import type { DashboardsChannel } from './soak-dashboards';
import type { LagTracker } from './soak-lag';
import { eventLoopLagP99Ms, heapMb, non202Total, scrape } from './soak-metrics';
import { ALL_PROCS, type E2eInterval, type Proc, type Sample } from './soak-model';
import { type LiveHeapTracker, rssMb } from './soak-process-memory';
import { type RedisMemoryScope, readRedisMemory } from './soak-redis-memory';
import { bytesToMb, histogramCount, percentileMs, round } from './soak-stats';

/**
 * The soak's periodic sample: RSS of every process, live heap, Redis memory by kind of key, accepted
 * events/s, non-202 answers, server event-loop lag, consumer lag and e2e latency since the previous
 * sample. Samples are taken one after another (a slow one delays the next rather than overlapping it).
 */

const LAG_PERIOD_MS = 1_000;
const ACCEPTS_FLUSH_PERIOD_MS = 250;
/** A periodic sample this close to the end is left out: the end sample follows right away. */
const END_MARGIN_MS = 500;

/** Seconds since the load started (before it, since the clock was made). */
export class LoadClock {
  startMs = Date.now();

  elapsedS(): number {
    return round((Date.now() - this.startMs) / 1000, 1);
  }

  restart(): void {
    this.startMs = Date.now();
  }
}

export interface SamplerSources {
  probe: Redis;
  redisScope: RedisMemoryScope;
  serverMetricsUrl: string;
  archiverMetricsUrl: string;
  pids: Record<Proc, number | undefined>;
  liveHeap: LiveHeapTracker;
  lag: LagTracker;
  dashboards: DashboardsChannel;
  /** Once stopping, a failed sample is expected and not reported. */
  isStopping: () => boolean;
  onSample: (sample: Sample) => void;
}

export interface Schedule {
  durationS: number;
  sampleS: number;
}

export class SoakSampler {
  readonly samples: Sample[] = [];
  private chain: Promise<void> = Promise.resolve();
  private intervalAccepted = 0;
  private lastSampleMs = Date.now();
  private lastNon202 = 0;

  constructor(
    private readonly sources: SamplerSources,
    private readonly clock: LoadClock,
  ) {}

  /** Counts accepted events into the current interval. */
  noteAccepted(events: number): void {
    this.intervalAccepted += events;
  }

  /** Settles when every sample asked for so far has been taken (or failed). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Queues a sample after the ones already asked for. */
  take(phase: Sample['phase']): Promise<void> {
    this.chain = this.chain
      .then(async () => {
        const sample = await this.collect(phase);
        this.samples.push(sample);
        this.sources.onSample(sample);
      })
      .catch((error: unknown) => {
        if (!this.sources.isStopping()) console.error('soak: a sample failed:', error);
      });
    return this.chain;
  }

  /** Starts the load's clock and intervals: the `start` sample is taken before, at t = 0. */
  beginLoad(): void {
    this.clock.restart();
    this.lastSampleMs = this.clock.startMs;
  }

  /** Lag every second, accept times to the dashboards, a sample every sampleS and one at the end. */
  schedule({ durationS, sampleS }: Schedule): () => void {
    const { lag, dashboards } = this.sources;
    const lagTimer = setInterval(() => void lag.measure().catch(() => {}), LAG_PERIOD_MS);
    const acceptsTimer = setInterval(() => dashboards.flushAccepts(), ACCEPTS_FLUSH_PERIOD_MS);
    const sampleTimer = setInterval(() => {
      if (Date.now() - this.clock.startMs < durationS * 1000 - END_MARGIN_MS) void this.take('run');
    }, sampleS * 1000);
    const endTimer = setTimeout(() => void this.take('end'), durationS * 1000);
    return () => {
      clearInterval(lagTimer);
      clearInterval(acceptsTimer);
      clearInterval(sampleTimer);
      clearTimeout(endTimer);
    };
  }

  private async collect(phase: Sample['phase']): Promise<Sample> {
    const { sources } = this;
    const now = Date.now();
    const elapsedS = Math.max((now - this.lastSampleMs) / 1000, 0.001);
    const accepted = this.intervalAccepted;
    this.intervalAccepted = 0;
    this.lastSampleMs = now;
    const lagMs = sources.lag.takeInterval();
    // Accepts so far reach the dashboards before they are asked for the interval's latencies.
    sources.dashboards.flushAccepts();
    const [serverMetrics, archiverMetrics, redis, e2e] = await Promise.all([
      scrape(sources.serverMetricsUrl),
      scrape(sources.archiverMetricsUrl),
      readRedisMemory(sources.probe, sources.redisScope),
      phase === 'start' ? Promise.resolve(null) : sources.dashboards.sample().catch(() => null),
    ]);
    const non202 = non202Total(serverMetrics);
    const sample: Sample = {
      tS: phase === 'start' ? 0 : this.clock.elapsedS(),
      phase,
      acceptedEvents: accepted,
      eventsPerS: phase === 'start' ? 0 : Math.round(accepted / elapsedS),
      non202Requests: non202 - this.lastNon202,
      rssMb: this.rssByProcMb(),
      liveHeapMb: sources.liveHeap.liveHeapMb(),
      fullGcs: sources.liveHeap.fullGcs(),
      heapUsedMb: {
        server: heapMb(serverMetrics, 'riffle_server_nodejs_heap_size_used_bytes'),
        archiver: heapMb(archiverMetrics, 'riffle_archiver_nodejs_heap_size_used_bytes'),
        loadgen: bytesToMb(process.memoryUsage().heapUsed, 1),
      },
      serverEventLoopLagP99Ms: eventLoopLagP99Ms(serverMetrics),
      redis,
      lagMs,
      e2e: e2eInterval(e2e),
    };
    this.lastNon202 = non202;
    return sample;
  }

  private rssByProcMb(): Record<Proc, number | null> {
    return Object.fromEntries(ALL_PROCS.map((name) => [name, rssMb(this.sources.pids[name])])) as Record<
      Proc,
      number | null
    >;
  }
}

function e2eInterval(sample: SoakSample | null): E2eInterval | null {
  if (sample === null) return null;
  return {
    p50Ms: percentileMs(sample.histogram, 0.5),
    p99Ms: percentileMs(sample.histogram, 0.99),
    maxMs: percentileMs(sample.histogram, 1),
    pairs: histogramCount(sample.histogram),
    messages: sample.messages,
    unseen: sample.unseen,
    pending: sample.pending,
    disconnects: sample.disconnects,
  };
}
