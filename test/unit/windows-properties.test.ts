import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { EnrichedEvent } from '../../lib/events/enriched';
import {
  defineWindow,
  type WindowDefinition,
  type WindowDefinitionInput,
} from '../../lib/windows/definition';
import {
  type EngineDelta,
  type EngineInput,
  type FinalValue,
  finalizeResult,
  mergeResultStates,
  WindowEngine,
  type WindowResult,
} from '../../lib/windows/engine';

/**
 * (a) The incremental engine against a brute-force oracle written from the spec (docs/windows.md):
 * every window type × every aggregate, random out-of-order streams over small time ranges (so windows,
 * grace and lateness interact), ticks included. The oracle replays observed time input by input and
 * computes each window's value directly from the list of events it accepted.
 * (b) Drain boundaries, restores from the persisted cells and live() calls change nothing.
 * (c) Per-visitor shards, each with its own engine and OT, merge to the single-shard results.
 */

const DAY = 86_400_000;
const SITES = ['a', 'b'];
const PATHS = ['/x', '/y', '/z'];
const VISITORS = ['v1', 'v2', 'v3', 'v4', 'v5'];

// ---------------------------------------------------------------------------------------------------
// Generators

interface RawEvent {
  site: string;
  path: string;
  visitor: string;
  type: string;
  n: number | undefined;
  k: string;
  /** Offset of ts from the ingest time (event-time definitions). */
  skew: number;
}

const rawEvent: fc.Arbitrary<RawEvent> = fc.record({
  site: fc.constantFrom(...SITES),
  path: fc.constantFrom(...PATHS),
  visitor: fc.constantFrom(...VISITORS),
  // `leave` drives active_visitors: a visitor whose latest event in a window is a leave is not active.
  type: fc.constantFrom('pageview', 'click', 'leave'),
  n: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  k: fc.constantFrom('k1', 'k2'),
  skew: fc.integer({ min: -12, max: 3 }),
});

/** `at`: jitter around the input's position, so time mostly advances but often arrives out of order. */
type RawInput = { tick: false; at: number; e: RawEvent } | { tick: true; at: number };

const rawInputs: fc.Arbitrary<RawInput[]> = fc.array(
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc.record({
        tick: fc.constant(false as const),
        at: fc.integer({ min: -10, max: 3 }),
        e: rawEvent,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ tick: fc.constant(true as const), at: fc.integer({ min: -4, max: 12 }) }),
    },
  ),
  { minLength: 1, maxLength: 60, size: 'max' },
);

function makeEvent(e: RawEvent, ts: number, id: number): EnrichedEvent {
  const event: EnrichedEvent = {
    id: `e${id}`,
    site: e.site,
    type: e.type,
    ts,
    url: `https://shop.example${e.path}`,
    host: 'shop.example',
    path: e.path,
    visitor: e.visitor,
    source: 'Direct / None',
    sourceType: 'direct',
    browser: 'Chrome',
    os: 'Linux',
    device: 'desktop',
    props: e.n === undefined ? { k: e.k } : { k: e.k, n: e.n },
  };
  return event;
}

/** Event-time runs put ingest a day ahead, so ticks (ingest − 24 h) and the clamp both matter. */
function toInputs(raw: RawInput[], time: 'ingest' | 'event', closeAll: boolean): EngineInput[] {
  const shift = time === 'event' ? DAY : 0;
  const inputs = raw.map((r, i): EngineInput => {
    const at = Math.max(0, i + r.at);
    if (r.tick) return { kind: 'tick', ingestMs: at + shift };
    return { kind: 'event', ingestMs: at + shift, event: makeEvent(r.e, Math.max(0, at + r.e.skew), i) };
  });
  if (closeAll) inputs.push({ kind: 'tick', ingestMs: 10_000 + shift });
  return inputs;
}

