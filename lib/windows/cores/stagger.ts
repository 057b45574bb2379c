import type { EnrichedEvent } from '../../events/enriched';
import { Cell, type ParsedCell } from '../cells';
import { OTHER_KEY } from '../group-key';
import type { WindowResult } from '../types';
import type { CoreContext, WindowCore } from './core';
import { MinHeap } from './heap';
import { byEndSiteKeyStart, Partitions } from './partitions';

/**
 * stagger(range), partitioned by groupBy (Kinesis STAGGER, on deterministic time): a key tuple's window
 * opens at its first event's time t0 and covers [t0, t0 + range). An event joins the earliest open
 * window of its tuple that covers its time; otherwise it opens a new window at its own time, unless that
 * window would already be closed (`OT ≥ t + range + grace`: late). Closes at `OT ≥ t0 + range + grace`;
 * FINAL only. Cell: a = t0, b = t0 + range.
 */
export class StaggerCore implements WindowCore {
  nextCloseAt = Number.POSITIVE_INFINITY;
  readonly #ctx: CoreContext;
  readonly #range: number;
  readonly #grace: number;
  readonly #partitions = new Partitions();
  readonly #heap = new MinHeap<Cell>();

  constructor(ctx: CoreContext) {
    this.#ctx = ctx;
    this.#range = ctx.cw.def.rangeMs ?? 1;
    this.#grace = ctx.cw.graceMs;
  }

  #enqueue(cell: Cell): void {
    const at = cell.b + this.#grace;
    this.#heap.push(at, cell);
    if (at < this.nextCloseAt) this.nextCloseAt = at;
  }

  add(t: number, event: EnrichedEvent, ingestMs: number, ot: number): void {
    const { keyer, aggs } = this.#ctx.cw;
    const ledger = this.#ctx.ledger;
    const keyStr = keyer.encode(event, ingestMs);
    let window: Cell | undefined;
    for (const cell of this.#partitions.find(event.site, keyStr)?.items ?? []) {
      if (cell.a <= t && t < cell.b) {
        window = cell;
        break;
      }
    }
    if (window === undefined) {
      if (ot >= t + this.#range + this.#grace) {
        ledger.late(event.site, t, t + this.#range);
        return;
      }
      const partition = this.#partitions.open(event.site, keyStr, keyer, event, ingestMs);
      window = new Cell('g', t, t + this.#range, event.site, partition.keyStr, partition.key, aggs.init());
      partition.insert(window);
      ledger.created(window);
      this.#enqueue(window);
    }
    aggs.add(window.states, event, ingestMs, t);
    ledger.touch(window);
  }

  close(ot: number): void {
    const closing: Cell[] = [];
    while (this.#heap.peekAt() <= ot) {
      const cell = this.#heap.pop();
      if (cell !== undefined) closing.push(cell);
    }
    closing.sort(byEndSiteKeyStart((cell) => cell.b));
    const { ledger, cw } = this.#ctx;
    for (const cell of closing) {
      ledger.final(cw.results.result(cell.site, cell.a, cell.b, cell.key, cell.states, true));
      this.#partitions.removeCell(cell);
      ledger.drop(cell);
    }
    this.nextCloseAt = this.#heap.peekAt();
  }

  restore(parsed: ParsedCell): void {
    const keyStr = parsed.key === 'other' ? OTHER_KEY : this.#ctx.cw.keyer.encodeValues(parsed.key);
    const partition = this.#partitions.openForKey(parsed.site, keyStr, parsed.key);
    const cell = new Cell('g', parsed.a, parsed.b, parsed.site, keyStr, parsed.key, parsed.states);
    partition.insert(cell);
    this.#ctx.ledger.restored(cell);
    this.#enqueue(cell);
  }

  finishRestore(): void {
    this.nextCloseAt = this.#heap.peekAt();
  }

  /** Stagger windows emit FINALs only. */
  live(): WindowResult[] {
    return [];
  }
}
