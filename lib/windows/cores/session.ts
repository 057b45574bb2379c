import type { EnrichedEvent } from '../../events/enriched';
import { Cell, type ParsedCell } from '../cells';
import { OTHER_KEY } from '../group-key';
import type { WindowResult } from '../types';
import type { CoreContext, WindowCore } from './core';
import { MinHeap } from './heap';
import { byEndSiteKeyStart, Partitions } from './partitions';

/**
 * session(gap), partitioned by groupBy: a session is [first, last] (inclusive; emitted as
 * [first, last + 1)); events at most `gap` apart merge. An event joins (and may bridge) every open
 * session of its key within `gap` of it; if there is none, it is late when `OT ≥ t + 1 + grace` (a
 * session of it alone would already be closed), else it starts a new session. Closed sessions are gone:
 * an event within `gap` of a closed one starts a new session. A session closes at
 * `OT ≥ last + 1 + grace`. Cell: a = first, b = last.
 */
export class SessionCore implements WindowCore {
  nextCloseAt = Number.POSITIVE_INFINITY;
  readonly #ctx: CoreContext;
  readonly #gap: number;
  readonly #grace: number;
  readonly #partitions = new Partitions();
  /** Close candidates; an entry may be early (its session grew since): it is re-queued when popped. */
  readonly #heap = new MinHeap<Cell>();

  constructor(ctx: CoreContext) {
    this.#ctx = ctx;
    this.#gap = ctx.cw.def.gapMs ?? 0;
    this.#grace = ctx.cw.graceMs;
  }

  #dueAt(cell: Cell): number {
    return cell.b + 1 + this.#grace;
  }

  #enqueue(cell: Cell): void {
    const at = this.#dueAt(cell);
    this.#heap.push(at, cell);
    if (at < this.nextCloseAt) this.nextCloseAt = at;
  }

  add(t: number, event: EnrichedEvent, ingestMs: number, ot: number): void {
    const { keyer, aggs } = this.#ctx.cw;
    const ledger = this.#ctx.ledger;
    const keyStr = keyer.encode(event, ingestMs);
    const gap = this.#gap;
    let partition = this.#partitions.find(event.site, keyStr);
    const items = partition?.items;
    let first = -1;
    let count = 0;
    if (items !== undefined) {
      for (let i = 0; i < items.length; i++) {
        const s = items[i] as Cell;
        if (t >= s.a - gap && t <= s.b + gap) {
          if (first < 0) first = i;
          count++;
        } else if (first >= 0) break; // sessions are sorted and disjoint: matches are contiguous
      }
    }
    let session: Cell;
    if (items === undefined || first < 0) {
      if (ot >= t + 1 + this.#grace) {
        ledger.late(event.site, t, t + 1);
        return;
      }
      partition = this.#partitions.open(event.site, keyStr, keyer, event, ingestMs);
      session = new Cell('s', t, t, event.site, partition.keyStr, partition.key, aggs.init());
      partition.insert(session);
      ledger.created(session);
      this.#enqueue(session);
    } else {
      session = items[first] as Cell;
      // A late-but-accepted event may bridge several sessions: fold them into the earliest.
      for (const other of items.splice(first + 1, count - 1)) {
        session.states = aggs.merge(session.states, other.states);
        if (other.b > session.b) session.b = other.b;
        ledger.drop(other);
      }
      if (t < session.a) ledger.rekey(session, t);
      if (t > session.b) session.b = t;
    }
    aggs.add(session.states, event, ingestMs, t);
    ledger.touch(session);
    ledger.touchLive(session);
  }

  close(ot: number): void {
    const closing: Cell[] = [];
    while (this.#heap.peekAt() <= ot) {
      const cell = this.#heap.pop();
      if (cell === undefined || cell.dropped) continue;
      const due = this.#dueAt(cell);
      if (due > ot) this.#heap.push(due, cell);
      else closing.push(cell);
    }
    closing.sort(byEndSiteKeyStart((cell) => cell.b + 1));
    const { ledger, cw } = this.#ctx;
    for (const cell of closing) {
      ledger.final(cw.results.result(cell.site, cell.a, cell.b + 1, cell.key, cell.states, true));
      this.#partitions.removeCell(cell);
      ledger.drop(cell);
    }
    this.nextCloseAt = this.#heap.peekAt();
  }

  restore(parsed: ParsedCell): void {
    const keyStr = parsed.key === 'other' ? OTHER_KEY : this.#ctx.cw.keyer.encodeValues(parsed.key);
    const partition = this.#partitions.openForKey(parsed.site, keyStr, parsed.key);
    const cell = new Cell('s', parsed.a, parsed.b, parsed.site, keyStr, parsed.key, parsed.states);
    partition.insert(cell);
    this.#ctx.ledger.restored(cell);
    this.#enqueue(cell);
  }

  finishRestore(): void {
    this.nextCloseAt = this.#heap.peekAt();
  }

  live(): WindowResult[] {
    const { cw } = this.#ctx;
    return this.#ctx.ledger
      .takeLive()
      .map((cell) => cw.results.result(cell.site, cell.a, cell.b + 1, cell.key, cell.states, false));
  }
}
