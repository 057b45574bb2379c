import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import vm from 'node:vm';
import { parseCollectBody } from '../../lib/events/collect-request';
import { buildSnippet, SNIPPET_BUDGET_BYTES } from '../../scripts/build-snippet';

let code = '';
let gzipBytes = 0;

before(async () => {
  ({ code, gzipBytes } = await buildSnippet());
});

test('the snippet fits its gzip budget', (t) => {
  t.diagnostic(
    `snippet: ${Buffer.byteLength(code)} bytes, ${gzipBytes} bytes gzipped (budget ${SNIPPET_BUDGET_BYTES})`,
  );
  assert.ok(gzipBytes <= SNIPPET_BUDGET_BYTES, `${gzipBytes} > ${SNIPPET_BUDGET_BYTES} bytes gzipped`);
});

test('the snippet parses and never writes cookies or storage', () => {
  assert.doesNotThrow(() => new vm.Script(code));
  assert.doesNotMatch(code, /cookie/i);
  assert.doesNotMatch(code, /setItem|removeItem|sessionStorage|indexedDB/);
});

// ---------------------------------------------------------------------------------------------------------
// Behaviour: the built script in a node:vm context with the smallest fake browser it needs. The clock and
// the timers are fake (the snippet only uses Date.now and setTimeout); fetch and sendBeacon record bodies,
// after checking that the server's parser (lib/events/collect-request.ts) accepts every event in them.

/** An event as the snippet sends it (short keys, lib/events/schema.ts). */
interface WireEvent {
  i: string;
  n: string;
  u: string;
  d: number;
  t: string;
  r?: string;
  p?: Record<string, unknown>;
  g?: Record<string, unknown>;
  m?: number;
  w?: number;
}

interface Sent {
  via: 'fetch' | 'beacon';
  url: string;
  at: number;
  init?: RequestInit;
  body: { s: string; e: WireEvent[]; x?: number };
}

interface FakeOptions {
  attrs?: Record<string, string>;
  storage?: Record<string, string>;
  webdriver?: boolean;
  /** Code run in the page before the snippet (e.g. the queue stub). */
  before?: string;
  /** Statuses the fake server answers with, in order (then `thenStatus`); 0 = network error. */
  statuses?: number[];
  thenStatus?: number;
}

const START = 1_750_000_000_000;

