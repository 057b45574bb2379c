import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnrichedEvent } from '../../lib/events/enriched';
import { BUILTIN_WINDOWS } from '../../lib/windows/builtins';
import {
  defineWindow,
  type WindowDefinition,
  type WindowDefinitionInput,
} from '../../lib/windows/definition';
import {
  type EngineDelta,
  type EngineInput,
  finalizeResult,
  MAX_GROUPS_PER_WINDOW,
  mergeResultStates,
  type Scalar,
  WindowEngine,
  type WindowResult,
} from '../../lib/windows/engine';

const DAY = 86_400_000;

function event(over: Partial<EnrichedEvent> = {}): EnrichedEvent {
  return {
    id: 'e',
    site: 'a',
    type: 'pageview',
    ts: 0,
    url: 'https://shop.example/',
    host: 'shop.example',
    path: '/',
    visitor: 'v1',
    source: 'Direct / None',
    sourceType: 'direct',
    browser: 'Chrome',
    os: 'Linux',
    device: 'desktop',
    ...over,
  };
}
const at = (ingestMs: number, over: Partial<EnrichedEvent> = {}): EngineInput => ({
  kind: 'event',
  ingestMs,
  event: event({ ts: ingestMs, ...over }),
});
const tick = (ingestMs: number): EngineInput => ({ kind: 'tick', ingestMs });

function def(over: Partial<WindowDefinitionInput>): WindowDefinition {
  return defineWindow({
    id: 'b',
    version: 1,
    name: 'boundaries',
    type: 'tumbling',
    sizeMs: 10,
    graceMs: 0,
    aggregates: [{ name: 'n', fn: 'count' }],
    ...over,
  } as WindowDefinitionInput);
}

interface Row {
  site: string;
  start: number;
  end: number;
  key: Record<string, Scalar> | null;
  [aggregate: string]: unknown;
}

/** Runs the inputs, returns everything drained plus a compact view of the FINALs. */
function run(d: WindowDefinition, inputs: EngineInput[], engine = new WindowEngine(d)) {
  engine.applyAll(inputs);
  const delta = engine.drain();
  const finals = delta.finals.map(
    (f): Row => ({
      site: f.site,
      start: f.start,
      end: f.end,
      key: f.key,
      ...finalizeResult(d, f.state),
    }),
  );
  return { engine, delta, finals };
}

