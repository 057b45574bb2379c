import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DefinitionStore, definitionRef } from '../../lib/aggregation/definition-store';
import { createKeys } from '../../lib/redis/keys';
import { defineWindow } from '../../lib/windows/definition';
import { FAULT_WINDOW, installDefinitions, observedTimes } from '../helpers/aggregation-oracle';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';
import { produce, readLog } from '../helpers/producer';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { shareTokenFor, startTestServer, type TestServer } from '../helpers/test-server';

const SHARDS = 4;

interface StatsBody {
  watermark: number | null;
  results: Array<{
    start: number;
    end: number;
    key: Record<string, unknown> | null;
    values: Record<string, unknown>;
    final: boolean;
  }>;
}

describe('stats API and ad-hoc queries over a running aggregator', { timeout: 120_000 }, () => {
  let redis: TestRedis;
  let server: TestServer;
  let worker: ManagedProcess;
  const prefix = testPrefix();
  const keys = createKeys(prefix);

  before(async () => {
    redis = await startTestRedis();
    server = await startTestServer(redis.url, prefix);
    await installDefinitions(server.ctx.redis, keys, [FAULT_WINDOW]);
    worker = startProcess('aggregator', 'workers/aggregator/main.ts', {
      REDIS_URL: redis.url,
      KEY_PREFIX: prefix,
      SHARDS: String(SHARDS),
      TICK_INTERVAL_MS: '200',
      LIVE_INTERVAL_MS: '100',
    });
    await produce(server.ctx.redis, keys, SHARDS, { visitors: 25, events: 400, eventsPerSecond: 400 });
    const log = (await readLog(server.ctx.redis, keys, SHARDS)).flat();
    const lastMs = Math.max(...log.filter((i) => i.kind === 'events').map((i) => i.ingestMs));
    const needed = Math.floor(lastMs / 1000) * 1000 + 1000 + FAULT_WINDOW.graceMs;
    await eventually(
      async () =>
        (await observedTimes(server.ctx.redis, keys, SHARDS, FAULT_WINDOW)).every((ot) => ot >= needed)
          ? true
          : undefined,
      20_000,
      'the windows to close',
    );
  });
  after(async () => {
    await worker.kill('SIGTERM');
    await server.close();
    await redis.stop();
  });

  const get = async (path: string, withAccess = true) => {
    const headers: Record<string, string> = withAccess
      ? { 'X-Riffle-Share': await shareTokenFor(server.ctx, 'demo') }
      : {};
    const response = await fetch(`${server.baseUrl}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  async function bruteForce(filterPath?: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const input of (await readLog(server.ctx.redis, keys, SHARDS)).flat()) {
      for (const event of input.events) {
        if (filterPath !== undefined && event.path !== filterPath) continue;
        const id = `${Math.floor(input.ingestMs / 1000) * 1000}|${event.path}`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    return counts;
  }

  test('GET /api/stats/:site/:windowId merges the shards into the log’s exact counts, all final', async () => {
    const { status, body } = await get('/api/stats/demo/fault_counts?limit=1000');
    assert.equal(status, 200);
    const stats = body as unknown as StatsBody;
    assert.ok(stats.watermark !== null);
    const actual = new Map(
      stats.results.map((r) => [`${r.start}|${String(r.key?.['path'])}`, Number(r.values['events'])]),
    );
    assert.deepEqual(actual, await bruteForce());
    assert.ok(
      stats.results.every((r) => r.final),
      'every window closed on every shard',
    );
    const ends = stats.results.map((r) => r.end);
    assert.deepEqual(
      ends,
      [...ends].sort((a, b) => b - a),
      'newest first',
    );
  });

  test('dashboard data needs an admin session or a share link for that very site', async () => {
    assert.equal((await get('/api/stats/demo/fault_counts', false)).status, 401);
    assert.equal((await get('/api/query/demo?windows=fault_counts', false)).status, 401);
    const otherSite = await fetch(`${server.baseUrl}/api/stats/demo/fault_counts`, {
      headers: { 'X-Riffle-Share': await shareTokenFor(server.ctx, 'shop') },
    });
    assert.equal(otherSite.status, 401, "another site's share link does not open this one");
    assert.equal((await get('/api/stats/demo/fault_counts', true)).status, 200);
  });

  test('GET /api/stats/:site lists the windows; unknown site or window → 404 naming the field', async () => {
    const list = await get('/api/stats/demo');
    assert.equal(list.status, 200);
    const ids = (list.body['windows'] as Array<{ id: string; status: string }>).map(
      (w) => `${w.id}:${w.status}`,
    );
    assert.ok(ids.includes('fault_counts:running'));
    assert.ok(ids.includes('pageviews_1m:paused'));
    const unknownWindow = await get('/api/stats/demo/nope');
    assert.deepEqual([unknownWindow.status, unknownWindow.body['field']], [404, 'windowId']);
    const unknownSite = await fetch(`${server.baseUrl}/api/stats/nosuchsite/fault_counts`, {
      headers: { 'X-Riffle-Share': await shareTokenFor(server.ctx, 'nosuchsite') },
    });
    assert.deepEqual(
      [unknownSite.status, ((await unknownSite.json()) as { field: string }).field],
      [404, 'site'],
    );
    const badLimit = await get('/api/stats/demo/fault_counts?limit=0');
    assert.deepEqual([badLimit.status, badLimit.body['field']], [400, 'limit']);
  });

  test('GET /api/query re-runs a window over the raw events with a filter (a dry run: nothing written)', async () => {
    const before = await server.ctx.redis.hlen(keys.shard(0).aggState);
    const { status, body } = await get(
      `/api/query/demo?windows=fault_counts&filter=path:/pricing&from=0&to=${Date.now()}`,
    );
    assert.equal(status, 400, 'a range longer than retention is refused');
    const from = Date.now() - 3_600_000;
    const ok = await get(
      `/api/query/demo?windows=fault_counts&filter=path:/pricing&from=${from}&to=${Date.now()}`,
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const windows = ok.body['windows'] as Record<string, { results: StatsBody['results'] }>;
    const actual = new Map(
      (windows['fault_counts']?.results ?? []).map((r) => [
        `${r.start}|${String(r.key?.['path'])}`,
        Number(r.values['events']),
      ]),
    );
    assert.deepEqual(actual, await bruteForce('/pricing'));
    assert.equal(await server.ctx.redis.hlen(keys.shard(0).aggState), before);
    assert.ok(typeof body['error'] === 'string');
    const badFilter = await get('/api/query/demo?windows=fault_counts&filter=password:x');
    assert.deepEqual([badFilter.status, badFilter.body['field']], [400, 'filter']);
  });

  test('a new definition is picked up by the running worker within 1 s, without a restart', async () => {
    const definition = defineWindow({
      id: 'late_comer',
      version: 1,
      name: 'Added at runtime',
      type: 'tumbling',
      sizeMs: 1_000,
      aggregates: [{ name: 'events', fn: 'count' }],
    });
    const store = new DefinitionStore(server.ctx.redis, keys);
    const addedMs = Date.now();
    await store.put({
      definition,
      status: 'running',
      builtin: false,
      createdAtMs: addedMs,
      updatedAtMs: addedMs,
    });
    const ref = definitionRef(definition);
    await eventually(
      async () =>
        (await server.ctx.redis.hget(keys.shard(0).aggState, `${ref}|#ot`)) !== null ? true : undefined,
      1_000,
      'the new definition to be running on shard 0',
      20,
    );
    assert.ok(Date.now() - addedMs <= 1_000, `picked up in ${Date.now() - addedMs} ms`);
  });

  test('a window started from the start of retention back-fills the history, then runs live', async () => {
    const definition = defineWindow({
      ...FAULT_WINDOW,
      id: 'backfilled',
      version: 1,
      name: 'Back-filled counts',
    });
    const store = new DefinitionStore(server.ctx.redis, keys);
    const nowMs = Date.now();
    await store.put({
      definition,
      status: 'running',
      builtin: false,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      startFrom: 'trim_horizon',
    });
    const ref = definitionRef(definition);
    await eventually(
      async () => {
        const fields = await Promise.all(
          [0, 1, 2, 3].map((s) =>
            server.ctx.redis.hmget(keys.shard(s).aggState, `${ref}|#ot`, `${ref}|#pos`),
          ),
        );
        return fields.every(([ot, pos]) => ot !== null && pos === null) ? true : undefined;
      },
      15_000,
      'the back-fill to catch up on every shard',
    );
    const { status, body } = await get('/api/stats/demo/backfilled?limit=1000');
    assert.equal(status, 200);
    const stats = body as unknown as StatsBody;
    const actual = new Map(
      stats.results.map((r) => [`${r.start}|${String(r.key?.['path'])}`, Number(r.values['events'])]),
    );
    assert.deepEqual(
      actual,
      await bruteForce(),
      'every event from before the window existed is counted once',
    );
  });
});