const AGGREGATES: WindowDefinitionInput['aggregates'] = [
  { name: 'n', fn: 'count' },
  { name: 'n_with', fn: 'count', field: 'props.n' },
  { name: 'pv', fn: 'count', where: { field: 'type', op: '=', value: 'pageview' } },
  { name: 'visitors', fn: 'count_distinct', field: 'visitor' },
  { name: 'paths', fn: 'count_distinct', field: 'path' },
  { name: 'total', fn: 'sum', field: 'props.n' },
  { name: 'mean', fn: 'avg', field: 'props.n' },
  { name: 'lo', fn: 'min', field: 'props.n' },
  { name: 'hi', fn: 'max', field: 'props.n' },
  { name: 'top', fn: 'top_k', field: 'path', k: 2 },
  { name: 'med', fn: 'p50', field: 'props.n' },
  { name: 'p90', fn: 'p90', field: 'props.n' },
  { name: 'p99', fn: 'p99', field: 'ts' },
  { name: 'active', fn: 'active_visitors' },
];

/** The `where` clauses the generator picks from, each with its meaning written out for the oracle. */
const WHERES: Array<[WindowDefinitionInput['where'], (e: EnrichedEvent) => boolean]> = [
  [undefined, () => true],
  [{ field: 'props.k', op: '!=', value: 'k2' }, (e) => e.props?.['k'] !== 'k2'],
  [{ field: 'props.n', op: 'exists' }, (e) => e.props?.['n'] !== undefined],
  [{ field: 'props.n', op: 'exists', value: false }, (e) => e.props?.['n'] === undefined],
  [{ field: 'type', op: 'not_in', value: ['click', 'signup'] }, (e) => e.type !== 'click'],
];

const definitionArb: fc.Arbitrary<WindowDefinition> = fc
  .record({
    type: fc.constantFrom('tumbling', 'sliding', 'stagger', 'session'),
    unit: fc.integer({ min: 1, max: 6 }),
    steps: fc.integer({ min: 1, max: 4 }),
    extra: fc.integer({ min: 0, max: 3 }),
    offset: fc.nat(5),
    grace: fc.integer({ min: 0, max: 6 }),
    time: fc.constantFrom('ingest', 'event'),
    groupBy: fc.constantFrom(
      [],
      ['path'],
      ['props.k'],
      ['visitor'],
      ['path', 'props.k'],
      [{ field: 'ts', floorMs: 7, as: 'bucket' }],
    ),
    site: fc.constantFrom(null, 'a'),
    where: fc.nat(WHERES.length - 1),
  })
  .map((r) => {
    const size = r.unit * r.steps;
    const input: WindowDefinitionInput = {
      id: 'prop',
      version: 1,
      name: 'property',
      type: r.type,
      time: r.time,
      graceMs: r.grace,
      site: r.site,
      groupBy: [...r.groupBy],
      aggregates: AGGREGATES,
      ...(WHERES[r.where]?.[0] === undefined ? {} : { where: WHERES[r.where]?.[0] }),
    };
    if (r.type === 'tumbling') Object.assign(input, { sizeMs: size, offsetMs: r.offset % size });
    if (r.type === 'sliding') {
      // Multiples of every, and sometimes not (ksqlDB's size 5 / advance 2 kind).
      const every = r.unit;
      Object.assign(input, { sizeMs: size + (r.extra % every), everyMs: every, offsetMs: r.offset % every });
    }
    if (r.type === 'stagger') Object.assign(input, { rangeMs: size });
    if (r.type === 'session') Object.assign(input, { gapMs: size });
    return defineWindow(input);
  });

// ---------------------------------------------------------------------------------------------------
// The oracle

interface Accepted {
  event: EnrichedEvent;
  ingestMs: number;
}
interface OracleFinal {
  after: number;
  site: string;
  start: number;
  end: number;
  key: string;
  events: Accepted[];
}

function readField(event: EnrichedEvent, ingestMs: number, name: string): unknown {
  if (name === 'ingest_time') return ingestMs;
  if (name.startsWith('props.')) return event.props?.[name.slice(6)];
  return (event as unknown as Record<string, unknown>)[name];
}

function keyOf(def: WindowDefinition, a: Accepted): string {
  if (def.groupBy.length === 0) return 'null';
  const record: Record<string, unknown> = {};
  for (const g of def.groupBy) {
    if (typeof g === 'string') record[g] = readField(a.event, a.ingestMs, g) ?? null;
    else {
      const v = readField(a.event, a.ingestMs, g.field) as number;
      record[g.as] = Math.floor(v / g.floorMs) * g.floorMs;
    }
  }
  return JSON.stringify(record);
}

