import type { EnrichedEvent } from '../../events/enriched';
import type { AggregateSpec } from '../definition';
import { compileField, type FieldAccessor } from '../fields';
import { compilePredicate, type EventPredicate } from '../predicate';
import { activeVisitors } from './active';
import { avg, countAll, countField, max, min, sum } from './basic';
import { approxDistinct, exactDistinct } from './distinct';
import { percentile } from './sketch';
import { topK } from './top-k';
import { type Aggregator, type FinalValue, type Json, StateFormatError } from './types';

export type { Aggregator, FinalValue, Json, TopKValue } from './types';

/** The field whose distinct count is exact: the partition key (BRIEF §2), disjoint across shards. */
export const EXACT_DISTINCT_FIELD = 'visitor';

export function aggregatorFor(spec: AggregateSpec): Aggregator<unknown> {
  switch (spec.fn) {
    case 'count':
      return spec.field === undefined ? countAll : countField;
    case 'count_distinct':
      return spec.field === EXACT_DISTINCT_FIELD ? exactDistinct : approxDistinct;
    case 'sum':
      return sum;
    case 'avg':
      return avg;
    case 'min':
      return min;
    case 'max':
      return max;
    case 'top_k':
      return topK(spec.k);
    case 'p50':
      return percentile(0.5);
    case 'p90':
      return percentile(0.9);
    case 'p99':
      return percentile(0.99);
    case 'active_visitors':
      return activeVisitors;
  }
}

/** How a sliding window computes an aggregate incrementally (see cores/distinct-sweep.ts), if it does. */
export type SweepKind = 'exact' | 'active';

interface CompiledAggregate {
  readonly name: string;
  readonly agg: Aggregator<unknown>;
  readonly read: FieldAccessor | undefined;
  readonly where: EventPredicate | undefined;
}

/** A cell's state: one state per aggregate, in definition order. */
export type CellStates = unknown[];

/** The aggregates of one definition, compiled once: how a cell's state tuple is built, fed and (de)serialized. */
export class AggregateSet {
  readonly #aggs: readonly CompiledAggregate[];
  /**
   * Feeds an event at time `t` (the definition's time of it) to a cell's states. Specialised for the
   * commonest definitions; see the constructor.
   */
  readonly add: (states: CellStates, event: EnrichedEvent, ingestMs: number, t: number) => void;

  constructor(specs: readonly AggregateSpec[]) {
    this.#aggs = specs.map((spec) => ({
      name: spec.name,
      agg: aggregatorFor(spec),
      read: spec.field === undefined ? undefined : compileField(spec.field),
      where: spec.where === undefined ? undefined : compilePredicate(spec.where),
    }));
    const aggs = this.#aggs;
    const only = aggs.length === 1 ? aggs[0] : undefined;
    if (only !== undefined && only.agg === countAll && only.where === undefined) {
      this.add = (states) => {
        states[0] = (states[0] as number) + 1;
      };
    } else {
      this.add = (states, event, ingestMs, t) => {
        for (let i = 0; i < aggs.length; i++) {
          const a = aggs[i] as CompiledAggregate;
          if (a.where !== undefined && !a.where(event, ingestMs)) continue;
          if (a.agg.addEvent !== undefined) states[i] = a.agg.addEvent(states[i], event, t);
          else states[i] = a.agg.add(states[i], a.read === undefined ? undefined : a.read(event, ingestMs));
        }
      };
    }
  }

  get names(): string[] {
    return this.#aggs.map((a) => a.name);
  }

  init(): CellStates {
    return this.#aggs.map((a) => a.agg.init());
  }

  /**
   * Folds `other` into `into` (which it may reuse) and returns the result; `other` is untouched.
   * Aggregates flagged in `skip` are left as they are in `into`.
   */
  merge(into: CellStates, other: CellStates, skip?: readonly boolean[]): CellStates {
    for (let i = 0; i < this.#aggs.length; i++) {
      if (skip?.[i] === true) continue;
      const a = this.#aggs[i] as CompiledAggregate;
      into[i] = a.agg.merge(into[i], other[i]);
    }
    return into;
  }

  /** A fresh copy that shares nothing with `states` (aggregates flagged in `skip` stay empty). */
  clone(states: CellStates, skip?: readonly boolean[]): CellStates {
    return this.merge(this.init(), states, skip);
  }

  /**
   * Per aggregate, how sliding windows maintain it incrementally instead of merging every pane:
   * exact visitor counts (reference-counted union) and active visitors (latest visit per visitor).
   */
  sweepKinds(): Array<SweepKind | undefined> {
    return this.#aggs.map((a) =>
      a.agg === exactDistinct ? 'exact' : a.agg === activeVisitors ? 'active' : undefined,
    );
  }

  toJSON(states: CellStates): Json[] {
    return this.#aggs.map((a, i) => a.agg.toJSON(states[i]));
  }

  toResultJSON(states: CellStates): Json[] {
    return this.#aggs.map((a, i) => a.agg.toResultJSON(states[i]));
  }

  fromJSON(json: unknown): CellStates {
    if (!Array.isArray(json) || json.length !== this.#aggs.length) {
      throw new StateFormatError(`expected an array of ${this.#aggs.length} aggregate states`);
    }
    return this.#aggs.map((a, i) => a.agg.fromJSON(json[i]));
  }

  finalize(states: CellStates): Record<string, FinalValue> {
    const out: Record<string, FinalValue> = {};
    this.#aggs.forEach((a, i) => {
      out[a.name] = a.agg.finalize(states[i]);
    });
    return out;
  }
}