function fakeBrowser(options: FakeOptions = {}) {
  let url = new URL('https://shop.example/a?x=1');
  let clock = START;
  const sent: Sent[] = [];
  const timers: Array<{ at: number; fn: () => void }> = [];
  const listeners: Record<string, Array<(e: unknown) => void>> = {};
  const writes: string[] = [];
  const refused: string[] = [];
  const statuses = [...(options.statuses ?? [])];
  const attrs: Record<string, string> = { 'data-site': 'demo', ...options.attrs };
  const record = (via: Sent['via'], target: unknown, body: unknown, init?: RequestInit) => {
    // Every body must pass the server's own parser without a single rejected event (checked by settle()
    // and events(): an assertion thrown inside fetch would only look like a network error to the snippet).
    const parsed = parseCollectBody(String(body), clock);
    if (!parsed.ok || parsed.value.rejected.length > 0) refused.push(String(body));
    sent.push({ via, url: String(target), at: clock, init, body: JSON.parse(String(body)) });
  };

  const document = {
    currentScript: {
      src: 'https://riffle.example/js/script.js',
      getAttribute: (name: string) => attrs[name] ?? null,
    },
    referrer: 'https://search.example/',
    title: 'Shop',
    hidden: false,
    set cookie(value: string) {
      writes.push(`cookie=${value}`);
    },
  };
  const storage = new Proxy(
    { ...options.storage },
    {
      set(target, key, value) {
        writes.push(`localStorage.${String(key)}`);
        return Reflect.set(target, key, value);
      },
    },
  );
  const navigate = (to: string) => {
    url = new URL(to, url);
  };
  const sandbox = {
    document,
    navigator: {
      webdriver: options.webdriver ?? false,
      doNotTrack: null,
      sendBeacon: (target: unknown, body: unknown) => {
        record('beacon', target, body);
        return true;
      },
    },
    location: {
      get href() {
        return url.href;
      },
      get host() {
        return url.host;
      },
      get hostname() {
        return url.hostname;
      },
    },
    history: {
      pushState: (_state: unknown, _title: string, to: string) => navigate(to),
      replaceState: (_state: unknown, _title: string, to: string) => navigate(to),
    },
    localStorage: storage,
    innerWidth: 1280,
    crypto: globalThis.crypto,
    URL,
    Date: { now: () => clock },
    addEventListener: (type: string, fn: (e: unknown) => void) => {
      listeners[type] ??= [];
      listeners[type]?.push(fn);
    },
    setTimeout: (fn: () => void, ms = 0) => timers.push({ at: clock + ms, fn }),
    fetch: async (target: unknown, init: RequestInit) => {
      record('fetch', target, init.body, init);
      const status = statuses.shift() ?? options.thenStatus ?? 200;
      if (status === 0) throw new TypeError('Failed to fetch');
      return { ok: status >= 200 && status < 300, status };
    },
  };
  const context = vm.createContext(sandbox);
  vm.runInContext('var window = globalThis;', context);
  if (options.before) vm.runInContext(options.before, context);
  vm.runInContext(code, context);

  return {
    sent,
    writes,
    run: (source: string) => vm.runInContext(source, context),
    /** Fires a window event (the snippet listens on window, capture phase). */
    dispatch: (type: string, event: object = {}) => {
      for (const fn of listeners[type] ?? []) fn({ type, ...event });
    },
    setHidden: (hidden: boolean) => {
      document.hidden = hidden;
    },
    tick: (ms: number) => {
      clock += ms;
    },
    /** Runs the timers in time order (moving the clock) and settles fetch promises, until none is left. */
    async settle() {
      for (let i = 0; i < 1000; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (next === undefined) return assert.deepEqual(refused, [], 'bodies the server would refuse');
        clock = Math.max(clock, next.at);
        next.fn();
      }
      throw new Error('timers never settled');
    },
    events: () => {
      assert.deepEqual(refused, [], 'bodies the server would refuse');
      return sent.flatMap((s) => s.body.e);
    },
  };
}

const QUEUE_STUB = 'window.riffle=window.riffle||function(){(riffle.q=riffle.q||[]).push(arguments)};';

/** A fake DOM element: just what the click handler reads. */
interface FakeElement {
  localName: string;
  id: string;
  classList: string[];
  textContent: string;
  attributes: Array<{ name: string; value: string }>;
  getAttribute: (name: string) => string | null;
  closest: (selector: string) => object | null;
  href?: string;
  host?: string;
}

function element(fields: {
  localName: string;
  id?: string;
  classes?: string[];
  text?: string;
  attrs?: Record<string, string>;
  href?: string;
  host?: string;
  /** The nearest ancestor with an id. */
  withId?: { id: string };
}): FakeElement {
  const el: FakeElement = {
    localName: fields.localName,
    id: fields.id ?? '',
    classList: fields.classes ?? [],
    textContent: fields.text ?? '',
    attributes: Object.entries(fields.attrs ?? {}).map(([name, value]) => ({ name, value })),
    getAttribute: (name) => fields.attrs?.[name] ?? null,
    // Every fake is its own `a, button, [data-riffle-event]` match.
    closest: (selector) => (selector === '[id]' ? (fields.id ? el : (fields.withId ?? null)) : el),
    href: fields.href,
    host: fields.host,
  };
  return el;
}