function accepts(def: WindowDefinition, a: Accepted): boolean {
  if (def.site !== null && a.event.site !== def.site) return false;
  if (def.where === undefined) return true;
  const where = JSON.stringify(def.where);
  const meaning = WHERES.find(([w]) => JSON.stringify(w) === where)?.[1];
  assert.ok(meaning, `no oracle for ${where}`);
  return meaning(a.event);
}

function timeOf(def: WindowDefinition, a: Accepted): number {
  if (def.time === 'ingest') return a.ingestMs;
  return Math.min(Math.max(a.event.ts, a.ingestMs - DAY), a.ingestMs + 5000);
}

interface OracleRun {
  finals: OracleFinal[];
  late: Map<string, number>;
}

/** Windows [start, end) of fixed-size types an event at t belongs to. */
function fixedWindows(def: WindowDefinition, t: number): Array<[number, number]> {
  const offset = def.offsetMs ?? 0;
  const size = def.sizeMs ?? 1;
  const every = def.type === 'sliding' ? (def.everyMs ?? 1) : size;
  const out: Array<[number, number]> = [];
  // Every aligned start s with s ≤ t < s + size (sliding: s ≥ 0, as Kafka).
  for (let s = offset - 100 * every; s <= t; s += every) {
    if (s + size > t && (def.type === 'tumbling' || s >= 0)) out.push([s, s + size]);
  }
  return out;
}

interface OracleWindow {
  site: string;
  key: string;
  start: number;
  end: number;
  events: Accepted[];
  closed: boolean;
}

/** `onStep` sees the windows after each input (closed ones flagged), with OT. */
function oracle(
  def: WindowDefinition,
  inputs: EngineInput[],
  onStep?: (index: number, ot: number, windows: readonly OracleWindow[]) => void,
): OracleRun {
  const late = new Map<string, number>();
  const addLate = (site: string, start: number, end: number) => {
    const k = `${site}|${start}|${end}`;
    late.set(k, (late.get(k) ?? 0) + 1);
  };
  const grace = def.graceMs;
  const windows: OracleWindow[] = [];
  const finals: OracleFinal[] = [];
  let ot = 0;
  inputs.forEach((input, index) => {
    if (input.kind === 'tick') {
      ot = Math.max(ot, def.time === 'ingest' ? input.ingestMs : input.ingestMs - DAY);
    } else {
      const a = { event: input.event, ingestMs: input.ingestMs };
      if (!accepts(def, a)) {
        onStep?.(index, ot, windows);
        return;
      }
      const t = timeOf(def, a);
      ot = Math.max(ot, t);
      const site = a.event.site;
      const key = keyOf(def, a);
      const open = windows.filter((w) => !w.closed && w.site === site && w.key === key);
      if (def.type === 'tumbling' || def.type === 'sliding') {
        for (const [start, end] of fixedWindows(def, t)) {
          if (ot >= end + grace) {
            addLate(site, start, end);
            continue;
          }
          let w = open.find((x) => x.start === start);
          if (!w) {
            w = { site, key, start, end, events: [], closed: false };
            windows.push(w);
          }
          w.events.push(a);
        }
      } else if (def.type === 'stagger') {
        const range = def.rangeMs ?? 1;
        const w = open.filter((x) => x.start <= t && t < x.end).sort((x, y) => x.start - y.start)[0];
        if (w) w.events.push(a);
        else if (ot >= t + range + grace) addLate(site, t, t + range);
        else windows.push({ site, key, start: t, end: t + range, events: [a], closed: false });
      } else {
        const gap = def.gapMs ?? 1;
        // Sessions: end = last + 1; an event merges with every open session within gap of it.
        const near = open.filter((x) => t >= x.start - gap && t <= x.end - 1 + gap);
        if (near.length === 0) {
          if (ot >= t + 1 + grace) addLate(site, t, t + 1);
          else windows.push({ site, key, start: t, end: t + 1, events: [a], closed: false });
        } else {
          const [keep, ...rest] = near.sort((x, y) => x.start - y.start);
          assert.ok(keep);
          for (const r of rest) {
            keep.events.push(...r.events);
            keep.end = Math.max(keep.end, r.end);
            windows.splice(windows.indexOf(r), 1);
          }
          keep.events.push(a);
          keep.start = Math.min(keep.start, t);
          keep.end = Math.max(keep.end, t + 1);
        }
      }
    }
    for (const w of windows) {
      if (w.closed) continue;
      if (ot >= w.end + grace) {
        w.closed = true;
        finals.push({ after: index, site: w.site, start: w.start, end: w.end, key: w.key, events: w.events });
      }
    }
    onStep?.(index, ot, windows);
  });
  return { finals, late };
}

