import type { EnrichedEvent } from '../../events/enriched';
import { type Aggregator, expectArray, expectNumber, StateFormatError } from './types';

/**
 * active_visitors: distinct visitors whose latest event in the window is not a `leave` — "online now",
 * where the snippet's pagehide signal drops a visitor at once and their next event counts them again.
 *
 * State: visitor → their latest event, packed as the code `2·t + (leave ? 1 : 0)` (t = the event's time
 * in the definition's time domain, an integer ms). A larger code is a later event and, at the same ms,
 * the leave: the snippet sends `engagement` and `leave` together on pagehide, often stamped in one ms
 * (one request shares one ingest ms), and the leave is the last thing a page says. So `add` and `merge`
 * both keep the larger code: commutative, associative and idempotent, whatever the arrival order.
 *
 * Like exact visitor counts, a visitor's events all go to one shard: emitted states carry the count
 * alone, and a count merges with anything by adding. Two full states (two panes of a shard, two
 * sessions being bridged) merge per visitor, so a visitor who left in one and came back in the other
 * is decided by their latest event, not counted twice.
 */

export function visitCode(t: number, leave: boolean): number {
  return 2 * t + (leave ? 1 : 0);
}

/** The time of a visit code (floor: codes of negative times stay ordered). */
export function visitTime(code: number): number {
  return Math.floor(code / 2);
}

export function isActiveCode(code: number): boolean {
  return code % 2 === 0;
}

export class ActiveVisitors {
  /**
   * Visitors whose entry changed, in order, once a sliding window's sweep follows this state (else
   * undefined): the sweep reads only what changed since it last looked. In memory only; at most one
   * entry per event added to the state.
   */
  journal: string[] | undefined = undefined;

  constructor(
    /** visitor → visit code of their latest event. */
    readonly last = new Map<string, number>(),
    /** Active visitors known only by number (emitted states of other shards). */
    public extra = 0,
  ) {}

  /** Keeps `code` for `visitor` when it is later than what the state holds. */
  visit(visitor: string, code: number): void {
    const previous = this.last.get(visitor);
    if (previous !== undefined && previous >= code) return;
    this.last.set(visitor, code);
    this.journal?.push(visitor);
  }

  get active(): number {
    let n = this.extra;
    for (const code of this.last.values()) if (isActiveCode(code)) n++;
    return n;
  }
}

const LEAVE = 'leave';

type Visit = [visitor: string, t: number, leave: 0 | 1];

function visitsToJSON(state: ActiveVisitors): Visit[] {
  const out: Visit[] = [];
  for (const [visitor, code] of state.last) out.push([visitor, visitTime(code), isActiveCode(code) ? 0 : 1]);
  return out;
}

function visitFromJSON(json: unknown): [string, number] {
  const [visitor, t, leave] = expectArray(json, 'active_visitors entry');
  if (typeof visitor !== 'string') throw new StateFormatError('active_visitors: visitors are strings');
  const time = expectNumber(t, 'active_visitors time');
  if (!Number.isSafeInteger(time) || !Number.isSafeInteger(2 * time) || (leave !== 0 && leave !== 1)) {
    throw new StateFormatError('active_visitors: expected [visitor, integer ms, 0 | 1]');
  }
  return [visitor, visitCode(time, leave === 1)];
}

/**
 * Fed through `addEvent` (it needs the visitor, the type and the event's time); `add` has no single
 * field to read and ignores its value.
 */
export const activeVisitors: Aggregator<ActiveVisitors> = {
  init: () => new ActiveVisitors(),
  add: (state) => state,
  addEvent: (state, event: EnrichedEvent, t: number) => {
    state.visit(event.visitor, visitCode(t, event.type === LEAVE));
    return state;
  },
  merge: (a, b) => {
    for (const [visitor, code] of b.last) a.visit(visitor, code);
    a.extra += b.extra;
    return a;
  },
  // Map order is first-arrival order, which persistence keeps, so the text is deterministic.
  toJSON: (s) => (s.extra === 0 ? visitsToJSON(s) : { n: s.extra, v: visitsToJSON(s) }),
  toResultJSON: (s) => s.active,
  fromJSON: (json) => {
    if (typeof json === 'number') return new ActiveVisitors(new Map(), expectNumber(json, 'active_visitors'));
    const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
    const list = Array.isArray(json) ? json : isObject && 'v' in json ? json.v : undefined;
    if (!Array.isArray(list)) {
      throw new StateFormatError('active_visitors: expected a count, an array or { n, v }');
    }
    const extra = isObject && 'n' in json ? expectNumber(json.n, 'active_visitors') : 0;
    const state = new ActiveVisitors(new Map(), extra);
    for (const entry of list) {
      const [visitor, code] = visitFromJSON(entry);
      state.visit(visitor, code);
    }
    return state;
  },
  finalize: (s) => s.active,
};
