import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { validateEvents } from '../../lib/events/collect-request';
import { createKeys } from '../../lib/redis/keys';
import { decodeEntry } from '../../lib/streams/entry';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { CHROME_UA, startTestServer, type TestServer } from '../helpers/test-server';

/** Values that tend to break parsers: wrong types, huge and odd strings, nesting. */
const junk = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 600 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('javascript:alert(1)'),
  fc.constant('<img src=x onerror=alert(1)>'),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(
    fc.string({ maxLength: 70 }),
    fc.oneof(fc.string({ maxLength: 600 }), fc.integer(), fc.object()),
    { maxKeys: 35 },
  ),
);

const validEvent = fc.record({
  id: fc.stringMatching(/^[A-Za-z0-9_-]{8,24}$/),
  type: fc.constantFrom('pageview', 'click', 'signup', 'engagement'),
  url: fc.webUrl({ validSchemes: ['https'] }).filter((u) => u.length < 2000),
  props: fc.option(
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 10 }),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
      { maxKeys: 5 },
    ),
    { nil: undefined },
  ),
});

const maybeBrokenEvent = fc.oneof(
  validEvent,
  fc.record(
    { id: junk, type: junk, url: junk, ts: junk, referrer: junk, props: junk, target: junk },
    { requiredKeys: [] },
  ),
  junk,
);

describe('collect fuzzing against the real server and Redis', () => {
  let redis: TestRedis;
  let server: TestServer;
  let prefix: string;
  before(async () => {
    redis = await startTestRedis();
    prefix = testPrefix();
    server = await startTestServer(redis.url, prefix);
  });
  after(async () => {
    await server.close();
    await redis.stop();
  });

  test('random bodies never get a 5xx and never crash the server', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 2000 }),
      fc.json(),
      fc
        .record({
          site: fc.oneof(fc.constant('demo'), junk),
          events: fc.oneof(fc.array(maybeBrokenEvent, { maxLength: 12 }), junk),
        })
        .map((b) => JSON.stringify(b)),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('text/plain', 'application/json'), async (text, contentType) => {
        const response = await fetch(`${server.baseUrl}/api/collect`, {
          method: 'POST',
          headers: { 'Content-Type': contentType, 'User-Agent': CHROME_UA },
          body: text,
        });
        assert.ok(response.status < 500, `status ${response.status} for ${text.slice(0, 200)}`);
        const json = (await response.json()) as Record<string, unknown>;
        assert.ok(response.status === 202 || typeof json['error'] === 'string');
      }),
      { numRuns: 300 },
    );
    assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200);
  });

  test('in a mixed batch every valid event is stored exactly once, even when the batch is sent twice', async () => {
    const keys = createKeys(prefix);
    await fc.assert(
      fc.asyncProperty(
        fc.array(maybeBrokenEvent, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 250 }),
        async (events, ipSuffix) => {
          // Ids must be unique across runs for the exactly-once count to be meaningful.
          const batch = events.map((e) =>
            typeof e === 'object' && e !== null && 'id' in e && typeof e.id === 'string'
              ? { ...e, id: `${e.id}${Math.random().toString(36).slice(2, 10)}` }
              : e,
          );
          const expected = validateEvents(batch, Date.now()).events.map((e) => e.event.id);
          const send = () =>
            fetch(`${server.baseUrl}/api/collect`, {
              method: 'POST',
              headers: {
                'Content-Type': 'text/plain',
                'User-Agent': CHROME_UA,
                'X-Forwarded-For': `198.51.100.${ipSuffix}`,
              },
              body: JSON.stringify({ site: 'demo', events: batch }),
            });
          const first = await send();
          const second = await send();
          assert.equal(first.status, expected.length > 0 ? 202 : 400);
          assert.equal(second.status, first.status);
          const counts = new Map<string, number>();
          for (let shard = 0; shard < 4; shard++) {
            for (const [id, fields] of await redis.client.xrange(keys.shard(shard).stream, '-', '+')) {
              const entry = decodeEntry(id, fields);
              if (entry.kind === 'events')
                for (const e of entry.events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
            }
          }
          for (const id of expected)
            assert.equal(counts.get(id), 1, `event ${id} stored ${counts.get(id) ?? 0} times`);
        },
      ),
      { numRuns: 60 },
    );
  });
});
