import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRedisClient } from '../../lib/redis/client';
import { type ConsumerName, createKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { compareStreamIds } from '../../lib/streams/entry';
import {
  assertExactlyOnce,
  FAULT_WINDOW,
  installDefinitions,
  observedTimes,
} from '../helpers/aggregation-oracle';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';
import { readLog } from '../helpers/producer';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { CHROME_UA, startTestServer, type TestServer } from '../helpers/test-server';
import { assertArchivedExactlyOnce, runVerify, startArchiver, waitArchived } from './archiver-support';

/**
 * Issue 7 §2, scale-out: three aggregators and two archivers over eight shards take HTTP collect load while
 * workers come and go — an aggregator is killed with SIGKILL, an archiver stopped with SIGTERM, then one of
 * each is added. After every change each consumer's leases settle on the live workers only, evenly (counts
 * differ by at most one, nobody idle). Once the load stops and the shards drain, the aggregates equal the
 * log oracle and the archive holds every event exactly once (the real `archive:verify` agrees).
 *
 * Two owners committing the same shard would show up three ways: totals above the oracle (assertExactlyOnce),
 * a second FINAL for a window in a shard's outbox, and the per-shard commit counters (the aggregator
 * checkpoint's `events` / `entries`, the archiver status's `records` / `files`), which count every commit
 * the scripts accepted and must equal what the log and the archive hold.
 */

const SHARDS = 8;
const LEASE_TTL_MS = 2_000;
/** Generous bound for one rebalance (a dead worker's heartbeat and leases lapse, then one steal per tick). */
const REBALANCE_TIMEOUT_MS = 4 * LEASE_TTL_MS + 6_000;
const EVENTS_PER_SECOND = 400;
const EVENTS_PER_REQUEST = 10;
const MIN_LOAD_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scale-out: 3 aggregators + 2 archivers over 8 shards, workers killed and added under load', {
  timeout: 150_000,
}, () => {
  let redis: TestRedis;
  let client: RedisClient;
  let server: TestServer;
  let archiveRoot: string;
  let archiveDir: string;
  const prefix = testPrefix();
  const keys = createKeys(prefix);
  const processes: ManagedProcess[] = [];
  /** Worker id → process, per consumer kind; removed when the test stops the process. */
  const live: Record<ConsumerName, Map<string, ManagedProcess>> = {
    aggregator: new Map(),
    archiver: new Map(),
  };
  const acknowledged: string[] = [];
  const rebalances: string[] = [];
  let requests = 0;
  let failedRequests = 0;
  let loadMs = 0;
  let leaseMovesAtLoadStart: Record<ConsumerName, number> = { aggregator: 0, archiver: 0 };

  const workerEnv = () => ({
    REDIS_URL: redis.url,
    KEY_PREFIX: prefix,
    SHARDS: String(SHARDS),
    LEASE_TTL_MS: String(LEASE_TTL_MS),
  });

  async function addWorker(consumer: ConsumerName): Promise<string> {
    const worker =
      consumer === 'aggregator'
        ? startProcess('aggregator', 'workers/aggregator/main.ts', {
            ...workerEnv(),
            TICK_INTERVAL_MS: '200',
            LIVE_INTERVAL_MS: '100',
            AGGREGATOR_BATCH_ENTRIES: '20',
          })
        : startArchiver(redis.url, prefix, archiveDir, workerEnv());
    processes.push(worker);
    const line = await worker.waitForLine(new RegExp(`${consumer} started`), 30_000);
    const workerId = /"workerId":"([^"]+)"/.exec(line)?.[1];
    assert.ok(workerId, `worker id in ${line}`);
    live[consumer].set(workerId, worker);
    return workerId;
  }

  async function stopWorker(consumer: ConsumerName, signal: 'SIGKILL' | 'SIGTERM'): Promise<string> {
    const [workerId, worker] = [...live[consumer]][0] ?? [];
    assert.ok(workerId && worker);
    live[consumer].delete(workerId);
    await worker.kill(signal);
    if (signal === 'SIGTERM') assert.equal(await worker.exited, 0, `${consumer} ${workerId} exits cleanly`);
    return workerId;
  }

  async function owners(consumer: ConsumerName): Promise<Array<string | null>> {
    const values = await client.mget(Array.from({ length: SHARDS }, (_, s) => keys.shard(s).lease(consumer)));
    return values.map((v) => (v === null ? null : v.slice(0, v.lastIndexOf(':'))));
  }

  /**
   * Waits until every shard of `consumer` has an owner, the owners are exactly the live workers, and each
   * owns at least one shard with counts differing by at most one. Records how long that took.
   */
  async function balanced(consumer: ConsumerName, change: string, timeoutMs = REBALANCE_TIMEOUT_MS) {
    const startedMs = Date.now();
    const expected = [...live[consumer].keys()].sort();
    let last: Array<string | null> = [];
    try {
      await eventually(
        async () => {
          last = await owners(consumer);
          if (last.some((o) => o === null)) return undefined;
          const counts = new Map<string, number>(expected.map((w) => [w, 0]));
          for (const owner of last) {
            if (owner === null || !counts.has(owner)) return undefined; // a stopped worker still holds it
            counts.set(owner, (counts.get(owner) ?? 0) + 1);
          }
          const values = [...counts.values()];
          return Math.min(...values) >= 1 && Math.max(...values) - Math.min(...values) <= 1
            ? true
            : undefined;
        },
        timeoutMs,
        `${consumer} leases balanced over ${expected.length} live workers after ${change}`,
      );
    } catch (error) {
      throw new Error(
        `${(error as Error).message}; owners ${JSON.stringify(last)}, live ${JSON.stringify(expected)}`,
      );
    }
    rebalances.push(`${change} → ${consumer}s ${expected.length} in ${Date.now() - startedMs} ms`);
  }

  /** Lease acquisitions after each shard's first one: the epoch (in the checkpoint hash) only grows. */
  async function leaseMoves(consumer: ConsumerName): Promise<number> {
    let moves = 0;
    for (let s = 0; s < SHARDS; s++)
      moves += Math.max(0, Number((await client.hget(keys.shard(s).checkpoint(consumer), 'epoch')) ?? 0) - 1);
    return moves;
  }

  /**
   * POSTs batches of events to /api/collect at about EVENTS_PER_SECOND until `stop()` says so. Visitors
   * come from 64 client addresses; `seq` grows across the run, so per-visitor order can be checked.
   */
  function driveLoad(): { stop: () => Promise<void> } {
    let stopping = false;
    let seq = 0;
    const startedMs = Date.now();
    const paths = ['', 'pricing', 'docs', 'blog', 'signup'];
    const loop = (async () => {
      let sent = 0;
      while (!stopping) {
        const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, j) => ({
          id: `s${randomBytes(8).toString('hex')}`,
          type: j % 3 === 0 ? 'click' : 'pageview',
          url: `https://shop.example/${paths[(seq + j) % paths.length]}`,
          props: { seq: seq + j },
        }));
        seq += EVENTS_PER_REQUEST;
        requests++;
        try {
          const response = await fetch(`${server.baseUrl}/api/collect`, {
            method: 'POST',
            headers: {
              'Content-Type': 'text/plain',
              'User-Agent': CHROME_UA,
              'X-Forwarded-For': `198.51.100.${requests % 64}`,
            },
            body: JSON.stringify({ site: 'demo', events }),
          });
          const body = (await response.json()) as { accepted?: number };
          if (response.status === 202 && body.accepted === events.length)
            acknowledged.push(...events.map((e) => e.id));
          else failedRequests++;
        } catch {
          failedRequests++;
        }
        sent += events.length;
        const aheadMs = (sent / EVENTS_PER_SECOND) * 1000 - (Date.now() - startedMs);
        if (aheadMs > 0) await sleep(aheadMs);
      }
      loadMs = Date.now() - startedMs;
    })();
    return {
      stop: async () => {
        stopping = true;
        await loop;
      },
    };
  }

  /** Waits until every shard's observed time has passed the last event's window (all FINALs emitted). */
  async function drained(): Promise<void> {
    const log = (await readLog(client, keys, SHARDS)).flat();
    const lastEventMs = Math.max(...log.filter((i) => i.kind === 'events').map((i) => i.ingestMs));
    const needed = Math.floor(lastEventMs / 1000) * 1000 + 1000 + FAULT_WINDOW.graceMs;
    await eventually(
      async () =>
        (await observedTimes(client, keys, SHARDS, FAULT_WINDOW)).every((ot) => ot >= needed)
          ? true
          : undefined,
      30_000,
      'every shard to close the last window',
    );
  }

  before(async () => {
    redis = await startTestRedis({ appendfsync: 'always' });
    client = createRedisClient(redis.url, { name: 'scale-out-test', commandTimeoutMs: 5_000 });
    server = await startTestServer(redis.url, prefix, { SHARDS: String(SHARDS) });
    await installDefinitions(client, keys, [FAULT_WINDOW]);
    archiveRoot = mkdtempSync(join(tmpdir(), 'riffle-scale-out-'));
    archiveDir = join(archiveRoot, 'archive');
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await server?.close();
    client?.disconnect();
    await redis?.stop();
    if (archiveRoot) rmSync(archiveRoot, { recursive: true, force: true });
  });

  test('three aggregators and two archivers split the eight shards evenly', async () => {
    await Promise.all([
      addWorker('aggregator'),
      addWorker('aggregator'),
      addWorker('aggregator'),
      addWorker('archiver'),
      addWorker('archiver'),
    ]);
    // Start-up on a busy machine is slow; the first balance gets more time than the later ones.
    await Promise.all([balanced('aggregator', 'start', 30_000), balanced('archiver', 'start', 30_000)]);
    const aggregatorCounts = new Map<string | null, number>();
    for (const owner of await owners('aggregator'))
      aggregatorCounts.set(owner, (aggregatorCounts.get(owner) ?? 0) + 1);
    assert.deepEqual([...aggregatorCounts.values()].sort(), [2, 3, 3]);
  });

  test('under load: kill -9 an aggregator, SIGTERM an archiver, add one of each — leases rebalance every time', async () => {
    leaseMovesAtLoadStart = {
      aggregator: await leaseMoves('aggregator'),
      archiver: await leaseMoves('archiver'),
    };
    const startedMs = Date.now();
    const load = driveLoad();
    try {
      await sleep(2_500);
      const killed = await stopWorker('aggregator', 'SIGKILL');
      await balanced('aggregator', 'kill -9 aggregator');
      assert.ok(!(await owners('aggregator')).includes(killed), 'the killed aggregator owns nothing');

      await sleep(1_000);
      const stopped = await stopWorker('archiver', 'SIGTERM');
      // A graceful stop gives the leases back at once: the survivor takes all eight.
      await balanced('archiver', 'SIGTERM archiver');
      assert.ok(!(await owners('archiver')).includes(stopped), 'the stopped archiver owns nothing');

      await sleep(1_000);
      await Promise.all([addWorker('aggregator'), addWorker('archiver')]);
      await Promise.all([balanced('aggregator', 'add aggregator'), balanced('archiver', 'add archiver')]);
      // Keep the load on a little after the last change, and for at least MIN_LOAD_MS overall.
      await sleep(Math.max(2_000, MIN_LOAD_MS - (Date.now() - startedMs)));
    } finally {
      await load.stop();
    }
    assert.equal(failedRequests, 0, `${failedRequests} of ${requests} collect requests failed`);
    assert.equal(acknowledged.length, requests * EVENTS_PER_REQUEST);
    // Still balanced after the load: nobody lost a shard to a stall and left it unowned.
    await balanced('aggregator', 'load end');
    await balanced('archiver', 'load end');
  });

  test('after the shards drain, aggregates equal the log oracle exactly', async () => {
    await drained();
    const { windows, events } = await assertExactlyOnce(client, keys, SHARDS, FAULT_WINDOW, acknowledged);
    assert.equal(events, acknowledged.length, 'every acknowledged event counted once');
    assert.ok(windows > 20, `windows finalized: ${windows}`);
    // The commit script's counters: every accepted commit counted its batch; a batch applied twice (two
    // owners, or a re-sent commit applied again) would put them above what the log holds.
    // Checkpoints first: the workers keep committing ticks, and the log up to a checkpoint never changes.
    const checkpoints = await Promise.all(
      Array.from({ length: SHARDS }, (_, s) => client.hgetall(keys.shard(s).checkpoint('aggregator'))),
    );
    const log = await readLog(client, keys, SHARDS);
    for (let shard = 0; shard < SHARDS; shard++) {
      const checkpoint = checkpoints[shard] ?? {};
      assert.ok(checkpoint['id'], `shard ${shard} has an aggregator checkpoint`);
      const folded = (log[shard] ?? []).filter((i) => compareStreamIds(i.id, checkpoint['id'] ?? '0-0') <= 0);
      assert.equal(
        Number(checkpoint['events']),
        folded.reduce((sum, i) => sum + i.events.length, 0),
        `shard ${shard}: events committed = events in the log up to the checkpoint`,
      );
      assert.equal(
        Number(checkpoint['entriesBase'] ?? 0),
        0,
        `shard ${shard}: no entry lost before the first read`,
      );
      assert.equal(
        Number(checkpoint['entries']),
        folded.length,
        `shard ${shard}: entries committed = entries in the log up to the checkpoint`,
      );
    }
  });

  test('every event is archived exactly once and archive:verify agrees', async () => {
    await waitArchived(client, keys, SHARDS, 30_000);
    const lines = await assertArchivedExactlyOnce(client, keys, SHARDS, archiveDir, acknowledged);
    assert.equal(lines.length, acknowledged.length, 'one archived record per acknowledged event');
    let files = 0;
    for (let shard = 0; shard < SHARDS; shard++) {
      const status = await client.hgetall(keys.shard(shard).archiveStatus);
      const shardLines = lines.filter((l) => l.shard === shard);
      const shardFiles = new Set(shardLines.map((l) => l.file)).size;
      files += shardFiles;
      assert.equal(
        Number(status['records'] ?? 0),
        shardLines.length,
        `shard ${shard}: records committed once`,
      );
      assert.equal(Number(status['files'] ?? 0), shardFiles, `shard ${shard}: files committed once`);
    }
    const verify = await runVerify(redis.url, prefix, SHARDS, archiveDir);
    assert.equal(verify.code, 0, verify.output);
    assert.match(verify.output, new RegExp(`^archive ok: .*\\b${acknowledged.length} records\\b`, 'm'));

    const moves = {
      aggregator: await leaseMoves('aggregator'),
      archiver: await leaseMoves('archiver'),
    };
    // Refused commits of a worker that had just lost a shard: the fencing at work, for the record.
    const refused = (pattern: RegExp) =>
      processes.reduce((sum, p) => sum + p.output.filter((l) => pattern.test(l)).length, 0);
    console.log(
      `# scale-out: ${acknowledged.length} events in ${requests} requests over ${(loadMs / 1000).toFixed(1)} s; ` +
        `lease moves under load: aggregator ${moves.aggregator - leaseMovesAtLoadStart.aggregator}, ` +
        `archiver ${moves.archiver - leaseMovesAtLoadStart.archiver} (total ${moves.aggregator}/${moves.archiver}); ` +
        `refused commits: aggregator ${refused(/commit fenced|commit was stale/)}, archiver ${refused(/checkpoint fenced|checkpoint moved under us/)}; ` +
        `${files} archive files`,
    );
    console.log(`# rebalances: ${rebalances.join('; ')}`);
  });
});
