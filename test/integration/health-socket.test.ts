import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { issueToken, newSessionId } from '../../lib/admin/tokens';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lib/realtime/contract';
import { type Health, type HealthSubscribeReply, healthSchema } from '../../lib/realtime/health';
import { type RealtimeGateway, startRealtimeGateway } from '../../server/realtime/gateway';
import { eventually } from '../helpers/processes';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { postJson, shareTokenFor, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Live pipeline health over socket.io: an admin socket gets the same JSON as `GET /api/admin/health` about
 * once a second; share-token, anonymous and cross-site sockets are refused; unsubscribing, disconnecting
 * and an expiring session stop the messages, and the timer stops with the last subscriber. Two nodes on
 * one Redis (streams adapter): each subscriber still gets one message a second, not one per node.
 */

const PASSWORD = 'health socket password';
const SHARDS = 2;
const EVENTS = 7;

type HealthSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Node {
  server: TestServer;
  gateway: RealtimeGateway;
}

interface Watcher {
  socket: HealthSocket;
  messages: Array<{ atMs: number; health: Health }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pipeline health over socket.io', { timeout: 120_000 }, () => {
  let redis: TestRedis;
  let node: Node;
  let other: Node;
  let cookie = '';
  const sockets: HealthSocket[] = [];

  async function startNode(prefix: string): Promise<Node> {
    const server = await startTestServer(redis.url, prefix, {
      ADMIN_PASSWORD: PASSWORD,
      SHARDS: String(SHARDS),
    });
    const gateway = startRealtimeGateway(server.server, server.ctx);
    server.ctx.realtime = gateway;
    return { server, gateway };
  }

  before(async () => {
    redis = await startTestRedis();
    const prefix = testPrefix();
    node = await startNode(prefix);
    other = await startNode(prefix);
    const login = await fetch(`${node.server.baseUrl}/api/admin/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: node.server.baseUrl },
      body: JSON.stringify({ password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^riffle_session=/);

    const events = Array.from({ length: EVENTS }, (_, i) => ({
      id: randomBytes(9).toString('base64url'),
      type: 'pageview',
      url: `https://shop.example/p${i}`,
      ts: Date.now(),
    }));
    const collected = await postJson(
      node.server.baseUrl,
      '/api/collect',
      { site: 'demo', events },
      { 'X-Forwarded-For': '81.2.69.142' },
    );
    assert.equal(collected.status, 202);
    // Ingest counters are flushed once a second.
    await eventually(
      async () => ((await httpHealth()).counters['accepted'] === EVENTS ? true : undefined),
      10_000,
      'accepted counter',
    );
  });

  after(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const n of [node, other]) {
      await n?.gateway.close();
      await n?.server.close();
    }
    await redis?.stop();
  });

  async function httpHealth(): Promise<Health> {
    const response = await fetch(`${node.server.baseUrl}/api/admin/health`, { headers: { Cookie: cookie } });
    assert.equal(response.status, 200);
    return healthSchema.parse(await response.json());
  }

  async function connect(
    options: { cookie?: string; share?: string; origin?: string; on?: Node } = {},
  ): Promise<Watcher> {
    const headers: Record<string, string> = {};
    if (options.cookie !== undefined) headers['cookie'] = options.cookie;
    if (options.origin !== undefined) headers['origin'] = options.origin;
    const socket: HealthSocket = io((options.on ?? node).server.baseUrl, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: headers,
      ...(options.share === undefined ? {} : { auth: { share: options.share } }),
    });
    sockets.push(socket);
    const watcher: Watcher = { socket, messages: [] };
    socket.on('health', (health) => watcher.messages.push({ atMs: Date.now(), health }));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return watcher;
  }

  const subscribe = (watcher: Watcher): Promise<HealthSubscribeReply> =>
    watcher.socket.timeout(5_000).emitWithAck('health:subscribe');

  const waitForMessages = (watcher: Watcher, count: number, timeoutMs = 10_000) =>
    eventually(
      async () => (watcher.messages.length >= count ? true : undefined),
      timeoutMs,
      `${count} health messages`,
    );

  test('an admin socket gets the same JSON as GET /api/admin/health, about once a second', async () => {
    assert.deepEqual(node.gateway.healthStatus(), { subscribers: 0, running: false }, 'idle before');
    const admin = await connect({ cookie });
    assert.deepEqual(await subscribe(admin), { ok: true });
    assert.deepEqual(node.gateway.healthStatus(), { subscribers: 1, running: true });
    await waitForMessages(admin, 1, 5_000);

    const first = admin.messages[0]?.health;
    assert.ok(first);
    assert.deepEqual(healthSchema.parse(first), first, 'the message is what the schema describes');
    assert.equal(first.shards.length, SHARDS);
    assert.deepEqual(
      first.shards.map((s) => s.shard),
      [0, 1],
    );
    assert.equal(first.counters['accepted'], EVENTS);
    assert.equal(
      first.shards.reduce((sum, s) => sum + s.length, 0),
      1,
      'one request, one visitor: one stream entry',
    );
    // Nothing moves without an aggregator: the whole message equals the HTTP answer.
    const http = await httpHealth();
    assert.deepEqual(admin.messages.at(-1)?.health, http);

    const before = admin.messages.length;
    await sleep(3_200);
    const received = admin.messages.length - before;
    assert.ok(received >= 2 && received <= 4, `${received} messages in 3.2 s`);
    admin.socket.disconnect();
    await eventually(
      async () => (node.gateway.healthStatus().running ? undefined : true),
      3_000,
      'timer stopped after the disconnect',
    );
    assert.equal(node.gateway.healthStatus().subscribers, 0);
  });

  test('share-token, anonymous and cross-site sockets are refused and get nothing', async () => {
    const shared = await connect({ share: await shareTokenFor(node.server.ctx, 'demo') });
    assert.deepEqual(await subscribe(shared), { ok: false, error: 'admin session required' });
    const anonymous = await connect();
    assert.deepEqual(await subscribe(anonymous), { ok: false, error: 'admin session required' });
    const tampered = await connect({ cookie: `${cookie.slice(0, -3)}abc` });
    assert.deepEqual(await subscribe(tampered), { ok: false, error: 'admin session required' });
    const crossSite = await connect({ cookie, origin: 'https://evil.example' });
    assert.deepEqual(await subscribe(crossSite), {
      ok: false,
      error: 'cross-site socket refused: Origin must be this server',
    });
    const sameSite = await connect({ cookie, origin: node.server.baseUrl });
    assert.deepEqual(await subscribe(sameSite), { ok: true }, 'the admin page itself sends its Origin');
    sameSite.socket.disconnect();

    await sleep(1_500);
    for (const watcher of [shared, anonymous, tampered, crossSite]) {
      assert.equal(watcher.messages.length, 0);
      watcher.socket.disconnect();
    }
  });

  test('unsubscribing stops the messages; the timer runs while anybody else still watches', async () => {
    const [a, b] = [await connect({ cookie }), await connect({ cookie })];
    assert.deepEqual(await subscribe(a), { ok: true });
    assert.deepEqual(await subscribe(b), { ok: true });
    await waitForMessages(a, 1);
    await waitForMessages(b, 1);

    a.socket.emit('health:unsubscribe');
    await eventually(
      async () => (node.gateway.healthStatus().subscribers === 1 ? true : undefined),
      3_000,
      'one subscriber left',
    );
    const stoppedAt = a.messages.length;
    const bBefore = b.messages.length;
    await sleep(2_500);
    assert.equal(a.messages.length, stoppedAt, 'no messages after health:unsubscribe');
    assert.ok(b.messages.length - bBefore >= 1, 'the other subscriber still gets them');
    assert.equal(node.gateway.healthStatus().running, true);

    b.socket.emit('health:unsubscribe');
    await eventually(
      async () => (node.gateway.healthStatus().running ? undefined : true),
      3_000,
      'timer stopped with the last subscriber',
    );
    const bStopped = b.messages.length;
    await sleep(1_500);
    assert.equal(b.messages.length, bStopped);

    // Subscribing again restarts it.
    assert.deepEqual(await subscribe(a), { ok: true });
    await waitForMessages(a, stoppedAt + 1);
    a.socket.disconnect();
    b.socket.disconnect();
  });

  test('a session that expires while subscribed stops getting messages', async () => {
    const key = await node.server.ctx.signingKey.get();
    const token = issueToken(key, { kind: 'session', sid: newSessionId(), exp: Date.now() + 2_000 });
    const watcher = await connect({ cookie: `riffle_session=${encodeURIComponent(token)}` });
    assert.deepEqual(await subscribe(watcher), { ok: true });
    await waitForMessages(watcher, 1);
    await eventually(
      async () => (node.gateway.healthStatus().subscribers === 0 ? true : undefined),
      5_000,
      'the expired session dropped',
    );
    const count = watcher.messages.length;
    await sleep(1_500);
    assert.equal(watcher.messages.length, count);
    watcher.socket.disconnect();
  });

  test('two nodes on one Redis: each subscriber gets its own node’s messages once, not once per node', async () => {
    const here = await connect({ cookie });
    const there = await connect({ cookie, on: other });
    assert.deepEqual(await subscribe(here), { ok: true });
    assert.deepEqual(await subscribe(there), { ok: true });
    await waitForMessages(here, 1);
    await waitForMessages(there, 1);
    const [hereBefore, thereBefore] = [here.messages.length, there.messages.length];
    await sleep(3_200);
    for (const [name, watcher, before] of [
      ['node 1', here, hereBefore],
      ['node 2', there, thereBefore],
    ] as const) {
      const received = watcher.messages.length - before;
      assert.ok(received >= 2 && received <= 4, `${name}: ${received} messages in 3.2 s`);
    }
    assert.deepEqual(here.messages.at(-1)?.health.counters, there.messages.at(-1)?.health.counters);
    here.socket.disconnect();
    there.socket.disconnect();
  });
});
