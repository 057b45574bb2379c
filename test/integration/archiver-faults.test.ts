import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys, type Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { compareStreamIds } from '../../lib/streams/entry';
import { eventually, type ManagedProcess } from '../helpers/processes';
import { produce } from '../helpers/producer';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import {
  assertArchivedExactlyOnce,
  expectedBatches,
  readManifests,
  runVerify,
  startArchiver,
  waitArchived,
} from './archiver-support';

/**
 * BRIEF §8 / reference T12 for the archiver, with real processes over a private redis-server (AOF
 * `always`): kill -9 at every step of a batch, an unwritable destination, and two archivers sharing four
 * shards with one killed. Each ends with the exactly-once checks and the real `archive:verify` script.
 */

const SHARDS = 4;

describe('archiver under faults (real processes)', { timeout: 240_000 }, () => {
  let redis: TestRedis;
  let client: RedisClient;
  const running: ManagedProcess[] = [];
  const dirs: string[] = [];
  const archiveDir = () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'riffle-archive-faults-')), 'archive');
    dirs.push(join(dir, '..'));
    return dir;
  };
  const archiver = (prefix: string, dir: string, extra: Record<string, string> = {}) => {
    const process = startArchiver(redis.url, prefix, dir, extra);
    running.push(process);
    return process;
  };
  const checkpoints = (keys: Keys) =>
    Promise.all(
      Array.from({ length: SHARDS }, (_, s) => client.hget(keys.shard(s).checkpoint('archiver'), 'id')),
    );

  before(async () => {
    redis = await startTestRedis({ appendfsync: 'always' });
    client = createRedisClient(redis.url, { name: 'archiver-faults-test', commandTimeoutMs: 5_000 });
  });
  after(async () => {
    await Promise.all(running.map((p) => p.kill('SIGKILL')));
    client.disconnect();
    await redis.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('kill -9 mid-gzip, before the rename, before the manifest, before the checkpoint: no loss, no duplicate, no overlap', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const dir = archiveDir();
    // Two sites, so batches hold files of both: a boundary that moved on a retry would show as a duplicate.
    const producing = Promise.all([
      produce(client, keys, SHARDS, { visitors: 40, events: 1_500, eventsPerSecond: 200 }),
      produce(client, keys, SHARDS, {
        visitors: 20,
        events: 500,
        eventsPerSecond: 70,
        visitorPrefix: 'b',
        overrides: { site: 'blog' },
      }),
    ]).then((sites) => sites.flat());
    for (const killAt of ['gzip:2', 'written:2', 'manifest:3', 'renamed:2', 'gzip:1', 'renamed:3']) {
      const worker = archiver(prefix, dir, { ARCHIVER_FAULT_KILL_AT: killAt });
      const code = await worker.exited;
      assert.equal(worker.child.signalCode ?? code, 'SIGKILL', `archiver died at ${killAt}`);
      const names = readdirSync(dir, { recursive: true }) as string[];
      if (killAt.startsWith('gzip') || killAt.startsWith('written')) {
        assert.ok(
          names.some((n) => n.endsWith('.tmp')),
          `a temp file is left by the kill at ${killAt}`,
        );
      }
      if (killAt.startsWith('renamed')) {
        // The batch's files are in place, but the checkpoint has not moved past them.
        const current = await checkpoints(keys);
        const ahead = readManifests(dir).filter((m) => {
          const checkpoint = current[m.shard];
          return (
            checkpoint === null ||
            checkpoint === undefined ||
            compareStreamIds(m.batch.lastId, checkpoint) > 0
          );
        });
        assert.ok(ahead.length > 0, 'files were written past the checkpoint before the kill');
      }
    }
    archiver(prefix, dir);
    const acknowledged = await producing;
    await waitArchived(client, keys, SHARDS);
    await assertArchivedExactlyOnce(
      client,
      keys,
      SHARDS,
      dir,
      acknowledged.map((e) => e.id),
    );
    // The batches after all those restarts are the ones the log dictates (as a run without faults cuts them).
    const manifests = readManifests(dir);
    const current = await checkpoints(keys);
    for (let shard = 0; shard < SHARDS; shard++) {
      const written = [
        ...new Map(
          manifests.filter((m) => m.shard === shard).map((m) => [m.batch.firstId, m.batch]),
        ).values(),
      ].sort((a, b) => compareStreamIds(a.firstId, b.firstId));
      const expected = (
        await expectedBatches(client, keys, shard, { maxBytes: 5_242_880, maxIntervalMs: 1_000 })
      ).filter((b) => compareStreamIds(b.lastId, current[shard] ?? '0-0') <= 0);
      assert.deepEqual(written, expected, `shard ${shard}: batch boundaries`);
    }
    assert.ok(new Set(manifests.map((m) => m.site)).size === 2, 'both sites archived');
    const leftovers = (readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'retries removed the temp files of killed attempts');
    const verify = await runVerify(redis.url, prefix, SHARDS, dir);
    assert.equal(verify.code, 0, verify.output);
    assert.match(verify.output, /^archive ok: .* 2000 records .* 2000 events compared/m);
  });

  test('archive:verify fails loudly on a lost file', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const dir = archiveDir();
    archiver(prefix, dir);
    await produce(client, keys, SHARDS, { visitors: 20, events: 200, eventsPerSecond: 400 });
    await waitArchived(client, keys, SHARDS);
    const victim = readManifests(dir)[0];
    assert.ok(victim);
    rmSync(join(dir, victim.path.replace('.manifest.json', '.ndjson.gz')));
    rmSync(join(dir, victim.path));
    const verify = await runVerify(redis.url, prefix, SHARDS, dir);
    assert.equal(verify.code, 1, verify.output);
    assert.match(verify.output, /^missing: shard \d \d+-\d+\/\d+: in the stream, not archived$/m);
    assert.match(verify.output, new RegExp(`archive FAILED: ${victim.count} missing`));
  });

  test('an unwritable destination: the checkpoint stays, nothing is lost, it recovers when the destination returns', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const dir = archiveDir();
    const worker = archiver(prefix, dir);
    const early = await produce(client, keys, SHARDS, { visitors: 30, events: 200, eventsPerSecond: 400 });
    await waitArchived(client, keys, SHARDS);
    // Tests run as root, where permissions do not stop writes: put a regular file where the tree must go.
    renameSync(dir, `${dir}.away`);
    writeFileSync(dir, 'not a directory');
    const before = await checkpoints(keys);
    const late = await produce(client, keys, SHARDS, { visitors: 30, events: 200, eventsPerSecond: 400 });
    await worker.waitForLine(/archive write failed/, 10_000);
    await new Promise((r) => setTimeout(r, 2_500));
    assert.deepEqual(await checkpoints(keys), before, 'no checkpoint moved while the destination was gone');
    const lastError = await eventually(
      async () => (await client.hget(keys.shard(0).archiveStatus, 'lastError')) || undefined,
      5_000,
      'the error in the shard status',
    );
    assert.match(lastError, /ENOTDIR|EEXIST/);
    rmSync(dir);
    renameSync(`${dir}.away`, dir);
    await waitArchived(client, keys, SHARDS, 20_000);
    await assertArchivedExactlyOnce(
      client,
      keys,
      SHARDS,
      dir,
      [...early, ...late].map((e) => e.id),
    );
    assert.equal(
      await client.hget(keys.shard(0).archiveStatus, 'lastError'),
      '',
      'the error clears on delivery',
    );
    const verify = await runVerify(redis.url, prefix, SHARDS, dir);
    assert.equal(verify.code, 0, verify.output);
  });

  test('two archivers over four shards, one killed: every record archived exactly once', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const dir = archiveDir();
    const a = archiver(prefix, dir);
    const b = archiver(prefix, dir);
    const owners = async () =>
      Promise.all(
        Array.from({ length: SHARDS }, async (_, s) =>
          ((await client.get(keys.shard(s).lease('archiver'))) ?? '').replace(/:\d+$/, ''),
        ),
      );
    await eventually(
      async () => {
        const current = await owners();
        const counts = new Map<string, number>();
        for (const o of current) counts.set(o, (counts.get(o) ?? 0) + 1);
        return counts.size === 2 && !counts.has('') && [...counts.values()].every((n) => n === 2)
          ? true
          : undefined;
      },
      15_000,
      'two archivers with two shards each',
    );
    const producing = produce(client, keys, SHARDS, { visitors: 60, events: 1_500, eventsPerSecond: 300 });
    await a.waitForLine(/batch archived/, 10_000);
    await a.kill('SIGKILL');
    const survivor = /"workerId":"([^"]+)"/.exec(await b.waitForLine(/archiver started/))?.[1];
    await eventually(
      async () => ((await owners()).every((o) => o === survivor) ? true : undefined),
      10_000,
      'the survivor to own every shard',
    );
    const acknowledged = await producing;
    await waitArchived(client, keys, SHARDS);
    await assertArchivedExactlyOnce(
      client,
      keys,
      SHARDS,
      dir,
      acknowledged.map((e) => e.id),
    );
    const verify = await runVerify(redis.url, prefix, SHARDS, dir);
    assert.equal(verify.code, 0, verify.output);
  });
});
