import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DashboardClient, rowKey } from '../../bench/support/dashboard-client';
import { definitionRef } from '../../lib/aggregation/definition-store';
import { readWindowStats } from '../../lib/aggregation/stats-reader';
import { parseConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import type { WindowRow } from '../../lib/realtime/contract';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import { demoSite } from '../../lib/sites/site-store';
import { StreamWriter } from '../../lib/streams/writer';
import { defineWindow, type WindowDefinition } from '../../lib/windows/definition';
import { createRequestListener } from '../../server/app';
import { buildContext } from '../../server/build-context';
import type { ServerContext } from '../../server/context';
import { type RealtimeGateway, startRealtimeGateway } from '../../server/realtime/gateway';
import { compareIds } from '../../server/realtime/outbox-entry';
import {
  FAULT_WINDOW,
  faultWindowOracle,
  installDefinitions,
  observedTimes,
} from '../helpers/aggregation-oracle';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';
import { produce, readLog, testEvent } from '../helpers/producer';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { shareTokenFor } from '../helpers/test-server';

/**
 * The realtime gateway against a real aggregator process and real socket.io-client connections: what a
 * dashboard builds from snapshot + deltas equals the stats API and a brute-force count of the log; repeated
 * and reordered outbox entries change nothing; coalescing; drop-to-snapshot of a stalled client.
 */

const SHARDS = 4;
const CLIENT_BUFFER_BYTES = 65_536;

/** Rows of ~1 KB (long URLs as the key), 200 keys per window: a lot of bytes per delta. */
const WIDE_WINDOW: WindowDefinition = defineWindow({
  id: 'gw_wide',
  version: 1,
  name: 'Gateway test: wide rows',
  type: 'tumbling',
  sizeMs: 2_000,
  graceMs: 300,
  groupBy: ['url'],
  aggregates: [{ name: 'events', fn: 'count' }],
});

interface GatewayServer {
  url: string;
  ctx: ServerContext;
  gateway: RealtimeGateway;
  close(): Promise<void>;
}

/** The real HTTP server with the gateway attached (no Next.js), in this process. */
async function startGatewayServer(redisUrl: string, prefix: string): Promise<GatewayServer> {
  const config = parseConfig({
    REDIS_URL: redisUrl,
    KEY_PREFIX: prefix,
    SHARDS: String(SHARDS),
    LOG_LEVEL: 'silent',
    REALTIME_SNAPSHOT_ROWS: '1000',
    REALTIME_CLIENT_BUFFER_BYTES: String(CLIENT_BUFFER_BYTES),
  });
  const redis = createRedisClient(redisUrl, {
    name: 'gateway-test',
    commandTimeoutMs: 5_000,
    autoPipelining: true,
  });
  const ctx = buildContext(config, redis, createLogger('gateway-test', config.LOG_LEVEL));
  await ctx.sites.create(demoSite(Date.now()));
  const server = createServer(createRequestListener(ctx));
  const gateway = startRealtimeGateway(server, ctx);
  ctx.realtime = gateway;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    gateway,
    async close() {
      await gateway.close();
      redis.disconnect();
    },
  };
}

