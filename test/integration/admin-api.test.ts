import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { definitionRef } from '../../lib/aggregation/definition-store';
import { createKeys } from '../../lib/redis/keys';
import { installDefinitions } from '../helpers/aggregation-oracle';
import { eventually, type ManagedProcess, startProcess } from '../helpers/processes';
import { startTestRedis, type TestRedis, testPrefix } from '../helpers/redis';
import { CHROME_UA, startTestServer, type TestServer } from '../helpers/test-server';

const PASSWORD = 'correct horse battery staple';
const SHARDS = 4;

describe('admin API (auth, CSRF, sites, windows) against a running aggregator', { timeout: 120_000 }, () => {
  let redis: TestRedis;
  let server: TestServer;
  let worker: ManagedProcess;
  let cookie = '';
  const prefix = testPrefix();
  const keys = createKeys(prefix);

  before(async () => {
    redis = await startTestRedis();
    server = await startTestServer(redis.url, prefix, {
      ADMIN_PASSWORD: PASSWORD,
      LOGIN_ATTEMPTS_PER_15_MIN: '3',
    });
    await installDefinitions(server.ctx.redis, keys, []);
    worker = startProcess('aggregator', 'workers/aggregator/main.ts', {
      REDIS_URL: redis.url,
      KEY_PREFIX: prefix,
      SHARDS: String(SHARDS),
      TICK_INTERVAL_MS: '200',
      LIVE_INTERVAL_MS: '100',
    });
  });
  after(async () => {
    await worker.kill('SIGTERM');
    await server.close();
    await redis.stop();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        Origin: server.baseUrl,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(cookie ? { Cookie: cookie } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  }

  test('anonymous requests are refused with 401', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/windows'],
      ['POST', '/api/admin/windows'],
      ['GET', '/api/admin/sites'],
      ['DELETE', '/api/admin/sites/demo'],
      ['GET', '/api/admin/health'],
    ] as const) {
      const { status, json } = await call(method, path, method === 'POST' ? {} : undefined);
      assert.equal(status, 401, `${method} ${path}`);
      assert.equal(json['field'], 'session');
    }
  });

  test('wrong passwords get 401, then 429 once the per-IP limit is used up; CSRF attempts get 403', async () => {
    const attempt = (password: string, ip: string, origin: string | null = server.baseUrl) =>
      call(
        'POST',
        '/api/admin/login',
        { password },
        { 'X-Forwarded-For': ip, ...(origin ? { Origin: origin } : { Origin: '' }) },
      );
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt('guess', '198.51.100.99')).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    assert.equal(
      (await attempt(PASSWORD, '198.51.100.99')).status,
      429,
      'even the right password waits out the limit',
    );
    assert.equal(
      (await attempt(PASSWORD, '198.51.100.1', 'https://evil.example')).status,
      403,
      'foreign Origin',
    );
    const noOrigin = await fetch(`${server.baseUrl}/api/admin/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }),
    });
    assert.equal(noOrigin.status, 403, 'no Origin and no Referer');

    const ok = await attempt(PASSWORD, '198.51.100.1');
    assert.equal(ok.status, 200);
    const setCookie = ok.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /riffle_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
    cookie = setCookie.split(';')[0] ?? '';
    assert.equal((await call('GET', '/api/admin/session')).json['authenticated'], true);
    // A logged-in browser tricked into a cross-site POST is still refused.
    const forged = await call(
      'POST',
      '/api/admin/windows',
      { sql: 'SELECT STREAM COUNT(*) FROM clicks' },
      { Origin: 'https://evil.example' },
    );
    assert.equal(forged.status, 403);
    const tampered = await fetch(`${server.baseUrl}/api/admin/windows`, {
      headers: { Cookie: `${cookie.slice(0, -3)}abc` },
    });
    assert.equal(tampered.status, 401, 'a tampered session cookie is rejected');
  });

  test('invalid definitions → 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ definition: { name: 'x', type: 'tumbling', aggregates: [{ name: 'n', fn: 'count' }] } }, 'sizeMs'],
      [
        {
          definition: { name: 'x', type: 'hopping', sizeMs: 1000, aggregates: [{ name: 'n', fn: 'count' }] },
        },
        'type',
      ],
      [{ definition: { name: 'x', type: 'tumbling', sizeMs: 1000, aggregates: [] } }, 'aggregates'],
      [
        {
          definition: {
            name: 'x',
            type: 'tumbling',
            sizeMs: 1000,
            groupBy: ['source_ip_address'],
            aggregates: [{ name: 'n', fn: 'count' }],
          },
        },
        'groupBy.0',
      ],
      [{ nothing: true }, 'definition'],
    ];
    for (const [body, field] of cases) {
      const { status, json } = await call('POST', '/api/admin/windows', body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(json['field'], field, JSON.stringify(json));
    }
  });

  test('sites: create (with the snippet), edit, verify, share, delete', async () => {
    const created = await call('POST', '/api/admin/sites', {
      id: 'shop',
      name: 'Shop',
      allowedOrigins: ['https://shop.example'],
      respectDnt: true,
    });
    assert.equal(created.status, 201);
    assert.equal(
      created.json['snippet'],
      `<script defer src="${server.baseUrl}/js/script.js" data-site="shop"></script>`,
    );
    assert.equal((await call('POST', '/api/admin/sites', { id: 'shop', name: 'Again' })).status, 409);
    assert.equal((await call('POST', '/api/admin/sites', { id: 'Bad Id', name: 'x' })).json['field'], 'id');
    const edited = await call('PATCH', '/api/admin/sites/shop', { name: 'Shop 2' });
    assert.deepEqual(
      [edited.status, edited.json['site']],
      [
        200,
        {
          id: 'shop',
          name: 'Shop 2',
          allowedOrigins: ['https://shop.example'],
          respectDnt: true,
          createdAtMs: (created.json['site'] as { createdAtMs: number }).createdAtMs,
        },
      ],
      'fields left out of a PATCH keep their values',
    );
    assert.equal((await call('GET', '/api/admin/sites/shop/verify')).json['installed'], false);
    await fetch(`${server.baseUrl}/api/collect`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'User-Agent': CHROME_UA },
      body: JSON.stringify({
        site: 'shop',
        events: [{ id: 'verify-0001', type: 'pageview', url: 'https://shop.example/' }],
      }),
    });
    assert.equal((await call('GET', '/api/admin/sites/shop/verify')).json['installed'], true);
    const share = await call('POST', '/api/admin/sites/shop/share', { expiresInHours: 1 });
    assert.equal(share.status, 201);
    assert.match(String(share.json['url']), /\/dashboard\/shop\?share=/);
    assert.equal((await call('DELETE', '/api/admin/sites/shop')).status, 200);
    assert.equal((await call('DELETE', '/api/admin/sites/shop')).status, 404);
  });

  test('a window created through the API runs within 1 s: a STAGGER window reproduces the Kinesis example', async () => {
    const created = await call('POST', '/api/admin/windows', {
      definition: {
        id: 'kinesis_stagger',
        name: 'Kinesis stagger example',
        // Only this site's events move its observed time (other tests' events carry the current time).
        site: 'demo',
        type: 'stagger',
        time: 'event',
        rangeMs: 60_000,
        graceMs: 0,
        groupBy: ['props.event_minute'],
        aggregates: [{ name: 'events', fn: 'count' }],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const ref = definitionRef({ id: 'kinesis_stagger', version: 1 });
    const createdMs = Date.now();
    await eventually(
      async () =>
        (
          await Promise.all(
            [0, 1, 2, 3].map((s) => server.ctx.redis.hget(keys.shard(s).aggState, `${ref}|#ot`)),
          )
        ).every((v) => v !== null)
          ? true
          : undefined,
      5_000,
      'every shard to run the new window',
      20,
    );
    assert.ok(Date.now() - createdMs <= 1_000, `running on every shard after ${Date.now() - createdMs} ms`);

    // The example's rows (ROWTIME / event minute), replayed two hours ago in event time, one visitor so one shard.
    const base = Math.floor((Date.now() - 2 * 3_600_000) / 3_600_000) * 3_600_000 + 11 * 60_000;
    const rows: Array<[number, string]> = [
      [20_000, '11:00'],
      [30_000, '11:00'],
      [65_000, '11:00'],
      [75_000, '11:01'],
      [600_000, 'later'], // moves observed time past both windows' end
    ];
    for (const [offsetMs, minute] of rows) {
      const response = await fetch(`${server.baseUrl}/api/collect`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', 'User-Agent': CHROME_UA, 'X-Forwarded-For': '81.2.69.50' },
        body: JSON.stringify({
          site: 'demo',
          events: [
            {
              id: `stagger-${offsetMs}`,
              type: 'trade',
              url: 'https://shop.example/',
              ts: base + offsetMs,
              props: { event_minute: minute },
            },
          ],
        }),
      });
      assert.equal(response.status, 202);
    }
    const results = await eventually(
      async () => {
        const response = await fetch(`${server.baseUrl}/api/stats/demo/kinesis_stagger`, {
          headers: { Cookie: cookie },
        });
        const body = (await response.json()) as {
          results: Array<{
            key: { 'props.event_minute': string };
            values: { events: number };
            final: boolean;
            start: number;
            end: number;
          }>;
        };
        // Not `final` across shards: idle shards' event-time clocks trail by 24 h (BRIEF §3), so another
        // shard could still receive events for these windows. The owning shard's FINALs are checked below.
        const rows = body.results.filter((r) => r.key['props.event_minute'] !== 'later');
        return rows.length === 2 ? rows : undefined;
      },
      10_000,
      'both stagger windows to close',
    );
    const byMinute = Object.fromEntries(
      results.map((r) => [r.key['props.event_minute'], [r.values.events, r.start - base, r.end - base]]),
    );
    assert.deepEqual(byMinute, { '11:00': [3, 20_000, 80_000], '11:01': [1, 75_000, 135_000] });
    const finals = await Promise.all(
      [0, 1, 2, 3].map((s) => server.ctx.redis.zcard(keys.shard(s).aggResults(ref))),
    );
    assert.equal(
      finals.reduce((a, b) => a + b, 0),
      2,
      'exactly two FINALs emitted (the "later" window is still open)',
    );
  });

  test('windows: pause, edit (a semantic change starts version 2), built-ins cannot be deleted', async () => {
    const created = await call('POST', '/api/admin/windows', {
      definition: {
        id: 'edit_me',
        name: 'Edit me',
        type: 'tumbling',
        sizeMs: 60_000,
        aggregates: [{ name: 'n', fn: 'count' }],
      },
    });
    assert.equal(created.status, 201);
    const paused = await call('PATCH', '/api/admin/windows/edit_me', { status: 'paused' });
    assert.deepEqual(
      [paused.json['status'], (paused.json['definition'] as { version: number }).version],
      ['paused', 1],
    );
    const renamed = await call('PATCH', '/api/admin/windows/edit_me', {
      definition: {
        name: 'Renamed',
        type: 'tumbling',
        sizeMs: 60_000,
        aggregates: [{ name: 'n', fn: 'count' }],
      },
    });
    assert.equal(
      (renamed.json['definition'] as { version: number }).version,
      1,
      'a new name is not a new version',
    );
    const resized = await call('PATCH', '/api/admin/windows/edit_me', {
      definition: {
        name: 'Renamed',
        type: 'tumbling',
        sizeMs: 30_000,
        aggregates: [{ name: 'n', fn: 'count' }],
      },
    });
    assert.equal((resized.json['definition'] as { version: number }).version, 2);
    const list = await call('GET', '/api/admin/windows');
    const ids = (list.json['windows'] as Array<{ definition: { id: string } }>).map((w) => w.definition.id);
    assert.ok(ids.includes('edit_me') && ids.includes('pageviews_1m'));
    assert.equal((await call('DELETE', '/api/admin/windows/pageviews_1m')).status, 409);
    const editBuiltin = await call('PATCH', '/api/admin/windows/pageviews_1m', {
      definition: { name: 'x', type: 'tumbling', sizeMs: 1_000, aggregates: [{ name: 'n', fn: 'count' }] },
    });
    assert.deepEqual([editBuiltin.status, editBuiltin.json['field']], [409, 'id']);
    assert.equal(
      (await call('PATCH', '/api/admin/windows/pageviews_1m', { status: 'paused' })).status,
      200,
      'built-ins can still be paused',
    );
    await call('PATCH', '/api/admin/windows/pageviews_1m', { status: 'running' });
    assert.equal((await call('DELETE', '/api/admin/windows/edit_me')).status, 200);
    assert.equal((await call('PATCH', '/api/admin/windows/edit_me', { status: 'running' })).status, 404);
  });

  test('SQL: a window written in the Kinesis dialect is created and shown back as SQL; a bad query names line and column', async () => {
    const sql = `CREATE OR REPLACE PUMP "pages_per_minute" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM path, COUNT(*) AS views
FROM SOURCE_SQL_STREAM_001
WHERE type = 'pageview'
GROUP BY path, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '1' MINUTE);`;
    const created = await call('POST', '/api/admin/windows', { sql, id: 'pages_per_minute' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const definition = created.json['definition'] as { type: string; sizeMs: number; groupBy: string[] };
    assert.deepEqual(
      [definition.type, definition.sizeMs, definition.groupBy],
      ['tumbling', 60_000, ['path']],
    );
    assert.match(String(created.json['sqlText']), /SELECT STREAM path, COUNT\(\*\) AS views/);
    assert.equal(created.json['sql'], sql, 'the text as written is kept');
    const edited = await call('PATCH', '/api/admin/windows/pages_per_minute', {
      definition: { ...definition, sizeMs: 120_000 },
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.json));
    assert.equal(edited.json['sql'], undefined, 'SQL text of the old version is not kept after a form edit');
    assert.match(String(edited.json['sqlText']), /INTERVAL '2' MINUTE/);

    const bad = await call('POST', '/api/admin/windows', {
      sql: "SELECT STREAM source_ip_address, COUNT(*)\nFROM clicks\nGROUP BY source_ip_address, STEP(clicks.ROWTIME BY INTERVAL '1' MINUTE)",
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json['field'], 'sql');
    assert.deepEqual([bad.json['line'], bad.json['column']], [1, 15]);
    assert.match(String(bad.json['error']), /unknown column source_ip_address; columns are: /);

    const preview = await call('POST', '/api/admin/windows/preview', { sql, site: 'demo', minutes: 60 });
    assert.equal(preview.status, 200, JSON.stringify(preview.json));
    assert.ok(Array.isArray(preview.json['results']));
    assert.equal(typeof preview.json['scannedEvents'], 'number');
    const unknownSite = await call('POST', '/api/admin/windows/preview', { sql, site: 'nope', minutes: 60 });
    assert.deepEqual([unknownSite.status, unknownSite.json['field']], [404, 'site']);
  });
});
