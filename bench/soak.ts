import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { SigningKey } from '../lib/admin/signing-key';
import { issueToken } from '../lib/admin/tokens';
import { readPipelineHealth } from '../lib/aggregation/pipeline-health';
import { childEnvironment, parseConfig } from '../lib/config';
import { type ConsumerName, createKeys } from '../lib/redis/keys';
import { streamIdMs } from '../lib/streams/entry';
import { freePort, type RedisServerHandle, startRedisServer } from '../scripts/redis-server';
import { runLoad } from './support/collect-load';
import type {
  SoakAcceptedCommand,
  SoakClientsResult,
  SoakSample,
  SoakSampleCommand,
  SoakStartCommand,
  SoakStopCommand,
  SparseHistogram,
} from './support/soak-clients';

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
 */
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const SHARDS = 4;
const WINDOWS = ['events_rate', 'visitors_live', 'pageviews_1m', 'top_pages'];
const CONSUMERS: readonly ConsumerName[] = ['aggregator', 'archiver'];
/** The processes of the stack: their memory is what must stay flat. */
const STACK = ['redis', 'server', 'aggregator', 'archiver', 'janitor'] as const;
/** Measured too, for context: the bench's own processes. */
const HARNESS = ['dashboards', 'loadgen'] as const;
type Proc = (typeof STACK)[number] | (typeof HARNESS)[number];
const MEMORY_GROWTH_LIMIT = 1.2;
const LAST_QUARTER_GROWTH_LIMIT = 1.1;
const STOP_TIMEOUT_MS = 15_000;

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
const minutes = numberArg('minutes', args.minutes, 0.1);
const rate = numberArg('rate', args.rate, 1);
const clientCount = Math.round(numberArg('clients', args.clients, 1));
const visitors = Math.round(numberArg('visitors', args.visitors, 1));
const sampleS = numberArg('sample-s', args['sample-s'], 1);
const retentionMinutes = numberArg('retention-minutes', args['retention-minutes'], 0.1);
const durationS = minutes * 60;
const warmupS =
  args['warmup-s'] !== undefined
    ? numberArg('warmup-s', args['warmup-s'], 0)
    : durationS >= 300
      ? Math.max(60, 0.2 * durationS)
      : 0.2 * durationS;
const extraEnv = Object.fromEntries(
  args.env.map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
  }),
);
const outFile = resolve(ROOT_DIR, args.out);

// ——— measuring ————————————————————————————————————————————————————————————————

function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : round(Number(kb) / 1024, 1);
  } catch {
    return null; // gone
  }
}

function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Sums of Prometheus samples by metric name (labels ignored), or filtered by a predicate on the line. */
function metricSum(text: string, name: string, where: (line: string) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !where(line)) continue;
    const next = line.charAt(name.length);
    if (next !== '{' && next !== ' ') continue;
    sum += Number(line.split(' ').pop());
  }
  return sum;
}

