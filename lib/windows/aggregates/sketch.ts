import type { Scalar } from '../fields';
import { type Aggregator, expectArray, expectNumber, StateFormatError } from './types';

/**
 * p50/p90/p99: a DDSketch-style log-bucket histogram (Masson et al., arXiv:1908.10693) with relative
 * accuracy α = 1 %: bucket i holds values in (γ^(i−1), γ^i], γ = (1+α)/(1−α), and answers 2γ^i/(γ+1),
 * within α of any value in it. Zeros have their own count; negative values are ignored (clickstream
 * durations and sizes are non-negative). Merge adds bucket counts (exact). At most SKETCH_MAX_BINS
 * buckets: beyond, the lowest ones are folded upwards (only low quantiles lose accuracy, and 2048
 * buckets already span a factor of 10^17, so real data never gets there).
 */

export const SKETCH_ALPHA = 0.01;
export const SKETCH_GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
const LOG_GAMMA = Math.log(SKETCH_GAMMA);
export const SKETCH_MAX_BINS = 2048;

export class Sketch {
  constructor(
    readonly bins = new Map<number, number>(),
    public zero = 0,
  ) {}

  add(x: number, count = 1): void {
    if (x === 0) {
      this.zero += count;
      return;
    }
    const index = Math.ceil(Math.log(x) / LOG_GAMMA);
    this.addToBin(index, count);
  }

  addToBin(index: number, count: number): void {
    this.bins.set(index, (this.bins.get(index) ?? 0) + count);
    if (this.bins.size > SKETCH_MAX_BINS) this.collapse();
  }

  private collapse(): void {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const excess = keys.length - SKETCH_MAX_BINS;
    const target = keys[excess];
    if (target === undefined) return;
    let moved = 0;
    for (const key of keys.slice(0, excess)) {
      moved += this.bins.get(key) ?? 0;
      this.bins.delete(key);
    }
    this.bins.set(target, (this.bins.get(target) ?? 0) + moved);
  }

  get count(): number {
    let n = this.zero;
    for (const c of this.bins.values()) n += c;
    return n;
  }

  /** The estimate for the value at rank q·(n − 1) (0-based), or null when empty. */
  quantile(q: number): number | null {
    const n = this.count;
    if (n === 0) return null;
    const rank = q * (n - 1);
    if (rank < this.zero) return 0;
    let cumulative = this.zero;
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    for (const key of keys) {
      cumulative += this.bins.get(key) ?? 0;
      if (cumulative > rank) return (2 * SKETCH_GAMMA ** key) / (SKETCH_GAMMA + 1);
    }
    const last = keys.at(-1) ?? 0;
    return (2 * SKETCH_GAMMA ** last) / (SKETCH_GAMMA + 1);
  }
}

export function percentile(q: number): Aggregator<Sketch> {
  return {
    init: () => new Sketch(),
    add: (state, value: Scalar | undefined) => {
      if (typeof value === 'number' && value >= 0 && Number.isFinite(value)) state.add(value);
      return state;
    },
    merge: (a, b) => {
      a.zero += b.zero;
      for (const [index, count] of b.bins) a.addToBin(index, count);
      return a;
    },
    toJSON: (s) => sketchToJSON(s),
    toResultJSON: (s) => sketchToJSON(s),
    fromJSON: (json) => {
      if (typeof json !== 'object' || json === null || !('z' in json) || !('k' in json) || !('c' in json)) {
        throw new StateFormatError('sketch: expected { z, k, c }');
      }
      const keys = expectArray(json.k, 'sketch keys');
      const counts = expectArray(json.c, 'sketch counts');
      if (keys.length !== counts.length)
        throw new StateFormatError('sketch: keys and counts differ in length');
      const sketch = new Sketch(new Map(), expectNumber(json.z, 'sketch zero'));
      keys.forEach((key, i) => {
        sketch.addToBin(expectNumber(key, 'sketch key'), expectNumber(counts[i], 'sketch count'));
      });
      return sketch;
    },
    finalize: (s) => s.quantile(q),
  };
}

/** `{ z: zeros, k: [bucket indices ascending], c: [counts] }`. */
function sketchToJSON(s: Sketch): { z: number; k: number[]; c: number[] } {
  const keys = [...s.bins.keys()].sort((a, b) => a - b);
  return { z: s.zero, k: keys, c: keys.map((key) => s.bins.get(key) ?? 0) };
}