describe('window boundaries', () => {
  test('an event at exactly `end` belongs to the next window', () => {
    const { finals } = run(def({}), [at(9), at(10), tick(100)]);
    assert.deepEqual(
      finals.map((f) => [f.start, f.end, f['n']]),
      [
        [0, 10, 1],
        [10, 20, 1],
      ],
    );
  });

  test('offset shifts the alignment: start = t − mod(t − offset, size)', () => {
    const { finals } = run(def({ offsetMs: 3 }), [at(2), at(3), at(12), at(13), tick(100)]);
    assert.deepEqual(
      finals.map((f) => [f.start, f.end, f['n']]),
      [
        [-7, 3, 1],
        [3, 13, 2],
        [13, 23, 1],
      ],
    );
  });

  test('tumbling: accepted at OT = end + grace − 1, late at OT = end + grace (counted per window)', () => {
    const d = def({ graceMs: 5 });
    const engine = new WindowEngine(d);
    engine.applyAll([at(0), tick(14), at(3, { ts: 3 })]);
    let delta = engine.drain();
    assert.deepEqual(delta.late, []);
    assert.deepEqual(delta.finals, []);
    engine.apply(tick(15));
    delta = engine.drain();
    assert.deepEqual(
      delta.finals.map((f) => [f.start, f.end, finalizeResult(d, f.state)['n']]),
      [[0, 10, 2]],
    );
    engine.applyAll([at(4), at(9), at(12)]);
    delta = engine.drain();
    assert.deepEqual(delta.late, [{ site: 'a', start: 0, end: 10, count: 2 }]);
  });

  test('sliding: an event is late only for the windows containing it that have closed', () => {
    const d = def({ type: 'sliding', sizeMs: 10, everyMs: 5 });
    const { delta, finals } = run(d, [at(0), at(10), at(7), tick(100)]);
    // OT = 10 closed [0,10): 7 is late there, and counted in [5,15).
    assert.deepEqual(delta.late, [{ site: 'a', start: 0, end: 10, count: 1 }]);
    assert.deepEqual(
      finals.map((f) => [f.start, f.end, f['n']]),
      [
        [0, 10, 1],
        [5, 15, 2],
        [10, 20, 1],
      ],
    );
  });

  test('session: events gap apart merge, gap + 1 apart do not', () => {
    const d = def({ type: 'session', sizeMs: undefined, gapMs: 10, graceMs: 100, groupBy: ['visitor'] });
    const merged = run(d, [at(0), at(10), tick(1000)]).finals;
    assert.deepEqual(
      merged.map((f) => [f.start, f.end, f['n']]),
      [[0, 11, 2]],
    );
    const split = run(d, [at(0), at(11), tick(1000)]).finals;
    assert.deepEqual(
      split.map((f) => [f.start, f.end, f['n']]),
      [
        [0, 1, 1],
        [11, 12, 1],
      ],
    );
  });

  test('session: a late-but-accepted event bridging two open sessions merges them into one FINAL', () => {
    const d = def({ type: 'session', sizeMs: undefined, gapMs: 5, graceMs: 20, groupBy: ['visitor'] });
    const engine = new WindowEngine(d);
    engine.applyAll([at(0), at(10)]);
    const before = engine.drain();
    assert.equal(before.upserts.length, 2);
    assert.deepEqual(
      engine.live().map((r) => [r.start, r.end]),
      [
        [0, 1],
        [10, 11],
      ],
    );
    engine.apply(at(5));
    const bridged = engine.drain();
    // The later session's cell is gone, the earlier one holds all three events.
    assert.deepEqual(bridged.deletes, [before.upserts[1]?.[0]]);
    assert.deepEqual(
      engine.live().map((r) => [r.start, r.end, finalizeResult(d, r.state)['n']]),
      [[0, 11, 3]],
    );
    const { finals } = run(d, [tick(30)], engine);
    assert.deepEqual(
      finals.map((f) => [f.start, f.end, f['n']]),
      [],
    );
    const closed = run(d, [tick(31)], engine).finals;
    assert.deepEqual(
      closed.map((f) => [f.start, f.end, f['n']]),
      [[0, 11, 3]],
    );
  });

  test('session: an event within gap of a closed session starts a new one (closed sessions are gone)', () => {
    const d = def({ type: 'session', sizeMs: undefined, gapMs: 5, graceMs: 0, groupBy: ['visitor'] });
    const { finals, delta } = run(d, [at(0), at(1, { visitor: 'v2' }), at(1), tick(100)]);
    assert.deepEqual(delta.late, []);
    assert.deepEqual(
      finals.filter((f) => f.key?.['visitor'] === 'v1').map((f) => [f.start, f.end]),
      [
        [0, 1],
        [1, 2],
      ],
    );
  });

  test('event time is clamped to [ingest − 24 h, ingest + 5 s]; ticks prove only ingest − 24 h', () => {
    const d = def({ time: 'event', sizeMs: 1000, graceMs: 0 });
    const ingest = 10 * DAY;
    const engine = new WindowEngine(d);
    engine.applyAll([
      { kind: 'event', ingestMs: ingest, event: event({ ts: ingest - 3 * DAY }) },
      { kind: 'event', ingestMs: ingest, event: event({ ts: ingest - 1500 }) },
      { kind: 'event', ingestMs: ingest, event: event({ ts: ingest + 60_000 }) },
    ]);
    assert.equal(engine.observedTimeMs, ingest + 5000);
    engine.apply(tick(ingest + 2 * DAY));
    const { finals } = run(d, [], engine);
    assert.deepEqual(
      finals.map((f) => [f.start - ingest, f['n']]),
      [
        [-DAY, 1],
        [-2000, 1],
        [5000, 1],
      ],
    );
    const idle = new WindowEngine(d);
    idle.apply(tick(ingest));
    assert.equal(idle.observedTimeMs, ingest - DAY);
  });

  test('ticks close windows on an idle engine', () => {
    const d = def({ sizeMs: 60_000, graceMs: 2_000 });
    const engine = new WindowEngine(d);
    engine.applyAll([at(1_000), tick(61_999)]);
    assert.deepEqual(engine.drain().finals, []);
    engine.apply(tick(62_000));
    const finals = engine.drain().finals;
    assert.deepEqual(
      finals.map((f) => [f.start, f.end, f.final]),
      [[0, 60_000, true]],
    );
    // Ticks never move OT back.
    engine.apply(tick(5));
    assert.equal(engine.observedTimeMs, 62_000);
  });

  test(`the group cap: ${MAX_GROUPS_PER_WINDOW} keys per window and site, the rest fold into "(other)" by arrival`, () => {
    const d = def({ groupBy: ['path', 'props.plan'] });
    const inputs = Array.from({ length: MAX_GROUPS_PER_WINDOW + 5 }, (_, i) =>
      at(1, { path: `/p${i}`, props: { plan: 'x' } }),
    );
    inputs.push(
      at(2, { path: '/p3', props: { plan: 'x' } }),
      at(2, { path: '/p1004', props: { plan: 'x' } }),
    );
    inputs.push(at(3, { site: 'b', path: '/p1004' }), tick(100));
    // Restoring midway must not reset the cap.
    const engine = new WindowEngine(d);
    engine.applyAll(inputs.slice(0, 990));
    const restored = new WindowEngine(d, {
      observedTimeMs: engine.observedTimeMs,
      cells: engine.drain().upserts,
    });
    const { finals } = run(d, inputs.slice(990), restored);
    const siteA = finals.filter((f) => f.site === 'a');
    assert.equal(siteA.length, MAX_GROUPS_PER_WINDOW + 1);
    const other = siteA.filter((f) => f.key?.['path'] === '(other)');
    assert.deepEqual(other, [
      { site: 'a', start: 0, end: 10, key: { path: '(other)', 'props.plan': '(other)' }, n: 6 },
    ]);
    assert.equal(siteA.find((f) => f.key?.['path'] === '/p3')?.['n'], 2);
    assert.deepEqual(
      finals.filter((f) => f.site === 'b').map((f) => f.key),
      [{ path: '/p1004', 'props.plan': null }],
    );
  });

  test('the group cap on sliding windows: keys of the earliest panes stay, the rest fold into "(other)"', () => {
    const d = def({ type: 'sliding', sizeMs: 2, everyMs: 1, groupBy: ['path'] });
    const inputs = [
      ...Array.from({ length: 600 }, (_, i) => at(0, { path: `/p${String(i).padStart(3, '0')}` })),
      ...Array.from({ length: 600 }, (_, i) => at(1, { path: `/q${String(i).padStart(3, '0')}` })),
      tick(100),
    ];
    const { finals } = run(d, inputs);
    const first = finals.filter((f) => f.start === 0);
    assert.equal(first.length, MAX_GROUPS_PER_WINDOW + 1);
    assert.equal(first.filter((f) => String(f.key?.['path']).startsWith('/p')).length, 600);
    assert.ok(
      first.some((f) => f.key?.['path'] === '/q399') && !first.some((f) => f.key?.['path'] === '/q400'),
    );
    assert.equal(first.find((f) => f.key?.['path'] === '(other)')?.['n'], 200);
    assert.equal(finals.filter((f) => f.start === 1).length, 600);
  });

  test('where is applied first: other events neither count, nor advance OT, nor are late', () => {
    const d = def({ where: { field: 'type', op: '=', value: 'pageview' } });
    const engine = new WindowEngine(d);
    engine.applyAll([at(0), at(100, { type: 'click' }), at(1, { type: 'click' })]);
    assert.equal(engine.observedTimeMs, 0);
    const delta = engine.drain();
    assert.deepEqual([delta.finals, delta.late], [[], []]);
    const { finals } = run(d, [tick(100)], engine);
    assert.deepEqual(
      finals.map((f) => f['n']),
      [1],
    );
  });

  test('where: in, not_in, prefix, exists, comparisons, and/or; a missing field equals nothing', () => {
    const cases: Array<[unknown, number]> = [
      [{ field: 'path', op: 'in', value: ['/a', '/b'] }, 2],
      [{ field: 'path', op: 'prefix', value: '/b' }, 2],
      [{ field: 'props.n', op: '>=', value: 2 }, 2],
      [{ field: 'props.n', op: '<', value: 2 }, 1],
      [{ field: 'props.n', op: '!=', value: 2 }, 3],
      [{ field: 'props.n', op: '=', value: '2' }, 0],
      [{ field: 'props.n', op: 'exists' }, 3],
      [{ field: 'props.n', op: 'exists', value: false }, 1],
      [{ field: 'props.n', op: 'not_in', value: [1, 3] }, 2],
      [{ field: 'path', op: 'not_in', value: ['/a', '/b'] }, 2],
      [
        {
          and: [
            { field: 'path', op: '=', value: '/a' },
            { field: 'props.n', op: '=', value: 1 },
          ],
        },
        1,
      ],
      [
        {
          or: [
            { field: 'path', op: '=', value: '/c' },
            { field: 'props.n', op: '>', value: 2 },
          ],
        },
        2,
      ],
    ];
    for (const [where, count] of cases) {
      const d = def({ where } as Partial<WindowDefinitionInput>);
      const { finals } = run(d, [
        at(1, { path: '/a', props: { n: 1 } }),
        at(2, { path: '/b', props: { n: 2 } }),
        at(3, { path: '/bb', props: { n: 3 } }),
        at(4, { path: '/c' }),
        tick(100),
      ]);
      assert.equal(finals[0]?.['n'] ?? 0, count, JSON.stringify(where));
    }
  });

  test('per-aggregate where: sessions count pageviews next to all events (a bounce = 1 pageview)', () => {
    const sessions = BUILTIN_WINDOWS.find((w) => w.id === 'sessions');
    assert.ok(sessions);
    const { finals } = run(sessions, [
      at(1_000, { type: 'pageview', path: '/a' }),
      at(2_000, { type: 'click', path: '/a' }),
      at(3_000, { type: 'engagement', path: '/b' }),
      at(4_000, { visitor: 'v2', type: 'pageview' }),
      tick(10 * 3_600_000),
    ]);
    const v1 = finals.find((f) => f.key?.['visitor'] === 'v1');
    assert.deepEqual(v1, {
      site: 'a',
      start: 1_000,
      end: 3_001,
      key: { visitor: 'v1' },
      events: 3,
      pageviews: 1,
      first_ts: 1_000,
      last_ts: 3_000,
      pages: 2,
    });
  });

  test('the site filter ignores other sites; without it results are per site', () => {
    const only = run(def({ site: 'a' }), [at(1), at(50, { site: 'b' }), tick(100)]);
    assert.deepEqual(
      only.finals.map((f) => [f.site, f.start]),
      [['a', 0]],
    );
    assert.equal(only.engine.observedTimeMs, 100);
    const all = run(def({}), [at(1, { site: 'b' }), at(2), at(3, { site: 'b' }), tick(100)]);
    assert.deepEqual(
      all.finals.map((f) => [f.site, f['n']]),
      [
        ['a', 1],
        ['b', 2],
      ],
    );
  });

  test('live(): open windows changed since the previous call, never closed ones', () => {
    const d = def({ groupBy: ['path'], graceMs: 5 });
    const engine = new WindowEngine(d);
    engine.applyAll([at(1, { path: '/a' }), at(2, { path: '/b' })]);
    const keys = (results: WindowResult[]) => results.map((r) => [r.start, r.key?.['path'], r.final]);
    assert.deepEqual(keys(engine.live()), [
      [0, '/a', false],
      [0, '/b', false],
    ]);
    assert.deepEqual(engine.live(), []);
    engine.applyAll([at(3, { path: '/b' }), at(12, { path: '/a' })]);
    assert.deepEqual(keys(engine.live()), [
      [0, '/b', false],
      [10, '/a', false],
    ]);
    engine.applyAll([at(4, { path: '/a' }), tick(15)]);
    assert.deepEqual(engine.live(), []);
  });

  test('stagger emits FINALs only', () => {
    const d = def({ type: 'stagger', sizeMs: undefined, rangeMs: 10, groupBy: ['path'] });
    const engine = new WindowEngine(d);
    engine.applyAll([at(1), at(2)]);
    assert.deepEqual(engine.live(), []);
  });

  test('visitor counts leave the shard as numbers and add up when merged; HLL states merge by register', () => {
    const d = def({
      aggregates: [
        { name: 'visitors', fn: 'count_distinct', field: 'visitor' },
        { name: 'paths', fn: 'count_distinct', field: 'path' },
      ],
    });
    const shard1 = run(d, [
      at(1, { visitor: 'a', path: '/x' }),
      at(2, { visitor: 'b', path: '/y' }),
      tick(100),
    ]);
    const shard2 = run(d, [at(1, { visitor: 'c', path: '/x' }), tick(100)]);
    const [s1] = shard1.delta.finals;
    const [s2] = shard2.delta.finals;
    assert.ok(s1 && s2);
    assert.equal(JSON.parse(s1.state)[0], 2);
    assert.deepEqual(finalizeResult(d, mergeResultStates(d, s1.state, s2.state)), { visitors: 3, paths: 2 });
    assert.equal(mergeResultStates(d, s1.state, s2.state), mergeResultStates(d, s2.state, s1.state));
  });

  test('restoring from the persisted cells midway gives identical FINALs and state (all built-ins)', () => {
    const inputs: EngineInput[] = [];
    let seed = 1;
    const random = () => {
      seed = (Math.imul(seed, 48271) + 11) >>> 0;
      return seed / 2 ** 32;
    };
    // Every built-in must see data: leaves (online_now), custom events, campaigns, referrers, countries.
    const types = ['pageview', 'pageview', 'pageview', 'click', 'engagement', 'leave', 'signup'];
    for (let i = 0; i < 30_000; i++) {
      const t = 1_700_000_000_000 + i * 150 + Math.floor(random() * 100);
      const r = random();
      inputs.push(
        at(t, {
          visitor: `v${Math.floor(random() * 400)}`,
          path: `/p${Math.floor(random() * 12)}`,
          type: types[Math.floor(random() * types.length)] ?? 'pageview',
          device: random() < 0.5 ? 'mobile' : 'desktop',
          country: ['GB', 'FR', 'US'][Math.floor(random() * 3)] ?? 'GB',
          ...(r < 0.2 ? { utm_campaign: `c${Math.floor(r * 20)}` } : {}),
          ...(r > 0.7 ? { referrerDomain: r > 0.85 ? 'news.example' : 'search.example' } : {}),
        }),
      );
      if (i % 500 === 0) inputs.push(tick(t + 1));
    }
    inputs.push(tick(1_700_000_000_000 + 30_000 * 150 + 3 * 3_600_000));
    for (const d of BUILTIN_WINDOWS) {
      const reference = new WindowEngine(d);
      reference.applyAll(inputs);
      const expected = reference.drain();
      let engine = new WindowEngine(d);
      const store = new Map<string, string>();
      const finals: WindowResult[] = [];
      const collect = (delta: EngineDelta) => {
        for (const id of delta.deletes) store.delete(id);
        for (const [id, value] of delta.upserts) store.set(id, value);
        finals.push(...delta.finals);
      };
      for (let from = 0; from < inputs.length; from += 2_500) {
        engine.applyAll(inputs.slice(from, from + 2_500));
        collect(engine.drain());
        engine = new WindowEngine(d, { observedTimeMs: engine.observedTimeMs, cells: [...store].sort() });
      }
      collect(engine.drain());
      assert.ok(expected.finals.length > 0, d.id);
      assert.deepEqual(finals, expected.finals, d.id);
      assert.deepEqual(new Map([...store].sort()), new Map(expected.upserts.sort()), d.id);
    }
  });
});
