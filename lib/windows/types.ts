import type { EnrichedEvent } from '../events/enriched';
import type { Scalar } from './fields';

export type { Scalar } from './fields';

export type EngineInput =
  | { kind: 'event'; ingestMs: number; event: EnrichedEvent }
  | { kind: 'tick'; ingestMs: number };

export interface WindowResult {
  defId: string;
  version: number;
  site: string;
  /** Half-open [start, end); sessions: end = last event + 1. */
  start: number;
  end: number;
  /** Group fields (without site); null when groupBy is empty. */
  key: Record<string, Scalar> | null;
  /** The cell's aggregate states, serialized (JSON), mergeable across shards. */
  state: string;
  final: boolean;
}

export interface LateCount {
  site: string;
  start: number;
  end: number;
  count: number;
}

export interface EngineDelta {
  /** Persisted cells created or changed since the last drain. */
  upserts: Array<[cellId: string, serialized: string]>;
  /** Cells dropped since the last drain (never also in upserts). */
  deletes: string[];
  /** FINALs emitted since the last drain, in emission order. */
  finals: WindowResult[];
  /** Late events since the last drain, per window. */
  late: LateCount[];
  observedTimeMs: number;
}

export interface EngineSnapshot {
  observedTimeMs: number;
  cells: Iterable<[string, string]>;
}