/** The aggregates' true values over a window's accepted events. */
function expectedValues(def: WindowDefinition, events: Accepted[]): Record<string, FinalValue> {
  const out: Record<string, FinalValue> = {};
  for (const agg of def.aggregates) {
    const mine = agg.where === undefined ? events : events.filter((a) => a.event.type === 'pageview');
    const values =
      agg.field === undefined ? [] : mine.map((a) => readField(a.event, a.ingestMs, agg.field ?? ''));
    const present = values.filter((v) => v !== undefined && v !== null);
    const numbers = present.filter((v): v is number => typeof v === 'number');
    const sorted = [...numbers].sort((x, y) => x - y);
    // Sketches ignore negative values (documented).
    const nonNegative = sorted.filter((v) => v >= 0);
    const quantile = (q: number) =>
      nonNegative.length === 0 ? null : (nonNegative[Math.floor(q * (nonNegative.length - 1))] ?? null);
    switch (agg.fn) {
      case 'count':
        out[agg.name] = agg.field === undefined ? mine.length : present.length;
        break;
      case 'count_distinct':
        out[agg.name] = new Set(present.map(String)).size;
        break;
      case 'sum':
        out[agg.name] = numbers.length === 0 ? null : numbers.reduce((x, y) => x + y, 0);
        break;
      case 'avg':
        out[agg.name] = numbers.length === 0 ? null : numbers.reduce((x, y) => x + y, 0) / numbers.length;
        break;
      case 'min':
        out[agg.name] = sorted[0] ?? null;
        break;
      case 'max':
        out[agg.name] = sorted.at(-1) ?? null;
        break;
      case 'top_k': {
        const counts = new Map<string, number>();
        for (const v of present.map(String)) counts.set(v, (counts.get(v) ?? 0) + 1);
        const ranked = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
        const top = ranked.slice(0, agg.k).map(([value, count]) => ({ value, count }));
        out[agg.name] = { top, other: ranked.slice(agg.k).reduce((s, [, c]) => s + c, 0) };
        break;
      }
      case 'p50':
        out[agg.name] = quantile(0.5);
        break;
      case 'p90':
        out[agg.name] = quantile(0.9);
        break;
      case 'p99':
        out[agg.name] = quantile(0.99);
        break;
      case 'active_visitors': {
        // Each visitor's latest event by the definition's time; at the same time a leave wins.
        const latest = new Map<string, { t: number; leave: boolean }>();
        for (const a of mine) {
          const t = timeOf(def, a);
          const leave = a.event.type === 'leave';
          const seen = latest.get(a.event.visitor);
          if (seen === undefined || t > seen.t || (t === seen.t && leave)) {
            latest.set(a.event.visitor, { t, leave });
          }
        }
        out[agg.name] = [...latest.values()].filter((v) => !v.leave).length;
        break;
      }
    }
  }
  return out;
}

/** Exact where the aggregate is exact; HLL within 1 at these sizes; sketches within α = 1 %. */
function assertValuesClose(
  def: WindowDefinition,
  actual: Record<string, FinalValue>,
  expected: Record<string, FinalValue>,
  where: string,
): void {
  for (const agg of def.aggregates) {
    const a = actual[agg.name];
    const e = expected[agg.name];
    const label = `${where} ${agg.name}`;
    if (agg.fn === 'count_distinct' && agg.field !== 'visitor') {
      assert.ok(
        typeof a === 'number' && typeof e === 'number' && Math.abs(a - e) <= 1,
        `${label}: ${a} vs ${e}`,
      );
    } else if (agg.fn === 'p50' || agg.fn === 'p90' || agg.fn === 'p99') {
      if (e === null) assert.equal(a, null, label);
      else
        assert.ok(
          typeof a === 'number' && typeof e === 'number' && Math.abs(a - e) <= 0.01 * e + 1e-9,
          `${label}: ${a} vs ${e}`,
        );
    } else if (agg.fn === 'avg' && typeof e === 'number') {
      assert.ok(
        typeof a === 'number' && Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)),
        `${label}: ${a} vs ${e}`,
      );
    } else {
      assert.deepEqual(a, e, label);
    }
  }
}

