import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { SigningKey } from '../lib/admin/signing-key';
import { issueToken } from '../lib/admin/tokens';
import { childEnvironment } from '../lib/config';
import { createKeys } from '../lib/redis/keys';
import { freePort, startRedisServer } from '../scripts/redis-server';
import { runLoad } from './support/collect-load';
import type { ClientsResult, StartCommand, StopCommand } from './support/e2e-clients';

/**
 * `npm run bench:e2e` — freshness end to end (BRIEF §7: beacon accepted → dashboard socket message, p99 ≤ 1 s
 * at 2,000 events/s). Full stack in child processes: a private redis-server (AOF everysec), the server
 * (APP_ENABLED=false), one aggregator running the built-in windows, and a process of dashboards (socket.io
 * clients subscribed to the demo site's windows and feed). Load goes through the real HTTP collect endpoint.
 * An event accepted (HTTP 202 received) at time A is on a dashboard at the first socket message whose
 * per-shard `positions` are all ≥ A; the latency is the time from A to that message, for every sampled event
 * and every dashboard. Prints `key=value` lines and writes bench/results/e2e.json.
 */
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const SHARDS = 4;
const WINDOWS = ['events_rate', 'visitors_live', 'pageviews_1m', 'top_pages'];

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '60' },
    clients: { type: 'string', default: '200' },
    visitors: { type: 'string', default: '3000' },
    /** Extra environment for the server and the aggregator, e.g. --env LIVE_INTERVAL_MS=100. */
    env: { type: 'string', multiple: true, default: [] },
    /** Write V8 CPU profiles of the server and the aggregator into this directory. */
    'cpu-prof-dir': { type: 'string' },
  },
});
const rate = Number(args.rate);
const durationS = Number(args.duration);
const clientCount = Number(args.clients);
const extraEnv = Object.fromEntries(args.env.map((pair) => pair.split('=', 2) as [string, string]));

