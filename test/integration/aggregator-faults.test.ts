import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { definitionRef } from '../../lib/aggregation/definition-store';
import { createRedisClient } from '../../lib/redis/client';
import { createKeys, type Keys } from '../../lib/redis/keys';
import type { RedisClient } from '../../lib/redis/scripts';
import { streamIdMs } from '../../lib/streams/entry';
import { defineWindow } from '../../lib/windows/definition';
import {
  assertExactlyOnce,
  FAULT_WINDOW,
  installDefinitions,
  observedTimes,
} from '../helpers/aggregation-oracle';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';
import { produce, readLog } from '../helpers/producer';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { TcpProxy } from '../helpers/tcp-proxy';

/**
 * BRIEF §8 / issue 3 fault scenarios with real processes: a private redis-server with AOF `always`, real
 * aggregator processes, faults by signal or by a TCP proxy. Each checks the log-based oracle.
 */

const SHARDS = 4;
const LEASE_TTL_MS = 1_500;

describe('aggregator under faults (real processes)', { timeout: 240_000 }, () => {
  let redis: TestRedis;
  let client: RedisClient;
  const running: ManagedProcess[] = [];

  before(async () => {
    redis = await startTestRedis({ appendfsync: 'always' });
    client = createRedisClient(redis.url, { name: 'fault-test', commandTimeoutMs: 5_000 });
  });
  after(async () => {
    await Promise.all(running.map((p) => p.kill('SIGKILL')));
    client.disconnect();
    await redis.stop();
  });

  function aggregator(
    prefix: string,
    extra: Record<string, string> = {},
    redisUrl = redis.url,
  ): ManagedProcess {
    const process = startProcess('aggregator', 'workers/aggregator/main.ts', {
      REDIS_URL: redisUrl,
      KEY_PREFIX: prefix,
      SHARDS: String(extra['SHARDS'] ?? SHARDS),
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      TICK_INTERVAL_MS: '200',
      LIVE_INTERVAL_MS: '100',
      AGGREGATOR_BATCH_ENTRIES: '10',
      ...extra,
    });
    running.push(process);
    return process;
  }

  /** Waits until every shard's observed time has passed the last event's window (all FINALs emitted). */
  async function drained(keys: Keys, shards = SHARDS, timeoutMs = 30_000): Promise<void> {
    const log = await readLog(client, keys, shards);
    const lastEventMs = Math.max(
      ...log
        .flat()
        .filter((i) => i.kind === 'events')
        .map((i) => i.ingestMs),
    );
    const needed = Math.floor(lastEventMs / 1000) * 1000 + 1000 + FAULT_WINDOW.graceMs;
    await eventually(
      async () =>
        (await observedTimes(client, keys, shards, FAULT_WINDOW)).every((ot) => ot >= needed)
          ? true
          : undefined,
      timeoutMs,
      'every shard to close the last window',
    );
  }

  test('kill -9 at read, after sending the commit, after the commit: nothing lost, nothing twice', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    await installDefinitions(client, keys, [FAULT_WINDOW]);
    const producing = produce(client, keys, SHARDS, { visitors: 40, events: 1500, eventsPerSecond: 300 });
    const kills = ['read:7', 'commit-sent:9', 'committed:12', 'commit-sent:3'];
    for (const killAt of kills) {
      const worker = aggregator(prefix, { FAULT_KILL_AT: killAt });
      const code = await worker.exited;
      assert.equal(worker.child.signalCode ?? code, 'SIGKILL', `worker died at ${killAt}`);
    }
    aggregator(prefix);
    const acknowledged = await producing;
    await drained(keys);
    const { windows, events } = await assertExactlyOnce(
      client,
      keys,
      SHARDS,
      FAULT_WINDOW,
      acknowledged.map((e) => e.id),
    );
    assert.equal(events, 1500);
    assert.ok(windows > 5);
  });

  test('a commit whose reply is lost is re-sent, answered STALE and applied once', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    await installDefinitions(client, keys, [FAULT_WINDOW]);
    const proxy = new TcpProxy(redis.port);
    const proxyPort = await proxy.start();
    try {
      const worker = aggregator(prefix, {}, `redis://127.0.0.1:${proxyPort}`);
      const commitSha = createHash('sha1')
        .update(readFileSync(new URL('../../lib/redis/lua/commit-n.lua', import.meta.url), 'utf8'))
        .digest('hex');
      const producing = produce(client, keys, SHARDS, { visitors: 30, events: 600, eventsPerSecond: 200 });
      await new Promise((r) => setTimeout(r, 1_000));
      const staleLines = () => worker.output.filter((line) => line.includes('commit was stale')).length;
      for (let i = 1; i <= 3; i++) {
        proxy.dropReplyAfter(commitSha);
        await eventually(
          async () => (proxy.dropped >= i && staleLines() >= i ? true : undefined),
          10_000,
          `lost reply ${i}`,
        );
      }
      const acknowledged = await producing;
      await drained(keys);
      assert.ok(proxy.dropped >= 3, `replies dropped: ${proxy.dropped}`);
      await assertExactlyOnce(
        client,
        keys,
        SHARDS,
        FAULT_WINDOW,
        acknowledged.map((e) => e.id),
      );
    } finally {
      await proxy.stop();
    }
  });

  test('a paused worker loses its shards; after SIGCONT its commits are FENCED and it stops them', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    await installDefinitions(client, keys, [FAULT_WINDOW]);
    const a = aggregator(prefix);
    await a.waitForLine(/shard acquired/);
    await eventually(
      async () => ((await client.get(keys.shard(3).lease('aggregator'))) ? true : undefined),
      5_000,
      'a owns all',
    );
    const producing = produce(client, keys, SHARDS, { visitors: 30, events: 900, eventsPerSecond: 200 });
    await new Promise((r) => setTimeout(r, 800));
    const ownerOf = (value: string | null) =>
      value === null ? null : value.slice(0, value.lastIndexOf(':'));
    const ownerA = ownerOf(await client.get(keys.shard(0).lease('aggregator')));
    assert.ok(ownerA);
    await a.kill('SIGSTOP');
    const pausedMs = Date.now();
    aggregator(prefix);
    await eventually(
      async () => {
        const owners = await Promise.all(
          [0, 1, 2, 3].map(async (s) => ownerOf(await client.get(keys.shard(s).lease('aggregator')))),
        );
        return owners.every((o) => o !== null && o !== ownerA) ? true : undefined;
      },
      3 * LEASE_TTL_MS,
      'another worker to take the paused worker’s shards',
    );
    const takeoverMs = Date.now() - pausedMs;
    assert.ok(takeoverMs <= 2 * LEASE_TTL_MS + 1_000, `taken over in ${takeoverMs} ms`);
    await a.kill('SIGCONT');
    // Woken up, it either has its commit refused (FENCED) or notices the lost lease on renewal first.
    await a.waitForLine(/commit fenced|shard released/, 10_000);
    const acknowledged = await producing;
    await drained(keys);
    await assertExactlyOnce(
      client,
      keys,
      SHARDS,
      FAULT_WINDOW,
      acknowledged.map((e) => e.id),
    );
  });

  test('three workers over eight shards: kill one, add one — one live owner per shard within 2 × TTL, exact totals', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const shards = 8;
    await installDefinitions(client, keys, [FAULT_WINDOW]);
    const env = { SHARDS: String(shards) };
    const workers = [aggregator(prefix, env), aggregator(prefix, env), aggregator(prefix, env)];
    const owners = async () =>
      Promise.all(
        Array.from(
          { length: shards },
          async (_, s) => (await client.get(keys.shard(s).lease('aggregator')))?.replace(/:\d+$/, '') ?? null,
        ),
      );
    const balanced = async (expectedWorkers: number) => {
      const current = await owners();
      if (current.some((o) => o === null)) return undefined;
      const counts = new Map<string, number>();
      for (const o of current) if (o) counts.set(o, (counts.get(o) ?? 0) + 1);
      const values = [...counts.values()];
      return counts.size === expectedWorkers && Math.max(...values) - Math.min(...values) <= 1
        ? current
        : undefined;
    };
    await eventually(() => balanced(3), 10 * LEASE_TTL_MS, 'three workers to balance');
    const producing = produce(client, keys, shards, { visitors: 60, events: 1800, eventsPerSecond: 300 });
    await new Promise((r) => setTimeout(r, 1_500));
    const victim = workers[0];
    assert.ok(victim);
    await victim.kill('SIGKILL');
    const killedMs = Date.now();
    await eventually(
      async () => {
        const current = await owners();
        const live = new Set(current);
        return current.every((o) => o !== null) && live.size === 2 ? true : undefined;
      },
      2 * LEASE_TTL_MS + 1_000,
      'the survivors to own every shard',
    );
    const recoveredMs = Date.now() - killedMs;
    assert.ok(recoveredMs <= 2 * LEASE_TTL_MS + 500, `recovered in ${recoveredMs} ms`);
    aggregator(prefix, env);
    await eventually(() => balanced(3), 10 * LEASE_TTL_MS, 'the new worker to get its share');
    const acknowledged = await producing;
    await drained(keys, shards);
    await assertExactlyOnce(
      client,
      keys,
      shards,
      FAULT_WINDOW,
      acknowledged.map((e) => e.id),
    );
  });

  test('an idle shard still closes its windows on time (tick entries)', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    await installDefinitions(client, keys, [FAULT_WINDOW]);
    aggregator(prefix);
    // Only visitors that map to shards 0–2: shard 3 stays idle.
    const { shardFor } = await import('../../lib/streams/shard-map');
    const busyVisitors = Array.from({ length: 200 }, (_, i) => `idle-test-${i}`).filter(
      (v) => shardFor(v, SHARDS) !== 3,
    );
    const acknowledged = await produce(client, keys, SHARDS, {
      visitors: busyVisitors.length,
      visitorIds: busyVisitors,
      events: 300,
      eventsPerSecond: 300,
    });
    const lastMs = Math.max(
      ...(await readLog(client, keys, SHARDS)).flat().map((i) => (i.kind === 'events' ? i.ingestMs : 0)),
    );
    const startedMs = Date.now();
    await drained(keys);
    const ot = await observedTimes(client, keys, SHARDS, FAULT_WINDOW);
    assert.ok((ot[3] ?? 0) >= lastMs, `the idle shard's observed time moved (${ot[3]} ≥ ${lastMs})`);
    assert.ok(
      Date.now() - startedMs < 5_000,
      'windows closed within seconds, not held back by the idle shard',
    );
    const idleLog = (await readLog(client, keys, SHARDS))[3] ?? [];
    assert.ok(
      idleLog.every((i) => i.kind === 'tick') && idleLog.length > 0,
      'the idle shard holds only ticks',
    );
    assert.equal(acknowledged.filter((e) => shardFor(e.visitor, SHARDS) === 3).length, 0);
  });

  test('event time far in the past or future is clamped, and late events are counted per window', async () => {
    const prefix = testPrefix();
    const keys = createKeys(prefix);
    const eventTimeWindow = defineWindow({
      id: 'event_time_counts',
      version: 1,
      name: 'Event-time counts',
      type: 'tumbling',
      time: 'event',
      sizeMs: 60_000,
      graceMs: 1_000,
      aggregates: [{ name: 'events', fn: 'count' }],
    });
    await installDefinitions(client, keys, [eventTimeWindow]);
    aggregator(prefix);
    const nowMs = Date.now();
    await produce(client, keys, SHARDS, {
      visitors: 1,
      events: 1,
      eventsPerSecond: 100,
      visitorPrefix: 'clock-',
      overrides: { ts: nowMs },
    });
    await produce(client, keys, SHARDS, {
      visitors: 1,
      events: 1,
      eventsPerSecond: 100,
      visitorPrefix: 'clock-',
      overrides: { ts: nowMs + 3_600_000 },
    });
    await produce(client, keys, SHARDS, {
      visitors: 1,
      events: 1,
      eventsPerSecond: 100,
      visitorPrefix: 'clock-',
      overrides: { ts: nowMs - 3 * 86_400_000 },
    });
    const ref = definitionRef(eventTimeWindow);
    const shard = (await readLog(client, keys, SHARDS)).findIndex((entries) =>
      entries.some((i) => i.kind === 'events'),
    );
    const log = (await readLog(client, keys, SHARDS))[shard] ?? [];
    const ingest = log.filter((i) => i.kind === 'events').map((i) => i.ingestMs);
    const futureIngest = ingest[1] ?? 0;
    const pastIngest = ingest[2] ?? 0;
    // Future: clamped to ingest + 5 s, so it lands in that minute, not an hour ahead.
    const futureWindow = Math.floor((futureIngest + 5_000) / 60_000) * 60_000;
    // Past: clamped to ingest − 24 h; that window closed long ago (the future event moved OT ahead): late.
    const pastWindow = Math.floor((pastIngest - 86_400_000) / 60_000) * 60_000;
    const late = await eventually(
      async () =>
        (await client.hget(keys.shard(shard).aggLate, `${ref}|demo|${pastWindow}|${pastWindow + 60_000}`)) ??
        undefined,
      10_000,
      'the past event to be counted late',
    );
    assert.equal(late, '1');
    const live = await eventually(
      async () => {
        const json = await client.hget(keys.shard(shard).aggLive, ref);
        const windows = json ? (JSON.parse(json) as { windows: Array<{ start: number }> }).windows : [];
        return windows.some((w) => w.start === futureWindow) ? windows : undefined;
      },
      10_000,
      'the future event in its clamped window',
    );
    assert.ok(
      live.every((w) => w.start < nowMs + 3_000_000),
      'nothing an hour ahead',
    );
    assert.ok(streamIdMs(log[0]?.id ?? '0-0') > 0);
  });
});