function engineRun(def: WindowDefinition, inputs: EngineInput[]) {
  const engine = new WindowEngine(def);
  const finals: Array<{
    after: number;
    site: string;
    start: number;
    end: number;
    key: string;
    state: string;
  }> = [];
  const late = new Map<string, number>();
  inputs.forEach((input, after) => {
    engine.apply(input);
    const delta = engine.drain();
    for (const f of delta.finals) {
      finals.push({
        after,
        site: f.site,
        start: f.start,
        end: f.end,
        key: JSON.stringify(f.key),
        state: f.state,
      });
    }
    for (const l of delta.late) {
      const k = `${l.site}|${l.start}|${l.end}`;
      late.set(k, (late.get(k) ?? 0) + l.count);
    }
  });
  return { finals, late };
}

const order = (x: { after: number; site: string; start: number; end: number; key: string }) =>
  `${String(x.after).padStart(4, '0')}|${String(x.start).padStart(12, '0')}|${x.end}|${x.site}|${x.key}`;

describe('window engine properties (fast-check)', () => {
  test('(a) every window type and aggregate vs the oracle: same FINALs, emitted after the same input, same late counts', () => {
    const coverage = new Map<string, number>();
    fc.assert(
      fc.property(definitionArb, rawInputs, fc.boolean(), (def, raw, closeAll) => {
        const inputs = toInputs(raw, def.time, closeAll);
        const expected = oracle(def, inputs);
        const actual = engineRun(def, inputs);
        const want = [...expected.finals].sort((x, y) => (order(x) < order(y) ? -1 : 1));
        const got = [...actual.finals].sort((x, y) => (order(x) < order(y) ? -1 : 1));
        assert.deepEqual(got.map(order), want.map(order));
        got.forEach((g, i) => {
          const w = want[i];
          assert.ok(w);
          assertValuesClose(def, finalizeResult(def, g.state), expectedValues(def, w.events), order(g));
        });
        // FINALs come out in input order.
        assert.deepEqual(
          actual.finals.map((f) => f.after),
          [...actual.finals.map((f) => f.after)].sort((x, y) => x - y),
        );
        assert.deepEqual(new Map([...actual.late].sort()), new Map([...expected.late].sort()));
        for (const key of [def.type, 'late']) {
          const n = key === 'late' ? [...actual.late.values()].reduce((x, y) => x + y, 0) : got.length;
          coverage.set(key, (coverage.get(key) ?? 0) + n);
        }
      }),
      { numRuns: 1500, includeErrorInReport: true },
    );
    // The generator must really exercise every type and lateness, or the comparison proves little.
    for (const key of ['tumbling', 'sliding', 'stagger', 'session', 'late']) {
      assert.ok((coverage.get(key) ?? 0) > 500, `${key}: ${coverage.get(key)}`);
    }
  });

  test('(d) sliding live(): the trailing window as of OT, updated per changed key, equals the oracle', () => {
    const slidingDefs = definitionArb.filter((def) => def.type === 'sliding');
    const points = fc.uniqueArray(fc.nat(62), { minLength: 1, maxLength: 30 });
    let checked = 0;
    fc.assert(
      fc.property(slidingDefs, rawInputs, points, (def, raw, lives) => {
        const inputs = toInputs(raw, def.time, false);
        const engine = new WindowEngine(def);
        const view = new Map<string, WindowResult>();
        oracle(def, inputs, (index, ot, windows) => {
          engine.apply(inputs[index] as EngineInput);
          assert.equal(engine.observedTimeMs, ot);
          if (!lives.includes(index)) return;
          for (const r of engine.live()) view.set(`${r.site}|${r.start}|${JSON.stringify(r.key)}`, r);
          const s = trailingWindow(def, ot);
          const expected = windows.filter((w) => !w.closed && w.start === s && w.events.length > 0);
          const shown = [...view.values()].filter((r) => r.start === s);
          assert.deepEqual(
            shown.map((r) => `${r.site}|${JSON.stringify(r.key)}`).sort(),
            expected.map((w) => `${w.site}|${w.key}`).sort(),
          );
          for (const w of expected) {
            const r = view.get(`${w.site}|${w.start}|${w.key}`);
            assert.ok(r);
            assertValuesClose(
              def,
              finalizeResult(def, r.state),
              expectedValues(def, w.events),
              `live ${w.start}`,
            );
            checked++;
          }
        });
      }),
      { numRuns: 500, includeErrorInReport: true },
    );
    assert.ok(checked > 1000, `only ${checked} live values checked`);
  });

  test('(b) drain boundaries, restore points and live() calls change neither FINALs nor the persisted state', () => {
    const points = fc.uniqueArray(fc.nat(62), { maxLength: 12 });
    fc.assert(
      fc.property(
        definitionArb,
        rawInputs,
        fc.boolean(),
        points,
        points,
        points,
        (def, raw, closeAll, drains, restores, lives) => {
          const inputs = toInputs(raw, def.time, closeAll);
          const reference = new WindowEngine(def);
          reference.applyAll(inputs);
          const referenceDelta = reference.drain();
          const referenceStore = applyDelta(new Map(), referenceDelta);

          let engine = new WindowEngine(def);
          const store = new Map<string, string>();
          const finals: WindowResult[] = [];
          const late = new Map<string, number>();
          const collect = (delta: EngineDelta) => {
            applyDelta(store, delta);
            finals.push(...delta.finals);
            for (const l of delta.late)
              late.set(
                `${l.site}|${l.start}|${l.end}`,
                (late.get(`${l.site}|${l.start}|${l.end}`) ?? 0) + l.count,
              );
          };
          inputs.forEach((input, i) => {
            engine.apply(input);
            if (lives.includes(i)) for (const r of engine.live()) assert.equal(r.final, false);
            if (drains.includes(i) || restores.includes(i)) collect(engine.drain());
            if (restores.includes(i)) {
              // Any order of cells must do (the store is a hash); reversed is as good as shuffled here.
              engine = new WindowEngine(def, {
                observedTimeMs: engine.observedTimeMs,
                cells: [...store].reverse(),
              });
            }
          });
          collect(engine.drain());
          assert.deepEqual(finals, referenceDelta.finals);
          assert.deepEqual(
            new Map([...late].sort()),
            new Map(
              referenceDelta.late.map((l) => [`${l.site}|${l.start}|${l.end}`, l.count] as const).sort(),
            ),
          );
          assert.deepEqual(new Map([...store].sort()), new Map([...referenceStore].sort()));
          assert.equal(engine.observedTimeMs, reference.observedTimeMs);
        },
      ),
      { numRuns: 800, includeErrorInReport: true },
    );
  });

  test('(c) sharding by visitor and merging the results equals one shard', () => {
    const shardDefArb = definitionArb.filter(
      (def) =>
        def.time === 'ingest' &&
        (def.type === 'tumbling' ||
          def.type === 'sliding' ||
          // With grace < gap a session's fate depends on other visitors' traffic through the shard's
          // OT (as in ksqlDB's V4), so only grace ≥ gap (the default) is shard-independent.
          (def.type === 'session' &&
            def.groupBy.length === 1 &&
            def.groupBy[0] === 'visitor' &&
            def.graceMs >= (def.gapMs ?? 0))),
    );
    fc.assert(
      fc.property(
        shardDefArb,
        fc.array(rawEvent, { minLength: 1, maxLength: 60, size: 'max' }),
        (def, raw) => {
          // In-order ingest times and ticks shared by all shards: no shard sees a late event.
          const inputs: EngineInput[] = [];
          raw.forEach((e, i) => {
            inputs.push({ kind: 'event', ingestMs: i, event: makeEvent(e, i, i) });
            if (i % 7 === 6) inputs.push({ kind: 'tick', ingestMs: i });
          });
          inputs.push({ kind: 'tick', ingestMs: 10_000 });
          const single = resultsById(def, [inputs]);
          const shardOf = (input: EngineInput) =>
            input.kind === 'tick' ? -1 : VISITORS.indexOf(input.event.visitor) % 3;
          const sharded = resultsById(
            def,
            [0, 1, 2].map((k) => inputs.filter((input) => shardOf(input) === k || shardOf(input) === -1)),
          );
          assert.deepEqual([...sharded.keys()].sort(), [...single.keys()].sort());
          for (const [id, state] of single) {
            assert.deepEqual(finalizeResult(def, sharded.get(id) ?? ''), finalizeResult(def, state), id);
          }
        },
      ),
      { numRuns: 500, includeErrorInReport: true },
    );
  });

  test('(c) at scale: HLL within 3σ and percentiles within 1 % after merging 4 shards, equal to one shard', () => {
    const def = defineWindow({
      id: 'scale',
      version: 1,
      name: 'scale',
      type: 'tumbling',
      sizeMs: 1_000_000,
      aggregates: [
        { name: 'paths', fn: 'count_distinct', field: 'path' },
        { name: 'visitors', fn: 'count_distinct', field: 'visitor' },
        { name: 'p50', fn: 'p50', field: 'props.n' },
        { name: 'p90', fn: 'p90', field: 'props.n' },
        { name: 'p99', fn: 'p99', field: 'props.n' },
      ],
    });
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const values: number[] = [];
    const inputs: EngineInput[] = [];
    for (let i = 0; i < 40_000; i++) {
      const n = Math.floor(1 + 1_000_000 * random() ** 3);
      values.push(n);
      const event = makeEvent(
        { site: 'a', path: `/p/${i % 8000}`, visitor: `v${i % 3000}`, type: 'pageview', n, k: 'k1', skew: 0 },
        i,
        i,
      );
      inputs.push({ kind: 'event', ingestMs: i, event });
    }
    inputs.push({ kind: 'tick', ingestMs: 5_000_000 });
    const shardInputs = [0, 1, 2, 3].map((k) =>
      inputs.filter((input) => input.kind === 'tick' || Number(input.event.visitor.slice(1)) % 4 === k),
    );
    const [single] = [...resultsById(def, [inputs]).values()];
    const [merged] = [...resultsById(def, shardInputs).values()];
    assert.ok(single !== undefined && merged !== undefined);
    const got = finalizeResult(def, merged);
    assert.deepEqual(got, finalizeResult(def, single));
    assert.equal(got['visitors'], 3000);
    const paths = got['paths'];
    assert.ok(typeof paths === 'number' && Math.abs(paths - 8000) <= 3 * 0.0081 * 8000, `paths ≈ ${paths}`);
    values.sort((x, y) => x - y);
    for (const [name, q] of [
      ['p50', 0.5],
      ['p90', 0.9],
      ['p99', 0.99],
    ] as const) {
      const truth = values[Math.floor(q * (values.length - 1))] ?? 0;
      const estimate = got[name];
      assert.ok(
        typeof estimate === 'number' && Math.abs(estimate - truth) <= 0.01 * truth,
        `${name}: ${estimate} vs ${truth}`,
      );
    }
  });
});

