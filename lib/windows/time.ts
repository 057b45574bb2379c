import type { EnrichedEvent } from '../events/enriched';
import type { WindowDefinition } from './definition';

/** How far a client timestamp may trail its ingest time (and how far event-time OT trails ticks). */
export const EVENT_TIME_MAX_LAG_MS = 86_400_000;
/** How far a client timestamp may run ahead of its ingest time. */
export const EVENT_TIME_MAX_LEAD_MS = 5_000;

/** Non-negative remainder, so alignment works the same on both sides of the epoch. */
export function mod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}

/** Start of the aligned interval of length `unit` (shifted by `offset`) that holds `t`. */
export function alignDown(t: number, unit: number, offset: number): number {
  return t - mod(t - offset, unit);
}

export interface TimeDomainFns {
  /** The time an event has for this definition. */
  eventTime(event: EnrichedEvent, ingestMs: number): number;
  /** The observed time a tick written at `ingestMs` proves. */
  tickTime(ingestMs: number): number;
}

const INGEST: TimeDomainFns = {
  eventTime: (_event, ingestMs) => ingestMs,
  tickTime: (ingestMs) => ingestMs,
};

const EVENT: TimeDomainFns = {
  eventTime: (event, ingestMs) => {
    const low = ingestMs - EVENT_TIME_MAX_LAG_MS;
    const high = ingestMs + EVENT_TIME_MAX_LEAD_MS;
    return Math.min(Math.max(event.ts, low), high);
  },
  // Events may still arrive carrying any time down to ingest − 24 h, so a tick proves only that much.
  tickTime: (ingestMs) => ingestMs - EVENT_TIME_MAX_LAG_MS,
};

export function timeDomain(def: Pick<WindowDefinition, 'time'>): TimeDomainFns {
  return def.time === 'event' ? EVENT : INGEST;
}
