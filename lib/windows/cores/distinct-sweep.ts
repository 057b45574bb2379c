import type { SweepKind } from '../aggregates';
import { ActiveVisitors, isActiveCode, visitTime } from '../aggregates/active';
import { ExactSet } from '../aggregates/distinct';
import type { Bucket, Cell } from '../cells';

/**
 * Visitor counts of one sliding window position — exact distinct visitors and active visitors — kept up
 * to date as the position advances.
 *
 * Merging the visitor states of all panes for every emitted window costs the window's whole traffic per
 * step (size/every times per event). Instead, for the window position a sweep follows, it keeps per
 * group (site and key):
 * - exact distinct: a reference count per visitor. Panes that leave the window are subtracted, panes that
 *   enter it — and members added to panes inside it since the last sync — are added. Pane sets only ever
 *   grow by appending, so "members added since" are those after the number already counted.
 * - active visitors: each visitor's latest visit code over the panes read, and how many of those codes
 *   are not a leave. Reading a pane entry keeps the larger code (idempotent, so re-reading is harmless);
 *   entries changed since the last sync come from the pane state's journal. When a pane leaves, a visitor
 *   whose latest visit lies before the new start is in no remaining pane (panes are disjoint in time and
 *   the latest visit is in the latest pane holding them): they go; everyone else stays as is.
 * The counts equal those of merging the panes exactly; the sweep is a cache, rebuilt from the panes after
 * a restore. (Pane states are built from events only, so they never hold count-only members.)
 */

class LatestVisits {
  readonly codes = new Map<string, number>();
  active = 0;

  keep(visitor: string, code: number): void {
    const previous = this.codes.get(visitor);
    if (previous !== undefined && previous >= code) return;
    this.codes.set(visitor, code);
    this.active += (isActiveCode(code) ? 1 : 0) - (previous !== undefined && isActiveCode(previous) ? 1 : 0);
  }

  dropBefore(visitor: string, start: number): void {
    const code = this.codes.get(visitor);
    if (code === undefined || visitTime(code) >= start) return;
    this.codes.delete(visitor);
    if (isActiveCode(code)) this.active--;
  }
}

interface GroupCounts {
  /** Per exact aggregate: visitor → number of panes (in the window) holding it. */
  refs: Array<Map<string, number>>;
  /** Per active-visitors aggregate. */
  latest: LatestVisits[];
}

export class DistinctSweep {
  readonly #size: number;
  /** Indexes in a cell's state tuple of the exact-distinct and of the active-visitors aggregates. */
  readonly #exact: number[];
  readonly #active: number[];
  #start: number | undefined;
  /** `site␞key` → its counts. */
  readonly #groups = new Map<string, GroupCounts>();
  /**
   * Pane cells in the window → per exact aggregate, how many members are counted; then per active
   * aggregate, how far its journal has been read (−1: not read yet).
   */
  readonly #seen = new Map<Cell, number[]>();

  constructor(sizeMs: number, kinds: ReadonlyArray<SweepKind | undefined>) {
    this.#size = sizeMs;
    this.#exact = kinds.flatMap((kind, i) => (kind === 'exact' ? [i] : []));
    this.#active = kinds.flatMap((kind, i) => (kind === 'active' ? [i] : []));
  }

  #group(cell: Cell): GroupCounts {
    const group = `${cell.site}\u001e${cell.keyStr}`;
    let counts = this.#groups.get(group);
    if (counts === undefined) {
      counts = {
        refs: this.#exact.map(() => new Map<string, number>()),
        latest: this.#active.map(() => new LatestVisits()),
      };
      this.#groups.set(group, counts);
    }
    return counts;
  }

  #remove(cell: Cell, counted: number[], start: number): void {
    const counts = this.#group(cell);
    this.#exact.forEach((index, j) => {
      const refs = counts.refs[j];
      const state = cell.states[index];
      if (refs === undefined || !(state instanceof ExactSet)) return;
      let left = counted[j] ?? 0;
      for (const visitor of state.values) {
        if (left-- <= 0) break;
        const n = (refs.get(visitor) ?? 0) - 1;
        if (n <= 0) refs.delete(visitor);
        else refs.set(visitor, n);
      }
    });
    this.#active.forEach((index, j) => {
      const latest = counts.latest[j];
      const state = cell.states[index];
      if (latest === undefined || !(state instanceof ActiveVisitors)) return;
      for (const visitor of state.last.keys()) latest.dropBefore(visitor, start);
    });
  }

  #addNew(cell: Cell): void {
    let counted = this.#seen.get(cell);
    if (counted === undefined) {
      counted = [...this.#exact.map(() => 0), ...this.#active.map(() => -1)];
      this.#seen.set(cell, counted);
    }
    const counts = this.#group(cell);
    this.#exact.forEach((index, j) => {
      const refs = counts.refs[j];
      const state = cell.states[index];
      const already = counted[j] ?? 0;
      if (refs === undefined || !(state instanceof ExactSet) || state.values.size <= already) return;
      let skip = already;
      for (const visitor of state.values) {
        if (skip-- > 0) continue;
        refs.set(visitor, (refs.get(visitor) ?? 0) + 1);
      }
      counted[j] = state.values.size;
    });
    const offset = this.#exact.length;
    this.#active.forEach((index, j) => {
      const latest = counts.latest[j];
      const state = cell.states[index];
      if (latest === undefined || !(state instanceof ActiveVisitors)) return;
      const read = counted[offset + j] ?? -1;
      if (read < 0) {
        for (const [visitor, code] of state.last) latest.keep(visitor, code);
        // From now on the state records its changes; another sweep may have asked for that already.
        state.journal ??= [];
      } else {
        const journal = state.journal ?? [];
        for (let i = read; i < journal.length; i++) {
          const visitor = journal[i] as string;
          const code = state.last.get(visitor);
          if (code !== undefined) latest.keep(visitor, code);
        }
      }
      counted[offset + j] = state.journal?.length ?? 0;
    });
  }

  /** Moves to window [start, start + size), whose panes (ascending) are `panes`. */
  sync(start: number, panes: readonly Bucket[]): void {
    if (this.#start === undefined || start < this.#start || start >= this.#start + this.#size) {
      this.#groups.clear();
      this.#seen.clear();
    } else if (start > this.#start) {
      for (const [cell, counted] of this.#seen) {
        if (cell.a < start) {
          this.#remove(cell, counted, start);
          this.#seen.delete(cell);
        }
      }
    }
    this.#start = start;
    for (const pane of panes)
      for (const cells of pane.sites.values()) for (const cell of cells.cells.values()) this.#addNew(cell);
    for (const [group, counts] of this.#groups) {
      if (counts.refs.every((refs) => refs.size === 0) && counts.latest.every((l) => l.codes.size === 0)) {
        this.#groups.delete(group);
      }
    }
  }

  /** The window's state for `site␞key`'s swept aggregates: count-only states (what results carry). */
  fill(site: string, keyStr: string, states: unknown[]): void {
    const counts = this.#groups.get(`${site}\u001e${keyStr}`);
    this.#exact.forEach((index, j) => {
      states[index] = new ExactSet(new Set(), counts?.refs[j]?.size ?? 0);
    });
    this.#active.forEach((index, j) => {
      states[index] = new ActiveVisitors(new Map(), counts?.latest[j]?.active ?? 0);
    });
  }
}
