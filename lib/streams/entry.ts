import type { EnrichedEvent } from '../events/enriched';

/**
 * Stream entry layout. An events entry holds one request's events for one shard (an aggregated record):
 * fields `k=e`, `d=<JSON array>`; an event is addressed by (stream id, index in d). Tick entries (`k=t`)
 * carry no events; workers write them so that idle shards' observed time still advances.
 */
export type StreamEntry =
  | { kind: 'events'; id: string; events: EnrichedEvent[] }
  | { kind: 'tick'; id: string }
  | { kind: 'unknown'; id: string };

export function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

export function decodeEntry(id: string, fields: readonly string[]): StreamEntry {
  const kind = fieldValue(fields, 'k');
  if (kind === 't') return { kind: 'tick', id };
  if (kind !== 'e') return { kind: 'unknown', id };
  const data = fieldValue(fields, 'd');
  if (data === undefined) return { kind: 'unknown', id };
  // Entries are written only by the ingest script from server-validated events, so the shape is trusted.
  return { kind: 'events', id, events: JSON.parse(data) as EnrichedEvent[] };
}

/** Milliseconds part of a stream id: the ingest time. */
export function streamIdMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** Orders stream ids numerically (string order is wrong when the ms part changes length). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = '0', aSeq = '0'] = a.split('-');
  const [bMs = '0', bSeq = '0'] = b.split('-');
  const byMs = Number(aMs) - Number(bMs);
  return byMs !== 0 ? byMs : Number(aSeq) - Number(bSeq);
}
