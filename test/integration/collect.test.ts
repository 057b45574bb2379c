import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { EnrichedEvent } from '../../lib/events/enriched';
import { createKeys } from '../../lib/redis/keys';
import { decodeEntry } from '../../lib/streams/entry';
import { shardFor } from '../../lib/streams/shard-map';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { CHROME_UA, postJson, startTestServer, type TestServer } from '../helpers/test-server';

const id = () => randomBytes(9).toString('base64url');

function pageview(path: string, extra: Record<string, unknown> = {}) {
  return { id: id(), type: 'pageview', url: `https://shop.example${path}`, ts: Date.now(), ...extra };
}

interface StoredEvent {
  shard: number;
  streamId: string;
  index: number;
  event: EnrichedEvent;
}

async function storedEvents(redis: TestRedis, prefix: string, shards = 4): Promise<StoredEvent[]> {
  const keys = createKeys(prefix);
  const out: StoredEvent[] = [];
  for (let shard = 0; shard < shards; shard++) {
    for (const [streamId, fields] of await redis.client.xrange(keys.shard(shard).stream, '-', '+')) {
      const entry = decodeEntry(streamId, fields);
      if (entry.kind === 'events')
        for (const [index, event] of entry.events.entries()) out.push({ shard, streamId, index, event });
    }
  }
  return out;
}

