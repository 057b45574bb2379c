import type { EnrichedEvent } from '../../events/enriched';
import type { CellStates } from '../aggregates';
import { Bucket, type Cell, type CellKey, compareStrings, type KeyedCells, type ParsedCell } from '../cells';
import { slidingPaneMs } from '../definition';
import { OTHER_KEY } from '../group-key';
import { mod } from '../time';
import type { WindowResult } from '../types';
import { type CoreContext, MAX_GROUPS_PER_WINDOW, type WindowCore } from './core';
import { DistinctSweep } from './distinct-sweep';
import { cellInBucket, restoreIntoBucket } from './tumbling';

/** First index in the sorted `list` whose value is ≥ `x`. */
function lowerBound(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface WindowEntry {
  key: CellKey;
  /** Index of the first pane holding the key: the window-level key cap keeps the earliest keys. */
  first: number;
  states: CellStates | undefined;
}

/**
 * sliding(size, every): hopping windows [s, s + size) at every aligned s ≥ 0 (Kafka: no negative
 * starts). State lives in panes [p, p + P), P = gcd(size, every) — `every` itself when size is a
 * multiple of it; ksqlDB's hopping vector (size 5, advance 2) needs the general case. An event updates
 * one pane; a window's value is the merge of its size/P panes, computed when it is emitted. A window
 * closes at `OT ≥ s + size + grace` and emits one FINAL per site and key; a pane goes once the newest
 * window holding it has closed. Key cap: MAX_GROUPS_PER_WINDOW keys per pane and site; when the panes
 * of a window hold more keys together, the keys first seen in the earliest panes stay (ties: key
 * order) and the rest merge into "(other)".
 */
export class SlidingCore implements WindowCore {
  nextCloseAt = Number.POSITIVE_INFINITY;
  readonly #ctx: CoreContext;
  readonly #size: number;
  readonly #every: number;
  /** Pane length: gcd(size, every). */
  readonly #pane: number;
  readonly #offset: number;
  readonly #grace: number;
  readonly #panes = new Map<number, Bucket>();
  /** Pane starts, ascending. */
  #starts: number[] = [];
  /** Earliest window that holds data and has not closed. */
  #pending: number | undefined;
  #lastPane: Bucket | undefined;
  #lastSite = '';
  #lastCells: KeyedCells | undefined;
  /** Start of the window the previous live() reported. */
  #liveStart: number | undefined;
  /** Visitor counts (exact, active): flagged aggregates come from the sweeps instead of merging panes. */
  readonly #sweptMask: boolean[];
  readonly #finalSweep: DistinctSweep | undefined;
  readonly #liveSweep: DistinctSweep | undefined;

  constructor(ctx: CoreContext) {
    this.#ctx = ctx;
    const def = ctx.cw.def;
    this.#every = def.everyMs ?? 1;
    this.#size = def.sizeMs ?? this.#every;
    this.#pane = slidingPaneMs(this.#size, this.#every);
    this.#offset = def.offsetMs ?? 0;
    this.#grace = ctx.cw.graceMs;
    const kinds = ctx.cw.aggs.sweepKinds();
    this.#sweptMask = kinds.map((kind) => kind !== undefined);
    const sweeps = this.#sweptMask.includes(true);
    this.#finalSweep = sweeps ? new DistinctSweep(this.#size, kinds) : undefined;
    this.#liveSweep = sweeps ? new DistinctSweep(this.#size, kinds) : undefined;
  }

  /** Latest window start ≤ t. */
  #alignDown(t: number): number {
    return t - mod(t - this.#offset, this.#every);
  }

  /** Earliest window start ≥ t. */
  #alignUp(t: number): number {
    const r = mod(t - this.#offset, this.#every);
    return r === 0 ? t : t - r + this.#every;
  }

  #paneStart(t: number): number {
    return t - mod(t - this.#offset, this.#pane);
  }

  /** Start of the latest window that is closed at `ot`. */
  #lastClosed(ot: number): number {
    return this.#alignDown(ot - this.#size - this.#grace);
  }

  /** The earliest window holding pane `paneStart` (windows never start before `offset`, i.e. below 0). */
  #oldestWindowOf(paneStart: number): number {
    return Math.max(this.#alignUp(paneStart - this.#size + this.#pane), this.#offset);
  }

  #newPane(start: number): Bucket {
    const pane = new Bucket(start, start + this.#pane, this.#alignDown(start) + this.#size + this.#grace);
    this.#panes.set(start, pane);
    return pane;
  }

  #setPending(start: number | undefined): void {
    this.#pending = start;
    this.nextCloseAt = start === undefined ? Number.POSITIVE_INFINITY : start + this.#size + this.#grace;
  }

  #openPane(start: number, ot: number): Bucket {
    const pane = this.#newPane(start);
    const at = lowerBound(this.#starts, start);
    if (at === this.#starts.length) this.#starts.push(start);
    else this.#starts.splice(at, 0, start);
    const firstOpen = Math.max(this.#oldestWindowOf(start), this.#lastClosed(ot) + this.#every);
    if (this.#pending === undefined || firstOpen < this.#pending) this.#setPending(firstOpen);
    return pane;
  }

  #late(site: string, from: number, to: number): void {
    for (let s = from; s <= to; s += this.#every) this.#ctx.ledger.late(site, s, s + this.#size);
  }

  add(t: number, event: EnrichedEvent, ingestMs: number, ot: number): void {
    let pane = this.#lastPane;
    if (pane === undefined || t < pane.start || t >= pane.end) {
      const start = this.#paneStart(t);
      if (start < this.#offset) return; // before the first window: in no window at all
      const newest = this.#alignDown(start);
      if (ot >= newest + this.#size + this.#grace) {
        this.#late(event.site, this.#oldestWindowOf(start), newest);
        return;
      }
      pane = this.#panes.get(start) ?? this.#openPane(start, ot);
      this.#lastPane = pane;
      this.#lastCells = undefined;
    }
    const oldest = this.#oldestWindowOf(pane.start);
    if (ot >= oldest + this.#size + this.#grace) {
      this.#late(event.site, oldest, Math.min(this.#alignDown(pane.start), this.#lastClosed(ot)));
    }
    let cells = this.#lastCells;
    if (cells === undefined || this.#lastSite !== event.site) {
      cells = pane.siteCells(event.site);
      this.#lastCells = cells;
      this.#lastSite = event.site;
    }
    const keyStr = this.#ctx.cw.keyer.encode(event, ingestMs);
    const cell = cellInBucket(this.#ctx, 'p', pane, cells, event.site, keyStr, event, ingestMs);
    this.#ctx.cw.aggs.add(cell.states, event, ingestMs, t);
    if (!cell.dirty) this.#ctx.ledger.touch(cell);
    if (!cell.live) this.#ctx.ledger.touchLive(cell);
  }

  close(ot: number): void {
    const lastClosed = this.#lastClosed(ot);
    let s = this.#pending;
    while (s !== undefined && s <= lastClosed) {
      for (const result of this.#windowResults(s, true, undefined, this.#finalSweep)) {
        this.#ctx.ledger.final(result);
      }
      // Skip windows without data: the next one starts at most `size` before the next pane.
      const next = lowerBound(this.#starts, s + this.#every);
      const nextPane = this.#starts[next];
      s = nextPane === undefined ? undefined : Math.max(s + this.#every, this.#oldestWindowOf(nextPane));
    }
    // A pane goes with the newest window holding it.
    let dropped = 0;
    for (const start of this.#starts) {
      if (this.#alignDown(start) > lastClosed) break;
      const pane = this.#panes.get(start);
      for (const cells of pane?.sites.values() ?? [])
        for (const cell of cells.cells.values()) this.#ctx.ledger.drop(cell);
      this.#panes.delete(start);
      dropped++;
    }
    if (dropped > 0) this.#starts.splice(0, dropped);
    this.#lastPane = undefined;
    this.#lastCells = undefined;
    this.#updatePendingAfterClose(ot);
  }

  #updatePendingAfterClose(ot: number): void {
    const first = this.#starts[0];
    this.#setPending(
      first === undefined
        ? undefined
        : Math.max(this.#lastClosed(ot) + this.#every, this.#oldestWindowOf(first)),
    );
  }

  /**
   * The results of window [s, s + size), per site (sorted) and key (sorted by key string). With
   * `touched`, only the keys of those cells (the live view's changes).
   */
  #windowResults(
    s: number,
    final: boolean,
    touched: readonly Cell[] | undefined,
    sweep: DistinctSweep | undefined,
  ): WindowResult[] {
    const end = s + this.#size;
    const from = lowerBound(this.#starts, s);
    const panes: Bucket[] = [];
    for (let i = from; i < this.#starts.length && (this.#starts[i] ?? end) < end; i++) {
      const pane = this.#panes.get(this.#starts[i] ?? 0);
      if (pane !== undefined) panes.push(pane);
    }
    const bySite = new Map<string, Map<string, WindowEntry>>();
    panes.forEach((pane, index) => {
      for (const [site, cells] of pane.sites) {
        let entries = bySite.get(site);
        if (entries === undefined) {
          entries = new Map();
          bySite.set(site, entries);
        }
        for (const [keyStr, cell] of cells.cells) {
          if (!entries.has(keyStr)) entries.set(keyStr, { key: cell.key, first: index, states: undefined });
        }
      }
    });
    const redirect = this.#applyKeyCap(bySite);
    // Past the key cap "(other)" needs a true merge of the visitor states: merge them then.
    const useSweep = sweep !== undefined && redirect.size === 0;
    const skip = useSweep ? this.#sweptMask : undefined;
    if (useSweep) sweep.sync(s, panes);
    const wanted =
      touched === undefined
        ? undefined
        : new Set(
            touched.map((c) => `${c.site}\u001e${redirect.get(`${c.site}\u001e${c.keyStr}`) ?? c.keyStr}`),
          );
    const { aggs } = this.#ctx.cw;
    for (const pane of panes) {
      for (const [site, cells] of pane.sites) {
        const entries = bySite.get(site);
        for (const [keyStr, cell] of cells.cells) {
          const target = redirect.get(`${site}\u001e${keyStr}`) ?? keyStr;
          if (wanted !== undefined && !wanted.has(`${site}\u001e${target}`)) continue;
          const entry = entries?.get(target);
          if (entry === undefined) continue;
          entry.states =
            entry.states === undefined
              ? aggs.clone(cell.states, skip)
              : aggs.merge(entry.states, cell.states, skip);
        }
      }
    }
    const out: WindowResult[] = [];
    for (const site of [...bySite.keys()].sort(compareStrings)) {
      const entries = bySite.get(site);
      if (entries === undefined) continue;
      for (const keyStr of [...entries.keys()].sort(compareStrings)) {
        const entry = entries.get(keyStr);
        if (entry?.states === undefined) continue;
        if (useSweep) sweep.fill(site, keyStr, entry.states);
        out.push(this.#ctx.cw.results.result(site, s, end, entry.key, entry.states, final));
      }
    }
    return out;
  }

  /** Applies the per-window key cap; returns `site␞key` → OTHER_KEY for the keys folded away. */
  #applyKeyCap(bySite: Map<string, Map<string, WindowEntry>>): Map<string, string> {
    const redirect = new Map<string, string>();
    for (const [site, entries] of bySite) {
      const real = [...entries].filter(([keyStr]) => keyStr !== OTHER_KEY);
      if (real.length <= MAX_GROUPS_PER_WINDOW) continue;
      real.sort(([ka, a], [kb, b]) => a.first - b.first || compareStrings(ka, kb));
      for (const [keyStr] of real.slice(MAX_GROUPS_PER_WINDOW)) {
        redirect.set(`${site}\u001e${keyStr}`, OTHER_KEY);
        entries.delete(keyStr);
      }
      if (!entries.has(OTHER_KEY)) entries.set(OTHER_KEY, { key: 'other', first: 0, states: undefined });
    }
    return redirect;
  }

  restore(parsed: ParsedCell): void {
    let pane = this.#panes.get(parsed.a);
    if (pane === undefined) {
      pane = this.#newPane(parsed.a);
      this.#starts.push(parsed.a);
    }
    restoreIntoBucket(this.#ctx, pane, parsed, 'p');
  }

  finishRestore(ot: number): void {
    this.#starts.sort((a, b) => a - b);
    this.#updatePendingAfterClose(ot);
  }

  /**
   * The trailing window as of OT — the one whose last pane holds OT — for the keys changed since the
   * previous call (all keys when the window has moved on).
   */
  live(ot: number): WindowResult[] {
    const touched = this.#ctx.ledger.takeLive();
    if (this.#starts.length === 0) return [];
    const s = this.#oldestWindowOf(this.#paneStart(ot));
    if (s === this.#liveStart) {
      const relevant = touched.filter((cell) => cell.a >= s && cell.a < s + this.#size);
      return relevant.length === 0 ? [] : this.#windowResults(s, false, relevant, this.#liveSweep);
    }
    this.#liveStart = s;
    return this.#windowResults(s, false, undefined, this.#liveSweep);
  }
}
