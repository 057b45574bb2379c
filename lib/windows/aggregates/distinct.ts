import type { Scalar } from '../fields';
import { Hll } from './hll';
import { type Aggregator, expectNumber, StateFormatError } from './types';

/**
 * count_distinct. Values are compared as strings (the number 1 and the string "1" are one value).
 *
 * For `visitor`, the partition key, the count is exact: a set of ids per cell. A visitor's events all go
 * to one shard, so the sets of different shards are disjoint and only the size needs to leave the shard:
 * emitted states carry the count alone, and merging a count with anything adds. Two sets (two panes of
 * one shard) merge as a union, so the same visitor in both counts once.
 */

function asText(value: Scalar | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

export class ExactSet {
  constructor(
    readonly values = new Set<string>(),
    /** Visitors known only by number (from emitted states of other shards or windows). */
    public extra = 0,
  ) {}
  get size(): number {
    return this.values.size + this.extra;
  }
}

export const exactDistinct: Aggregator<ExactSet> = {
  init: () => new ExactSet(),
  add: (state, value) => {
    const text = asText(value);
    if (text !== undefined) state.values.add(text);
    return state;
  },
  merge: (a, b) => {
    for (const v of b.values) a.values.add(v);
    a.extra += b.extra;
    return a;
  },
  // Insertion order is arrival order, which persistence keeps, so the text is deterministic.
  toJSON: (s) => (s.extra === 0 ? [...s.values] : { n: s.extra, v: [...s.values] }),
  toResultJSON: (s) => s.size,
  fromJSON: (json) => {
    if (typeof json === 'number') return new ExactSet(new Set(), expectNumber(json, 'distinct'));
    const list = Array.isArray(json)
      ? json
      : typeof json === 'object' && json !== null && 'v' in json && Array.isArray(json.v)
        ? json.v
        : undefined;
    if (list === undefined) throw new StateFormatError('distinct: expected a count, an array or { n, v }');
    const extra =
      !Array.isArray(json) && typeof json === 'object' && json !== null && 'n' in json ? json.n : 0;
    const state = new ExactSet(new Set(), expectNumber(extra, 'distinct'));
    for (const v of list) {
      if (typeof v !== 'string') throw new StateFormatError('distinct: expected string members');
      state.values.add(v);
    }
    return state;
  },
  finalize: (s) => s.size,
};

export const approxDistinct: Aggregator<Hll> = {
  init: () => new Hll(),
  add: (state, value) => {
    const text = asText(value);
    if (text !== undefined) state.addString(text);
    return state;
  },
  merge: (a, b) => {
    a.merge(b);
    return a;
  },
  toJSON: (s) => s.toJSON(),
  toResultJSON: (s) => s.toJSON(),
  fromJSON: (json) => Hll.fromJSON(json),
  finalize: (s) => Math.round(s.estimate()),
};
