import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type Manifest, manifestSchema } from '../../lib/archive/manifest';
import { childEnvironment } from '../../lib/config';
import type { Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { compareStreamIds, fieldValue } from '../../lib/streams/entry';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';

/** Shared by the archiver integration tests: processes, the archive as read back, the verify script. */

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));

export function startArchiver(
  redisUrl: string,
  prefix: string,
  dir: string,
  extra: Record<string, string> = {},
): ManagedProcess {
  return startProcess('archiver', 'workers/archiver/main.ts', {
    REDIS_URL: redisUrl,
    KEY_PREFIX: prefix,
    SHARDS: '4',
    LEASE_TTL_MS: '1500',
    ARCHIVE_DIR: dir,
    ARCHIVE_MAX_INTERVAL_MS: '1000',
    ...extra,
  });
}

export interface ArchivedLine {
  shard: number;
  _id: string;
  _sub: number;
  file: string;
  kind: 'events' | 'errors';
  record: Record<string, unknown>;
}

function listArchive(dir: string, suffix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return names.filter((name) => name.endsWith(suffix) && !name.split('/').pop()?.startsWith('.')).sort();
}

/** Every line of every data file (events and errors), as stored. */
export function readArchive(dir: string): ArchivedLine[] {
  return listArchive(dir, '.ndjson.gz').flatMap((file) => {
    const text = gunzipSync(readFileSync(join(dir, file))).toString('utf8');
    const kind = file.startsWith('errors/') ? 'errors' : 'events';
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        const shard = Number(/\/shard=(\d+)\//.exec(file)?.[1]);
        return {
          shard,
          _id: String(record['_id']),
          _sub: Number(record['_sub']),
          file,
          kind,
          record,
        } as ArchivedLine;
      });
  });
}

export function readManifests(dir: string): Array<Manifest & { path: string }> {
  return listArchive(dir, '.manifest.json').map((path) => ({
    ...manifestSchema.parse(JSON.parse(readFileSync(join(dir, path), 'utf8'))),
    path,
  }));
}

/** Addresses of an event: stream ids are per shard, so `<shard>:<id>/<sub>`. */
export function addressOf(line: ArchivedLine): string {
  return `${line.shard}:${line._id}/${line._sub}`;
}

/** Addresses (`<shard>:<id>/<sub>`) of the stream's events up to each shard's archiver checkpoint. */
export async function streamAddresses(client: RedisClient, keys: Keys, shards: number): Promise<string[]> {
  const addresses: string[] = [];
  for (let shard = 0; shard < shards; shard++) {
    const checkpoint = await client.hget(keys.shard(shard).checkpoint('archiver'), 'id');
    if (checkpoint === null) continue;
    for (const [id, fields] of await client.xrange(keys.shard(shard).stream, '-', checkpoint)) {
      if (fieldValue(fields, 'k') !== 'e') continue;
      const count = (JSON.parse(fieldValue(fields, 'd') ?? '[]') as unknown[]).length;
      for (let sub = 0; sub < count; sub++) addresses.push(`${shard}:${id}/${sub}`);
    }
  }
  return addresses.sort();
}

/** Waits until every shard's archiver checkpoint has passed its last events entry. */
export async function waitArchived(
  client: RedisClient,
  keys: Keys,
  shards: number,
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(
    async () => {
      for (let shard = 0; shard < shards; shard++) {
        const entries = await client.xrevrange(keys.shard(shard).stream, '+', '-', 'COUNT', 200);
        const lastEvents = entries.find(([, fields]) => fieldValue(fields, 'k') === 'e')?.[0];
        if (lastEvents === undefined) continue;
        const checkpoint = await client.hget(keys.shard(shard).checkpoint('archiver'), 'id');
        if (checkpoint === null || compareStreamIds(checkpoint, lastEvents) < 0) return undefined;
      }
      return true;
    },
    timeoutMs,
    'every shard archived up to its last event',
  );
}

/**
 * The exactly-once checks: no address twice in the archive; the archived addresses up to the checkpoints
 * equal the stream's; every acknowledged event id is archived (as a record or a failed record).
 */
export async function assertArchivedExactlyOnce(
  client: RedisClient,
  keys: Keys,
  shards: number,
  dir: string,
  acknowledgedIds: readonly string[],
): Promise<ArchivedLine[]> {
  const lines = readArchive(dir);
  const addresses = lines.map(addressOf);
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const line of lines) {
    const address = addressOf(line);
    const first = seen.get(address);
    if (first !== undefined) duplicates.push(`${address} in ${first} and ${line.file}`);
    else seen.set(address, line.file);
  }
  assert.deepEqual(duplicates, [], 'no event archived twice');
  assert.deepEqual(
    [...addresses].sort(),
    await streamAddresses(client, keys, shards),
    'archive == stream up to the checkpoints',
  );
  const archivedIds = new Set(
    lines.map((l) =>
      String(l.kind === 'errors' ? (l.record['record'] as Record<string, unknown>)['id'] : l.record['id']),
    ),
  );
  const lost = acknowledgedIds.filter((id) => !archivedIds.has(id));
  assert.deepEqual(lost, [], 'every acknowledged event archived');
  return lines;
}

/**
 * The test oracle for batch boundaries: the rules of docs/archive.md restated over the log as stored (ids,
 * kinds, `d` sizes), independently of lib/archive/batcher.ts. Returns every batch the log has closed.
 */
export async function expectedBatches(
  client: RedisClient,
  keys: Keys,
  shard: number,
  limits: { maxBytes: number; maxIntervalMs: number },
): Promise<Array<{ firstId: string; lastId: string; reason: string }>> {
  const expected: Array<{ firstId: string; lastId: string; reason: string }> = [];
  let open: { firstId: string; firstMs: number; lastId: string; bytes: number } | undefined;
  for (const [id, fields] of await client.xrange(keys.shard(shard).stream, '-', '+')) {
    const ms = Number(id.split('-')[0]);
    if (open) {
      const byInterval = open.firstMs + limits.maxIntervalMs;
      const byHour = (Math.floor(open.firstMs / 3_600_000) + 1) * 3_600_000;
      if (ms >= Math.min(byInterval, byHour)) {
        expected.push({
          firstId: open.firstId,
          lastId: open.lastId,
          reason: byInterval <= byHour ? 'interval' : 'hour',
        });
        open = undefined;
      }
    }
    const data = fieldValue(fields, 'k') === 'e' ? fieldValue(fields, 'd') : undefined;
    if (data === undefined) {
      if (open) open.lastId = id;
      continue;
    }
    open ??= { firstId: id, firstMs: ms, lastId: id, bytes: 0 };
    open.lastId = id;
    open.bytes += Buffer.byteLength(data);
    if (open.bytes >= limits.maxBytes) {
      expected.push({ firstId: open.firstId, lastId: open.lastId, reason: 'size' });
      open = undefined;
    }
  }
  return expected;
}

/** Runs the real `archive:verify` script; returns its exit code and output. */
export function runVerify(
  redisUrl: string,
  prefix: string,
  shards: number,
  dir: string,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/archive-verify.ts', '--dir', dir], {
    cwd: ROOT_DIR,
    env: childEnvironment({
      REDIS_URL: redisUrl,
      KEY_PREFIX: prefix,
      SHARDS: String(shards),
      LOG_LEVEL: 'silent',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
