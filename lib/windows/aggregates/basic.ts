import type { Scalar } from '../fields';
import { type Aggregator, expectArray, expectNumber, StateFormatError } from './types';

/**
 * count, count(field), sum, avg, min, max. Non-number values are ignored by the numeric ones (a string
 * "12" in a prop is not a number). Sums keep integer inputs apart from fractional ones: the integer part
 * is exact while it stays within ±2^53 − 1, so integer sums are identical in any order and across shards;
 * the fractional part is ordinary float addition, deterministic for a given order but possibly differing
 * in the last bits between merge orders.
 */

export const countAll: Aggregator<number> = {
  init: () => 0,
  add: (state) => state + 1,
  merge: (a, b) => a + b,
  toJSON: (state) => state,
  toResultJSON: (state) => state,
  fromJSON: (json) => expectNumber(json, 'count'),
  finalize: (state) => state,
};

/** count(field): values that are present and not null. */
export const countField: Aggregator<number> = {
  ...countAll,
  add: (state, value) => (value === undefined || value === null ? state : state + 1),
};

export class SumState {
  constructor(
    public int = 0,
    public frac = 0,
    public count = 0,
  ) {}
  get total(): number {
    return this.int + this.frac;
  }
  add(value: Scalar | undefined): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    if (Number.isInteger(value)) this.int += value;
    else this.frac += value;
    this.count++;
  }
  mergeFrom(other: SumState): void {
    this.int += other.int;
    this.frac += other.frac;
    this.count += other.count;
  }
}

function sumFromJSON(json: unknown, what: string): SumState {
  const [int, frac, count] = expectArray(json, what);
  return new SumState(expectNumber(int, what), expectNumber(frac, what), expectNumber(count, what));
}

export const sum: Aggregator<SumState> = {
  init: () => new SumState(),
  add: (state, value) => {
    state.add(value);
    return state;
  },
  merge: (a, b) => {
    a.mergeFrom(b);
    return a;
  },
  toJSON: (s) => [s.int, s.frac, s.count],
  toResultJSON: (s) => [s.int, s.frac, s.count],
  fromJSON: (json) => sumFromJSON(json, 'sum'),
  /** SQL's SUM of nothing is NULL. */
  finalize: (s) => (s.count === 0 ? null : s.total),
};

export const avg: Aggregator<SumState> = {
  ...sum,
  fromJSON: (json) => sumFromJSON(json, 'avg'),
  finalize: (s) => (s.count === 0 ? null : s.total / s.count),
};

function extremum(pick: (a: number, b: number) => number, what: string): Aggregator<number | null> {
  return {
    init: () => null,
    add: (state, value) =>
      typeof value !== 'number' || !Number.isFinite(value)
        ? state
        : state === null
          ? value
          : pick(state, value),
    merge: (a, b) => (a === null ? b : b === null ? a : pick(a, b)),
    toJSON: (state) => state,
    toResultJSON: (state) => state,
    fromJSON: (json) => {
      if (json === null) return null;
      if (typeof json !== 'number') throw new StateFormatError(`${what}: expected a number or null`);
      return json;
    },
    finalize: (state) => state,
  };
}

export const min = extremum(Math.min, 'min');
export const max = extremum(Math.max, 'max');
