import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnrichedEvent } from '../../lib/events/enriched';
import { BUILTIN_WINDOWS } from '../../lib/windows/builtins';
import type { WindowDefinition } from '../../lib/windows/definition';
import {
  type EngineInput,
  finalizeResult,
  mergeResultStates,
  WindowEngine,
  type WindowResult,
} from '../../lib/windows/engine';

/** active_visitors through the engine (the online_now built-in) and the dashboard's new breakdowns. */

const T = 1_700_000_000_000;
const MINUTE = 60_000;

function builtin(id: string): WindowDefinition {
  const def = BUILTIN_WINDOWS.find((d) => d.id === id);
  assert.ok(def, id);
  return def;
}

function event(visitor: string, type: string, over: Partial<EnrichedEvent> = {}): EnrichedEvent {
  return {
    id: `${visitor}-${type}`,
    site: 'shop',
    type,
    ts: 0,
    url: 'https://shop.example/',
    host: 'shop.example',
    path: '/',
    visitor,
    source: 'Direct / None',
    sourceType: 'direct',
    browser: 'Chrome',
    os: 'Linux',
    device: 'desktop',
    ...over,
  };
}
const at = (ms: number, visitor: string, type: string, over: Partial<EnrichedEvent> = {}): EngineInput => ({
  kind: 'event',
  ingestMs: T + ms,
  event: event(visitor, type, over),
});
const tick = (ms: number): EngineInput => ({ kind: 'tick', ingestMs: T + ms });

/** `[end − T, value]` of every FINAL, for the windows that had data. */
function finalsByEnd(def: WindowDefinition, finals: readonly WindowResult[], name: string) {
  return finals.map((f) => [f.end - T, finalizeResult(def, f.state)[name]] as const);
}

const VISITS: EngineInput[] = [
  at(0, 'v1', 'pageview'),
  at(0, 'v2', 'pageview'),
  at(10, 'v3', 'pageview'),
  at(1_500, 'v2', 'leave'),
  at(2_500, 'v2', 'pageview'),
  at(3_000, 'v3', 'engagement'),
  at(3_000, 'v3', 'leave'),
  at(3_000, 'v1', 'engagement'),
];

describe('active_visitors: online_now', () => {
  const online = builtin('online_now');

  test('a visitor who leaves drops out at the next step; one who comes back counts again; old visits slide out', () => {
    const engine = new WindowEngine(online);
    engine.applyAll([...VISITS, tick(10 * MINUTE)]);
    const finals = finalsByEnd(online, engine.drain().finals, 'visitors');
    // Windows end every second; the first three show leave / return, the last ones the 5 minutes sliding on.
    assert.deepEqual(finals.slice(0, 4), [
      [1_000, 3],
      [2_000, 2],
      [3_000, 3],
      [4_000, 2],
    ]);
    assert.deepEqual(finals.slice(-4), [
      [5 * MINUTE, 2], // [T, T + 5 min): everything; v3's leave is its latest event
      [5 * MINUTE + 1_000, 2], // [T + 1 s, …): v2's leave and return, v3's leave, v1's engagement
      [5 * MINUTE + 2_000, 2], // [T + 2 s, …): v2's return, v3's leave, v1's engagement
      [5 * MINUTE + 3_000, 1], // [T + 3 s, …): v3's leave, v1's engagement
    ]);
    // One FINAL per 1 s step whose window holds an event: ends T + 1 s … T + 5 min + 3 s.
    assert.equal(finals.length, 303);
  });

  test('live(): the last 5 minutes as of now, updated as visitors leave and return', () => {
    const engine = new WindowEngine(online);
    const seen: Array<[number, unknown]> = [];
    const ticks = [tick(5 * MINUTE + 1_000), tick(5 * MINUTE + 2_000), tick(5 * MINUTE + 3_000)];
    for (const input of [...VISITS, ...ticks]) {
      engine.apply(input);
      const [live] = engine.live();
      if (live !== undefined) seen.push([input.ingestMs - T, finalizeResult(online, live.state)['visitors']]);
    }
    assert.deepEqual(seen, [
      [0, 1],
      [0, 2],
      [10, 3],
      [1_500, 2],
      [2_500, 3],
      [3_000, 3],
      [3_000, 2],
      [3_000, 2], // v1's engagement: a change, the same count
      [5 * MINUTE + 1_000, 2], // the trailing window is now [T + 2 s, T + 5 min + 2 s)
      [5 * MINUTE + 2_000, 1], // [T + 3 s, …): v1 alone; at T + 5 min + 3 s nothing is left to report
    ]);
  });

  test("shards by visitor merge to one engine's FINALs (counts add; visitors never meet)", () => {
    const single = new WindowEngine(online);
    single.applyAll([...VISITS, tick(10 * MINUTE)]);
    const expected = finalsByEnd(online, single.drain().finals, 'visitors');
    const merged = new Map<number, string>();
    for (const shard of [['v1', 'v3'], ['v2']]) {
      const engine = new WindowEngine(online);
      engine.applyAll([
        ...VISITS.filter((i) => i.kind === 'event' && shard.includes(i.event.visitor)),
        tick(10 * MINUTE),
      ]);
      for (const f of engine.drain().finals) {
        const previous = merged.get(f.end);
        merged.set(f.end, previous === undefined ? f.state : mergeResultStates(online, previous, f.state));
      }
    }
    const actual = [...merged]
      .sort(([a], [b]) => a - b)
      .map(([end, state]) => [end - T, finalizeResult(online, state)['visitors']] as const);
    // Some windows show 0 in v2's shard (its leave is its latest event there): merging adds nothing.
    assert.deepEqual(actual, expected);
  });
});

