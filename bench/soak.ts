import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createKeys } from '../lib/redis/keys';
import { type LoadResult, runLoad } from './support/collect-load';
import { DashboardsChannel } from './support/soak-dashboards';
import { computeFigures } from './support/soak-figures';
import { LagTracker } from './support/soak-lag';
import { LiveHeapTracker } from './support/soak-process-memory';
import { printFigures, printLagTable, printSampleRow, writeResultJson } from './support/soak-report';
import { LoadClock, SoakSampler } from './support/soak-sampler';
import { SoakStack, waitUntilReady } from './support/soak-stack';
import { round } from './support/soak-stats';

/**
 * `npm run bench:soak -- --minutes 10` — the full stack at 2,000 events/s for a long while (issue 7 §4):
 * memory and consumer lag must stay flat. Every process on its own, as `npm start` runs them: a private
 * redis-server (AOF everysec, fresh dir), the server (APP_ENABLED=false), an aggregator, an archiver (temp
 * ARCHIVE_DIR) and the janitor; a process of dashboards (socket.io clients) measuring e2e latency (accept →
 * first socket message reflecting it, as bench/e2e.ts does, but counted as it goes); open-loop load through
 * the real collect endpoint from this process.
 *
 * Retention is shortened (RETENTION_HOURS = --retention-minutes, default 1 min; DEDUPE_HORIZON_MS 60 s, its
 * minimum; JANITOR_INTERVAL_MS 5 s) so Redis reaches a steady state within the run and the janitor really
 * trims: with the 24 h default the streams simply grow for the whole soak, by design.
 *
 * Every second: each consumer's lag (newest stream entry − checkpoint, ms of ingest time, worst shard — the
 * admin health page's figure). Every --sample-s (10 s): RSS of every process (/proc/<pid>/status VmRSS),
 * the live heap of the Node processes (heap left after their latest full GC, from --trace-gc), Redis INFO
 * memory and MEMORY USAGE by kind of key, accepted events/s, non-202 answers (server /metrics), e2e latency.
 * Memory is judged from the end of the warm-up (20 % of the run; at least a minute for runs of 5 min or
 * more) to the end (`memory_flat`), and over the last quarter alone (`memory_flat_last_quarter`: still
 * growing at the end, or a bounded store that filled up after the warm-up). Consumer lag is flat when the
 * second half after the warm-up is no worse than the first. The archiver's lag is a saw-tooth of its batch
 * period (~27 s at this rate), so runs under ~2 min say little about it. Prints `key=value` lines and
 * writes bench/results/soak.json (time series included); --out writes elsewhere.
 *
 * This file is the run's outline; the parts live in bench/support/soak-*.ts: the stack (processes, clean
 * shutdown), the sampler and what it reads (process memory, Redis memory, metrics, lag, dashboards), the
 * figures and verdicts, and the report.
 */
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const WINDOWS = ['events_rate', 'visitors_live', 'pageviews_1m', 'top_pages'];
const SITE = 'demo';
const LOAD_COOLDOWN_MS = 2_000;
/** After the load: time for the last socket messages to reach the dashboards. */
const DRAIN_MS = 1_000;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '20' },
    visitors: { type: 'string', default: '3000' },
    'sample-s': { type: 'string', default: '10' },
    /** Default: 20 % of the run, at least 60 s when the run is 5 min or longer. */
    'warmup-s': { type: 'string' },
    'retention-minutes': { type: 'string', default: '1' },
    /** Extra environment for every process of the stack, e.g. --env LIVE_INTERVAL_MS=100. */
    env: { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: 'bench/results/soak.json' },
  },
});

function numberArg(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    console.error(`--${name} must be a number ≥ ${min} (got ${value})`);
    process.exit(2);
  }
  return n;
}

function defaultWarmupS(durationS: number): number {
  return durationS >= 300 ? Math.max(60, 0.2 * durationS) : 0.2 * durationS;
}

const minutes = numberArg('minutes', args.minutes, 0.1);
const rate = numberArg('rate', args.rate, 1);
const clientCount = Math.round(numberArg('clients', args.clients, 1));
const visitors = Math.round(numberArg('visitors', args.visitors, 1));
const sampleS = numberArg('sample-s', args['sample-s'], 1);
const retentionMinutes = numberArg('retention-minutes', args['retention-minutes'], 0.1);
const durationS = minutes * 60;
const warmupS =
  args['warmup-s'] !== undefined ? numberArg('warmup-s', args['warmup-s'], 0) : defaultWarmupS(durationS);
