import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnrichedEvent } from '../../lib/events/enriched';
import { defineWindow, type WindowDefinitionInput } from '../../lib/windows/definition';
import { type EngineInput, finalizeResult, WindowEngine } from '../../lib/windows/engine';

/**
 * The golden vectors of BRIEF §3 / reference §1.11 and §1.6: ksqlDB's suppress tests (V1–V4) and the
 * Kinesis STAGGER example. Each input is applied and drained on its own, so the test also pins *when*
 * each FINAL is emitted.
 */

function event(ts: number, over: Partial<EnrichedEvent> = {}): EnrichedEvent {
  return {
    id: `e${ts}`,
    site: 'demo',
    type: 'pageview',
    ts,
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

/** ingest time = the given ts, as the reference's single-partition vectors assume. */
function at(ts: number, over: Partial<EnrichedEvent> = {}): EngineInput {
  return { kind: 'event', ingestMs: ts, event: event(ts, over) };
}

interface Emitted {
  /** Index of the input after which the FINAL was emitted. */
  after: number;
  start: number;
  end: number;
  key: Record<string, unknown> | null;
  count: unknown;
}

function run(definition: WindowDefinitionInput, inputs: EngineInput[]): { emitted: Emitted[]; late: number } {
  const def = defineWindow(definition);
  const engine = new WindowEngine(def);
  const emitted: Emitted[] = [];
  let late = 0;
  inputs.forEach((input, after) => {
    engine.apply(input);
    const delta = engine.drain();
    for (const f of delta.finals) {
      assert.equal(f.final, true);
      emitted.push({
        after,
        start: f.start,
        end: f.end,
        key: f.key,
        count: finalizeResult(def, f.state)['n'],
      });
    }
    for (const l of delta.late) late += l.count;
  });
  return { emitted, late };
}

const base = { id: 'golden', version: 1, name: 'golden', aggregates: [{ name: 'n', fn: 'count' as const }] };
const MIN = 60_000;
const T11 = Date.UTC(2018, 0, 1, 11, 0, 0);
const hms = (m: number, s: number) => T11 + m * MIN + s * 1000;

const cases: Array<{
  name: string;
  def: WindowDefinitionInput;
  inputs: EngineInput[];
  emitted: Emitted[];
  late: number;
}> = [
  {
    name: 'V1 tumbling size 2 grace 1: 0,1,2,1,0,5 → [0,2)=4, [2,4)=1 on ts 5; a later 0 is late',
    def: { ...base, type: 'tumbling', sizeMs: 2, graceMs: 1 },
    inputs: [0, 1, 2, 1, 0, 5, 0].map((ts) => at(ts)),
    emitted: [
      { after: 5, start: 0, end: 2, key: null, count: 4 },
      { after: 5, start: 2, end: 4, key: null, count: 1 },
    ],
    late: 1,
  },
  {
    name: 'V2 tumbling size 2 grace 0: 0,1,2 → [0,2)=2 on ts 2',
    def: { ...base, type: 'tumbling', sizeMs: 2, graceMs: 0 },
    inputs: [0, 1, 2].map((ts) => at(ts)),
    emitted: [{ after: 2, start: 0, end: 2, key: null, count: 2 }],
    late: 0,
  },
  {
    name: 'V3 hopping size 5 advance 2 grace 1: 0,1,2,1,6,5,10 → [0,5)=4, [2,7)=3, [4,9)=2; [6,11) open',
    def: { ...base, type: 'sliding', sizeMs: 5, everyMs: 2, graceMs: 1 },
    inputs: [0, 1, 2, 1, 6, 5, 10].map((ts) => at(ts)),
    emitted: [
      // ts 6 moves OT to 6 = 5 + grace: [0,5) closes there (ts 5 that follows is not in it anyway).
      { after: 4, start: 0, end: 5, key: null, count: 4 },
      { after: 6, start: 2, end: 7, key: null, count: 3 },
      { after: 6, start: 4, end: 9, key: null, count: 2 },
    ],
    late: 0,
  },
  {
    name: 'V4 session gap 5 grace 0: k1@0,k1@5,k1@1,k2@6,k1@5,k1@30 → k1 [0,5]=3, k2 [6,6]=1',
    def: { ...base, type: 'session', gapMs: 5, graceMs: 0, groupBy: ['props.k'] },
    inputs: (
      [
        ['k1', 0],
        ['k1', 5],
        ['k1', 1],
        ['k2', 6],
        ['k1', 5],
        ['k1', 30],
      ] as const
    ).map(([k, ts]) => at(ts, { props: { k } })),
    emitted: [
      // k2@6 moves the shard's OT to 6 ≥ 5 + 1 + 0: k1's session closes; the second k1@5 is late.
      { after: 3, start: 0, end: 6, key: { 'props.k': 'k1' }, count: 3 },
      { after: 5, start: 6, end: 7, key: { 'props.k': 'k2' }, count: 1 },
    ],
    late: 1,
  },
  {
    name: 'Kinesis STAGGER range 1 min by FLOOR(event_time TO MINUTE): counts 3 and 1',
    def: {
      ...base,
      type: 'stagger',
      rangeMs: MIN,
      graceMs: 0,
      groupBy: [{ field: 'ts', floorMs: MIN, as: 'minute' }],
    },
    inputs: [
      { kind: 'event', ingestMs: hms(0, 20), event: event(hms(0, 10)) },
      { kind: 'event', ingestMs: hms(0, 30), event: event(hms(0, 20)) },
      { kind: 'event', ingestMs: hms(1, 5), event: event(hms(0, 55)) },
      { kind: 'event', ingestMs: hms(1, 15), event: event(hms(1, 5)) },
      { kind: 'tick', ingestMs: hms(1, 19) },
      { kind: 'tick', ingestMs: hms(1, 20) },
      { kind: 'tick', ingestMs: hms(2, 14) },
      { kind: 'tick', ingestMs: hms(2, 15) },
    ],
    emitted: [
      { after: 5, start: hms(0, 20), end: hms(1, 20), key: { minute: hms(0, 0) }, count: 3 },
      { after: 7, start: hms(1, 15), end: hms(2, 15), key: { minute: hms(1, 0) }, count: 1 },
    ],
    late: 0,
  },
  {
    name: 'Kinesis example, tumbling 1 min on the same rows: the 11:00 minute splits into 2 and 1',
    def: {
      ...base,
      type: 'tumbling',
      sizeMs: MIN,
      graceMs: 0,
      groupBy: [{ field: 'ts', floorMs: MIN, as: 'minute' }],
    },
    inputs: [
      { kind: 'event', ingestMs: hms(0, 20), event: event(hms(0, 10)) },
      { kind: 'event', ingestMs: hms(0, 30), event: event(hms(0, 20)) },
      { kind: 'event', ingestMs: hms(1, 5), event: event(hms(0, 55)) },
      { kind: 'event', ingestMs: hms(1, 15), event: event(hms(1, 5)) },
      { kind: 'tick', ingestMs: hms(2, 0) },
    ],
    emitted: [
      { after: 2, start: hms(0, 0), end: hms(1, 0), key: { minute: hms(0, 0) }, count: 2 },
      { after: 4, start: hms(1, 0), end: hms(2, 0), key: { minute: hms(0, 0) }, count: 1 },
      { after: 4, start: hms(1, 0), end: hms(2, 0), key: { minute: hms(1, 0) }, count: 1 },
    ],
    late: 0,
  },
];

describe('window engine: golden vectors', () => {
  for (const c of cases) {
    test(c.name, () => {
      const { emitted, late } = run(c.def, c.inputs);
      assert.deepEqual(emitted, c.emitted);
      assert.equal(late, c.late);
    });
  }

  test('V1 and V4 with event time (ingest 1 s after ts) emit the same FINALs', () => {
    for (const c of [cases[0], cases[3]]) {
      assert.ok(c);
      const shifted = c.inputs.map((input): EngineInput => {
        assert.equal(input.kind, 'event');
        return { ...input, ingestMs: input.event.ts + 1_000 };
      });
      const { emitted } = run({ ...c.def, time: 'event' }, shifted);
      assert.deepEqual(emitted, c.emitted);
    }
  });
});
