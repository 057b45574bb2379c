import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip, gunzipSync } from 'node:zlib';
import { GZIP_OUTPUT_CHUNK_BYTES } from '../lib/archive/durable-write';
import { parseConfig } from '../lib/config';
import type { EnrichedEvent } from '../lib/events/enriched';
import { createRedisClient } from '../lib/redis/client';
import { createKeys, type Keys } from '../lib/redis/keys';
import type { RedisClient } from '../lib/redis/scripts';
import { compareStreamIds } from '../lib/streams/entry';
import { StreamWriter } from '../lib/streams/writer';
import { startRedisServer } from '../scripts/redis-server';
import { startProcess } from '../test/helpers/processes';
import { benchEvents } from './support/events';

/**
 * The archiver's own pipeline — XREAD from Redis, NDJSON, gzip, temp file + fsync + rename + fsync dir,
 * manifest, checkpoint script — as a real process over 4 preloaded shards, against plain gzip (node:zlib,
 * the same level and chunk size, one stream) of the very same NDJSON, in the same run. Throughput is MB of
 * NDJSON per second. Prints `archive_mb_per_s=…`, `gzip_mb_per_s=…`, `archive_ratio=…`; writes
 * bench/results/archive.json.
 */
const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
const SHARDS = 4;
const { values: args } = parseArgs({
  options: { events: { type: 'string', default: '500000' }, level: { type: 'string' } },
});
const eventCount = Number(args.events);
// The archiver's defaults, except the interval: 1 s lets the last batch of each shard close at once
// (a tick past its deadline) instead of a minute later; nearly every batch still closes at 5 MB.
const defaults = parseConfig(args.level === undefined ? {} : { ARCHIVE_GZIP_LEVEL: args.level });
const gzipLevel = defaults.ARCHIVE_GZIP_LEVEL;

async function preload(redis: RedisClient, keys: Keys): Promise<string[]> {
  const writer = new StreamWriter(redis, keys, { shardCount: SHARDS, dedupeHorizonMs: 600_000 });
  const templates = benchEvents(1_000);
  // What differs per event in real traffic: its id, its client timestamp, and the visitor (a 96-bit hash
  // from a pool of 50 k). The rest (pages, referrers, user agents) repeats as the templates do.
  const visitors = Array.from({ length: 50_000 }, () => randomBytes(12).toString('base64url'));
  const startMs = Date.now() - 3_600_000;
  const batch: EnrichedEvent[] = [];
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < eventCount; i++) {
    const template = templates[i % templates.length] as EnrichedEvent;
    batch.push({
      ...template,
      id: randomBytes(9).toString('base64url'),
      ts: startMs + i * 7 + Math.floor(Math.random() * 500),
      visitor: visitors[(i * 7_919) % visitors.length] as string,
    });
    if (batch.length === 10) {
      pending.push(writer.append(batch.splice(0)));
      if (pending.length >= 200) await Promise.all(pending.splice(0));
    }
  }
  if (batch.length > 0) pending.push(writer.append(batch));
  await Promise.all(pending);
  return Promise.all(
    Array.from(
      { length: SHARDS },
      async (_, s) => (await redis.xrevrange(keys.shard(s).stream, '+', '-', 'COUNT', 1))[0]?.[0] ?? '',
    ),
  );
}

