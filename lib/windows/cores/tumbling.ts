import type { EnrichedEvent } from '../../events/enriched';
import { Bucket, Cell, compareStrings, type KeyedCells, type ParsedCell } from '../cells';
import { OTHER_KEY } from '../group-key';
import { mod } from '../time';
import type { WindowResult } from '../types';
import { type CoreContext, MAX_GROUPS_PER_WINDOW, type WindowCore } from './core';

/** The cell for `keyStr` in a bucket's site cells, creating it — or the overflow cell past the key cap. */
export function cellInBucket(
  ctx: CoreContext,
  tag: 'w' | 'p',
  bucket: Bucket,
  cells: KeyedCells,
  site: string,
  keyStr: string,
  event: EnrichedEvent,
  ingestMs: number,
): Cell {
  let cell = cells.cells.get(keyStr);
  if (cell !== undefined) return cell;
  const { aggs, keyer } = ctx.cw;
  if (cells.real >= MAX_GROUPS_PER_WINDOW) {
    cell = cells.cells.get(OTHER_KEY);
    if (cell !== undefined) return cell;
    cell = new Cell(tag, bucket.start, bucket.end, site, OTHER_KEY, 'other', aggs.init());
    cells.cells.set(OTHER_KEY, cell);
  } else {
    cell = new Cell(tag, bucket.start, bucket.end, site, keyStr, keyer.values(event, ingestMs), aggs.init());
    cells.cells.set(keyStr, cell);
    cells.real++;
  }
  ctx.ledger.created(cell);
  return cell;
}

/** Puts a persisted cell back into its bucket's site cells. */
export function restoreIntoBucket(
  ctx: CoreContext,
  bucket: Bucket,
  parsed: ParsedCell,
  tag: 'w' | 'p',
): void {
  const isOther = parsed.key === 'other';
  const keyStr = isOther ? OTHER_KEY : ctx.cw.keyer.encodeValues(parsed.key === 'other' ? null : parsed.key);
  const cell = new Cell(tag, parsed.a, parsed.b, parsed.site, keyStr, parsed.key, parsed.states);
  const cells = bucket.siteCells(parsed.site);
  cells.cells.set(keyStr, cell);
  if (!isOther) cells.real++;
  ctx.ledger.restored(cell);
}

/** Sites in order, and each site's cells in key order: emission order must not depend on Map history. */
export function sortedCells(bucket: Bucket): Cell[] {
  const out: Cell[] = [];
  for (const site of [...bucket.sites.keys()].sort(compareStrings)) {
    const cells = bucket.sites.get(site);
    if (cells === undefined) continue;
    out.push(...[...cells.cells.values()].sort((x, y) => compareStrings(x.keyStr, y.keyStr)));
  }
  return out;
}

/** tumbling(size): `start = t − mod(t − offset, size)`; closes at `OT ≥ end + grace`. */
export class TumblingCore implements WindowCore {
  nextCloseAt = Number.POSITIVE_INFINITY;
  readonly #ctx: CoreContext;
  readonly #size: number;
  readonly #offset: number;
  readonly #grace: number;
  readonly #windows = new Map<number, Bucket>();
  // The last window and site cells used: consecutive events mostly share them.
  #last: Bucket | undefined;
  #lastSite = '';
  #lastCells: KeyedCells | undefined;

  constructor(ctx: CoreContext) {
    this.#ctx = ctx;
    const def = ctx.cw.def;
    this.#size = def.sizeMs ?? 1;
    this.#offset = def.offsetMs ?? 0;
    this.#grace = ctx.cw.graceMs;
  }

  #open(start: number): Bucket {
    const bucket = new Bucket(start, start + this.#size, start + this.#size + this.#grace);
    this.#windows.set(start, bucket);
    if (bucket.closeAt < this.nextCloseAt) this.nextCloseAt = bucket.closeAt;
    return bucket;
  }

  add(t: number, event: EnrichedEvent, ingestMs: number, ot: number): void {
    let window = this.#last;
    // A cached window is open: closed windows leave the cache when they close, after each input.
    if (window === undefined || t < window.start || t >= window.end) {
      const start = t - mod(t - this.#offset, this.#size);
      if (ot >= start + this.#size + this.#grace) {
        this.#ctx.ledger.late(event.site, start, start + this.#size);
        return;
      }
      window = this.#windows.get(start) ?? this.#open(start);
      this.#last = window;
      this.#lastCells = undefined;
    }
    let cells = this.#lastCells;
    if (cells === undefined || this.#lastSite !== event.site) {
      cells = window.siteCells(event.site);
      this.#lastCells = cells;
      this.#lastSite = event.site;
    }
    const keyStr = this.#ctx.cw.keyer.encode(event, ingestMs);
    const cell = cellInBucket(this.#ctx, 'w', window, cells, event.site, keyStr, event, ingestMs);
    this.#ctx.cw.aggs.add(cell.states, event, ingestMs, t);
    if (!cell.dirty) this.#ctx.ledger.touch(cell);
    if (!cell.live) this.#ctx.ledger.touchLive(cell);
  }

  close(ot: number): void {
    const closing = [...this.#windows.values()]
      .filter((w) => w.closeAt <= ot)
      .sort((x, y) => x.start - y.start);
    const { ledger, cw } = this.#ctx;
    for (const window of closing) {
      for (const cell of sortedCells(window)) {
        ledger.final(cw.results.result(cell.site, window.start, window.end, cell.key, cell.states, true));
        ledger.drop(cell);
      }
      this.#windows.delete(window.start);
    }
    this.#last = undefined;
    this.#lastCells = undefined;
    this.#recomputeNextClose();
  }

  #recomputeNextClose(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const window of this.#windows.values()) if (window.closeAt < next) next = window.closeAt;
    this.nextCloseAt = next;
  }

  restore(parsed: ParsedCell): void {
    const window = this.#windows.get(parsed.a) ?? this.#open(parsed.a);
    restoreIntoBucket(this.#ctx, window, parsed, 'w');
  }

  finishRestore(): void {
    this.#recomputeNextClose();
  }

  live(): WindowResult[] {
    const { cw } = this.#ctx;
    return this.#ctx.ledger
      .takeLive()
      .map((cell) => cw.results.result(cell.site, cell.a, cell.b, cell.key, cell.states, false));
  }
}
