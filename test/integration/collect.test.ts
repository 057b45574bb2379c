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
      if (entry.kind === 'events') entry.events.forEach((event, index) => out.push({ shard, streamId, index, event }));
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
      { ...pageview('/pricing'), type: 'click', target: { selector: '#buy', tag: 'button', text: '  Buy   now ' } },
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
    assert.ok(stored.every((s) => !JSON.stringify(s.event).includes('81.2.69.142')), 'raw IP never stored');
  });
});