describe('realtime gateway over a running aggregator (real sockets)', { timeout: 240_000 }, () => {
  let redis: TestRedis;
  let gw: GatewayServer;
  /** A second node on the same Redis: its views are seeded from Redis while the aggregator commits. */
  let gw2: GatewayServer;
  let worker: ManagedProcess;
  const prefix = testPrefix();
  const keys = createKeys(prefix);
  const clients: DashboardClient[] = [];

  before(async () => {
    redis = await startTestRedis();
    gw = await startGatewayServer(redis.url, prefix);
    gw2 = await startGatewayServer(redis.url, prefix);
    await installDefinitions(gw.ctx.redis, keys, [FAULT_WINDOW, WIDE_WINDOW]);
    worker = startProcess('aggregator', 'workers/aggregator/main.ts', {
      REDIS_URL: redis.url,
      KEY_PREFIX: prefix,
      SHARDS: String(SHARDS),
      TICK_INTERVAL_MS: '200',
      LIVE_INTERVAL_MS: '100',
    });
    await worker.waitForLine(/shard acquired/);
  });
  after(async () => {
    for (const client of clients) client.close();
    await worker.kill('SIGTERM');
    await gw.close();
    await gw2.close();
    await redis.stop();
  });

  async function dashboard(windows: string[], node: GatewayServer = gw): Promise<DashboardClient> {
    const client = await DashboardClient.connect(node.url, {
      record: true,
      keepRows: true,
      share: await shareTokenFor(node.ctx, 'demo'),
    });
    clients.push(client);
    assert.deepEqual(await client.subscribe({ site: 'demo', windows }), { ok: true, windows });
    for (const id of windows)
      await eventually(async () => (client.snapshots(id) > 0 ? true : undefined), 10_000, `${id} snapshot`);
    return client;
  }

  async function statsRows(def: WindowDefinition): Promise<Map<string, WindowRow>> {
    const stats = await readWindowStats(gw.ctx.redis, keys, SHARDS, def, { site: 'demo', limit: 1000 });
    return new Map(stats.results.map((row) => [rowKey(row), row]));
  }

  /** Every shard has closed the windows of everything in the log. */
  async function drained(def: WindowDefinition): Promise<void> {
    const log = (await readLog(gw.ctx.redis, keys, SHARDS)).flat().filter((i) => i.kind === 'events');
    const last = Math.max(...log.map((i) => i.ingestMs));
    const size = def.sizeMs ?? 1000;
    const needed = Math.floor(last / size) * size + size + def.graceMs;
    await eventually(
      async () =>
        (await observedTimes(gw.ctx.redis, keys, SHARDS, def)).every((ot) => ot >= needed) ? true : undefined,
      30_000,
      `every shard to close ${def.id}`,
    );
  }

  /** Waits until the client's rows equal the stats API's (all final), then checks them against the log. */
  async function assertMatches(client: DashboardClient, what: string): Promise<void> {
    await eventually(
      async () => {
        const stats = await statsRows(FAULT_WINDOW);
        const rows = client.rows(FAULT_WINDOW.id);
        const same =
          rows.size === stats.size &&
          [...stats].every(([id, row]) => JSON.stringify(rows.get(id)) === JSON.stringify(row));
        return same && [...rows.values()].every((r) => r.final) ? true : undefined;
      },
      15_000,
      `${what}: rows equal to the stats API, all final`,
    );
    const rows = client.rows(FAULT_WINDOW.id);
    assert.deepEqual(rows, await statsRows(FAULT_WINDOW), `${what}: equal to the stats API`);
    const expected = await faultWindowOracle(gw.ctx.redis, keys, SHARDS);
    assert.deepEqual(
      [...rows.keys()].sort(),
      [...expected.keys()].sort(),
      `${what}: the log's windows and keys`,
    );
    for (const [id, values] of expected) assert.deepEqual(rows.get(id)?.values, values, `${what}: ${id}`);
  }

  test('subscribe errors name the field; without a session or share token for the site, nothing is sent', async () => {
    const anonymous = await DashboardClient.connect(gw.url);
    clients.push(anonymous);
    const refused = await anonymous.socket
      .timeout(5_000)
      .emitWithAck('subscribe', { site: 'demo', windows: [FAULT_WINDOW.id] });
    assert.deepEqual([refused.ok, refused.ok ? '' : refused.field], [false, 'session']);
    const client = await DashboardClient.connect(gw.url, { share: await shareTokenFor(gw.ctx, 'demo') });
    clients.push(client);
    const cases: Array<[unknown, string, RegExp]> = [
      [{ site: 'Not A Site', windows: [] }, 'site', /pattern/],
      [{ site: 'other', windows: [] }, 'session', /share link for "other"/],
      [{ site: 'demo', windows: ['fault_counts', 'nope'] }, 'windows.1', /unknown window "nope"/],
      [{ site: 'demo', windows: 'fault_counts' }, 'windows', /array/],
      [{ site: 'demo', windows: ['x'], feed: 'yes' }, 'feed', /boolean/],
    ];
    for (const [request, field, message] of cases) {
      const reply = await client.socket.timeout(5_000).emitWithAck('subscribe', request as never);
      assert.equal(reply.ok, false, JSON.stringify(request));
      assert.equal(reply.ok ? undefined : reply.field, field, JSON.stringify(request));
      assert.match(reply.ok ? '' : reply.error, message);
    }
  });

  test('snapshot + deltas equal the stats API and the log, for a client there from the start and a late one', async () => {
    const early = await dashboard([FAULT_WINDOW.id]);
    const producing = produce(gw.ctx.redis, keys, SHARDS, {
      visitors: 40,
      events: 2_000,
      eventsPerSecond: 500,
    });
    await new Promise((r) => setTimeout(r, 1_500));
    const late = await dashboard([FAULT_WINDOW.id], gw2);
    const lateSnapshot = late.messages.find((m) => m.kind === 'snapshot');
    assert.ok(lateSnapshot && lateSnapshot.rows > 0, 'the late client’s snapshot already holds rows');
    await producing;
    await drained(FAULT_WINDOW);
    await assertMatches(early, 'early client');
    await assertMatches(late, 'late client');
    late.close(); // gw2 drops its view: the next subscriber there seeds a new one from Redis
    assert.ok(early.messages.filter((m) => m.kind === 'delta').length > 5, 'the early client got deltas');
  });

  test('repeated and reordered outbox entries change nothing', async () => {
    const ref = definitionRef(FAULT_WINDOW);
    const watcher = await dashboard([FAULT_WINDOW.id]);
    const injectedUpTo: string[] = [];
    let injected = 0;
    for (let shard = 0; shard < SHARDS; shard++) {
      const outbox = keys.shard(shard).outbox;
      const entries = (await gw.ctx.redis.xrange(outbox, '-', '+')).filter(([, f]) =>
        (f[1] ?? '').includes(`"ref":"${ref}"`),
      );
      assert.ok(
        entries.some(([, f]) => (f[1] ?? '').startsWith('{"t":"live"')),
        `shard ${shard} has live entries`,
      );
      // Newest first: every old live value arrives after the FINAL that superseded it, and everything twice.
      let last = '';
      for (const [, fields] of [...entries].reverse())
        last = (await gw.ctx.redis.xadd(outbox, '*', 'd', fields[1] ?? '')) ?? last;
      injectedUpTo.push(last);
      injected += entries.length;
    }
    assert.ok(injected > 100, `re-delivered ${injected} entries`);
    await eventually(
      async () =>
        gw.gateway
          .outboxPositions()
          .every((id, shard) => id !== undefined && compareIds(id, injectedUpTo[shard] ?? '') >= 0)
          ? true
          : undefined,
      10_000,
      'the gateway to read the re-delivered entries',
    );
    await new Promise((r) => setTimeout(r, 600)); // two coalescing periods: a change would have gone out by now
    await assertMatches(watcher, 'client watching the re-delivery');
    const fresh = await dashboard([FAULT_WINDOW.id], gw2);
    await assertMatches(fresh, 'client seeded from Redis after it');
  });

  test('coalescing: at most one message per window per 250 ms per client, far fewer than the updates', async () => {
    const ref = definitionRef(FAULT_WINDOW);
    const client = await dashboard([FAULT_WINDOW.id]);
    const fromMs = Date.now();
    await produce(gw.ctx.redis, keys, SHARDS, { visitors: 40, events: 2_000, eventsPerSecond: 500 });
    await new Promise((r) => setTimeout(r, 1_000));
    const toMs = Date.now();
    const messages = client.messages.filter(
      (m) => m.windowId === FAULT_WINDOW.id && m.receivedAtMs >= fromMs,
    );
    assert.ok(messages.length >= 10, `${messages.length} messages in ${toMs - fromMs} ms`);
    for (let i = 1; i < messages.length; i++) {
      const [a, b] = [messages[i - 1], messages[i]];
      assert.ok(a && b);
      // sentAtMs is Date.now() (whole ms) while the spacing is kept on the monotonic clock: allow 1 ms.
      assert.ok(b.sentAtMs - a.sentAtMs >= 249, `sent ${b.sentAtMs - a.sentAtMs} ms apart`);
      assert.ok(
        b.receivedAtMs - a.receivedAtMs >= 220,
        `received ${b.receivedAtMs - a.receivedAtMs} ms apart`,
      );
    }
    let commits = 0;
    for (let shard = 0; shard < SHARDS; shard++) {
      const entries = await gw.ctx.redis.xrange(keys.shard(shard).outbox, String(fromMs), String(toMs));
      const cks = new Set(
        entries
          .filter(([, f]) => (f[1] ?? '').includes(`"ref":"${ref}"`))
          .map(([, f]) => JSON.parse(f[1] ?? '{}').ck),
      );
      commits += cks.size;
    }
    assert.ok(
      commits >= 3 * messages.length,
      `${commits} commits updated the window; ${messages.length} messages went out`,
    );
  });

  test('a stalled client is dropped to snapshot without delaying a fast one', async () => {
    const windows = [WIDE_WINDOW.id, FAULT_WINDOW.id];
    const fast = await dashboard(windows);
    const slow = await dashboard(windows);
    const drops = async () => (await gw.ctx.metrics.realtimeDrops.get()).values[0]?.value ?? 0;
    const dropsBefore = await drops();
    slow.pauseReading();
    const pausedAt = performance.timeOrigin + performance.now();
    const writer = new StreamWriter(gw.ctx.redis, keys, { shardCount: SHARDS, dedupeHorizonMs: 600_000 });
    // ~2 KB rows, 200 keys per window, ~2,000 events/s: deltas of ~400 KB, enough to fill the ~4 MB that
    // loopback TCP buffers take before anything stays in the server's own buffers.
    const longPath = `/${'p'.repeat(2_000)}`;
    let seq = 0;
    let dropped = false;
    const producing = (async () => {
      const deadline = Date.now() + 25_000;
      let extra = 0;
      while (Date.now() < deadline && extra < 10) {
        if (dropped) extra++; // a little more traffic after the drop, so deltas are missed for real
        const events = Array.from({ length: 100 }, () => {
          seq++;
          return testEvent(`w${seq % 300}`, seq, {
            url: `https://shop.example${longPath}/${seq % 200}`,
            path: longPath,
          });
        });
        await writer.append(events);
        await produce(gw.ctx.redis, keys, SHARDS, { visitors: 10, events: 10, eventsPerSecond: 1_000 });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await eventually(
      async () => ((await drops()) > dropsBefore ? true : undefined),
      25_000,
      'the stalled client to be dropped',
    );
    dropped = true;
    await new Promise((r) => setTimeout(r, 1_000));
    slow.resumeReading();
    await producing;

    const during = fast.messages.filter((m) => m.windowId === FAULT_WINDOW.id && m.receivedAtMs >= pausedAt);
    assert.ok(during.length >= 8, `the fast client kept getting messages (${during.length})`);
    for (let i = 1; i < during.length; i++) {
      const gap = (during[i]?.receivedAtMs ?? 0) - (during[i - 1]?.receivedAtMs ?? 0);
      assert.ok(gap < 1_000, `fast client: ${Math.round(gap)} ms between messages`);
    }
    const worstDelay = Math.max(...during.map((m) => m.receivedAtMs - m.sentAtMs));
    assert.ok(
      worstDelay < 500,
      `fast client: messages arrived ${Math.round(worstDelay)} ms after they were sent`,
    );

    await eventually(
      async () => (slow.snapshots(WIDE_WINDOW.id) >= 2 ? true : undefined),
      15_000,
      'a fresh snapshot once drained',
    );
    await drained(WIDE_WINDOW);
    await drained(FAULT_WINDOW);
    for (const client of [fast, slow]) {
      await assertMatches(client, client === fast ? 'fast client' : 'slow client');
      await eventually(
        async () => {
          const stats = await statsRows(WIDE_WINDOW);
          const rows = client.rows(WIDE_WINDOW.id);
          return [...stats].every(([id, row]) => JSON.stringify(rows.get(id)) === JSON.stringify(row))
            ? true
            : undefined;
        },
        15_000,
        'wide rows equal to the stats API',
      );
    }
  });

  test('a paused window sends a fresh snapshot with its new status', async () => {
    const client = await dashboard([FAULT_WINDOW.id]);
    const store = gw.ctx.windows;
    const stored = await store.get(FAULT_WINDOW.id);
    assert.ok(stored);
    await store.put({ ...stored, status: 'paused', updatedAtMs: Date.now() });
    await eventually(
      async () => (client.windowStatus(FAULT_WINDOW.id) === 'paused' ? true : undefined),
      10_000,
      'a snapshot saying the window is paused',
    );
    assert.equal(client.snapshots(FAULT_WINDOW.id), 2);
    await store.put({ ...stored, status: 'running', updatedAtMs: Date.now() });
  });
});