async function scrape(url: string | undefined): Promise<string> {
  if (url === undefined) return '';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

function infoField(info: string, field: string): number {
  return Number(new RegExp(`^${field}:([0-9.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
}

function percentile(histogram: SparseHistogram, q: number): number | null {
  const total = histogram.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [ms, n] of histogram) {
    seen += n;
    if (seen >= q * total) return ms;
  }
  return histogram[histogram.length - 1]?.[0] ?? null;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
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

interface LagPoint {
  tS: number;
  /** Worst shard's lag per consumer (ms of ingest time); null before the consumer's first checkpoint. */
  aggregator: number | null;
  archiver: number | null;
}

interface Sample {
  tS: number;
  phase: 'start' | 'run' | 'end';
  acceptedEvents: number;
  eventsPerS: number;
  /** Collect requests the server answered with anything but 202 in the interval. */
  non202Requests: number;
  rssMb: Record<Proc, number | null>;
  heapUsedMb: { server: number | null; archiver: number | null; loadgen: number };
  /** Heap size after the latest full GC (Mark-Compact, from --trace-gc) so far, and full GCs so far. */
  liveHeapMb: Record<NodeProc, number | null>;
  fullGcs: Record<NodeProc, number>;
  serverEventLoopLagP99Ms: number | null;
  redis: {
    usedMemoryMb: number;
    usedMemoryRssMb: number;
    fragmentationRatio: number;
    streamEntries: number;
    outboxEntries: number;
    dedupeMembers: number;
    socketIoStreamEntries: number;
    keys: number;
    /** MB (MEMORY USAGE) and key count per kind of key: stream, outbox, dedupe, agg_results, rate_limit, … */
    byKind: Record<string, { keys: number; mb: number }>;
    aofMb: number;
  };
  lagMs: Record<ConsumerName, { max: number | null; last: number | null }>;
  e2e: {
    p50Ms: number | null;
    p99Ms: number | null;
    maxMs: number | null;
    pairs: number;
    messages: number;
    unseen: number;
    pending: number;
    disconnects: number;
  } | null;
}

/** The kind of a Redis key, for the memory breakdown: its name without prefix, shard tag and variable parts. */
function keyKind(key: string, prefix: string): string {
  const name = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  const shardless = name.replace(/^\{s\d+\}:/, '');
  if (shardless === 'in') return 'stream';
  if (shardless === 'out') return 'outbox';
  if (shardless.startsWith('dd:')) return 'dedupe';
  if (shardless.startsWith('agg:res:')) return 'agg_results';
  if (shardless.startsWith('agg:')) return `agg_${shardless.slice(4).split(':')[0]}`;
  if (shardless.startsWith('rl')) return 'rate_limit';
  if (shardless.startsWith('sio')) return 'socketio';
  if (shardless.startsWith('arch:')) return 'archive_status';
  return 'other';
}

// ——— processes ————————————————————————————————————————————————————————————————

interface Child {
  name: Proc;
  process: ChildProcess;
}

const children: Child[] = [];
let redisServer: RedisServerHandle | undefined;
let tempDir: string | undefined;
let stopping = false;
let crashed: ((error: Error) => void) | undefined;
const crash = new Promise<never>((_, reject) => {
  crashed = reject;
});
crash.catch(() => {}); // observed through Promise.race below

/** Node processes of the stack run with --trace-gc: the heap left after each full GC is their live heap. */
type NodeProc = 'server' | 'aggregator' | 'archiver' | 'janitor';
const NODE_PROCS: readonly NodeProc[] = ['server', 'aggregator', 'archiver', 'janitor'];
const GC_LINE = /^\[\d+:0x[0-9a-f]+\]\s+[\d.]+ ms: /;
const MARK_COMPACT = /Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;
const liveHeap: Record<NodeProc, { lastMb: number | null; fullGcs: number }> = {
  server: { lastMb: null, fullGcs: 0 },
  aggregator: { lastMb: null, fullGcs: 0 },
  archiver: { lastMb: null, fullGcs: 0 },
  janitor: { lastMb: null, fullGcs: 0 },
};

function startChild(name: NodeProc, entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--trace-gc', '--import', 'tsx', join(ROOT_DIR, entry)], {
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.stdout)
    createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      if (!GC_LINE.test(line)) {
        process.stdout.write(`${line}\n`); // the process's own output (warnings: LOG_LEVEL=warn)
        return;
      }
      const after = MARK_COMPACT.exec(line)?.[1];
      if (after !== undefined) {
        liveHeap[name].lastMb = Number(after);
        liveHeap[name].fullGcs++;
      }
    });
  children.push({ name, process: child });
  child.once('exit', (code, signal) => {
    if (!stopping) crashed?.(new Error(`${name} exited during the soak (code ${code}, signal ${signal})`));
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  child.kill('SIGTERM');
  await exited(child);
  clearTimeout(timer);
}

let stopped: Promise<void> | undefined;
/** Stops everything (idempotent): the stack's processes together, Redis last. */
function stopAll(): Promise<void> {
  stopping = true;
  stopped ??= (async () => {
    await Promise.all(children.map((c) => stopProcess(c.process)));
    if (redisServer !== undefined) await stopProcess(redisServer.process);
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  })();
  return stopped;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// ——— the run ——————————————————————————————————————————————————————————————————

async function main(): Promise<void> {
  const machine = { cpus: availableParallelism(), loadAverage1mBefore: round(loadavg()[0] ?? 0, 2) };
  const dir = mkdtempSync(join(tmpdir(), 'riffle-soak-'));
  tempDir = dir;
  const archiveDir = join(dir, 'archive');
  mkdirSync(archiveDir, { recursive: true });
  let probe: Redis | undefined;
  let dashboards: ChildProcess | undefined;
  try {
    redisServer = await startRedisServer({ dir: join(dir, 'redis'), appendfsync: 'everysec' });
    redisServer.process.once('exit', (code, signal) => {
      if (!stopping)
        crashed?.(new Error(`redis-server exited during the soak (code ${code}, signal ${signal})`));
    });
    const port = await freePort();
    const archiverMetricsPort = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      REDIS_URL: redisServer.url,
      SHARDS: String(SHARDS),
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      // Raised, not off: the limiter's Redis round trips stay part of the measured path.
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_SITE_PER_MINUTE: '100000000',
      RETENTION_HOURS: String(retentionMinutes / 60),
      DEDUPE_HORIZON_MS: '60000',
      JANITOR_INTERVAL_MS: '5000',
      ...extraEnv,
    };
    const config = parseConfig(env);
    startChild('server', 'server/main.ts', env);
    startChild('aggregator', 'workers/aggregator/main.ts', env);
    startChild('archiver', 'workers/archiver/main.ts', {
      ...env,
      ARCHIVE_DIR: archiveDir,
      ARCHIVER_METRICS_PORT: String(archiverMetricsPort),
    });
    startChild('janitor', 'workers/janitor/main.ts', env);
    dashboards = fork(join(ROOT_DIR, 'bench/support/soak-clients.ts'), {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const dashboardsProcess = dashboards;
    dashboards.on('error', (error) => {
      if (!stopping) console.error('soak: dashboards:', error);
    });
    children.push({ name: 'dashboards', process: dashboards });
    dashboards.once('exit', (code, signal) => {
      if (!stopping)
        crashed?.(new Error(`dashboards exited during the soak (code ${code}, signal ${signal})`));
    });
    const pids: Record<Proc, number | undefined> = {
      redis: redisServer.process.pid,
      server: undefined,
      aggregator: undefined,
      archiver: undefined,
      janitor: undefined,
      dashboards: dashboards.pid,
      loadgen: process.pid,
    };
    for (const child of children) pids[child.name] = child.process.pid;

    const redisProbe = new Redis(redisServer.url, { protocol: 2 });
    probe = redisProbe;
    const keys = createKeys(config.KEY_PREFIX);
    await until('the server', async () => (await fetch(`${base}/readyz`)).ok);
    for (const consumer of CONSUMERS) {
      await until(`the ${consumer} to own every shard`, async () => {
        const leases = await Promise.all(
          Array.from({ length: SHARDS }, (_, s) => redisProbe.get(keys.shard(s).lease(consumer))),
        );
        return (
          leases.every((l) => l !== null) && (await redisProbe.sismember(keys.consumers, consumer)) === 1
        );
      });
    }
    await until('the built-in windows', async () => (await redisProbe.hlen(keys.windows)) > 0);

    // ——— dashboards ———
    const replies: Array<(message: unknown) => void> = [];
    dashboards.on('message', (message) => replies.shift()?.(message));
    const ask = <T>(command: SoakStartCommand | SoakSampleCommand | SoakStopCommand, timeoutMs = 30_000) =>
      new Promise<T>((resolveReply, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`dashboards: no reply to ${command.type}`)),
          timeoutMs,
        );
        replies.push((message) => {
          clearTimeout(timer);
          resolveReply(message as T);
        });
        if (!dashboardsProcess.connected) return reject(new Error('dashboards: gone'));
        dashboardsProcess.send(command, (error) => {
          if (error) reject(error);
        });
      });
    const share = issueToken(await new SigningKey(redisProbe, keys, undefined).get(), {
      kind: 'share',
      site: 'demo',
      exp: null,
    });
    const ready = await ask<{ subscribed: number }>({
      type: 'start',
      url: base,
      clients: clientCount,
      site: 'demo',
      windows: WINDOWS,
      share,
    });
    console.log(
      `soak: ${minutes} min at ${rate} events/s; dashboards subscribed ${ready.subscribed}/${clientCount}; ` +
        `warm-up ${round(warmupS)} s; retention ${retentionMinutes} min; sample every ${sampleS} s`,
    );

    // ——— sampling ———
    let loadStartMs = Date.now();
    const tS = () => round((Date.now() - loadStartMs) / 1000, 1);
    const lagSeries: LagPoint[] = [];
    const samples: Sample[] = [];
    let intervalLag: Record<ConsumerName, { max: number | null; last: number | null }> = {
      aggregator: { max: null, last: null },
      archiver: { max: null, last: null },
    };
    let intervalAccepted = 0;
    let lastSampleMs = Date.now();
    let lastNon202 = 0;
    let pendingAccepts: number[] = [];
    let measuringLag = false;
    const measureLag = async () => {
      if (measuringLag) return; // a slow Redis: skip a beat rather than pile up
      measuringLag = true;
      try {
        const health = await readPipelineHealth(redisProbe, keys, SHARDS);
        const point: LagPoint = { tS: tS(), aggregator: null, archiver: null };
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
          if (lags.length === 0 || lags.some((l) => l === null)) continue;
          const worst = Math.max(...(lags as number[]));
          point[consumer] = worst;
          const slot = intervalLag[consumer];
          slot.max = Math.max(slot.max ?? 0, worst);
          slot.last = worst;
        }
        lagSeries.push(point);
      } finally {
        measuringLag = false;
      }
    };
    const redisHoldings = async () => {
      const bucketMs = config.DEDUPE_HORIZON_MS;
      const bucket = Math.floor(Date.now() / bucketMs);
      const counts = redisProbe.pipeline();
      for (let shard = 0; shard < SHARDS; shard++) {
        const shardKeys = keys.shard(shard);
        counts.xlen(shardKeys.stream);
        counts.xlen(shardKeys.outbox);
        for (let b = bucket - 3; b <= bucket + 1; b++) counts.scard(shardKeys.dedupeBucket(b));
      }
      counts.xlen(keys.socketIo.stream);
      const replies = ((await counts.exec()) ?? []).map(([, n]) => Number(n ?? 0));
      let streamEntries = 0;
      let outboxEntries = 0;
      let dedupeMembers = 0;
      const perShard = 2 + 5;
      for (let shard = 0; shard < SHARDS; shard++) {
        const at = shard * perShard;
        streamEntries += replies[at] ?? 0;
        outboxEntries += replies[at + 1] ?? 0;
        for (let i = 2; i < perShard; i++) dedupeMembers += replies[at + i] ?? 0;
      }
      // What holds the memory: every key, by kind (MEMORY USAGE, sampled for big collections).
      const all: string[] = [];
      let cursor = '0';
      do {
        const [next, page] = await redisProbe.scan(cursor, 'COUNT', 1_000);
        cursor = next;
        all.push(...page);
      } while (cursor !== '0');
      const usage = redisProbe.pipeline();
      for (const key of all) usage.memory('USAGE', key);
      const bytes = ((await usage.exec()) ?? []).map(([, n]) => Number(n ?? 0));
      const byKind: Record<string, { keys: number; mb: number }> = {};
      all.forEach((key, i) => {
        const kind = keyKind(key, config.KEY_PREFIX);
        const slot = byKind[kind] ?? { keys: 0, mb: 0 };
        byKind[kind] = slot;
        slot.keys++;
        slot.mb += (bytes[i] ?? 0) / 1_048_576;
      });
      for (const slot of Object.values(byKind)) slot.mb = round(slot.mb, 2);
      return {
        streamEntries,
        outboxEntries,
        dedupeMembers,
        socketIoStreamEntries: replies[SHARDS * perShard] ?? 0,
        keys: all.length,
        byKind,
      };
    };
    let sampling: Promise<void> = Promise.resolve();
    const takeSample = (phase: Sample['phase']) => {
      sampling = sampling.then(async () => {
        const now = Date.now();
        const elapsedS = Math.max((now - lastSampleMs) / 1000, 0.001);
        const accepted = intervalAccepted;
        intervalAccepted = 0;
        lastSampleMs = now;
        const lag = intervalLag;
        intervalLag = { aggregator: { max: null, last: null }, archiver: { max: null, last: null } };
        flushAccepts();
        const [serverMetrics, archiverMetrics, memory, persistence, holdings, e2e] = await Promise.all([
          scrape(`${base}/metrics`),
          scrape(`http://127.0.0.1:${archiverMetricsPort}/metrics`),
          redisProbe.info('memory'),
          redisProbe.info('persistence'),
          redisHoldings(),
          phase === 'start' ? Promise.resolve(null) : ask<SoakSample>({ type: 'sample' }).catch(() => null),
        ]);
        const non202Total = metricSum(
          serverMetrics,
          'riffle_collect_requests_total',
          (line) => !line.includes('status="202"'),
        );
        const heap = (text: string, name: string) =>
          text === '' ? null : round(metricSum(text, name) / 1_048_576, 1);
        const rss = Object.fromEntries(
          [...STACK, ...HARNESS].map((name) => [name, rssMb(pids[name])]),
        ) as Record<Proc, number | null>;
        const sample: Sample = {
          tS: phase === 'start' ? 0 : tS(),
          phase,
          acceptedEvents: accepted,
          eventsPerS: phase === 'start' ? 0 : Math.round(accepted / elapsedS),
          non202Requests: non202Total - lastNon202,
          rssMb: rss,
          liveHeapMb: Object.fromEntries(NODE_PROCS.map((p) => [p, liveHeap[p].lastMb])) as Record<
            NodeProc,
            number | null
          >,
          fullGcs: Object.fromEntries(NODE_PROCS.map((p) => [p, liveHeap[p].fullGcs])) as Record<
            NodeProc,
            number
          >,
          heapUsedMb: {
            server: heap(serverMetrics, 'riffle_server_nodejs_heap_size_used_bytes'),
            archiver: heap(archiverMetrics, 'riffle_archiver_nodejs_heap_size_used_bytes'),
            loadgen: round(process.memoryUsage().heapUsed / 1_048_576, 1),
          },
          serverEventLoopLagP99Ms:
            serverMetrics === ''
              ? null
              : round(metricSum(serverMetrics, 'riffle_server_nodejs_eventloop_lag_p99_seconds') * 1000, 1),
          redis: {
            usedMemoryMb: round(infoField(memory, 'used_memory') / 1_048_576, 1),
            usedMemoryRssMb: round(infoField(memory, 'used_memory_rss') / 1_048_576, 1),
            fragmentationRatio: infoField(memory, 'mem_fragmentation_ratio'),
            ...holdings,
            aofMb: round(infoField(persistence, 'aof_current_size') / 1_048_576, 1),
          },
          lagMs: lag,
          e2e:
            e2e === null
              ? null
              : {
                  p50Ms: percentile(e2e.histogram, 0.5),
                  p99Ms: percentile(e2e.histogram, 0.99),
                  maxMs: percentile(e2e.histogram, 1),
                  pairs: e2e.histogram.reduce((s, [, n]) => s + n, 0),
                  messages: e2e.messages,
                  unseen: e2e.unseen,
                  pending: e2e.pending,
                  disconnects: e2e.disconnects,
                },
        };
        lastNon202 = non202Total;
        samples.push(sample);
        printRow(sample);
      });
      sampling = sampling.catch((error: unknown) => {
        if (!stopping) console.error('soak: a sample failed:', error);
      });
      return sampling;
    };
    const flushAccepts = () => {
      if (pendingAccepts.length === 0 || !dashboardsProcess.connected) return;
      const command: SoakAcceptedCommand = { type: 'accepted', atMs: pendingAccepts };
      pendingAccepts = [];
      dashboardsProcess.send(command, () => {}); // a send error also reaches the 'error' listener
    };

    await takeSample('start');
    loadStartMs = Date.now();
    lastSampleMs = loadStartMs;
    const lagTimer = setInterval(() => void measureLag().catch(() => {}), 1_000);
    const acceptsTimer = setInterval(flushAccepts, 250);
    const sampleTimer = setInterval(() => {
      if (Date.now() - loadStartMs < durationS * 1000 - 500) void takeSample('run');
    }, sampleS * 1000);
    const endTimer = setTimeout(() => void takeSample('end'), durationS * 1000);
    let load: Awaited<ReturnType<typeof runLoad>>;
    try {
      load = await Promise.race([
        runLoad({
          baseUrl: base,
          eventsPerSecond: rate,
          durationMs: durationS * 1000,
          cooldownMs: 2_000,
          visitors,
          onAccepted: (at, events) => {
            intervalAccepted += events;
            pendingAccepts.push(at);
          },
        }),
        crash,
      ]);
      await Promise.race([sampling, crash]);
    } finally {
      clearInterval(lagTimer);
      clearInterval(acceptsTimer);
      clearInterval(sampleTimer);
      clearTimeout(endTimer);
    }
    flushAccepts();
    await new Promise((r) => setTimeout(r, 1_000)); // the last messages reach the dashboards
    stopping = true; // from here on, processes exiting is expected
    const clients = await ask<SoakClientsResult>({ type: 'stop' });
    const loadAverage1mAfter = round(loadavg()[0] ?? 0, 2);

    // ——— figures ———
    const start = samples.find((s) => s.phase === 'start');
    const end = samples.findLast((s) => s.phase === 'end') ?? samples[samples.length - 1];
    const baseline = samples.find((s) => s.phase !== 'start' && s.tS >= warmupS - 0.5) ?? end;
    const afterWarmup = samples.filter((s) => s.phase !== 'start' && s.tS >= (baseline?.tS ?? 0));
    const figures: Record<string, number | string | null> = {
      soak_minutes: minutes,
      soak_rate_target: rate,
      throughput_events_per_s: Math.round(load.accepted / (load.elapsedMs / 1000)),
      accepted: load.accepted,
      rejected: load.failed,
      skipped: load.skipped,
      non202_requests_server: samples.reduce((s, x) => s + x.non202Requests, 0),
      e2e_latency_p50_ms: percentile(clients.histogram, 0.5),
      e2e_latency_p99_ms: percentile(clients.histogram, 0.99),
      e2e_latency_max_ms: percentile(clients.histogram, 1),
      e2e_pairs: clients.histogram.reduce((s, [, n]) => s + n, 0),
      e2e_unseen_pairs: clients.unseen,
      dashboards_receiving: clients.receiving,
      client_disconnects: clients.disconnects,
      warmup_s: round(warmupS),
    };
    const growing: string[] = [];
    // Still growing at the very end? The last quarter of the run on its own: a store that fills up to its
    // bound (an outbox MAXLEN, a 5-minute window's state) grows after the warm-up, then stops.
    const lastQuarter = samples.find((s) => s.phase !== 'start' && s.tS >= 0.75 * durationS - 0.5) ?? end;
    const growingAtEnd: string[] = [];
    for (const proc of [...STACK, ...HARNESS]) {
      const startMb = start?.rssMb[proc] ?? null;
      const endMb = end?.rssMb[proc] ?? null;
      const baseMb = baseline?.rssMb[proc] ?? null;
      const ratio = endMb !== null && baseMb !== null && baseMb > 0 ? round(endMb / baseMb, 3) : null;
      figures[`rss_start_mb_${proc}`] = startMb;
      figures[`rss_warm_mb_${proc}`] = baseMb;
      figures[`rss_end_mb_${proc}`] = endMb;
      figures[`rss_growth_ratio_${proc}`] = ratio;
      const points = afterWarmup
        .map((s) => [s.tS / 60, s.rssMb[proc]] as [number, number | null])
        .filter((p): p is [number, number] => p[1] !== null);
      figures[`rss_slope_mb_per_min_${proc}`] = round(slope(points), 2);
      const quarterMb = lastQuarter?.rssMb[proc] ?? null;
      const lateRatio =
        endMb !== null && quarterMb !== null && quarterMb > 0 ? round(endMb / quarterMb, 3) : null;
      figures[`rss_growth_ratio_last_quarter_${proc}`] = lateRatio;
      if (!(STACK as readonly string[]).includes(proc)) continue;
      if (ratio === null || ratio >= MEMORY_GROWTH_LIMIT) growing.push(proc);
      if (lateRatio === null || lateRatio >= LAST_QUARTER_GROWTH_LIMIT) growingAtEnd.push(proc);
    }
    figures['redis_used_memory_start_mb'] = start?.redis.usedMemoryMb ?? null;
    figures['redis_used_memory_warm_mb'] = baseline?.redis.usedMemoryMb ?? null;
    figures['redis_used_memory_end_mb'] = end?.redis.usedMemoryMb ?? null;
    figures['redis_used_memory_growth_ratio'] =
      end && baseline ? round(end.redis.usedMemoryMb / baseline.redis.usedMemoryMb, 3) : null;
    const kinds = new Set([
      ...Object.keys(baseline?.redis.byKind ?? {}),
      ...Object.keys(end?.redis.byKind ?? {}),
    ]);
    for (const kind of [...kinds].sort()) {
      figures[`redis_mb_warm_${kind}`] = baseline?.redis.byKind[kind]?.mb ?? 0;
      figures[`redis_mb_end_${kind}`] = end?.redis.byKind[kind]?.mb ?? 0;
    }
    for (const proc of NODE_PROCS) {
      const warm = baseline?.liveHeapMb[proc] ?? null;
      const last = end?.liveHeapMb[proc] ?? null;
      figures[`heap_live_warm_mb_${proc}`] = warm;
      figures[`heap_live_end_mb_${proc}`] = last;
      figures[`heap_live_growth_ratio_${proc}`] =
        warm !== null && last !== null ? round(last / warm, 3) : null;
      figures[`full_gcs_after_warmup_${proc}`] = (end?.fullGcs[proc] ?? 0) - (baseline?.fullGcs[proc] ?? 0);
    }

    const lagAfterWarmup = lagSeries.filter((p) => p.tS >= warmupS && p.tS <= durationS);
    const laggingBehind: string[] = [];
    for (const consumer of CONSUMERS) {
      const all = lagSeries
        .filter((p) => p.tS > 0 && p.tS <= durationS)
        .map((p) => p[consumer])
        .filter((v): v is number => v !== null);
      const late = lagAfterWarmup.map((p) => p[consumer]).filter((v): v is number => v !== null);
      const half = Math.floor(late.length / 2);
      const firstMax = Math.max(0, ...late.slice(0, half));
      const secondMax = Math.max(0, ...late.slice(half));
      figures[`lag_max_ms_${consumer}`] = all.length > 0 ? Math.max(...all) : null;
      figures[`lag_end_ms_${consumer}`] = all[all.length - 1] ?? null;
      figures[`lag_max_first_half_ms_${consumer}`] = firstMax;
      figures[`lag_max_second_half_ms_${consumer}`] = secondMax;
      // Flat: the worst lag of the second half of the measured part is no worse than the first half's
      // (with room for noise: half as much again, plus 2 s).
      if (late.length < 4 || secondMax > 1.5 * firstMax + 2_000) laggingBehind.push(consumer);
    }
    figures['memory_flat'] = growing.length === 0 ? 'yes' : 'no';
    figures['memory_growing'] = growing.length === 0 ? 'none' : growing.join(',');
    figures['memory_flat_last_quarter'] = growingAtEnd.length === 0 ? 'yes' : 'no';
    figures['memory_growing_last_quarter'] = growingAtEnd.length === 0 ? 'none' : growingAtEnd.join(',');
    figures['lag_flat'] = laggingBehind.length === 0 ? 'yes' : 'no';
    figures['lag_growing'] = laggingBehind.length === 0 ? 'none' : laggingBehind.join(',');

    printLagTable(samples);
    for (const [key, value] of Object.entries(figures)) console.log(`${key}=${value}`);

    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(
      outFile,
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          options: {
            minutes,
            rate,
            clients: clientCount,
            visitors,
            sampleS,
            warmupS: round(warmupS),
            retentionMinutes,
            env: {
              RETENTION_HOURS: env['RETENTION_HOURS'],
              DEDUPE_HORIZON_MS: env['DEDUPE_HORIZON_MS'],
              JANITOR_INTERVAL_MS: env['JANITOR_INTERVAL_MS'],
              ...extraEnv,
            },
          },
          machine: { ...machine, loadAverage1mAfter },
          windows: WINDOWS,
          criteria: {
            memory: `rss_end / rss_after_warmup < ${MEMORY_GROWTH_LIMIT} for ${STACK.join(', ')}`,
            memoryLastQuarter: `rss_end / rss_at_75%_of_run < ${LAST_QUARTER_GROWTH_LIMIT} (still growing at the end?)`,
            lag: 'per consumer, max lag of the second half after warm-up ≤ 1.5 × the first half’s + 2 s',
          },
          ...figures,
          samples,
          lagSeries,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`wrote ${outFile}`);
  } finally {
    probe?.disconnect();
    await stopAll();
  }
}

