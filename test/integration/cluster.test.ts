import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DashboardClient, rowKey } from '../../bench/support/dashboard-client';
import type { WindowRow } from '../../lib/realtime/contract';
import { createKeys } from '../../lib/redis/keys';
import { type RealtimeGateway, startRealtimeGateway } from '../../server/realtime/gateway';
import {
  assertExactlyOnce,
  FAULT_WINDOW,
  faultWindowOracle,
  installDefinitions,
  observedTimes,
} from '../helpers/aggregation-oracle';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';
import { readLog } from '../helpers/producer';
import { testPrefix } from '../helpers/redis';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster';
import { CHROME_UA, shareTokenFor, startTestServer, type TestServer } from '../helpers/test-server';
import {
  addressOf,
  assertArchivedExactlyOnce,
  readArchive,
  runVerify,
  startArchiver,
  streamAddresses,
  waitArchived,
} from './archiver-support';

/**
 * The whole pipeline on a real local Redis Cluster (3 masters, 3 replicas): collect over HTTP → shards spread
 * over the masters → aggregates equal to the log oracle → the realtime gateway (socket.io on the server, the
 * Redis streams adapter, one outbox tailer per shard) delivers the same rows to a dashboard → the archiver
 * writes every acknowledged event exactly once. Then a master is killed under load and its replica takes
 * over. Redis Cluster replicates asynchronously, so writes acknowledged by the old master but not yet copied
 * to its replica are lost: the test measures and prints that count instead of pretending it is 0, and checks
 * exactly-once over what survived in the log.
 */

const SHARDS = 4;

