import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnrichedEvent } from '../../lib/events/enriched';
import { type ActiveVisitors, activeVisitors } from '../../lib/windows/aggregates/active';
import { decodeBase64, encodeBase64 } from '../../lib/windows/aggregates/base64';
import { avg, countField, max, min, sum } from '../../lib/windows/aggregates/basic';
import { exactDistinct } from '../../lib/windows/aggregates/distinct';
import { HLL_REGISTERS, HLL_SPARSE_MAX, Hll } from '../../lib/windows/aggregates/hll';
import { murmur3 } from '../../lib/windows/aggregates/murmur3';
import { percentile, SKETCH_ALPHA, SKETCH_MAX_BINS, Sketch } from '../../lib/windows/aggregates/sketch';
import { topK, topKKeyBudget } from '../../lib/windows/aggregates/top-k';
import { StateFormatError, type TopKValue } from '../../lib/windows/aggregates/types';

/** Byte-wise MurmurHash3 x86_32, straight from the reference algorithm, to check the UTF-16 one. */
function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const blocks = bytes.length >> 2;
  const k1 = (k: number) =>
    Math.imul((Math.imul(k, 0xcc9e2d51) << 15) | (Math.imul(k, 0xcc9e2d51) >>> 17), 0x1b873593);
  for (let i = 0; i < blocks; i++) {
    const k =
      (bytes[4 * i] ?? 0) |
      ((bytes[4 * i + 1] ?? 0) << 8) |
      ((bytes[4 * i + 2] ?? 0) << 16) |
      ((bytes[4 * i + 3] ?? 0) << 24);
    h ^= k1(k);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  const rest = bytes.length & 3;
  if (rest === 3) tail ^= (bytes[4 * blocks + 2] ?? 0) << 16;
  if (rest >= 2) tail ^= (bytes[4 * blocks + 1] ?? 0) << 8;
  if (rest >= 1) {
    tail ^= bytes[4 * blocks] ?? 0;
    h ^= k1(tail);
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const ascii = (s: string) => new TextEncoder().encode(s);
const utf16 = (s: string) => new Uint8Array(Buffer.from(s, 'utf16le'));

function hllOf(values: Iterable<string>): Hll {
  const hll = new Hll();
  for (const v of values) hll.addString(v);
  return hll;
}
const range = (from: number, to: number, prefix = 'v') =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describe('murmur3', () => {
  test('the byte-wise reference matches published vectors', () => {
    assert.equal(murmur3Bytes(ascii(''), 0), 0);
    assert.equal(murmur3Bytes(ascii(''), 1), 0x514e28b7);
    assert.equal(murmur3Bytes(ascii('test'), 0), 0xba6bd213);
    assert.equal(murmur3Bytes(ascii('Hello, world!'), 1234), 0xfaf6cdb3);
    assert.equal(murmur3Bytes(ascii('The quick brown fox jumps over the lazy dog'), 0), 0x2e4ff723);
  });

  test('the string hash is murmur3 over the UTF-16LE code units', () => {
    for (const s of ['', 'a', 'ab', 'abc', '/products/ethiopia-yirgacheffe', 'ünïcødé ☕', '😀x']) {
      for (const seed of [0, 0x9747b28c]) assert.equal(murmur3(s, seed), murmur3Bytes(utf16(s), seed), s);
    }
  });
});

describe('HyperLogLog (p = 14)', () => {
  for (const n of [10_000, 100_000]) {
    test(`${n} distinct values: within 3σ = 2.43 %`, () => {
      const estimate = hllOf(range(0, n)).estimate();
      assert.ok(Math.abs(estimate - n) / n <= 3 * 0.0081, `estimate ${estimate}`);
    });
  }

  test('small counts are (nearly) exact: only index collisions cost anything', () => {
    for (const n of [0, 1, 2, 10, 100, 1000]) {
      const estimate = hllOf(range(0, n)).estimate();
      assert.ok(Math.abs(estimate - n) <= Math.max(0.5, 0.02 * n), `${n}: ${estimate}`);
    }
  });

  test('sparse while small, dense (base64) once large; the round trip keeps every register', () => {
    const small = hllOf(range(0, 500));
    assert.ok('s' in small.toJSON());
    const big = hllOf(range(0, 5_000));
    const json = big.toJSON();
    assert.ok('d' in json && json.d.length === Math.ceil(HLL_REGISTERS / 3) * 4);
    for (const h of [small, big]) {
      const back = Hll.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
      assert.deepEqual(back.toJSON(), h.toJSON());
      assert.equal(back.estimate(), h.estimate());
    }
    // Crossing the threshold changes the form, not the estimate.
    const edge = new Hll();
    let i = 0;
    while (edge.dense === null) edge.addString(`x${i++}`);
    assert.equal(edge.sparse, null);
    assert.ok(i > HLL_SPARSE_MAX);
  });

  test('merge: idempotent, commutative, and equal to one sketch over the union', () => {
    for (const [a, b] of [
      [range(0, 300), range(200, 700)],
      [range(0, 20_000), range(10_000, 30_000)],
      [range(0, 50), range(0, 20_000)],
    ]) {
      const ha = hllOf(a ?? []);
      const hb = hllOf(b ?? []);
      const ab = hllOf(a ?? []);
      ab.merge(hb);
      const ba = hllOf(b ?? []);
      ba.merge(ha);
      assert.deepEqual(ab.toJSON(), ba.toJSON());
      assert.deepEqual(ab.toJSON(), hllOf([...(a ?? []), ...(b ?? [])]).toJSON());
      const again = Hll.fromJSON(ab.toJSON());
      again.merge(ab);
      assert.deepEqual(again.toJSON(), ab.toJSON());
      assert.deepEqual(hb.toJSON(), hllOf(b ?? []).toJSON(), 'the merged-in sketch is untouched');
    }
  });
});

describe('DDSketch percentiles (α = 1 %)', () => {
  const values = Array.from({ length: 100_000 }, (_, i) => Math.exp(Math.sin(i * 12.9898) * 8 + 4));
  const sorted = [...values].sort((x, y) => x - y);

  test('p50/p90/p99 within α of the value at rank q·(n − 1)', () => {
    const sketch = new Sketch();
    for (const v of values) sketch.add(v);
    for (const q of [0, 0.01, 0.5, 0.9, 0.99, 1]) {
      const truth = sorted[Math.floor(q * (sorted.length - 1))] ?? 0;
      const estimate = sketch.quantile(q) ?? Number.NaN;
      assert.ok(
        Math.abs(estimate - truth) <= SKETCH_ALPHA * truth * (1 + 1e-9),
        `q=${q}: ${estimate} vs ${truth}`,
      );
    }
  });

  test('zeros counted apart, negatives ignored, empty is null, merge adds buckets exactly', () => {
    const p50 = percentile(0.5);
    let a = p50.init();
    for (const v of [0, 0, 0, 5, -3, Number.NaN, '7' as unknown as number]) a = p50.add(a, v);
    assert.equal(p50.finalize(a), 0);
    assert.equal(p50.finalize(p50.init()), null);
    let b = p50.init();
    for (const v of [10, 10, 10, 10]) b = p50.add(b, v);
    const merged = p50.merge(p50.fromJSON(p50.toJSON(a)), b);
    assert.equal(merged.count, 8);
    assert.ok(Math.abs((p50.finalize(merged) as number) - 5) <= 0.05);
    assert.deepEqual(p50.toJSON(p50.merge(p50.fromJSON(p50.toJSON(b)), a)), p50.toJSON(merged));
  });

  test(`at most ${SKETCH_MAX_BINS} buckets: the lowest fold upwards, no count is lost`, () => {
    const sketch = new Sketch();
    for (let i = 0; i < 3000; i++) sketch.add(1.03 ** i);
    assert.equal(sketch.bins.size, SKETCH_MAX_BINS);
    assert.equal(sketch.count, 3000);
    const top = sketch.quantile(1) ?? 0;
    assert.ok(Math.abs(top - 1.03 ** 2999) <= SKETCH_ALPHA * 1.03 ** 2999);
  });
});

describe('top_k', () => {
  test('budget max(1000, 10·k): new values past it go to "other" in arrival order', () => {
    assert.equal(topKKeyBudget(5), 1000);
    assert.equal(topKKeyBudget(100), 1000);
    const agg = topK(3);
    let s = agg.init();
    for (let i = 0; i < 1005; i++) s = agg.add(s, `/p${i}`);
    s = agg.add(s, '/p0');
    s = agg.add(s, '/p1004');
    assert.equal(s.counts.size, 1000);
    assert.equal(s.other, 6);
    assert.deepEqual(agg.finalize(s), {
      top: [
        { value: '/p0', count: 2 },
        { value: '/p1', count: 1 },
        { value: '/p10', count: 1 },
      ],
      other: 1007 - 4,
    });
  });

  test('merge adds counts and re-applies the budget: largest counts stay, ties by value', () => {
    const agg = topK(2);
    let a = agg.init();
    let b = agg.init();
    for (let i = 0; i < 800; i++) a = agg.add(a, `a${String(i).padStart(4, '0')}`);
    for (let i = 0; i < 800; i++) b = agg.add(b, `b${String(i).padStart(4, '0')}`);
    for (let i = 0; i < 5; i++) b = agg.add(b, 'b0799');
    const merged = agg.merge(agg.fromJSON(agg.toJSON(a)), b);
    assert.equal(merged.counts.size, 1000);
    assert.equal(merged.counts.get('b0799'), 6);
    // Kept: b0799 (6), then count-1 ties by value: a0000…a0799, b0000…b0198.
    assert.ok(merged.counts.has('a0799') && merged.counts.has('b0198') && !merged.counts.has('b0199'));
    assert.equal(merged.other, 600);
    const other = agg.merge(agg.fromJSON(agg.toJSON(b)), a);
    assert.deepEqual(agg.finalize(other), agg.finalize(merged));
    assert.deepEqual((agg.finalize(merged) as TopKValue).top, [
      { value: 'b0799', count: 6 },
      { value: 'a0000', count: 1 },
    ]);
  });

  test('numbers and booleans count as their strings; missing values are skipped', () => {
    const agg = topK(5);
    let s = agg.init();
    for (const v of [1, '1', true, null, undefined, 'x']) s = agg.add(s, v);
    assert.deepEqual(agg.finalize(s), {
      top: [
        { value: '1', count: 2 },
        { value: 'true', count: 1 },
        { value: 'x', count: 1 },
      ],
      other: 0,
    });
  });
});

describe('exact visitor counts, sums, extremes', () => {
  test('persisted as a set, emitted as a count; sets merge as a union, counts add', () => {
    let a = exactDistinct.init();
    for (const v of ['v1', 'v2', 'v1']) a = exactDistinct.add(a, v);
    assert.deepEqual(exactDistinct.toJSON(a), ['v1', 'v2']);
    assert.equal(exactDistinct.toResultJSON(a), 2);
    let b = exactDistinct.init();
    for (const v of ['v2', 'v3']) b = exactDistinct.add(b, v);
    assert.equal(exactDistinct.finalize(exactDistinct.merge(exactDistinct.fromJSON(['v1', 'v2']), b)), 3);
    const counted = exactDistinct.merge(exactDistinct.fromJSON(2), exactDistinct.fromJSON(5));
    assert.equal(exactDistinct.finalize(counted), 7);
    const mixed = exactDistinct.merge(exactDistinct.fromJSON(4), b);
    assert.deepEqual(exactDistinct.toJSON(mixed), { n: 4, v: ['v2', 'v3'] });
    assert.equal(exactDistinct.finalize(exactDistinct.fromJSON(exactDistinct.toJSON(mixed))), 6);
  });

  test('integer sums stay exact past float precision of mixed sums; fractions kept apart', () => {
    let s = sum.init();
    for (const v of [2 ** 52, 1, 1, 0.5, 0.25, 'x' as unknown as number]) s = sum.add(s, v);
    assert.deepEqual(sum.toJSON(s), [2 ** 52 + 2, 0.75, 5]);
    assert.equal(sum.finalize(sum.init()), null);
    assert.equal(avg.finalize(avg.fromJSON([6, 0, 4])), 1.5);
    assert.equal(avg.finalize(avg.init()), null);
  });

  test('min/max ignore non-numbers; count(field) skips missing values', () => {
    let lo = min.init();
    let hi = max.init();
    for (const v of [3, 'a', 9, null, -2]) {
      lo = min.add(lo, v as number);
      hi = max.add(hi, v as number);
    }
    assert.deepEqual([lo, hi], [-2, 9]);
    assert.equal(min.merge(null, 4), 4);
    let c = countField.init();
    for (const v of [1, null, undefined, 'x', false]) c = countField.add(c, v);
    assert.equal(c, 3);
  });

  test('base64 matches Buffer and rejects junk', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 256);
    for (const n of [0, 1, 2, 3, 1000]) {
      const part = bytes.slice(0, n);
      assert.equal(encodeBase64(part), Buffer.from(part).toString('base64'));
      assert.deepEqual(decodeBase64(encodeBase64(part), n), part);
    }
    assert.throws(() => decodeBase64('ab$d', 3));
    assert.throws(() => decodeBase64('AAAA', 2));
  });
});

