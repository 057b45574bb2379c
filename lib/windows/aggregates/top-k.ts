import type { Scalar } from '../fields';
import { type Aggregator, expectArray, expectNumber, StateFormatError, type TopKValue } from './types';

/**
 * top_k(field, k): exact counts per value (as strings) for up to TOP_K_KEY_BUDGET(k) distinct values per
 * state. A value first seen when the budget is full is counted in `other` (decided by arrival order, so
 * deterministic). Merging adds the maps and re-applies the budget: the largest counts stay (ties: the
 * smaller value string), the rest folds into `other`. Exact whenever no state exceeded its budget.
 */

/** The smallest key budget; TOP_K_KEY_BUDGET in the design notes is `topKKeyBudget(k)`. */
export const TOP_K_MIN_KEY_BUDGET = 1000;

/** Distinct values a top_k state counts exactly: max(1000, 10·k). */
export function topKKeyBudget(k: number): number {
  return Math.max(TOP_K_MIN_KEY_BUDGET, 10 * k);
}

export class TopKState {
  constructor(
    readonly counts = new Map<string, number>(),
    public other = 0,
  ) {}
}

function byCountThenValue(a: [string, number], b: [string, number]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function enforceBudget(state: TopKState, budget: number): TopKState {
  if (state.counts.size <= budget) return state;
  const entries = [...state.counts].sort(byCountThenValue);
  const kept = new TopKState(new Map(entries.slice(0, budget)), state.other);
  for (const [, count] of entries.slice(budget)) kept.other += count;
  return kept;
}

export function topK(k: number): Aggregator<TopKState> {
  const budget = topKKeyBudget(k);
  return {
    init: () => new TopKState(),
    add: (state, value: Scalar | undefined) => {
      if (value === undefined || value === null) return state;
      const text = typeof value === 'string' ? value : String(value);
      const count = state.counts.get(text);
      if (count !== undefined) state.counts.set(text, count + 1);
      else if (state.counts.size < budget) state.counts.set(text, 1);
      else state.other++;
      return state;
    },
    merge: (a, b) => {
      for (const [value, count] of b.counts) a.counts.set(value, (a.counts.get(value) ?? 0) + count);
      a.other += b.other;
      return enforceBudget(a, budget);
    },
    toJSON: (s) => ({ c: [...s.counts], o: s.other }),
    toResultJSON: (s) => ({ c: [...s.counts], o: s.other }),
    fromJSON: (json) => {
      if (typeof json !== 'object' || json === null || !('c' in json) || !('o' in json)) {
        throw new StateFormatError('top_k: expected { c, o }');
      }
      const state = new TopKState(new Map(), expectNumber(json.o, 'top_k other'));
      for (const entry of expectArray(json.c, 'top_k counts')) {
        const [value, count] = expectArray(entry, 'top_k entry');
        if (typeof value !== 'string') throw new StateFormatError('top_k: values are strings');
        state.counts.set(value, expectNumber(count, 'top_k count'));
      }
      return enforceBudget(state, budget);
    },
    finalize: (s): TopKValue => {
      const entries = [...s.counts].sort(byCountThenValue);
      let other = s.other;
      for (const [, count] of entries.slice(k)) other += count;
      return { top: entries.slice(0, k).map(([value, count]) => ({ value, count })), other };
    },
  };
}