describe('Riffle on Redis Cluster', { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let server: TestServer;
  let gateway: RealtimeGateway | undefined;
  let worker: ManagedProcess;
  let archiver: ManagedProcess;
  let archiveDir: string | undefined;
  /** Subscribed to FAULT_WINDOW (and the feed) before any event is posted, connected for the whole run. */
  let dashboard: DashboardClient;
  const dashboards: DashboardClient[] = [];
  const prefix = testPrefix();
  const keys = createKeys(prefix);
  const acknowledged: string[] = [];
  let seq = 0; // increasing across every request, so per-visitor order can be checked over the whole run

  before(async () => {
    cluster = await startTestCluster();
    server = await startTestServer(cluster.url, prefix, {
      SHARDS: String(SHARDS),
      REALTIME_SNAPSHOT_ROWS: '1000',
    });
    assert.equal(server.ctx.config.REDIS_URL, cluster.url, 'the server runs on the cluster');
    // As server/main.ts does: socket.io on the same HTTP server, the collect route feeding its live feed.
    gateway = startRealtimeGateway(server.server, server.ctx);
    server.ctx.realtime = gateway;
    await installDefinitions(server.ctx.redis, keys, [FAULT_WINDOW]);
    worker = startProcess('aggregator', 'workers/aggregator/main.ts', {
      REDIS_URL: cluster.url,
      KEY_PREFIX: prefix,
      SHARDS: String(SHARDS),
      LEASE_TTL_MS: '2000',
      TICK_INTERVAL_MS: '200',
      LIVE_INTERVAL_MS: '100',
    });
    archiveDir = mkdtempSync(join(tmpdir(), 'riffle-cluster-archive-'));
    archiver = startArchiver(cluster.url, prefix, archiveDir, {
      SHARDS: String(SHARDS),
      LEASE_TTL_MS: '2000',
    });
    await Promise.all([
      worker.waitForLine(/shard acquired/, 30_000),
      archiver.waitForLine(/shard acquired/, 30_000),
    ]);
    dashboard = await connectDashboard(true);
  });
  after(async () => {
    for (const client of dashboards) client.close();
    await archiver?.kill('SIGKILL');
    await worker?.kill('SIGKILL');
    server?.server.closeAllConnections();
    await gateway?.close();
    await server?.close();
    await cluster?.stop();
    if (archiveDir !== undefined) rmSync(archiveDir, { recursive: true, force: true });
  });

  /** A socket.io dashboard with a share link, subscribed to FAULT_WINDOW once its snapshot is in. */
  async function connectDashboard(feed = false): Promise<DashboardClient> {
    const client = await DashboardClient.connect(server.baseUrl, {
      record: true,
      keepRows: true,
      share: await shareTokenFor(server.ctx, 'demo'),
    });
    dashboards.push(client);
    assert.deepEqual(await client.subscribe({ site: 'demo', windows: [FAULT_WINDOW.id], feed }), {
      ok: true,
      windows: [FAULT_WINDOW.id],
    });
    await eventually(
      async () => (client.snapshots(FAULT_WINDOW.id) > 0 ? true : undefined),
      15_000,
      'the dashboard’s first snapshot',
    );
    return client;
  }

  /** POSTs `count` events over many visitors; returns the ids the server acknowledged (202). */
  async function collect(count: number, perSecond: number): Promise<{ sent: number; failed: number }> {
    let failed = 0;
    const startedMs = Date.now();
    for (let i = 0; i < count; i += 5) {
      const events = Array.from({ length: 5 }, (_, j) => ({
        id: `c${randomBytes(8).toString('hex')}`,
        type: 'pageview',
        url: `https://shop.example/${['', 'pricing', 'docs', 'blog'][(i + j) % 4]}`,
        props: { seq: seq + j },
      }));
      seq += 5;
      try {
        const response = await fetch(`${server.baseUrl}/api/collect`, {
          method: 'POST',
          headers: {
            'Content-Type': 'text/plain',
            'User-Agent': CHROME_UA,
            'X-Forwarded-For': `203.0.113.${i % 250}`,
          },
          body: JSON.stringify({ site: 'demo', events }),
        });
        if (response.status === 202) acknowledged.push(...events.map((e) => e.id));
        else failed += events.length;
      } catch {
        failed += events.length;
      }
      const aheadMs = ((i + 5) / perSecond) * 1000 - (Date.now() - startedMs);
      if (aheadMs > 0) await new Promise((r) => setTimeout(r, aheadMs));
    }
    return { sent: count, failed };
  }

  async function drained(): Promise<void> {
    const log = (await readLog(server.ctx.redis, keys, SHARDS)).flat();
    const lastMs = Math.max(...log.filter((i) => i.kind === 'events').map((i) => i.ingestMs));
    const needed = Math.floor(lastMs / 1000) * 1000 + 1000 + FAULT_WINDOW.graceMs;
    await eventually(
      async () =>
        (await observedTimes(server.ctx.redis, keys, SHARDS, FAULT_WINDOW)).every((ot) => ot >= needed)
          ? true
          : undefined,
      30_000,
      'every shard to close its windows',
    );
  }

  /** Ids of the events in the cluster's log (what survived). */
  async function loggedIds(): Promise<Set<string>> {
    return new Set(
      (await readLog(server.ctx.redis, keys, SHARDS)).flat().flatMap((i) => i.events.map((e) => e.id)),
    );
  }

  /** FAULT_WINDOW through the HTTP stats API (share link), keyed like the dashboard's rows. */
  async function statsApiRows(): Promise<Map<string, WindowRow>> {
    const response = await fetch(`${server.baseUrl}/api/stats/demo/${FAULT_WINDOW.id}?limit=1000`, {
      headers: { 'X-Riffle-Share': await shareTokenFor(server.ctx, 'demo') },
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { results: WindowRow[] };
    return new Map(body.results.map((row) => [rowKey(row), row]));
  }

  /**
   * Waits until the dashboard's rows equal the stats API's (all final), then checks them against the log;
   * returns the events they count.
   */
  async function assertDashboardMatches(client: DashboardClient, what: string): Promise<number> {
    await eventually(
      async () => {
        const stats = await statsApiRows();
        const rows = client.rows(FAULT_WINDOW.id);
        const same =
          rows.size === stats.size &&
          [...stats].every(([id, row]) => JSON.stringify(rows.get(id)) === JSON.stringify(row));
        return same && [...rows.values()].every((r) => r.final) ? true : undefined;
      },
      30_000,
      `${what}: rows equal to the stats API, all final`,
      250,
    );
    const rows = client.rows(FAULT_WINDOW.id);
    assert.deepEqual(rows, await statsApiRows(), `${what}: equal to the stats API`);
    const expected = await faultWindowOracle(server.ctx.redis, keys, SHARDS);
    assert.deepEqual(
      [...rows.keys()].sort(),
      [...expected.keys()].sort(),
      `${what}: the log's windows and keys`,
    );
    for (const [id, values] of expected) assert.deepEqual(rows.get(id)?.values, values, `${what}: ${id}`);
    return [...rows.values()].reduce((sum, row) => sum + Number(row.values['events'] ?? 0), 0);
  }

  test('the shards spread over all three masters', async () => {
    const masters = new Set(await cluster.masters());
    assert.equal(masters.size, 3);
    const owners = new Set(
      await Promise.all(Array.from({ length: SHARDS }, (_, s) => cluster.masterFor(keys.shard(s).stream))),
    );
    assert.deepEqual([...owners].sort(), [...masters].sort(), 'every master holds at least one shard');
  });

  test('collect → shards → aggregates: totals equal the log oracle on the cluster', async () => {
    const { failed } = await collect(600, 300);
    assert.equal(failed, 0);
    await drained();
    const { events } = await assertExactlyOnce(server.ctx.redis, keys, SHARDS, FAULT_WINDOW, acknowledged);
    assert.equal(events, 600);
  });

  test('dashboard gateway: a socket.io dashboard’s rows equal the stats API and the log oracle', async () => {
    const total = await assertDashboardMatches(dashboard, 'dashboard there from the start');
    assert.equal(total, acknowledged.length, 'the dashboard counts every acknowledged event');
    assert.ok(
      dashboard.messages.some((m) => m.windowId === FAULT_WINDOW.id && m.kind === 'delta'),
      'the dashboard got deltas from the outbox tailers',
    );
    // The live feed goes through the Redis streams adapter (on the cluster) back to this node's sockets.
    const feedIds = dashboard.feed.flatMap((m) => m.events.map((e) => e.id));
    assert.ok(feedIds.length > 0, 'the live feed reached the dashboard');
    const ackedIds = new Set(acknowledged);
    assert.deepEqual(
      feedIds.filter((id) => !ackedIds.has(id)),
      [],
      'the feed shows only posted events',
    );
    assert.equal(new Set(feedIds).size, feedIds.length, 'no feed event twice');
    // A dashboard arriving now is seeded from the cluster (views read shard by shard) and agrees.
    const late = await connectDashboard();
    assert.equal(await assertDashboardMatches(late, 'late dashboard'), acknowledged.length);
  });

  test('archive: every acknowledged event archived exactly once; archive:verify agrees', async () => {
    assert.ok(archiveDir);
    await waitArchived(server.ctx.redis, keys, SHARDS, 60_000);
    const lines = await assertArchivedExactlyOnce(server.ctx.redis, keys, SHARDS, archiveDir, acknowledged);
    assert.equal(lines.length, acknowledged.length, 'one line per acknowledged event');
    const verify = await runVerify(cluster.url, prefix, SHARDS, archiveDir);
    assert.equal(verify.code, 0, verify.output);
    assert.match(verify.output, /archive ok: /);
  });

  test('a master fails over under load: the pipeline resumes; lost acknowledged writes are counted', async () => {
    const victim = await cluster.masterFor(keys.shard(0).stream);
    const before = acknowledged.length;
    const load = collect(1500, 250);
    await new Promise((r) => setTimeout(r, 2_000));
    await cluster.kill(victim);
    const killedMs = Date.now();
    await eventually(
      async () => {
        try {
          return (await cluster.masterFor(keys.shard(0).stream)) !== victim ? true : undefined;
        } catch {
          return undefined; // no master for the slot yet: the failover is under way
        }
      },
      20_000,
      'the replica to take over the slots',
      200,
    );
    const failoverMs = Date.now() - killedMs;
    const { failed } = await load;
    await drained();
    const logged = await loggedIds();
    const lost = acknowledged.filter((id) => !logged.has(id));
    console.log(
      `# failover: new master after ${failoverMs} ms; ${acknowledged.length - before} events acknowledged during the run, ` +
        `${failed} refused (503/timeouts, client retries), ${lost.length} acknowledged but lost by asynchronous replication`,
    );
    // Whatever survived is aggregated exactly once: state, checkpoint and outbox moved together.
    await assertExactlyOnce(
      server.ctx.redis,
      keys,
      SHARDS,
      FAULT_WINDOW,
      acknowledged.filter((id) => logged.has(id)),
    );
    assert.ok(lost.length < 200, `lost ${lost.length}: at most about one replication lag's worth`);
  });

  test('after the failover: the dashboards still equal the stats API and the log oracle', async () => {
    const survived = await loggedIds();
    const total = await assertDashboardMatches(dashboard, 'dashboard connected through the failover');
    assert.equal(total, survived.size, 'the dashboard counts every event in the log');
    const fresh = await connectDashboard();
    assert.equal(await assertDashboardMatches(fresh, 'dashboard seeded after the failover'), survived.size);
  });

  test('after the failover: what survived in the log is archived exactly once', async () => {
    assert.ok(archiveDir);
    await waitArchived(server.ctx.redis, keys, SHARDS, 60_000);
    const logged = await loggedIds();
    const survivingAcknowledged = acknowledged.filter((id) => logged.has(id));
    const recordId = (line: ReturnType<typeof readArchive>[number]) =>
      String(
        line.kind === 'errors' ? (line.record['record'] as Record<string, unknown>)['id'] : line.record['id'],
      );
    // Files written from entries the old master had not yet copied to its replica hold events the log no
    // longer has (and their stream ids may since have been reused): asynchronous replication, counted.
    const ghosts = readArchive(archiveDir).filter((line) => !logged.has(recordId(line)));
    console.log(
      `# failover: ${ghosts.length} archived events are no longer in the log (lost by the replica)`,
    );
    if (ghosts.length === 0) {
      const lines = await assertArchivedExactlyOnce(
        server.ctx.redis,
        keys,
        SHARDS,
        archiveDir,
        survivingAcknowledged,
      );
      assert.equal(lines.length, logged.size, 'one line per event in the log');
      const verify = await runVerify(cluster.url, prefix, SHARDS, archiveDir);
      assert.equal(verify.code, 0, verify.output);
      assert.match(verify.output, /archive ok: /);
    } else {
      // The same checks, over the archived events the log still has.
      const lines = readArchive(archiveDir).filter((line) => logged.has(recordId(line)));
      const addresses = lines.map(addressOf);
      assert.equal(new Set(addresses).size, addresses.length, 'no event archived twice');
      assert.deepEqual(
        addresses.sort(),
        await streamAddresses(server.ctx.redis, keys, SHARDS),
        'archive == stream up to the checkpoints',
      );
      const archivedIds = new Set(lines.map(recordId));
      assert.deepEqual(
        survivingAcknowledged.filter((id) => !archivedIds.has(id)),
        [],
        'every surviving acknowledged event archived',
      );
      assert.ok(ghosts.length < 200, `${ghosts.length} archived but lost: about one replication lag's worth`);
    }
  });
});