describe('active_visitors', () => {
  const addEvent = activeVisitors.addEvent;
  assert.ok(addEvent);
  type Visit = [visitor: string, t: number, type: string];
  const event = (visitor: string, type: string) =>
    ({
      id: 'e',
      site: 's',
      type,
      ts: 0,
      url: 'https://a.example/',
      host: 'a.example',
      path: '/',
      visitor,
    }) as EnrichedEvent;
  const fold = (visits: readonly Visit[], state = activeVisitors.init()): ActiveVisitors =>
    visits.reduce((s, [visitor, t, type]) => addEvent(s, event(visitor, type), t), state);
  const active = (s: ActiveVisitors): number => {
    const n = activeVisitors.finalize(s);
    assert.equal(typeof n, 'number');
    return n as number;
  };

  test('a visitor whose latest event is a leave drops out; one who comes back after leaving counts again', () => {
    const state = fold([
      ['stays', 1, 'pageview'],
      ['leaves', 2, 'pageview'],
      ['leaves', 3, 'engagement'],
      ['leaves', 3_001, 'leave'],
      ['returns', 4, 'pageview'],
      ['returns', 5, 'leave'],
      ['returns', 9, 'pageview'],
      ['bounced', 6, 'leave'],
    ]);
    assert.equal(active(state), 2);
    assert.equal(active(fold([['leaves', 3_500, 'click']], state)), 3);
  });

  test('the latest time decides, not the arrival order; at the same ms the leave wins', () => {
    const state = fold([
      ['late-pageview', 10, 'leave'],
      ['late-pageview', 7, 'pageview'],
      ['same-ms', 4, 'engagement'],
      ['same-ms', 4, 'leave'],
      ['same-ms-reversed', 4, 'leave'],
      ['same-ms-reversed', 4, 'engagement'],
      ['late-leave', 8, 'pageview'],
      ['late-leave', 5, 'leave'],
    ]);
    assert.equal(active(state), 1);
    assert.deepEqual(activeVisitors.toJSON(state), [
      ['late-pageview', 10, 1],
      ['same-ms', 4, 1],
      ['same-ms-reversed', 4, 1],
      ['late-leave', 8, 0],
    ]);
  });

  test("merge keeps each visitor's later event: every order equals one state over all events", () => {
    const visits: Visit[] = [];
    let seed = 3;
    const next = (n: number) => {
      seed = (Math.imul(seed, 48271) + 11) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      visits.push([`v${next(40)}`, next(60), ['pageview', 'click', 'leave'][next(3)] ?? 'leave']);
    }
    const whole = fold(visits);
    const parts = [0, 1, 2, 3].map((k) => visits.filter((_, i) => i % 4 === k));
    const sorted = (s: ActiveVisitors) => JSON.stringify([...s.last].sort());
    const permutations = (xs: number[]): number[][] =>
      xs.length <= 1
        ? [xs]
        : xs.flatMap((x) => permutations(xs.filter((y) => y !== x)).map((p) => [x, ...p]));
    for (const order of permutations([0, 1, 2, 3])) {
      const merged = order
        .map((k) => fold(parts[k] ?? []))
        .reduce((a, b) => activeVisitors.merge(a, b), activeVisitors.init());
      assert.equal(sorted(merged), sorted(whole), order.join());
      assert.equal(active(merged), active(whole));
    }
    // Grouping: (a + b) + (c + d) = a + (b + (c + d)).
    const [a, b, c, d] = parts.map((p) => fold(p));
    assert.ok(a && b && c && d);
    const left = activeVisitors.merge(
      activeVisitors.merge(fold(parts[0] ?? []), b),
      activeVisitors.merge(c, d),
    );
    const right = activeVisitors.merge(
      a,
      activeVisitors.merge(fold(parts[1] ?? []), activeVisitors.merge(fold(parts[2] ?? []), d)),
    );
    assert.equal(sorted(left), sorted(right));
    assert.ok(active(whole) > 0 && active(whole) < 40, `a mix of active and left visitors: ${active(whole)}`);
  });

  test('persisted with times and leave flags, emitted as the count; counts add across shards', () => {
    const state = fold([
      ['a', 1, 'pageview'],
      ['b', 2, 'leave'],
    ]);
    assert.deepEqual(activeVisitors.toJSON(state), [
      ['a', 1, 0],
      ['b', 2, 1],
    ]);
    assert.equal(activeVisitors.toResultJSON(state), 1);
    const restored = activeVisitors.fromJSON(JSON.parse(JSON.stringify(activeVisitors.toJSON(state))));
    assert.deepEqual([...restored.last], [...state.last]);
    assert.equal(active(activeVisitors.merge(activeVisitors.fromJSON(2), activeVisitors.fromJSON(3))), 5);
    const mixed = activeVisitors.merge(activeVisitors.fromJSON(4), state);
    assert.deepEqual(activeVisitors.toJSON(mixed), {
      n: 4,
      v: [
        ['a', 1, 0],
        ['b', 2, 1],
      ],
    });
    assert.equal(active(activeVisitors.fromJSON(activeVisitors.toJSON(mixed))), 5);
    assert.equal(active(activeVisitors.init()), 0);
  });

  test('malformed states are rejected', () => {
    for (const bad of ['x', [['v', 1.5, 0]], [['v', 1, 2]], [[1, 1, 0]], { n: 'x', v: [] }, { v: 3 }]) {
      assert.throws(() => activeVisitors.fromJSON(bad), StateFormatError, JSON.stringify(bad));
    }
  });
});