describe('the dashboard breakdowns', () => {
  const events: EngineInput[] = [
    at(0, 'a', 'pageview', { utm_campaign: 'spring', referrerDomain: 'news.example', country: 'FR' }),
    at(100, 'a', 'signup', { utm_campaign: 'spring', country: 'FR' }),
    at(200, 'b', 'pageview', { referrerDomain: 'search.example', os: 'macOS', browser: 'Safari' }),
    at(300, 'b', 'click', { os: 'macOS', browser: 'Safari' }),
    at(400, 'c', 'download', { utm_campaign: 'launch', country: 'GB' }),
    at(500, 'c', 'engagement', { country: 'GB' }),
    at(600, 'c', 'leave', { country: 'GB' }),
    at(700, 'c', 'signup', { country: 'GB' }),
  ];
  const live = (id: string) => {
    const def = builtin(id);
    const engine = new WindowEngine(def);
    engine.applyAll(events);
    const [only, ...rest] = engine.live();
    assert.ok(only !== undefined && rest.length === 0, id);
    return finalizeResult(def, only.state);
  };
  const top = (pairs: Array<[string, number]>, other = 0) => ({
    top: pairs.map(([value, count]) => ({ value, count })),
    other,
  });

  test('campaigns and referrers count only events carrying the field (op "exists")', () => {
    assert.deepEqual(live('campaigns'), {
      campaigns: top([
        ['spring', 2],
        ['launch', 1],
      ]),
    });
    assert.deepEqual(live('referrers'), {
      referrers: top([
        ['news.example', 1],
        ['search.example', 1],
      ]),
    });
  });

  test('custom_events: every type but pageview, click, engagement and leave (op "not_in")', () => {
    assert.deepEqual(live('custom_events'), {
      events: top([
        ['signup', 2],
        ['download', 1],
      ]),
    });
  });

  test('browsers, operating systems and countries rank all events; a missing country is not counted', () => {
    assert.deepEqual(live('browsers'), {
      browsers: top([
        ['Chrome', 6],
        ['Safari', 2],
      ]),
    });
    assert.deepEqual(live('operating_systems'), {
      systems: top([
        ['Linux', 6],
        ['macOS', 2],
      ]),
    });
    assert.deepEqual(live('countries'), {
      countries: top([
        ['GB', 4],
        ['FR', 2],
      ]),
    });
  });

  test('events_1s: one count per second, final 1 s after the second ends', () => {
    const def = builtin('events_1s');
    const engine = new WindowEngine(def);
    engine.applyAll([...events, at(1_200, 'a', 'click'), tick(1_999)]);
    assert.deepEqual(finalsByEnd(def, engine.drain().finals, 'events'), []);
    engine.apply(tick(2_000));
    assert.deepEqual(finalsByEnd(def, engine.drain().finals, 'events'), [[1_000, 8]]);
  });
});
