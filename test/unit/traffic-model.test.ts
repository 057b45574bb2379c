import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { describe, test } from 'node:test';
import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import { PLANS, PRODUCTS } from '../../app/demo/catalogue';
import { parseCollectBody, validateEvents } from '../../lib/events/collect-request';
import { Arrivals, arrivalProfile } from '../../scripts/traffic/arrivals';
import { isPublicIpv4, randomPublicIpv4 } from '../../scripts/traffic/ip';
import { isLoopbackHost, parseTrafficArgs } from '../../scripts/traffic/options';
import { Rng, type Weighted } from '../../scripts/traffic/prng';
import { pickLanding, REFERRER_MIX } from '../../scripts/traffic/referrers';
import { retryAfterMs } from '../../scripts/traffic/sender';
import {
  estimateVisitorShape,
  MAX_PAGES,
  sampleSessionLength,
  sessionLengthWeights,
  TrafficModel,
  type VisitorPlan,
} from '../../scripts/traffic/session';
import { pickUserAgent, USER_AGENTS } from '../../scripts/traffic/user-agents';

/**
 * The traffic generator's pure parts. Every sample is drawn from a seeded generator, so these tests are
 * deterministic; the tolerances below are what a change of the model must still meet, and each is at least
 * 3 standard deviations of the sampling error for 10 000 draws (σ ≤ 0.005 for any proportion).
 */

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const BASE = 'http://127.0.0.1:3000';
const SAMPLES = 10_000;
/** Allowed absolute gap between a drawn proportion and its weight. */
const PROPORTION_TOLERANCE = 0.015;

function visitors(seed: string, n: number, thinkScale = 1): VisitorPlan[] {
  const model = new TrafficModel({ seed, baseUrl: BASE, thinkScale, nowMs: NOW });
  return Array.from({ length: n }, () => model.nextVisitor());
}

function assertProportions<T>(drawn: readonly T[], weights: readonly Weighted<T>[], label: string): void {
  const total = weights.reduce((sum, w) => sum + w.weight, 0);
  for (const { value, weight } of weights) {
    const observed = drawn.filter((d) => d === value).length / drawn.length;
    const expected = weight / total;
    assert.ok(
      Math.abs(observed - expected) <= PROPORTION_TOLERANCE,
      `${label} ${String(value)}: drew ${observed.toFixed(4)}, weight ${expected.toFixed(4)}`,
    );
  }
}

describe('seeded randomness', () => {
  test('the same seed gives the same numbers, another seed others', () => {
    const draw = (seed: string) => {
      const rng = new Rng(seed);
      return Array.from({ length: 100 }, () => rng.next());
    };
    assert.deepEqual(draw('a'), draw('a'));
    assert.notDeepEqual(draw('a'), draw('b'));
    assert.ok(draw('a').every((x) => x >= 0 && x < 1));
  });

  test('a seeded run is deterministic: same visitors, paths, ids and timings', () => {
    assert.deepEqual(visitors('riffle', 300, 0.05), visitors('riffle', 300, 0.05));
    assert.notDeepEqual(visitors('riffle', 50), visitors('elffir', 50));
  });

  test('the arrival process is deterministic too', () => {
    const shape = estimateVisitorShape('riffle', 0.05, 500);
    const times = () => {
      const arrivals = new Arrivals(new Rng('arrivals'), arrivalProfile(0.2, shape));
      return Array.from({ length: 200 }, () => arrivals.next());
    };
    assert.deepEqual(times(), times());
  });
});

