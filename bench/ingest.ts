import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { childEnvironment } from '../lib/config';
import { freePort, startRedisServer } from '../scripts/redis-server';
import { benchEvents, bodyTemplates, USER_AGENTS } from './support/events';

/**
 * `npm run bench:ingest`: in one run against one private Redis (AOF everysec, as `npm start` runs it):
 *  (a) the limit — a bare Node producer pipelining one XADD per enriched event (serialised with
 *      JSON.stringify as it goes) over the 4 shards;
 *  (b) the real ingest path — POST /api/collect with batches of 10 (validation, enrichment, rate limiting,
 *      dedupe, aggregated append) driven by autocannon.
 * Rounds alternate a/b to spread the machine's drift over both. Prints `key=value` lines and writes
 * bench/results/ingest.json.
 */
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const SHARDS = 4;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    /** Write a V8 CPU profile of the server process into this directory. */
    'cpu-prof-dir': { type: 'string' },
  },
});
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
const connections = Number(args.connections);

async function bareProducer(url: string, durationMs: number): Promise<number> {
  const redis = new Redis(url, { protocol: 2 });
  const events = benchEvents(5_000);
  const deadline = Date.now() + durationMs;
  let sent = 0;
  const startedMs = performance.now();
  while (Date.now() < deadline) {
    const pipeline = redis.pipeline();
    for (let i = 0; i < 1_000; i++) {
      const n = sent + i;
      // Serialising each event is part of producing it, as in the reference harness (BRIEF §7).
      pipeline.xadd(
        `bench:{s${n % SHARDS}}:in`,
        '*',
        'k',
        'e',
        'd',
        JSON.stringify(events[n % events.length]),
      );
    }
    await pipeline.exec();
    sent += 1_000;
  }
  const rate = sent / ((performance.now() - startedMs) / 1000);
  await redis.flushall();
  redis.disconnect();
  return rate;
}

interface IngestRun {
  eventsPerS: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

async function httpIngest(redisUrl: string, durationS: number): Promise<IngestRun> {
  const port = await freePort();
  const profile = args['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof-dir']}`] : [];
  const server = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT_DIR, 'server/main.ts')], {
    env: childEnvironment({
      REDIS_URL: redisUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_ENABLED: 'false',
      SHARDS: String(SHARDS),
      LOG_LEVEL: 'warn',
      // The per-IP limit stays on (its Redis cost is part of the path); bench IPs are spread so it never trips.
      RATE_LIMIT_SITE_PER_MINUTE: '100000000',
    }),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${base}/readyz`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // Bodies are pre-rendered with an id placeholder so the load generator spends its CPU on sending,
    // not on JSON: each request still carries 10 never-seen ids (else dedupe would short-cut the work).
    const templates = bodyTemplates(500);
    let cursor = 0;
    const runTag = randomBytes(3).toString('hex');
    const nextBody = () => {
      const parts = templates[cursor % templates.length] ?? [];
      const base = `${runTag}${(cursor++).toString(36).padStart(7, '0')}`;
      let body = parts[0] ?? '';
      for (let i = 1; i < parts.length; i++) body += `${base}${i - 1}${parts[i]}`;
      return body;
    };
    const run = (durationSeconds: number) =>
      autocannon({
        url: `${base}/api/collect`,
        connections,
        duration: durationSeconds,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => ({
              ...request,
              body: nextBody(),
              headers: {
                'content-type': 'text/plain',
                'user-agent': USER_AGENTS[cursor % USER_AGENTS.length] ?? '',
                'x-forwarded-for': `198.18.${(cursor >> 8) & 255}.${cursor & 255}`,
              },
            }),
          },
        ],
      });
    await run(2); // warm-up: JIT, connections, salt
    const result = await run(durationS);
    const ok = result['2xx'];
    return {
      eventsPerS: (ok * 10) / durationS,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
}

/** Memory of the dedupe sets divided by the ids they hold (MEMORY USAGE with full sampling). */
async function dedupeMemoryPerEvent(redis: Redis): Promise<number> {
  let bytes = 0;
  let members = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'rf:{s*}:dd:*', 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      bytes += (await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0;
      members += await redis.scard(key);
    }
  } while (cursor !== '0');
  return members === 0 ? 0 : bytes / members;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-'));
  const redis = await startRedisServer({ dir, appendfsync: 'everysec' });
  const limits: number[] = [];
  const ingests: IngestRun[] = [];
  const dedupeBytesPerEvent: number[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const limit = await bareProducer(redis.url, seconds * 1000);
      limits.push(limit);
      console.log(`round ${round}: xadd_limit_events_per_s=${limit.toFixed(0)}`);
      const ingest = await httpIngest(redis.url, seconds);
      ingests.push(ingest);
      console.log(
        `round ${round}: ingest_events_per_s=${ingest.eventsPerS.toFixed(0)} p50=${ingest.p50Ms}ms p99=${ingest.p99Ms}ms non2xx=${ingest.non2xx}`,
      );
      const inspect = new Redis(redis.url, { protocol: 2 });
      dedupeBytesPerEvent.push(await dedupeMemoryPerEvent(inspect));
      await inspect.flushall();
      inspect.disconnect();
    }
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = {
    xadd_limit_events_per_s: Math.round(median(limits)),
    ingest_events_per_s: Math.round(median(ingests.map((i) => i.eventsPerS))),
    ingest_ratio: Number((median(ingests.map((i) => i.eventsPerS)) / median(limits)).toFixed(3)),
    request_latency_p50_ms: median(ingests.map((i) => i.p50Ms)),
    request_latency_p99_ms: median(ingests.map((i) => i.p99Ms)),
    dedupe_bytes_per_event: Math.round(median(dedupeBytesPerEvent)),
    non_2xx: ingests.reduce((sum, i) => sum + i.non2xx, 0),
    batch_size: 10,
    connections,
    rounds,
    seconds_per_run: seconds,
    redis_appendfsync: 'everysec',
    shards: SHARDS,
    measured_at: new Date().toISOString(),
  };
  for (const [key, value] of Object.entries(summary)) console.log(`${key}=${value}`);
  mkdirSync(join(ROOT_DIR, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT_DIR, 'bench/results/ingest.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
