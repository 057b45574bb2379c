import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DashboardClient, rowKey } from '../../bench/support/dashboard-client';
import { SigningKey } from '../../lib/admin/signing-key';
import { issueToken } from '../../lib/admin/tokens';
import { readWindowStats } from '../../lib/aggregation/stats-reader';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { freePort } from '../../scripts/redis-server';
import { FAULT_WINDOW, installDefinitions } from '../helpers/aggregation-oracle';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { postJson } from '../helpers/test-server';

/**
 * Two real server processes (no Next.js) on one Redis, one aggregator: a dashboard on node B sees the live
 * feed of events posted to node A (through the Redis streams adapter) and the aggregates (every node tails
 * the outboxes itself), each exactly once.
 */

const SHARDS = 4;
const PATHS = ['/', '/pricing', '/docs'];

describe('two server nodes, one aggregator', { timeout: 120_000 }, () => {
  let redis: TestRedis;
  let client: RedisClient;
  const prefix = testPrefix();
  const keys = createKeys(prefix);
  const processes: ManagedProcess[] = [];
  const dashboards: DashboardClient[] = [];
  let nodeA: { url: string; process: ManagedProcess };
  let nodeB: { url: string; process: ManagedProcess };

  async function startNode(name: string): Promise<{ url: string; process: ManagedProcess }> {
    const port = await freePort();
    const node = startProcess(name, 'server/main.ts', {
      REDIS_URL: redis.url,
      KEY_PREFIX: prefix,
      SHARDS: String(SHARDS),
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_ENABLED: 'false',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_SITE_PER_MINUTE: '0',
    });
    processes.push(node);
    await node.waitForLine(/server listening/);
    return { url: `http://127.0.0.1:${port}`, process: node };
  }

  before(async () => {
    redis = await startTestRedis();
    client = createRedisClient(redis.url, { name: 'multi-node-test', commandTimeoutMs: 5_000 });
    await installDefinitions(client, keys, [FAULT_WINDOW]);
    [nodeA, nodeB] = await Promise.all([startNode('server-a'), startNode('server-b')]);
    const aggregator = startProcess('aggregator', 'workers/aggregator/main.ts', {
      REDIS_URL: redis.url,
      KEY_PREFIX: prefix,
      SHARDS: String(SHARDS),
      TICK_INTERVAL_MS: '200',
      LIVE_INTERVAL_MS: '100',
    });
    processes.push(aggregator);
    await aggregator.waitForLine(/shard acquired/);
  });
  after(async () => {
    for (const dashboard of dashboards) dashboard.close();
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    client.disconnect();
    await redis.stop();
  });

  async function dashboard(url: string): Promise<DashboardClient> {
    // Both nodes share the signing key (kept in Redis), so a link made anywhere works on every node.
    const share = issueToken(await new SigningKey(client, createKeys(prefix), undefined).get(), {
      kind: 'share',
      site: 'demo',
      exp: null,
    });
    const d = await DashboardClient.connect(url, { record: true, keepRows: true, share });
    dashboards.push(d);
    assert.deepEqual(await d.subscribe({ site: 'demo', windows: [FAULT_WINDOW.id], feed: true }), {
      ok: true,
      windows: [FAULT_WINDOW.id],
    });
    return d;
  }

  test('a dashboard on node B gets the feed and the aggregates of events posted to node A, once each', async () => {
    const onB = await dashboard(nodeB.url);
    const onA = await dashboard(nodeA.url);
    const posted: string[] = [];
    for (let request = 0; request < 12; request++) {
      const events = Array.from({ length: 5 }, (_, i) => {
        const id = `mn${request}x${i}abcdef`;
        posted.push(id);
        const path = PATHS[(request + i) % PATHS.length] ?? '/';
        return { id, type: 'pageview', url: `https://demo.example${path}?email=someone%40example.com` };
      });
      const { status } = await postJson(
        nodeA.url,
        '/api/collect',
        { site: 'demo', events },
        { 'X-Forwarded-For': `203.0.113.${request + 1}` },
      );
      assert.equal(status, 202);
      await new Promise((r) => setTimeout(r, 100));
    }

    const feedIds = (d: DashboardClient) => d.feed.flatMap((m) => m.events.map((e) => e.id));
    await eventually(
      async () => (posted.every((id) => feedIds(onB).includes(id)) ? true : undefined),
      10_000,
      'node B’s dashboard to see every posted event in the feed',
    );
    await new Promise((r) => setTimeout(r, 500));
    for (const [name, d] of [
      ['node B', onB],
      ['node A', onA],
    ] as const) {
      assert.deepEqual([...feedIds(d)].sort(), [...posted].sort(), `${name}: every event once`);
      for (const event of d.feed.flatMap((m) => m.events)) {
        assert.ok(!event.path.includes('?'), `${name}: no query string in ${event.path}`);
        assert.equal(event.visitor.length, 6);
      }
    }

    const stats = async () => {
      const result = await readWindowStats(client, keys, SHARDS, FAULT_WINDOW, { site: 'demo', limit: 1000 });
      return new Map(result.results.map((row) => [rowKey(row), row]));
    };
    for (const [name, d] of [
      ['node B', onB],
      ['node A', onA],
    ] as const) {
      await eventually(
        async () => {
          const rows = [...d.rows(FAULT_WINDOW.id).values()];
          const total = rows.reduce((sum, row) => sum + Number(row.values['events'] ?? 0), 0);
          return total === posted.length && rows.every((row) => row.final) ? true : undefined;
        },
        20_000,
        `${name}: aggregates counting every posted event, final`,
      );
      assert.deepEqual(d.rows(FAULT_WINDOW.id), await stats(), `${name}: rows equal to the stats API`);
      // Were aggregates also broadcast across nodes, a dashboard would get each update twice, back to back.
      const messages = d.messages.filter((m) => m.windowId === FAULT_WINDOW.id);
      assert.ok(
        messages.some((m) => m.kind === 'delta'),
        `${name}: got deltas`,
      );
      for (let i = 1; i < messages.length; i++) {
        const gap = (messages[i]?.sentAtMs ?? 0) - (messages[i - 1]?.sentAtMs ?? 0);
        assert.ok(gap >= 249, `${name}: messages ${gap} ms apart`);
      }
    }
  });

  test('SIGTERM stops a node gracefully: its sockets are closed, the process exits 0', async () => {
    const onA = await dashboard(nodeA.url);
    const disconnected = new Promise<string>((resolve) => onA.socket.once('disconnect', resolve));
    await nodeA.process.kill('SIGTERM');
    assert.equal(await nodeA.process.exited, 0);
    assert.match(await disconnected, /disconnect|close/);
  });
});
