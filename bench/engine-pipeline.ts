import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DefinitionStore } from '../lib/aggregation/definition-store';
import type { EnrichedEvent } from '../lib/events/enriched';
import { createRedisClient } from '../lib/redis/client';
import { createKeys, type Keys } from '../lib/redis/keys';
import type { RedisClient } from '../lib/redis/scripts';
import { StreamWriter } from '../lib/streams/writer';
import { BUILTIN_WINDOWS } from '../lib/windows/builtins';
import { startRedisServer } from '../scripts/redis-server';
import { startProcess } from '../test/helpers/processes';
import { benchEvents } from './support/events';

/**
 * The aggregation pipeline end to end through Redis: events are preloaded into the shards, then one (and
 * then two) aggregator processes fold them with every built-in window and commit through the commit
 * script. Prints `pipeline_events_per_s_1_worker=…`, `…_2_workers=…` and the worker RSS per 100 k distinct
 * visitors; merges them into bench/results/engine.json.
 */
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const SHARDS = 4;
const { values: args } = parseArgs({
  options: { events: { type: 'string', default: '200000' }, visitors: { type: 'string', default: '100000' } },
});
const eventCount = Number(args.events);
const visitorCount = Number(args.visitors);

async function preload(redis: RedisClient, keys: Keys): Promise<void> {
  const writer = new StreamWriter(redis, keys, { shardCount: SHARDS, dedupeHorizonMs: 600_000 });
  const templates = benchEvents(1_000);
  const batch: EnrichedEvent[] = [];
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < eventCount; i++) {
    const template = templates[i % templates.length] as EnrichedEvent;
    batch.push({
      ...template,
      id: randomBytes(9).toString('base64url'),
      visitor: `visitor-${i % visitorCount}`,
    });
    if (batch.length === 10) {
      pending.push(writer.append(batch.splice(0)));
      if (pending.length >= 200) await Promise.all(pending.splice(0));
    }
  }
  if (batch.length > 0) pending.push(writer.append(batch));
  await Promise.all(pending);
}

async function lastIds(redis: RedisClient, keys: Keys): Promise<string[]> {
  return Promise.all(
    Array.from(
      { length: SHARDS },
      async (_, s) => (await redis.xrevrange(keys.shard(s).stream, '+', '-', 'COUNT', 1))[0]?.[0] ?? '',
    ),
  );
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function run(
  redisUrl: string,
  redis: RedisClient,
  workers: number,
): Promise<{ eventsPerS: number; rssMb: number[] }> {
  const prefix = `bench${randomBytes(3).toString('hex')}:`;
  const keys = createKeys(prefix);
  const store = new DefinitionStore(redis, keys);
  await store.ensureBuiltins(BUILTIN_WINDOWS, Date.now());
  await preload(redis, keys);
  const targets = await lastIds(redis, keys);
  const startedMs = performance.now();
  const processes = Array.from({ length: workers }, () =>
    startProcess('aggregator', 'workers/aggregator/main.ts', {
      REDIS_URL: redisUrl,
      KEY_PREFIX: prefix,
      SHARDS: String(SHARDS),
      LOG_LEVEL: 'warn',
      LEASE_TTL_MS: '3000',
    }),
  );
  try {
    for (;;) {
      const done = await Promise.all(
        targets.map(async (target, s) => {
          const id = (await redis.hget(keys.shard(s).checkpoint('aggregator'), 'id')) ?? '';
          const [a = 0, b = 0] = id.split('-').map(Number);
          const [x = 0, y = 0] = target.split('-').map(Number);
          return a > x || (a === x && b >= y);
        }),
      );
      if (done.every(Boolean)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - startedMs) / 1000;
    return { eventsPerS: eventCount / seconds, rssMb: processes.map((p) => rssMb(p.child.pid)) };
  } finally {
    await Promise.all(processes.map((p) => p.kill('SIGTERM')));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-bench-pipeline-'));
  const server = await startRedisServer({ dir, appendfsync: 'everysec' });
  const redis = createRedisClient(server.url, { name: 'bench', autoPipelining: true });
  try {
    const one = await run(server.url, redis, 1);
    await redis.flushall();
    const two = await run(server.url, redis, 2);
    const summary = {
      pipeline_events_per_s_1_worker: Math.round(one.eventsPerS),
      pipeline_events_per_s_2_workers: Math.round(two.eventsPerS),
      pipeline_events: eventCount,
      pipeline_distinct_visitors: visitorCount,
      pipeline_definitions: BUILTIN_WINDOWS.length,
      worker_rss_mb_1_worker: Math.round(one.rssMb[0] ?? 0),
      worker_rss_mb_per_100k_visitors: Math.round(((one.rssMb[0] ?? 0) * 100_000) / visitorCount),
      pipeline_measured_at: new Date().toISOString(),
    };
    for (const [key, value] of Object.entries(summary)) console.log(`${key}=${value}`);
    const file = join(ROOT_DIR, 'bench/results/engine.json');
    mkdirSync(join(ROOT_DIR, 'bench/results'), { recursive: true });
    let existing: Record<string, unknown> = {};
    try {
      existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      // first run
    }
    writeFileSync(file, `${JSON.stringify({ ...existing, ...summary }, null, 2)}\n`);
  } finally {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