describe('generated events', () => {
  const plans = visitors('validation', 2000, 0.05);
  const events = plans.flatMap((plan) => plan.events.map((planned) => ({ ...planned.event, ts: NOW })));

  test('pass the server validation, in snippet-sized batches', () => {
    for (const plan of plans) {
      const batch = plan.events.map((planned) => ({ ...planned.event, ts: NOW + planned.atMs }));
      for (let i = 0; i < batch.length; i += 10) {
        const { events: valid, rejected } = validateEvents(batch.slice(i, i + 10), NOW);
        assert.deepEqual(rejected, []);
        assert.equal(valid.length, Math.min(10, batch.length - i));
      }
    }
    const parsed = parseCollectBody(JSON.stringify({ site: 'demo', events: events.slice(0, 100) }), NOW);
    assert.ok(parsed.ok && parsed.value.rejected.length === 0);
  });

  test('have unique ids of at least 12 letters and digits', () => {
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
    for (const event of events) assert.match(event.id, /^[A-Za-z0-9]{12,}$/);
  });

  test('walk the demo shop like the snippet reports it', () => {
    const paths = new Set(['/demo', '/demo/products', '/demo/cart', '/demo/signup']);
    for (const product of PRODUCTS) paths.add(`/demo/products/${product.slug}`);
    const planValues = new Set<string>(PLANS.map((plan) => plan.value));
    const slugs = new Set(PRODUCTS.map((product) => product.slug));
    for (const plan of plans) {
      const list = plan.events.map((planned) => planned.event);
      const offsets = plan.events.map((planned) => planned.atMs);
      assert.deepEqual(
        offsets,
        offsets.toSorted((a, b) => a - b),
        'events are in time order',
      );
      assert.equal(list[0]?.type, 'pageview');
      assert.equal(list[0]?.referrer, plan.landing.referrer);
      assert.deepEqual(
        list.slice(-2).map((e) => e.type),
        ['engagement', 'leave'],
      );
      const pageviews = list.filter((e) => e.type === 'pageview');
      assert.equal(pageviews.length, plan.pageviews);
      assert.ok(plan.pageviews >= 1 && plan.pageviews <= plan.plannedPages);
      list.forEach((event, i) => {
        const url = new URL(event.url);
        assert.equal(url.origin, BASE);
        assert.ok(paths.has(url.pathname), url.pathname);
        // As from the snippet: only pageviews carry a referrer and the viewport width.
        assert.equal(event.referrer !== undefined, event.type === 'pageview', `${event.type} referrer`);
        assert.equal(event.screenWidth !== undefined, event.type === 'pageview', `${event.type} width`);
        if (event.type === 'pageview' && i > 0) {
          // Internal navigation: click on a link to this page, engagement of the page left, pageview.
          const [click, engagement] = [list[i - 2], list[i - 1]];
          assert.equal(click?.target?.href, event.url);
          assert.equal(click?.target?.outbound, false);
          assert.equal(engagement?.type, 'engagement');
          assert.equal(engagement?.url, event.referrer);
          assert.equal(click?.url, event.referrer);
        }
        if (event.type === 'engagement')
          assert.ok(Number.isInteger(event.engagedMs) && (event.engagedMs ?? 0) > 0);
        if (event.type === 'add_to_cart') assert.ok(slugs.has(String(event.props?.['product'])));
        if (event.type === 'signup') assert.ok(planValues.has(String(event.props?.['plan'])));
        if (event.type === 'click') assert.ok(event.target?.tag === 'a' || event.target?.tag === 'button');
        if (event.target?.outbound) assert.ok(event.target.href?.startsWith('https://'));
      });
    }
    const types = new Set(events.map((e) => e.type));
    for (const type of ['pageview', 'click', 'add_to_cart', 'signup', 'checkout', 'engagement', 'leave']) {
      assert.ok(types.has(type), `some ${type} event`);
    }
    assert.ok(
      events.some((e) => e.target?.outbound === true),
      'some outbound click',
    );
  });
});

describe('distributions over 10 000 samples', () => {
  test('session length: 1–12 pages, geometric, mean 4 ± 0.1', () => {
    const weights = sessionLengthWeights();
    const theoreticalMean = weights.reduce((sum, w) => sum + w.value * w.weight, 0);
    assert.ok(Math.abs(theoreticalMean - 4) < 0.05, `model mean ${theoreticalMean}`);
    const rng = new Rng('lengths');
    const lengths = Array.from({ length: SAMPLES }, () => sampleSessionLength(rng));
    assert.ok(lengths.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_PAGES));
    const mean = lengths.reduce((a, b) => a + b, 0) / SAMPLES;
    assert.ok(Math.abs(mean - 4) <= 0.1, `mean ${mean}`); // σ of the mean ≈ 0.03
    assertProportions(lengths, weights, 'length');
    // Geometric: each length is less likely than the one before.
    for (let k = 1; k < MAX_PAGES; k++) assert.ok((weights[k]?.weight ?? 0) < (weights[k - 1]?.weight ?? 0));
  });

  test('pageviews per visit: mean 3.5–4 (outbound clicks end some visits early)', () => {
    const plans = visitors('pageviews', SAMPLES);
    const mean = plans.reduce((sum, plan) => sum + plan.pageviews, 0) / SAMPLES;
    assert.ok(mean >= 3.5 && mean <= 4, `mean ${mean}`);
  });

  test('landing referrers follow their weights; campaigns carry their UTM tags', () => {
    const rng = new Rng('referrers');
    const landings = Array.from({ length: SAMPLES }, () => pickLanding(rng, NOW));
    assertProportions(
      landings.map((landing) => landing.kind),
      REFERRER_MIX,
      'referrer',
    );
    for (const landing of landings) {
      if (landing.kind === 'direct') assert.deepEqual([landing.referrer, landing.query], ['', '']);
      if (landing.kind === 'newsletter') {
        assert.equal(landing.query, 'utm_source=newsletter&utm_medium=email&utm_campaign=november');
      }
      if (landing.kind === 'paid') {
        assert.match(
          landing.query,
          /^utm_source=google&utm_medium=cpc&utm_campaign=spring_sale&gclid=\w{20,}$/,
        );
      }
      if (landing.referrer !== '') assert.ok(URL.canParse(landing.referrer));
    }
  });

  test('user agents follow their weights, are not bots, and parse as their device class', () => {
    const rng = new Rng('agents');
    const names = Array.from({ length: SAMPLES }, () => pickUserAgent(rng).name);
    assertProportions(
      names,
      USER_AGENTS.map((w) => ({ value: w.value.name, weight: w.weight })),
      'user agent',
    );
    for (const { value: profile } of USER_AGENTS) {
      assert.equal(isbot(profile.userAgent), false, profile.name);
      const device = new UAParser(profile.userAgent).getDevice().type;
      assert.equal(device ?? 'desktop', profile.device, profile.name);
    }
  });

  test('visitor IPs are public unicast IPv4 addresses', () => {
    const special = new BlockList();
    for (const [net, prefix] of [
      ['0.0.0.0', 8],
      ['10.0.0.0', 8],
      ['100.64.0.0', 10],
      ['127.0.0.0', 8],
      ['169.254.0.0', 16],
      ['172.16.0.0', 12],
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['192.88.99.0', 24],
      ['192.168.0.0', 16],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['224.0.0.0', 3],
    ] as const) {
      special.addSubnet(net, prefix, 'ipv4');
    }
    const rng = new Rng('ips');
    for (let i = 0; i < SAMPLES; i++) {
      const ip = randomPublicIpv4(rng);
      assert.equal(special.check(ip, 'ipv4'), false, ip);
      assert.ok(isPublicIpv4(ip));
    }
    assert.equal(isPublicIpv4('192.168.1.1'), false);
    assert.equal(isPublicIpv4('8.8.8.8'), true);
  });
});

