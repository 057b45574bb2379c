import type { EnrichedEvent } from '../../events/enriched';
import type { Scalar } from '../fields';

/** JSON values, as the persisted and emitted states are made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface TopKValue {
  top: Array<{ value: string; count: number }>;
  other: number;
}
/** What a finalized aggregate shows: a number (or null when there was nothing to aggregate), or a top list. */
export type FinalValue = number | null | TopKValue;

/**
 * A mergeable aggregate. States may be mutable objects: `add` and `merge` return the new state and may
 * reuse their first argument, never the second, so a pane's state can be merged into many windows.
 * `merge` is commutative and associative in value (serialized forms may order set members differently).
 * Methods (not function properties) so that every Aggregator<S> fits the erased Aggregator<unknown>.
 */
export interface Aggregator<S> {
  init(): S;
  add(state: S, value: Scalar | undefined): S;
  /**
   * For aggregates that read more than one field (active_visitors: visitor, type and the event's time
   * `t` in the definition's time domain); when present, the engine calls it instead of `add`.
   */
  addEvent?(state: S, event: EnrichedEvent, t: number): S;
  merge(into: S, other: S): S;
  /** The persisted form: complete, so the engine can continue from it. */
  toJSON(state: S): Json;
  /** The emitted form; may drop what only one shard needs (the exact visitor set becomes its size). */
  toResultJSON(state: S): Json;
  fromJSON(json: unknown): S;
  finalize(state: S): FinalValue;
}

export class StateFormatError extends Error {
  override name = 'StateFormatError';
}

export function expectNumber(json: unknown, what: string): number {
  if (typeof json !== 'number' || !Number.isFinite(json))
    throw new StateFormatError(`${what}: expected a number`);
  return json;
}

export function expectArray(json: unknown, what: string): unknown[] {
  if (!Array.isArray(json)) throw new StateFormatError(`${what}: expected an array`);
  return json;
}