// ——— printing ————————————————————————————————————————————————————————————————

const fmt = (v: number | null | undefined, width: number) => String(v ?? '-').padStart(width);

function printRow(s: Sample): void {
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

/** Lag over time, at most ~20 rows: the worst lag of each group of samples. */
function printLagTable(samples: Sample[]): void {
  const run = samples.filter((s) => s.phase !== 'start');
  const per = Math.max(1, Math.ceil(run.length / 20));
  console.log('lag over time (worst in each row, ms):');
  console.log('    t_s  aggregator  archiver');
  for (let i = 0; i < run.length; i += per) {
    const group = run.slice(i, i + per);
    const worst = (c: ConsumerName) => {
      const values = group.map((s) => s.lagMs[c].max).filter((v): v is number => v !== null);
      return values.length === 0 ? null : Math.max(...values);
    };
    console.log(
      `${fmt(group[group.length - 1]?.tS, 7)}  ${fmt(worst('aggregator'), 10)}  ${fmt(worst('archiver'), 8)}`,
    );
  }
}

// Last resort (an exception on the way out): nothing of ours outlives this process.
process.on('exit', () => {
  for (const child of [...children.map((c) => c.process), redisServer?.process])
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`${signal}: stopping the stack`);
    stopping = true;
    stopAll().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await stopAll();
    process.exit(1);
  },
);
