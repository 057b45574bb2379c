import { AggregateSet } from './aggregates';
import { ResultBuilder } from './cells';
import type { WindowDefinition } from './definition';
import { compileGroupKey, type GroupKeyer } from './group-key';
import { compilePredicate, type EventPredicate } from './predicate';
import { type TimeDomainFns, timeDomain } from './time';

/** Everything the fold needs from a definition, built once per engine. */
export interface CompiledWindow {
  readonly def: WindowDefinition;
  readonly aggs: AggregateSet;
  readonly keyer: GroupKeyer;
  readonly time: TimeDomainFns;
  readonly graceMs: number;
  /** Site filter and `where`, or undefined when every event counts. */
  readonly accepts: EventPredicate | undefined;
  readonly results: ResultBuilder;
}

function acceptor(def: WindowDefinition): EventPredicate | undefined {
  const where = def.where === undefined ? undefined : compilePredicate(def.where);
  const site = def.site;
  if (site === null) return where;
  if (where === undefined) return (e) => e.site === site;
  return (e, i) => e.site === site && where(e, i);
}

export function compileWindow(def: WindowDefinition): CompiledWindow {
  const aggs = new AggregateSet(def.aggregates);
  const keyer = compileGroupKey(def.groupBy);
  return {
    def,
    aggs,
    keyer,
    time: timeDomain(def),
    graceMs: def.graceMs,
    accepts: acceptor(def),
    results: new ResultBuilder(def.id, def.version, keyer.names, aggs),
  };
}

const AGGREGATES = new WeakMap<WindowDefinition, AggregateSet>();

/** The aggregate set of a definition, cached per definition object (for merging and finalizing results). */
export function aggregatesOf(def: WindowDefinition): AggregateSet {
  let aggs = AGGREGATES.get(def);
  if (aggs === undefined) {
    aggs = new AggregateSet(def.aggregates);
    AGGREGATES.set(def, aggs);
  }
  return aggs;
}