describe('snippet behaviour (node:vm, fake browser)', () => {
  test('a pageview is queued and flushed with the short keys', async () => {
    const page = fakeBrowser();
    assert.equal(page.sent.length, 0, 'nothing is sent before the 1 s batching timer');
    await page.settle();
    assert.equal(page.sent.length, 1);
    const [request] = page.sent;
    assert.equal(request?.via, 'fetch');
    assert.equal(request?.at, START + 1000);
    assert.equal(request?.url, 'https://riffle.example/api/collect');
    assert.equal(request?.init?.method, 'POST');
    assert.equal(request?.init?.keepalive, true);
    assert.equal(typeof request?.init?.body, 'string');
    assert.equal(request?.body.s, 'demo');
    const [pageview] = page.events();
    assert.deepEqual(Object.keys(pageview ?? {}).sort(), ['d', 'i', 'n', 'r', 't', 'u', 'w']);
    assert.match(String(pageview?.i), /^[A-Za-z0-9]{12,64}$/);
    assert.equal(pageview?.n, 'pageview');
    assert.equal(pageview?.u, 'https://shop.example/a?x=1');
    assert.equal(pageview?.r, 'https://search.example/');
    assert.equal(pageview?.t, 'Shop');
    assert.equal(pageview?.w, 1280);
    assert.equal(pageview?.d, START);
    assert.deepEqual(page.writes, []);
  });

  test('data-api overrides the endpoint; data-auto="false" sends no automatic pageview', async () => {
    const page = fakeBrowser({ attrs: { 'data-api': 'https://collect.example/in', 'data-auto': 'false' } });
    page.run("history.pushState({}, '', '/b'); riffle('pageview');");
    await page.settle();
    assert.equal(page.sent[0]?.url, 'https://collect.example/in');
    assert.deepEqual(
      page.events().map((e) => [e.n, e.u]),
      [['pageview', 'https://shop.example/b']],
    );
  });

  test('calls queued by the stub before load are replayed, callbacks included', async () => {
    const page = fakeBrowser({
      before: `${QUEUE_STUB} var called = 0; riffle('signup', { props: { plan: 'pro' }, callback: function () { called++; } });`,
    });
    assert.equal(page.run('called'), 1);
    await page.settle();
    const events = page.events();
    assert.deepEqual(
      events.map((e) => e.n),
      ['pageview', 'signup'],
    );
    assert.deepEqual(events[1]?.p, { plan: 'pro' });
    assert.equal(typeof page.run('riffle'), 'function');
    assert.equal(page.run('riffle.q'), undefined, 'the stub is replaced');
  });

  test('SPA navigation: one pageview per distinct URL, the previous URL as referrer', async () => {
    const page = fakeBrowser();
    page.tick(2000);
    page.run(
      "history.pushState({}, '', '/b'); history.pushState({}, '', '/b'); history.replaceState({}, '', '/b');",
    );
    page.run("history.pushState({}, '', '/b#top');");
    await page.settle();
    assert.deepEqual(
      page.events().map((e) => [e.n, e.u, e.r ?? e.m]),
      [
        ['pageview', 'https://shop.example/a?x=1', 'https://search.example/'],
        ['engagement', 'https://shop.example/a?x=1', 2000],
        ['pageview', 'https://shop.example/b', 'https://shop.example/a?x=1'],
      ],
    );
    page.dispatch('hashchange');
    page.dispatch('popstate');
    await page.settle();
    assert.deepEqual(
      page.events().map((e) => e.u),
      [
        'https://shop.example/a?x=1',
        'https://shop.example/a?x=1',
        'https://shop.example/b',
        'https://shop.example/b', // engagement on /b
        'https://shop.example/b#top',
      ],
      'a new hash counts once, on hashchange',
    );
    const ids = page.events().map((e) => e.i);
    assert.equal(new Set(ids).size, ids.length, 'every event has its own id');
  });

  test('localStorage.riffle_ignore = "true" suppresses sending but still calls callbacks', async () => {
    const page = fakeBrowser({ storage: { riffle_ignore: 'true' } });
    page.run("var called = 0; riffle('signup', { callback: function () { called++; } });");
    page.dispatch('pagehide');
    await page.settle();
    assert.equal(page.run('called'), 1);
    assert.deepEqual(page.sent, []);
  });

  test('automation and local pages are skipped unless allowed', async () => {
    const bot = fakeBrowser({ webdriver: true });
    await bot.settle();
    assert.deepEqual(bot.sent, []);
    const tested = fakeBrowser({ webdriver: true, before: 'window.__riffle_test = true;' });
    await tested.settle();
    assert.equal(tested.sent.length, 1);
    const local = fakeBrowser({ before: "history.pushState({}, '', 'http://localhost:3000/');" });
    await local.settle();
    assert.deepEqual(local.sent, []);
  });

  test('data-exclude globs: nothing is sent from an excluded page', async () => {
    const page = fakeBrowser({ attrs: { 'data-exclude': '/a, /admin/**, /u/*/edit' } });
    page.run("history.pushState({}, '', '/admin/x/y'); history.pushState({}, '', '/u/7/edit');");
    page.run("history.pushState({}, '', '/u/7/8/edit'); history.pushState({}, '', '/ok');");
    await page.settle();
    assert.deepEqual(
      page.events().map((e) => [e.n, e.u]),
      [
        ['pageview', 'https://shop.example/u/7/8/edit'],
        ['pageview', 'https://shop.example/ok'],
      ],
    );
  });

  test('clicks: selector, tag, text, href, outbound; data-riffle-event names a custom event', async () => {
    const page = fakeBrowser();
    const link = element({
      localName: 'a',
      classes: ['btn', 'primary', 'big'],
      text: '\n  Buy\n   now  ',
      attrs: { class: 'btn primary big', 'data-riffle-prop-plan': 'pro' },
      href: 'https://other.example/x',
      host: 'other.example',
      withId: { id: 'nav' },
    });
    const button = element({ localName: 'button', id: 'cta', attrs: { 'data-riffle-event': 'signup' } });
    page.dispatch('click', { target: link });
    page.dispatch('click', { target: button });
    await page.settle();
    const [, click, custom] = page.events();
    assert.equal(click?.n, 'click');
    assert.deepEqual(click?.g, {
      s: '#nav a.btn.primary',
      a: 'a',
      x: 'Buy now',
      h: 'https://other.example/x',
      o: true,
    });
    assert.deepEqual(click?.p, { plan: 'pro' });
    assert.equal(custom?.n, 'signup');
    assert.deepEqual(custom?.g, { s: '#cta', a: 'button', x: '' });
  });

  test('a 503 or a network error is retried with the same ids; a 400 is not', async () => {
    const page = fakeBrowser({ statuses: [503, 0, 429, 200] });
    await page.settle();
    assert.equal(page.sent.length, 4);
    const ids = page.sent.map((s) => s.body.e.map((e) => e.i).join());
    assert.equal(new Set(ids).size, 1, 'retries reuse the ids');

    const rejected = fakeBrowser({ statuses: [400] });
    await rejected.settle();
    assert.equal(rejected.sent.length, 1);
  });

  test('retries stop 8 minutes after the first attempt (the server dedupes for 10)', async () => {
    const page = fakeBrowser({ thenStatus: 503 });
    await page.settle();
    const first = page.sent[0]?.at ?? 0;
    const last = page.sent.at(-1)?.at ?? 0;
    assert.ok(page.sent.length > 5, `${page.sent.length} attempts`);
    assert.ok(last - first <= 8 * 60_000 + 30_000, `last retry ${last - first} ms after the first`);
    assert.ok(
      page.sent.slice(1).every((s, i) => s.at - (page.sent[i]?.at ?? 0) <= 30_000),
      'back-off capped at 30 s',
    );
  });

  test('the queue keeps the newest 200 events and reports the drops in "x"', async () => {
    const page = fakeBrowser();
    page.run("for (var k = 0; k < 250; k++) riffle('e' + k);");
    await page.settle();
    const events = page.events();
    assert.equal(events.length, 200);
    assert.equal(events.at(-1)?.n, 'e249');
    assert.equal(page.sent[0]?.body.x, 51, 'the pageview and 50 events were dropped');
    assert.ok(page.sent.slice(1).every((s) => !s.body.x));
    assert.ok(page.sent.every((s) => s.body.e.length <= 10));
  });

  test('hiding the page reports engagement; pagehide adds leave; both go through sendBeacon', async () => {
    const page = fakeBrowser();
    await page.settle();
    page.tick(4000);
    page.setHidden(true);
    page.dispatch('visibilitychange');
    page.tick(60_000);
    page.setHidden(false);
    page.dispatch('visibilitychange');
    page.tick(1500);
    page.dispatch('pagehide');
    page.events();
    const beacons = page.sent.filter((s) => s.via === 'beacon');
    assert.deepEqual(
      beacons.map((s) => s.body.e.map((e) => [e.n, e.m])),
      [
        [['engagement', 5000]],
        [
          ['engagement', 1500],
          ['leave', undefined],
        ],
      ],
    );
  });
});