describe('POST /api/collect against a real redis-server', () => {
  let redis: TestRedis;
  let server: TestServer;
  let prefix: string;

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await server?.close();
    await redis.stop();
  });

  const fresh = async (env: Record<string, string> = {}) => {
    await server?.close();
    prefix = testPrefix();
    server = await startTestServer(redis.url, prefix, env);
  };

  test('a mixed batch: good events land enriched in their visitor’s shard, bad ones are rejected by field', async () => {
    await fresh();
    const good = [
      pageview('/pricing', {
        referrer: 'https://www.google.com/',
        title: 'Pricing',
        screenWidth: 1440,
      }),
      pageview('/blog/launch?utm_source=newsletter&utm_medium=email&utm_campaign=nov&gclid=abc'),
      {
        ...pageview('/pricing'),
        type: 'click',
        target: { selector: '#buy', tag: 'button', text: '  Buy   now ' },
      },
      { ...pageview('/signup'), type: 'signup', props: { plan: 'pro', seats: 3, trial: true } },
    ];
    const bad = [
      { ...pageview('/x'), url: 'ftp://nope' },
      { ...pageview('/x'), id: 'short' },
    ];
    const { status, json } = await postJson(
      server.baseUrl,
      '/api/collect',
      { site: 'demo', events: [good[0], bad[0], good[1], good[2], bad[1], good[3]] },
      { 'X-Forwarded-For': '81.2.69.142', 'User-Agent': CHROME_UA },
    );
    assert.equal(status, 202);
    assert.equal(json['accepted'], 4);
    assert.deepEqual(json['rejected'], [
      { index: 1, field: 'url', error: 'must be an absolute http(s) URL' },
      { index: 4, field: 'id', error: 'must be 8–64 characters of A–Z, a–z, 0–9, "_" or "-"' },
    ]);

    const stored = await storedEvents(redis, prefix);
    assert.equal(stored.length, 4);
    // One request, one visitor: all four share one shard and one stream entry, in request order.
    const visitor = stored[0]?.event.visitor ?? '';
    assert.match(visitor, /^[A-Za-z0-9_-]{16}$/);
    assert.ok(stored.every((s) => s.event.visitor === visitor && s.shard === shardFor(visitor, 4)));
    assert.equal(new Set(stored.map((s) => s.streamId)).size, 1);
    assert.deepEqual(
      stored.map((s) => s.event.id),
      good.map((g) => g.id),
    );
    const [first, second, click, custom] = stored.map((s) => s.event);
    assert.equal(first?.path, '/pricing');
    assert.equal(first?.host, 'shop.example');
    assert.equal(first?.source, 'Google');
    assert.equal(first?.sourceType, 'search');
    assert.equal(first?.browser, 'Chrome');
    assert.equal(first?.os, 'Windows');
    assert.equal(first?.device, 'desktop');
    assert.equal(first?.country, 'GB');
    assert.equal(second?.utm_source, 'newsletter');
    assert.equal(second?.utm_campaign, 'nov');
    assert.equal(second?.clickId, 'gclid');
    assert.equal(second?.sourceType, 'email');
    assert.deepEqual(click?.target, { selector: '#buy', tag: 'button', text: 'Buy now' });
    assert.deepEqual(custom?.props, { plan: 'pro', seats: 3, trial: true });
    assert.ok(
      stored.every((s) => !JSON.stringify(s.event).includes('81.2.69.142')),
      'raw IP never stored',
    );
  });

  test('a re-sent batch adds nothing and still reports every event accepted', async () => {
    await fresh();
    const batch = { site: 'demo', events: [pageview('/a'), pageview('/b'), pageview('/c')] };
    const first = await postJson(server.baseUrl, '/api/collect', batch);
    const again = await postJson(server.baseUrl, '/api/collect', batch);
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.deepEqual([first.json['accepted'], first.json['duplicates']], [3, 0]);
    assert.deepEqual([again.json['accepted'], again.json['duplicates']], [3, 3]);
    assert.equal((await storedEvents(redis, prefix)).length, 3);
  });

  test('whole-request errors answer the right status with a JSON body naming the field, and store nothing', async () => {
    await fresh();
    const cases: Array<[string, () => Promise<Response>, number, string]> = [
      ['65 KB body', () => post('/api/collect', 'x'.repeat(65 * 1024)), 413, 'body'],
      [
        '101 events',
        () =>
          post(
            '/api/collect',
            JSON.stringify({ site: 'demo', events: Array.from({ length: 101 }, () => pageview('/')) }),
          ),
        413,
        'events',
      ],
      ['malformed JSON', () => post('/api/collect', '{"site": "demo", '), 400, 'body'],
      ['missing site', () => post('/api/collect', JSON.stringify({ events: [pageview('/')] })), 400, 'site'],
      ['no events', () => post('/api/collect', JSON.stringify({ site: 'demo', events: [] })), 400, 'events'],
      [
        'only bad events',
        () => post('/api/collect', JSON.stringify({ site: 'demo', events: [{ id: 'x' }] })),
        400,
        'events',
      ],
      [
        'unknown site',
        () => post('/api/collect', JSON.stringify({ site: 'nope', events: [pageview('/')] })),
        404,
        'site',
      ],
      [
        'foreign origin',
        () =>
          post('/api/collect', JSON.stringify({ site: 'demo', events: [pageview('/')] }), {
            Origin: 'https://evil.example',
          }),
        403,
        'origin',
      ],
      [
        'form content type',
        () => post('/api/collect', 'a=b', { 'Content-Type': 'application/x-www-form-urlencoded' }),
        415,
        'content-type',
      ],
      ['GET', () => fetch(`${server.baseUrl}/api/collect`), 405, 'method'],
    ];
    for (const [name, send, status, field] of cases) {
      const response = await send();
      assert.equal(response.status, status, name);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/, name);
      const json = (await response.json()) as { error?: unknown; field?: unknown };
      assert.equal(json.field, field, name);
      assert.equal(typeof json.error, 'string', name);
    }
    assert.equal((await storedEvents(redis, prefix)).length, 0);
  });

  test('origins: the server’s own origin and the site’s allowlist may post; CORS echoes only them', async () => {
    await fresh();
    await server.ctx.sites.put({
      id: 'shop',
      name: 'Shop',
      allowedOrigins: ['https://shop.example', 'https://*.shop.example'],
      respectDnt: false,
      createdAtMs: 0,
    });
    const send = (origin: string) =>
      post('/api/collect', JSON.stringify({ site: 'shop', events: [pageview('/')] }), { Origin: origin });
    for (const origin of ['https://shop.example', 'https://www.shop.example', server.baseUrl]) {
      const response = await send(origin);
      assert.equal(response.status, 202, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
    }
    for (const origin of [
      'https://evilshop.example',
      'http://shop.example',
      'https://shop.example.evil.com',
    ]) {
      const response = await send(origin);
      assert.equal(response.status, 403, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
    }
    const preflight = await fetch(`${server.baseUrl}/api/collect`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  test('bots are dropped and counted, never stored; DNT is honoured only for sites that ask', async () => {
    await fresh();
    await server.ctx.sites.put({
      id: 'private',
      name: 'Private',
      allowedOrigins: [],
      respectDnt: true,
      createdAtMs: 0,
    });
    const bot = await postJson(
      server.baseUrl,
      '/api/collect',
      { site: 'demo', events: [pageview('/')] },
      { 'User-Agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
    );
    assert.equal(bot.status, 202);
    assert.deepEqual(bot.json['dropped'], { bot: 1, dnt: 0 });
    const dntDemo = await postJson(
      server.baseUrl,
      '/api/collect',
      { site: 'demo', events: [pageview('/')] },
      { DNT: '1' },
    );
    assert.equal(dntDemo.json['accepted'], 1);
    const gpcPrivate = await postJson(
      server.baseUrl,
      '/api/collect',
      { site: 'private', events: [pageview('/')] },
      { 'Sec-GPC': '1' },
    );
    assert.deepEqual(gpcPrivate.json['dropped'], { bot: 0, dnt: 1 });
    assert.equal((await storedEvents(redis, prefix)).length, 1);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    assert.match(metrics, /riffle_collect_events_total\{outcome="bot"\} 1/);
    assert.match(metrics, /riffle_collect_events_total\{outcome="dnt"\} 1/);
  });

  test('rate limits: per IP (requests) and per site (events) answer 429 with Retry-After', async () => {
    await fresh({ RATE_LIMIT_IP_PER_MINUTE: '3', RATE_LIMIT_SITE_PER_MINUTE: '0' });
    const send = (ip: string) =>
      postJson(
        server.baseUrl,
        '/api/collect',
        { site: 'demo', events: [pageview('/')] },
        { 'X-Forwarded-For': ip },
      );
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send('192.0.2.10')).status);
    assert.deepEqual(statuses, [202, 202, 202, 429, 429]);
    assert.equal((await send('192.0.2.11')).status, 202, 'another IP is not limited');
    const limited = await post('/api/collect', JSON.stringify({ site: 'demo', events: [pageview('/')] }), {
      'X-Forwarded-For': '192.0.2.10',
    });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(((await limited.json()) as { field: string }).field, 'ip');

    await fresh({ RATE_LIMIT_IP_PER_MINUTE: '0', RATE_LIMIT_SITE_PER_MINUTE: '5' });
    const three = { site: 'demo', events: [pageview('/'), pageview('/'), pageview('/')] };
    assert.equal((await postJson(server.baseUrl, '/api/collect', three)).status, 202);
    const over = await postJson(server.baseUrl, '/api/collect', three);
    assert.equal(over.status, 429);
    assert.equal(over.json['field'], 'site');
    assert.equal((await storedEvents(redis, prefix)).length, 3);
  });

  test('Plausible’s Events API shape is accepted at /api/event', async () => {
    await fresh();
    const ok = await postJson(
      server.baseUrl,
      '/api/event',
      {
        n: 'pageview',
        u: 'https://shop.example/docs?utm_source=hn',
        d: 'demo',
        r: null,
        p: '{"author":"ann"}',
      },
      { 'Content-Type': 'application/json' },
    );
    assert.equal(ok.status, 202);
    const named = await postJson(server.baseUrl, '/api/event', {
      name: 'Signup',
      url: 'https://shop.example/signup',
      domain: 'demo',
      props: { plan: 'pro' },
    });
    assert.equal(named.status, 202);
    const bad = await postJson(server.baseUrl, '/api/event', { name: 'Signup', domain: 'demo' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json['field'], 'url');
    const stored = (await storedEvents(redis, prefix)).map((s) => s.event);
    assert.deepEqual(stored.map((e) => [e.type, e.path]).sort(), [
      ['Signup', '/signup'],
      ['pageview', '/docs'],
    ]);
    assert.deepEqual(stored.find((e) => e.type === 'pageview')?.props, { author: 'ann' });
    assert.equal(stored.find((e) => e.type === 'pageview')?.utm_source, 'hn');
  });

  const post = (path: string, text: string, headers: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'User-Agent': CHROME_UA, ...headers },
      body: text,
    });
});
