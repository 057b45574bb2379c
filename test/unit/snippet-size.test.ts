import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import vm from 'node:vm';
import { buildSnippet, SNIPPET_BUDGET_BYTES } from '../../scripts/build-snippet';

let code = '';

before(async () => {
  ({ code } = await buildSnippet());
});

test('the snippet fits its gzip budget', async (t) => {
  const { gzipBytes } = await buildSnippet();
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
// Behaviour: the built script in a node:vm context with the smallest fake browser it needs. Timers are
// manual (the snippet only uses setTimeout), fetch/sendBeacon record what they are given.

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
  init?: RequestInit;
  body: { s: string; e: WireEvent[]; x?: number };
}

interface FakeOptions {
  attrs?: Record<string, string>;
  storage?: Record<string, string>;
  webdriver?: boolean;
  /** Code run in the page before the snippet (e.g. the queue stub). */
  before?: string;
  /** Statuses the fake server answers with, in order (then 200); 0 = network error. */
  statuses?: number[];
}

function fakeBrowser(options: FakeOptions = {}) {
  let url = new URL('https://shop.example/a?x=1');
  const sent: Sent[] = [];
  const timers: Array<() => void> = [];
  const listeners: Record<string, Array<(e: unknown) => void>> = {};
  const writes: string[] = [];
  const statuses = [...(options.statuses ?? [])];
  const attrs: Record<string, string> = { 'data-site': 'demo', ...options.attrs };
  const listen = (prefix: string) => (type: string, fn: (e: unknown) => void) => {
    listeners[prefix + type] ??= [];
    listeners[prefix + type]?.push(fn);
  };
  const record = (via: Sent['via'], target: unknown, body: unknown, init?: RequestInit) =>
    sent.push({ via, url: String(target), init, body: JSON.parse(String(body)) });

  const document = {
    currentScript: {
      src: 'https://riffle.example/js/script.js',
      getAttribute: (name: string) => attrs[name] ?? null,
    },
    referrer: 'https://search.example/',
    title: 'Shop',
    hidden: false,
    addEventListener: listen('document:'),
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
      pushState: (_state: unknown, _title: string, to: string) => {
        url = new URL(to, url);
      },
      replaceState: (_state: unknown, _title: string, to: string) => {
        url = new URL(to, url);
      },
    },
    localStorage: storage,
    innerWidth: 1280,
    crypto: globalThis.crypto,
    URL,
    addEventListener: listen('window:'),
    setTimeout: (fn: () => void) => timers.push(fn),
    fetch: async (target: unknown, init: RequestInit) => {
      record('fetch', target, init.body, init);
      const status = statuses.shift() ?? 200;
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
    context,
    run: (source: string) => vm.runInContext(source, context),
    dispatch: (target: 'window' | 'document', type: string, event: object = {}) => {
      for (const fn of listeners[`${target}:${type}`] ?? []) fn({ type, ...event });
    },
    setHidden: (hidden: boolean) => {
      document.hidden = hidden;
    },
    /** Runs every due timer and settles the fetch promises, until nothing is left. */
    async settle() {
      for (let i = 0; i < 100; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        const due = timers.splice(0);
        if (due.length === 0) return;
        for (const fn of due) fn();
      }
      throw new Error('timers never settled');
    },
    events: () => sent.flatMap((s) => s.body.e),
  };
}

const QUEUE_STUB = 'window.riffle=window.riffle||function(){(riffle.q=riffle.q||[]).push(arguments)};';

describe('snippet behaviour (node:vm, fake browser)', () => {
  test('a pageview is queued and flushed with the short keys', async () => {
    const page = fakeBrowser();
    assert.equal(page.sent.length, 0, 'nothing is sent before the 1 s batching timer');
    await page.settle();
    assert.equal(page.sent.length, 1);
    const [request] = page.sent;
    assert.equal(request?.via, 'fetch');
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
    assert.equal(typeof pageview?.d, 'number');
    assert.deepEqual(page.writes, []);
  });

  test('data-api overrides the endpoint', async () => {
    const page = fakeBrowser({ attrs: { 'data-api': 'https://collect.example/in' } });
    await page.settle();
    assert.equal(page.sent[0]?.url, 'https://collect.example/in');
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
    page.run(
      "history.pushState({}, '', '/b'); history.pushState({}, '', '/b'); history.replaceState({}, '', '/b');",
    );
    await page.settle();
    const pageviews = page.events().filter((e) => e.n === 'pageview');
    assert.deepEqual(
      pageviews.map((e) => [e.u, e.r]),
      [
        ['https://shop.example/a?x=1', 'https://search.example/'],
        ['https://shop.example/b', 'https://shop.example/a?x=1'],
      ],
    );
    const ids = page.events().map((e) => e.i);
    assert.equal(new Set(ids).size, ids.length, 'every event has its own id');
  });

  test('localStorage.riffle_ignore = "true" suppresses sending but still calls callbacks', async () => {
    const page = fakeBrowser({ storage: { riffle_ignore: 'true' } });
    page.run("var called = 0; riffle('signup', { callback: function () { called++; } });");
    page.dispatch('window', 'pagehide');
    await page.settle();
    assert.equal(page.run('called'), 1);
    assert.deepEqual(page.sent, []);
  });

  test('automation is skipped unless the test switch is set', async () => {
    const bot = fakeBrowser({ webdriver: true });
    await bot.settle();
    assert.deepEqual(bot.sent, []);
    const tested = fakeBrowser({ webdriver: true, before: 'window.__riffle_test = true;' });
    await tested.settle();
    assert.equal(tested.sent.length, 1);
  });

  test('a 503 is retried with the same ids; a 400 is not', async () => {
    const page = fakeBrowser({ statuses: [503, 0, 200] });
    await page.settle();
    assert.equal(page.sent.length, 3);
    const ids = page.sent.map((s) => s.body.e.map((e) => e.i).join());
    assert.equal(new Set(ids).size, 1, 'retries reuse the ids');

    const rejected = fakeBrowser({ statuses: [400] });
    await rejected.settle();
    assert.equal(rejected.sent.length, 1);
  });

  test('page hide reports engagement and leave through sendBeacon', async () => {
    const page = fakeBrowser();
    await page.settle();
    page.dispatch('window', 'pagehide');
    const beacons = page.sent.filter((s) => s.via === 'beacon');
    assert.equal(beacons.length, 1);
    const types = beacons[0]?.body.e.map((e) => e.n);
    assert.equal(types?.at(-1), 'leave');
  });
});
