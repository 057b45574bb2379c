import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readPipelineHealth } from '../../lib/aggregation/pipeline-health';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { compareStreamIds, fieldValue } from '../../lib/streams/entry';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';
import { produce } from '../helpers/producer';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import {
  addressOf,
  expectedBatches,
  freePort,
  readArchive,
  readManifests,
  runVerify,
  startArchiver,
  streamAddresses,
  waitArchived,
} from './archiver-support';

/**
 * The archiver as a real process over a private redis-server (AOF `always`): buffer hints, the optional
 * transformation and its error prefix, status (metrics, /status, Redis, pipeline health), and the
 * retention alarm. Fault scenarios are in archiver-faults.test.ts.
 */

const MIB = 1_048_576;

describe('archiver (real processes)', { timeout: 180_000 }, () => {
  let redis: TestRedis;
  let client: RedisClient;
  const running: ManagedProcess[] = [];
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'riffle-archive-'));
    dirs.push(dir);
    return dir;
  };
  const archiver = (prefix: string, dir: string, extra: Record<string, string> = {}) => {
    const process = startArchiver(redis.url, prefix, dir, extra);
    running.push(process);
    return process;
  };

  before(async () => {
    redis = await startTestRedis({ appendfsync: 'always' });
    client = createRedisClient(redis.url, { name: 'archiver-test', commandTimeoutMs: 5_000 });
  });
  after(async () => {
    await Promise.all(running.map((p) => p.kill('SIGKILL')));
    client.disconnect();
    await redis.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('buffer hints: batches close at the size limit and at the interval, exactly where the log says', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const dir = tempDir();
    const intervalMs = 1_500;
    archiver(prefix, dir, {
      SHARDS: '1',
      ARCHIVE_MAX_BYTES: String(MIB),
      ARCHIVE_MAX_INTERVAL_MS: String(intervalMs),
    });
    // A burst (~1.8 MB of large events in well under the interval), then a trickle (a few per interval).
    const title = 'A long page title '.repeat(100);
    await produce(client, keys, 1, {
      visitors: 50,
      events: 900,
      eventsPerSecond: 50_000,
      overrides: { title },
    });
    await produce(client, keys, 1, { visitors: 5, events: 100, eventsPerSecond: 40 });
    await waitArchived(client, keys, 1);

    const expected = await expectedBatches(client, keys, 0, { maxBytes: MIB, maxIntervalMs: intervalMs });
    const checkpoint = (await client.hget(keys.shard(0).checkpoint('archiver'), 'id')) ?? '';
    const committed = expected.filter((b) => compareStreamIds(b.lastId, checkpoint) <= 0);
    const written = readManifests(dir)
      .map((m) => m.batch)
      .sort((a, b) => compareStreamIds(a.firstId, b.firstId));
    assert.deepEqual(written, committed);
    assert.ok(
      written.some((b) => b.reason === 'size'),
      'the size trigger was observed',
    );
    assert.ok(
      written.some((b) => b.reason === 'interval'),
      'the interval trigger was observed',
    );
    const sizeManifest = readManifests(dir).find((m) => m.batch.reason === 'size');
    assert.ok((sizeManifest?.uncompressedBytes ?? 0) >= MIB, 'a size-closed file holds at least the limit');
    assert.equal(readArchive(dir).length, 1_000);
    const verify = await runVerify(redis.url, prefix, 1, dir);
    assert.equal(verify.code, 0, verify.output);
    assert.match(verify.output, /archive ok: .*1000 records .*1000 events compared/);
  });

  test('a transformation that throws: those records go to errors/ with the reason; the rest is archived; status is visible', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const dir = tempDir();
    const transformPath = join(tempDir(), 'transform.mjs');
    writeFileSync(
      transformPath,
      `export default function (record) {
        if (record.path === '/docs') throw new Error('refusing ' + record.path);
        if (record.path === '/blog') return null;
        return { ...record, archivedBy: 'transform' };
      }\n`,
    );
    const port = await freePort();
    const worker = archiver(prefix, dir, {
      SHARDS: '2',
      ARCHIVE_TRANSFORM: transformPath,
      ARCHIVER_METRICS_PORT: String(port),
      HOST: '127.0.0.1',
    });
    const [demo, blog] = await Promise.all([
      produce(client, keys, 2, { visitors: 20, events: 300, eventsPerSecond: 300 }),
      produce(client, keys, 2, {
        visitors: 20,
        events: 200,
        eventsPerSecond: 200,
        visitorPrefix: 'b',
        overrides: { site: 'blog' },
      }),
    ]);
    const acknowledged = [...demo, ...blog];
    await waitArchived(client, keys, 2);

    const lines = readArchive(dir);
    const failed = lines.filter((l) => l.kind === 'errors');
    const archived = lines.filter((l) => l.kind === 'events');
    const manifests = readManifests(dir);
    const dropped = manifests.flatMap((m) => m.dropped.map((address) => `${m.shard}:${address}`));
    assert.equal(failed.length, acknowledged.filter((e) => e.path === '/docs').length);
    assert.equal(dropped.length, acknowledged.filter((e) => e.path === '/blog').length);
    assert.equal(archived.length + failed.length + dropped.length, acknowledged.length);
    for (const line of failed) {
      assert.equal(line.record['reason'], 'Error: refusing /docs');
      assert.equal((line.record['record'] as Record<string, unknown>)['path'], '/docs');
      assert.match(
        line.file,
        /^errors\/processing-failed\/site=(demo|blog)\/dt=\d{4}-\d\d-\d\d\/hour=\d\d\/shard=[01]\//,
      );
    }
    for (const line of archived) {
      assert.equal(line.record['archivedBy'], 'transform');
      assert.match(line.file, new RegExp(`^events/site=${String(line.record['site'])}/`));
    }
    const all = [...lines.map(addressOf), ...dropped].sort();
    assert.deepEqual(
      all,
      await streamAddresses(client, keys, 2),
      'every event of the stream accounted for, once',
    );
    const verify = await runVerify(redis.url, prefix, 2, dir);
    assert.equal(verify.code, 0, verify.output);

    // Status: Prometheus, /status JSON, the Redis hash, and the admin health page's data.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /riffle_archiver_records_total\{shard="0",outcome="archived"\} [1-9]/);
    assert.match(metrics, /riffle_archiver_records_total\{shard="\d",outcome="failed"\} [1-9]/);
    assert.match(metrics, /riffle_archiver_last_delivery_timestamp_seconds\{shard="1"\} \d/);
    assert.match(metrics, /riffle_archiver_lag_seconds\{shard="0"\}/);
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
      shards: Array<{
        shard: number;
        ownedHere: boolean;
        status: { records: number; failedRecords: number } | null;
      }>;
    };
    assert.equal(status.shards.filter((s) => s.ownedHere).length, 2);
    assert.equal(
      status.shards.reduce((sum, s) => sum + (s.status?.records ?? 0), 0),
      archived.length,
    );
    const health = await readPipelineHealth(client, keys, 2);
    const archiverHealth = health.shards.map((s) => s.consumers.find((c) => c.consumer === 'archiver'));
    assert.equal(
      archiverHealth.reduce((sum, c) => sum + (c?.archive?.failedRecords ?? 0), 0),
      failed.length,
    );
    assert.ok(archiverHealth.every((c) => c?.archive?.lastDeliveryAtMs && c.archive.files > 0));
    await worker.kill('SIGTERM');
    assert.equal(worker.child.exitCode, 0, 'graceful shutdown');
  });

  test('a stopped archiver holds retention back and raises the alarm; nothing unarchived is trimmed', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const dir = tempDir();
    const first = archiver(prefix, dir);
    const early = await produce(client, keys, 4, { visitors: 30, events: 200, eventsPerSecond: 400 });
    await waitArchived(client, keys, 4);
    await first.kill('SIGTERM');
    const late = await produce(client, keys, 4, { visitors: 30, events: 200, eventsPerSecond: 400 });
    const retentionMs = 1_800;
    await new Promise((r) => setTimeout(r, retentionMs + 500));
    const janitor = startProcess('janitor', 'workers/janitor/main.ts', {
      REDIS_URL: redis.url,
      KEY_PREFIX: prefix,
      SHARDS: '4',
      RETENTION_HOURS: String(retentionMs / 3_600_000),
      JANITOR_INTERVAL_MS: '1000',
    });
    running.push(janitor);
    const alarms = await eventually(
      async () => {
        const fields = Object.keys(await client.hgetall(keys.alarms)).filter((f) =>
          f.startsWith('retention:archiver:'),
        );
        return fields.length > 0 ? fields : undefined;
      },
      10_000,
      'the retention alarm for the archiver',
    );
    assert.ok(alarms.every((f) => /^retention:archiver:[0-3]$/.test(f)));
    await janitor.waitForLine(/consumer is behind retention/);
    // Everything not archived yet is still there: the janitor did not trim past the checkpoints.
    const stored = new Set(
      (await Promise.all([0, 1, 2, 3].map((s) => client.xrange(keys.shard(s).stream, '-', '+'))))
        .flat()
        .filter(([, f]) => fieldValue(f, 'k') === 'e')
        .flatMap(([, f]) =>
          (JSON.parse(fieldValue(f, 'd') ?? '[]') as Array<{ id: string }>).map((e) => e.id),
        ),
    );
    assert.deepEqual(
      late.filter((e) => !stored.has(e.id)),
      [],
      'unarchived events survive the janitor',
    );

    archiver(prefix, dir);
    await waitArchived(client, keys, 4);
    const archivedIds = new Set(readArchive(dir).map((l) => String(l.record['id'])));
    assert.deepEqual(
      [...early, ...late].filter((e) => !archivedIds.has(e.id)),
      [],
      'all 400 events archived',
    );
    assert.equal(archivedIds.size, 400);
    // Once caught up, the janitor trims what the archiver has written.
    await eventually(
      async () => ((await client.xlen(keys.shard(0).stream)) < 10 ? true : undefined),
      10_000,
      'the janitor to trim the archived entries',
    );
    await janitor.kill('SIGTERM');
  });
});
