import type { EnrichedEvent } from '../../events/enriched';
import type { Ledger, ParsedCell } from '../cells';
import type { CompiledWindow } from '../compile';
import type { WindowResult } from '../types';

/**
 * One window type's state machine. The engine advances observed time (OT) first, then calls `add` for
 * an accepted event (lateness is decided inside, against OT), then `close` whenever OT reached
 * `nextCloseAt` — the earliest time any open window could close.
 */
export interface WindowCore {
  readonly nextCloseAt: number;
  add(t: number, event: EnrichedEvent, ingestMs: number, ot: number): void;
  close(ot: number): void;
  /** Loads one persisted cell; `finishRestore` follows once all are in. */
  restore(cell: ParsedCell): void;
  finishRestore(ot: number): void;
  live(ot: number): WindowResult[];
}

export interface CoreContext {
  readonly cw: CompiledWindow;
  readonly ledger: Ledger;
}

/** Most distinct group keys per window and site; further keys share the "(other)" key. */
export const MAX_GROUPS_PER_WINDOW = 1000;
/**
 * Most open partitions (key tuples with an open session or stagger window) per site and engine; further
 * tuples share the "(other)" partition. Each of those windows has a single key, so the per-window cap
 * cannot bound them; this does.
 */
export const MAX_OPEN_PARTITIONS = 200_000;