/** Runs one archiver over the preloaded shards; seconds from its first lease to its last checkpoint. */
async function archive(
  url: string,
  redis: RedisClient,
  keys: Keys,
  prefix: string,
  dir: string,
  targets: string[],
) {
  const worker = startProcess('archiver', 'workers/archiver/main.ts', {
    REDIS_URL: url,
    KEY_PREFIX: prefix,
    SHARDS: String(SHARDS),
    ARCHIVE_DIR: dir,
    ARCHIVE_MAX_INTERVAL_MS: '1000',
    ARCHIVE_GZIP_LEVEL: String(gzipLevel),
    LOG_LEVEL: 'info',
  });
  try {
    for (;;) {
      const checkpoints = await Promise.all(
        targets.map((_, s) => redis.hget(keys.shard(s).checkpoint('archiver'), 'id')),
      );
      if (checkpoints.every((id, s) => id !== null && compareStreamIds(id, targets[s] ?? '') >= 0)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const acquired = worker.output.filter((line) => line.includes('shard acquired'));
    const startMs = Math.min(
      ...acquired.map((line) => Date.parse((JSON.parse(line) as { time: string }).time)),
    );
    const committed = await Promise.all(
      targets.map((_, s) => redis.hget(keys.shard(s).checkpoint('archiver'), 'committedAtMs')),
    );
    const endMs = Math.max(...committed.map(Number));
    const status = await Promise.all(targets.map((_, s) => redis.hgetall(keys.shard(s).archiveStatus)));
    const sum = (field: string) => status.reduce((total, s) => total + Number(s[field] ?? 0), 0);
    return {
      seconds: (endMs - startMs) / 1000,
      uncompressedBytes: sum('uncompressedBytes'),
      bytes: sum('bytes'),
      records: sum('records'),
      files: sum('files'),
    };
  } finally {
    await worker.kill('SIGTERM');
  }
}

/** The archive's NDJSON, read back from its files: exactly the bytes the archiver compressed. */
function archivedNdjson(dir: string): Buffer[] {
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ndjson.gz'))
    .sort();
  return files.map((file) => gunzipSync(readFileSync(join(dir, file))));
}

/** Plain gzip of the same NDJSON: one stream, same level and chunk size, output counted and discarded. */
async function plainGzip(buffers: Buffer[]): Promise<{ seconds: number; bytes: number }> {
  let bytes = 0;
  const startedMs = performance.now();
  await pipeline(
    Readable.from(buffers),
    createGzip({ level: gzipLevel, chunkSize: GZIP_OUTPUT_CHUNK_BYTES }),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    }),
  );
  return { seconds: (performance.now() - startedMs) / 1000, bytes };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'riffle-bench-archive-'));
  // No automatic AOF rewrite: after a 250 MB preload it would fork and compete for the CPU mid-measurement.
  const server = await startRedisServer({
    dir: join(work, 'redis'),
    appendfsync: 'everysec',
    extraArgs: ['--auto-aof-rewrite-percentage', '0'],
  });
  const redis = createRedisClient(server.url, { name: 'bench', autoPipelining: true });
  try {
    const prefix = `bench${randomBytes(3).toString('hex')}:`;
    const keys = createKeys(prefix);
    console.log(`preloading ${eventCount} events into ${SHARDS} shards…`);
    const targets = await preload(redis, keys);
    const dir = join(work, 'archive');
    const run = await archive(server.url, redis, keys, prefix, dir, targets);
    if (run.records !== eventCount)
      throw new Error(`archived ${run.records} records, expected ${eventCount}`);
    const ndjson = archivedNdjson(dir);
    const ndjsonBytes = ndjson.reduce((sum, b) => sum + b.length, 0);
    const gzip = await plainGzip(ndjson);
    const archiveMbPerS = run.uncompressedBytes / 1e6 / run.seconds;
    const gzipMbPerS = ndjsonBytes / 1e6 / gzip.seconds;
    const summary = {
      archive_mb_per_s: Math.round(archiveMbPerS * 10) / 10,
      gzip_mb_per_s: Math.round(gzipMbPerS * 10) / 10,
      archive_ratio: Math.round((archiveMbPerS / gzipMbPerS) * 100) / 100,
      archive_events_per_s: Math.round(eventCount / run.seconds),
      archive_events: eventCount,
      archive_ndjson_mb: Math.round(ndjsonBytes / 1e5) / 10,
      archive_gzip_mb: Math.round(run.bytes / 1e5) / 10,
      archive_compression: Math.round((run.bytes / run.uncompressedBytes) * 1000) / 1000,
      archive_files: run.files,
      archive_shards: SHARDS,
      archive_gzip_level: gzipLevel,
      archive_max_bytes: defaults.ARCHIVE_MAX_BYTES,
      node: process.version,
      measured_at: new Date().toISOString(),
    };
    for (const [key, value] of Object.entries(summary)) console.log(`${key}=${value}`);
    mkdirSync(join(ROOT_DIR, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT_DIR, 'bench/results/archive.json'), `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    redis.disconnect();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