function startChild(name: string, entry: string, env: Record<string, string>): ChildProcess {
  const profile = args['cpu-prof-dir']
    ? ['--cpu-prof', `--cpu-prof-dir=${join(args['cpu-prof-dir'], name)}`]
    : [];
  return spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT_DIR, entry)], {
    env: childEnvironment(env),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The aggregator's part, from the outboxes: for each commit that published live values, the time from its
 * checkpoint entry's ingest to the commit (outbox id), and the spacing of such commits per shard.
 */
async function aggregatorCadence(
  probe: Redis,
  fromMs: number,
  toMs: number,
): Promise<{ lag: number[]; spacing: number[] }> {
  const lag = new Array<number>(120_001).fill(0);
  const spacing = new Array<number>(120_001).fill(0);
  const keys = createKeys('rf:');
  for (let shard = 0; shard < SHARDS; shard++) {
    let start = String(fromMs);
    let lastCk = '';
    let lastCommitMs = 0;
    for (;;) {
      const page = await probe.xrange(keys.shard(shard).outbox, start, String(toMs), 'COUNT', 5_000);
      for (const [id, fields] of page) {
        const entry = JSON.parse(fields[1] ?? '{}') as { t?: string; ck?: string };
        if (entry.t !== 'live' || entry.ck === undefined || entry.ck === lastCk) continue;
        lastCk = entry.ck;
        const commitMs = Number(id.split('-')[0]);
        const ckMs = Number(entry.ck.split('-')[0]);
        const at = (h: number[], ms: number) => {
          const i = Math.min(120_000, Math.max(0, ms));
          h[i] = (h[i] ?? 0) + 1;
        };
        at(lag, commitMs - ckMs);
        if (lastCommitMs > 0) at(spacing, commitMs - lastCommitMs);
        lastCommitMs = commitMs;
      }
      const last = page[page.length - 1]?.[0];
      if (last === undefined || page.length < 5_000) break;
      start = `(${last}`;
    }
  }
  return { lag, spacing };
}

function percentile(histogram: readonly number[], q: number): number {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  let seen = 0;
  for (const [ms, n] of histogram.entries()) {
    seen += n;
    if (seen >= q * total) return ms;
  }
  return Number.NaN;
}

async function metricValue(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').pop());
  return sum;
}

async function main(): Promise<void> {
  // Everything shares this machine: its size and how busy it already was belong with the figures.
  const machine = { cpus: availableParallelism(), loadAverage1mBefore: loadavg()[0] };
  const dir = mkdtempSync(join(tmpdir(), 'riffle-e2e-'));
  const redis = await startRedisServer({ dir, appendfsync: 'everysec' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    REDIS_URL: redis.url,
    SHARDS: String(SHARDS),
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    // Raised, not off: the limiter's Redis round trips stay part of the measured path.
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_SITE_PER_MINUTE: '100000000',
    ...extraEnv,
  };
  const server = startChild('server', 'server/main.ts', env);
  const aggregator = startChild('aggregator', 'workers/aggregator/main.ts', env);
  const dashboards = fork(join(ROOT_DIR, 'bench/support/e2e-clients.ts'), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const probe = new Redis(redis.url, { protocol: 2 });
  try {
    const keys = createKeys('rf:');
    await until('the server', async () => (await fetch(`${base}/readyz`)).ok);
    await until('the aggregator to own every shard', async () => {
      const leases = await Promise.all(
        Array.from({ length: SHARDS }, (_, s) => probe.get(keys.shard(s).lease('aggregator'))),
      );
      const builtins = await probe.hlen(keys.windows);
      return leases.every((l) => l !== null) && builtins > 0;
    });
    const ready = new Promise<number>((resolve) =>
      dashboards.once('message', (m: { subscribed: number }) => resolve(m.subscribed)),
    );
    // Dashboards read with a share link, as a site owner's shared dashboard would.
    const share = issueToken(await new SigningKey(probe, keys, undefined).get(), {
      kind: 'share',
      site: 'demo',
      exp: null,
    });
    const start: StartCommand = {
      type: 'start',
      url: base,
      clients: clientCount,
      site: 'demo',
      windows: WINDOWS,
      share,
    };
    dashboards.send(start);
    const subscribed = await ready;
    console.log(
      `dashboards subscribed: ${subscribed}/${clientCount}; load: ${rate} events/s for ${durationS} s`,
    );

    const acceptedAtMs: number[] = [];
    await probe.config('SET', 'slowlog-log-slower-than', '20000'); // 20 ms
    await probe.slowlog('RESET');
    const loadStartedMs = Date.now();
    const load = await runLoad({
      baseUrl: base,
      eventsPerSecond: rate,
      durationMs: durationS * 1000,
      cooldownMs: 2_000,
      visitors: Number(args.visitors),
      onAccepted: (at) => acceptedAtMs.push(at),
    });
    await new Promise((r) => setTimeout(r, 1_000)); // the last messages reach the dashboards
    const cadence = await aggregatorCadence(probe, loadStartedMs, loadStartedMs + durationS * 1000);
    const persistence = await probe.info('persistence');
    const delayedFsync = Number(/aof_delayed_fsync:(\d+)/.exec(persistence)?.[1] ?? 0);
    const slow = (await probe.slowlog('GET', 1000)) as Array<[number, number, number, string[]]>;
    const serverMessages = await metricValue(base, 'riffle_realtime_messages_total');
    const drops = await metricValue(base, 'riffle_realtime_drop_to_snapshot_total');
    const done = new Promise<ClientsResult>((resolve) => dashboards.once('message', resolve));
    const stop: StopCommand = { type: 'stop', acceptedAtMs: acceptedAtMs.sort((a, b) => a - b) };
    dashboards.send(stop);
    const result = await done;

    const spanS = (result.lastMessageAtMs - result.firstMessageAtMs) / 1000;
    const figures = {
      e2e_latency_p50_ms: percentile(result.histogram, 0.5),
      e2e_latency_p90_ms: percentile(result.histogram, 0.9),
      e2e_latency_p99_ms: percentile(result.histogram, 0.99),
      e2e_latency_max_ms: percentile(result.histogram, 1),
      transit_p50_ms: percentile(result.transitHistogram, 0.5),
      transit_p99_ms: percentile(result.transitHistogram, 0.99),
      data_age_at_send_p50_ms: percentile(result.ageAtSendHistogram, 0.5),
      data_age_at_send_p99_ms: percentile(result.ageAtSendHistogram, 0.99),
      aggregator_commit_lag_p50_ms: percentile(cadence.lag, 0.5),
      aggregator_commit_lag_p99_ms: percentile(cadence.lag, 0.99),
      live_commit_spacing_p50_ms: percentile(cadence.spacing, 0.5),
      live_commit_spacing_p99_ms: percentile(cadence.spacing, 0.99),
      redis_commands_over_20ms: slow.length,
      redis_slowest_command_ms: Math.round(Math.max(0, ...slow.map((e) => e[2])) / 1000),
      redis_aof_delayed_fsync: delayedFsync,
      fanout_clients: result.receiving,
      messages_per_s: Math.round(result.messages / Math.max(spanS, 1)),
      feed_messages_per_s: Math.round(result.feedMessages / Math.max(spanS, 1)),
      events_per_s: Math.round(load.accepted / (load.elapsedMs / 1000)),
      sampled_requests: acceptedAtMs.length,
      unseen_pairs: result.unseen,
      failed_events: load.failed,
      skipped_events: load.skipped,
      drop_to_snapshot: drops,
      server_messages_total: serverMessages,
      client_disconnects: result.disconnects,
    };
    for (const [key, value] of Object.entries(figures)) console.log(`${key}=${value}`);
    mkdirSync(join(ROOT_DIR, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT_DIR, 'bench/results/e2e.json'),
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          options: { rate, durationS, clients: clientCount, visitors: Number(args.visitors), env: extraEnv },
          machine,
          windows: WINDOWS,
          target: { e2e_latency_p99_ms: 1000 },
          ...figures,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    probe.disconnect();
    if (dashboards.connected) dashboards.kill('SIGTERM');
    await Promise.all([stopChild(server), stopChild(aggregator)]);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
