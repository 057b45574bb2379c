import { ExactSet } from '../aggregates/distinct';
import type { Bucket, Cell } from '../cells';

/**
 * Exact visitor counts of one sliding window position, kept up to date as the position advances.
 *
 * Merging the visitor sets of all panes for every emitted window costs the window's whole traffic per
 * step (size/every times per event). Instead, for the window position a sweep follows, it keeps a
 * reference count per visitor and group: panes that leave the window are subtracted, panes that enter
 * it — and members added to panes inside it since the last sync — are added. Pane sets only ever grow
 * by appending, so "members added since" are those after the number already counted. The counts equal
 * the size of the union exactly; the sweep is a cache, rebuilt from the panes after a restore. (Pane
 * states are built from events only, so they never hold count-only members.)
 */
export class DistinctSweep {
  readonly #size: number;
  /** Indexes of the exact-distinct aggregates in a cell's state tuple. */
  readonly #indexes: number[];
  #start: number | undefined;
  /** `site␞key` → per exact aggregate: visitor → number of panes (in the window) holding it. */
  readonly #counts = new Map<string, Array<Map<string, number>>>();
  /** Pane cells in the window → per exact aggregate: how many of its members are counted. */
  readonly #seen = new Map<Cell, number[]>();

  constructor(sizeMs: number, mask: readonly boolean[]) {
    this.#size = sizeMs;
    this.#indexes = mask.flatMap((exact, i) => (exact ? [i] : []));
  }

  #group(cell: Cell): Array<Map<string, number>> {
    const group = `${cell.site}\u001e${cell.keyStr}`;
    let counts = this.#counts.get(group);
    if (counts === undefined) {
      counts = this.#indexes.map(() => new Map<string, number>());
      this.#counts.set(group, counts);
    }
    return counts;
  }

  #remove(cell: Cell, counted: number[]): void {
    const counts = this.#group(cell);
    this.#indexes.forEach((index, j) => {
      const refs = counts[j];
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
  }

  #addNew(cell: Cell): void {
    let counted = this.#seen.get(cell);
    if (counted === undefined) {
      counted = this.#indexes.map(() => 0);
      this.#seen.set(cell, counted);
    }
    const counts = this.#group(cell);
    this.#indexes.forEach((index, j) => {
      const refs = counts[j];
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
  }

  /** Moves to window [start, start + size), whose panes (ascending) are `panes`. */
  sync(start: number, panes: readonly Bucket[]): void {
    if (this.#start === undefined || start < this.#start || start >= this.#start + this.#size) {
      this.#counts.clear();
      this.#seen.clear();
    } else if (start > this.#start) {
      for (const [cell, counted] of this.#seen) {
        if (cell.a < start) {
          this.#remove(cell, counted);
          this.#seen.delete(cell);
        }
      }
    }
    this.#start = start;
    for (const pane of panes)
      for (const cells of pane.sites.values()) for (const cell of cells.cells.values()) this.#addNew(cell);
    for (const [group, counts] of this.#counts)
      if (counts.every((refs) => refs.size === 0)) this.#counts.delete(group);
  }

  /** The window's state for `site␞key`'s exact aggregates: a count-only set (what results carry). */
  fill(site: string, keyStr: string, states: unknown[]): void {
    const counts = this.#counts.get(`${site}\u001e${keyStr}`);
    this.#indexes.forEach((index, j) => {
      states[index] = new ExactSet(new Set(), counts?.[j]?.size ?? 0);
    });
  }
}