describe('arrivals', () => {
  test('the event rate holds from the first second (±15% per second, ±5% overall)', () => {
    const rate = 5000; // High, so that per-second sampling noise (≈ 4%) stays well inside the tolerance.
    const seconds = 20;
    const shape = estimateVisitorShape('rate', 0.05);
    const arrivals = new Arrivals(new Rng('rate-arrivals'), arrivalProfile(rate / 1000, shape));
    const model = new TrafficModel({ seed: 'rate-visits', baseUrl: BASE, thinkScale: 0.05, nowMs: NOW });
    const perSecond = new Array<number>(seconds).fill(0);
    for (let t = arrivals.next(); t < seconds * 1000; t = arrivals.next()) {
      for (const planned of model.nextVisitor().events) {
        const second = Math.floor((t + planned.atMs) / 1000);
        if (second < seconds) perSecond[second] = (perSecond[second] ?? 0) + 1;
      }
    }
    perSecond.forEach((n, second) => {
      assert.ok(Math.abs(n / rate - 1) <= 0.15, `second ${second}: ${n} events`);
    });
    const mean = perSecond.reduce((a, b) => a + b, 0) / seconds;
    assert.ok(Math.abs(mean / rate - 1) <= 0.05, `mean ${mean} events/s`);
  });
});

describe('options', () => {
  test('defaults, help and bounds', () => {
    assert.deepEqual(parseTrafficArgs([], BASE), {
      kind: 'ok',
      options: { rate: 200, durationS: 60, url: BASE, site: 'demo', seed: undefined, allowRemote: false },
    });
    assert.deepEqual(parseTrafficArgs(['--help'], BASE), { kind: 'help' });
    const custom = parseTrafficArgs(
      ['--rate', '50', '--duration', '5', '--seed', 's', '--url', `${BASE}/`],
      BASE,
    );
    assert.ok(custom.kind === 'ok');
    assert.deepEqual([custom.options.rate, custom.options.durationS, custom.options.seed], [50, 5, 's']);
    assert.equal(custom.options.url, BASE);
    for (const bad of [
      ['--duration', '3601'],
      ['--rate', '0'],
      ['--rate', 'fast'],
      ['--site', 'Bad Site'],
      ['--url', 'ftp://127.0.0.1/'],
      ['--nope'],
    ]) {
      assert.equal(parseTrafficArgs(bad, BASE).kind, 'error', bad.join(' '));
    }
  });

  test('loopback only, unless --allow-remote', () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '[::ffff:7f00:1]']) {
      assert.ok(isLoopbackHost(host), host);
    }
    for (const host of [
      'example.com',
      '10.0.0.1',
      '0.0.0.0',
      '[::]',
      '[2001:db8::1]',
      'localhost.example.com',
    ]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
    assert.equal(parseTrafficArgs(['--url', 'https://riffle.example.com'], BASE).kind, 'error');
    assert.equal(
      parseTrafficArgs(['--url', 'https://riffle.example.com', '--allow-remote'], BASE).kind,
      'ok',
    );
    assert.equal(parseTrafficArgs(['--url', 'http://[::1]:3000'], BASE).kind, 'ok');
  });

  test('Retry-After is read in seconds and capped', () => {
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs('3600'), 10_000);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });
});
