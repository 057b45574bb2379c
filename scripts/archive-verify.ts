import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Problem, scanArchive, type TimeRange } from '../lib/archive/verify';
import { compareWithStream, type StreamComparison } from '../lib/archive/verify-stream';
import { type Config, ConfigError, loadConfig } from '../lib/config';
import { createRedisClient } from '../lib/redis/client';
import { createKeys } from '../lib/redis/keys';

/**
 * `npm run archive:verify -- [--from ISO|ms] [--to ISO|ms] [--dir PATH]`: checks the archive against its
 * manifests and, while the events are retained, against the stream (REDIS_URL, KEY_PREFIX, SHARDS).
 * Prints every missing, duplicated and corrupt record and exits 1, or prints a one-line summary and exits 0.
 * Exit 2: bad arguments or configuration.
 */
const MAX_LINES_PER_KIND = 50;

function usage(message: string): never {
  console.error(`archive:verify: ${message}`);
  console.error('usage: npm run archive:verify -- [--from ISO|ms] [--to ISO|ms] [--dir PATH]');
  process.exit(2);
}

function parseTime(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) usage(`--${name} ${value}: not an ISO date or a number of ms`);
  return ms;
}

/** The stream comparison, or why it was skipped (no Redis configured or reachable). */
async function streamCheck(config: Config, scan: Awaited<ReturnType<typeof scanArchive>>, range: TimeRange) {
  if (config.REDIS_URL === undefined) return 'REDIS_URL is not set';
  const redis = createRedisClient(config.REDIS_URL, { name: 'archive-verify', commandTimeoutMs: 30_000 });
  redis.on('error', () => undefined);
  try {
    const reachable = await Promise.race([
      redis.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3_000)),
    ]);
    if (!reachable) return `Redis at ${config.REDIS_URL.replace(/\/\/[^@/]*@/, '//')} is not reachable`;
    return await compareWithStream(redis, createKeys(config.KEY_PREFIX), config.SHARDS, scan, range);
  } finally {
    redis.disconnect();
  }
}

function printProblems(problems: readonly Problem[]): void {
  for (const kind of ['missing', 'duplicate', 'corrupt', 'overlap'] as const) {
    const ofKind = problems.filter((p) => p.kind === kind);
    for (const problem of ofKind.slice(0, MAX_LINES_PER_KIND)) console.log(`${kind}: ${problem.detail}`);
    if (ofKind.length > MAX_LINES_PER_KIND)
      console.log(`${kind}: … and ${ofKind.length - MAX_LINES_PER_KIND} more`);
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) usage(error.message);
    throw error;
  }
  let args: { from?: string; to?: string; dir?: string };
  try {
    args = parseArgs({
      options: { from: { type: 'string' }, to: { type: 'string' }, dir: { type: 'string' } },
    }).values;
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
  const range = {
    fromMs: parseTime(args.from, 'from', 0),
    toMs: parseTime(args.to, 'to', Number.MAX_SAFE_INTEGER),
  };
  const root = resolve(args.dir ?? config.ARCHIVE_DIR ?? join(config.DATA_DIR, 'archive'));
  if (!existsSync(root)) usage(`no archive directory at ${root}`);

  const scan = await scanArchive(root, range);
  const stream: StreamComparison | string = await streamCheck(config, scan, range);
  const problems = [...scan.problems, ...(typeof stream === 'string' ? [] : stream.problems)];
  const dropped = [...scan.byShard.values()].reduce((sum, s) => sum + s.dropped.size, 0);
  printProblems(problems);
  if (typeof stream !== 'string') for (const note of stream.notes) console.log(`note: ${note}`);
  const files = `${scan.files} files, ${scan.records} records (${scan.failedRecords} failed, ${dropped} dropped), ${(scan.bytes / 1e6).toFixed(2)} MB gzip`;
  const streamText =
    typeof stream === 'string'
      ? `stream comparison skipped: ${stream}`
      : `stream: ${stream.compared} events compared up to the checkpoints, ${stream.aheadOfCheckpoint} records ahead of a checkpoint, ${stream.beforeRetention} older than retention`;
  const temps = scan.tempFiles > 0 ? `; ${scan.tempFiles} temp files of unfinished writes` : '';
  if (problems.length > 0) {
    const counts = ['missing', 'duplicate', 'corrupt', 'overlap']
      .map((kind) => `${problems.filter((p) => p.kind === kind).length} ${kind}`)
      .join(', ');
    console.log(`archive FAILED: ${counts} — ${files}; ${streamText}${temps}`);
    process.exit(1);
  }
  console.log(`archive ok: ${files}; ${streamText}${temps}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