/** The sliding window live() reports: the earliest (trailing) window holding OT. */
function trailingWindow(def: WindowDefinition, ot: number): number | undefined {
  return fixedWindows(def, ot)[0]?.[0];
}

/** Applies a drain to a store the way the aggregator's commit does; checks the delta's bookkeeping. */
function applyDelta(store: Map<string, string>, delta: EngineDelta): Map<string, string> {
  const upserted = new Set(delta.upserts.map(([id]) => id));
  for (const id of delta.deletes) {
    assert.ok(!upserted.has(id), `${id} both upserted and deleted`);
    assert.ok(store.has(id), `${id} deleted but never stored`);
    store.delete(id);
  }
  for (const [id, value] of delta.upserts) store.set(id, value);
  return store;
}

/** FINAL states per (site, window, key) over one engine per input list, merged across engines. */
function resultsById(def: WindowDefinition, inputLists: EngineInput[][]): Map<string, string> {
  const out = new Map<string, string>();
  for (const list of inputLists) {
    const engine = new WindowEngine(def);
    engine.applyAll(list);
    for (const f of engine.drain().finals) {
      const id = `${f.site}|${f.start}|${f.end}|${JSON.stringify(f.key)}`;
      const previous = out.get(id);
      out.set(id, previous === undefined ? f.state : mergeResultStates(def, previous, f.state));
    }
  }
  return out;
}