const extraEnv = Object.fromEntries(
  args.env.map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
  }),
);
const outFile = resolve(ROOT_DIR, args.out);

const liveHeap = new LiveHeapTracker();
const stack = new SoakStack(liveHeap);

async function main(): Promise<void> {
  const machine = { cpus: availableParallelism(), loadAverage1mBefore: round(loadavg()[0] ?? 0, 2) };
  let probe: Redis | undefined;
  try {
    const running = await stack.start({ retentionMinutes, extraEnv });
    const redisProbe = new Redis(running.redisUrl, { protocol: 2 });
    probe = redisProbe;
    const keys = createKeys(running.config.KEY_PREFIX);
    await waitUntilReady(redisProbe, keys, running.baseUrl);

    const dashboards = new DashboardsChannel(running.dashboards);
    const subscribed = await dashboards.start(redisProbe, keys, {
      baseUrl: running.baseUrl,
      clients: clientCount,
      site: SITE,
      windows: WINDOWS,
    });
    console.log(
      `soak: ${minutes} min at ${rate} events/s; dashboards subscribed ${subscribed}/${clientCount}; ` +
        `warm-up ${round(warmupS)} s; retention ${retentionMinutes} min; sample every ${sampleS} s`,
    );

    const clock = new LoadClock();
    const lag = new LagTracker(redisProbe, keys, () => clock.elapsedS());
    const sampler = new SoakSampler(
      {
        probe: redisProbe,
        redisScope: {
          keys,
          keyPrefix: running.config.KEY_PREFIX,
          dedupeHorizonMs: running.config.DEDUPE_HORIZON_MS,
        },
        serverMetricsUrl: `${running.baseUrl}/metrics`,
        archiverMetricsUrl: running.archiverMetricsUrl,
        pids: running.pids,
        liveHeap,
        lag,
        dashboards,
        isStopping: () => stack.stopping,
        onSample: printSampleRow,
      },
      clock,
    );
    const load = await runLoadPhase(sampler, dashboards, running.baseUrl);
    dashboards.flushAccepts();
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    stack.expectExits(); // from here on, processes exiting is expected
    const clients = await dashboards.stop();
    const loadAverage1mAfter = round(loadavg()[0] ?? 0, 2);

    const figures = computeFigures({
      minutes,
      rateTarget: rate,
      durationS,
      warmupS,
      load,
      clients,
      samples: sampler.samples,
      lagSeries: lag.series,
    });
    printLagTable(sampler.samples);
    printFigures(figures);
    writeResultJson(outFile, {
      options: {
        minutes,
        rate,
        clients: clientCount,
        visitors,
        sampleS,
        warmupS: round(warmupS),
        retentionMinutes,
        env: {
          RETENTION_HOURS: running.env['RETENTION_HOURS'],
          DEDUPE_HORIZON_MS: running.env['DEDUPE_HORIZON_MS'],
          JANITOR_INTERVAL_MS: running.env['JANITOR_INTERVAL_MS'],
          ...extraEnv,
        },
      },
      machine: { ...machine, loadAverage1mAfter },
      windows: WINDOWS,
      figures,
      samples: sampler.samples,
      lagSeries: lag.series,
    });
    console.log(`wrote ${outFile}`);
  } finally {
    probe?.disconnect();
    await stack.stopAll();
  }
}

/** The start sample, then the load with lag and samples on their timers; any process crashing ends it. */
async function runLoadPhase(
  sampler: SoakSampler,
  dashboards: DashboardsChannel,
  baseUrl: string,
): Promise<LoadResult> {
  await sampler.take('start');
  sampler.beginLoad();
  const stopTimers = sampler.schedule({ durationS, sampleS });
  try {
    const load = await Promise.race([
      runLoad({
        baseUrl,
        eventsPerSecond: rate,
        durationMs: durationS * 1000,
        cooldownMs: LOAD_COOLDOWN_MS,
        visitors,
        onAccepted: (atMs, events) => {
          sampler.noteAccepted(events);
          dashboards.noteAccepted(atMs);
        },
      }),
      stack.crash,
    ]);
    await Promise.race([sampler.settled(), stack.crash]);
    return load;
  } finally {
    stopTimers();
  }
}

stack.installCleanupHandlers();
main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await stack.stopAll();
    process.exit(1);
  },
);
