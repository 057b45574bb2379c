import type { AggregateSet, CellStates } from './aggregates';
import type { Scalar } from './fields';
import { OTHER_VALUE } from './group-key';
import type { EngineDelta, LateCount, WindowResult } from './types';

/**
 * Cells are the unit of persisted state: one per (tumbling window | sliding pane | session | stagger
 * window) × site × group key.
 *
 * Cell id: `<tag>|<a>|<site>|<key>` — tag `w` tumbling window, `p` sliding pane, `s` session, `g` stagger
 * window; `a` its start (pane start, session's first event); key `-` without groupBy, `*` for the
 * overflow ("(other)") bucket, else the JSON array of the key's values.
 * Cell value: JSON `[a, b, site, key, states]` — b = end (exclusive) for windows and panes, the last
 * event's time (inclusive) for sessions; key null | [values…] | "other"; states = the aggregates'
 * persisted forms in definition order.
 */

export type CellKey = Scalar[] | null | 'other';
export type CellTag = 'w' | 'p' | 's' | 'g';

export function cellId(tag: CellTag, a: number, site: string, key: CellKey): string {
  const k = key === null ? '-' : key === 'other' ? '*' : JSON.stringify(key);
  return `${tag}|${a}|${site}|${k}`;
}

export class Cell {
  id: string;
  /** Changed since the last drain. */
  dirty = false;
  /** Changed since the last live(). */
  live = false;
  /** Its id exists in the store as of the last drain. */
  persisted = false;
  dropped = false;

  constructor(
    readonly tag: CellTag,
    public a: number,
    public b: number,
    readonly site: string,
    readonly keyStr: string,
    readonly key: CellKey,
    public states: CellStates,
  ) {
    this.id = cellId(tag, a, site, key);
  }
}

/** The cells of one window (or pane) and one site, with how many real (non-overflow) keys it holds. */
export class KeyedCells {
  readonly cells = new Map<string, Cell>();
  real = 0;
}

/** A tumbling window or a sliding pane: [start, end), its cells per site. */
export class Bucket {
  readonly sites = new Map<string, KeyedCells>();
  constructor(
    readonly start: number,
    readonly end: number,
    readonly closeAt: number,
  ) {}

  siteCells(site: string): KeyedCells {
    let cells = this.sites.get(site);
    if (cells === undefined) {
      cells = new KeyedCells();
      this.sites.set(site, cells);
    }
    return cells;
  }
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds emitted results from a definition's identity and its aggregates. */
export class ResultBuilder {
  constructor(
    readonly defId: string,
    readonly version: number,
    readonly names: readonly string[],
    readonly aggs: AggregateSet,
  ) {}

  keyRecord(key: CellKey): Record<string, Scalar> | null {
    if (key === null || this.names.length === 0) return null;
    const record: Record<string, Scalar> = {};
    this.names.forEach((name, i) => {
      record[name] = key === 'other' ? OTHER_VALUE : (key[i] ?? null);
    });
    return record;
  }

  result(
    site: string,
    start: number,
    end: number,
    key: CellKey,
    states: CellStates,
    final: boolean,
  ): WindowResult {
    return {
      defId: this.defId,
      version: this.version,
      site,
      start,
      end,
      key: this.keyRecord(key),
      state: JSON.stringify(this.aggs.toResultJSON(states)),
      final,
    };
  }
}

/** Everything that leaves the engine: the persistence delta, FINALs, late counts and live marks. */
export class Ledger {
  #dirty: Cell[] = [];
  #deletes = new Set<string>();
  #finals: WindowResult[] = [];
  #late = new Map<string, LateCount>();
  #live: Cell[] = [];

  constructor(readonly aggs: AggregateSet) {}

  /** A new cell; an id dropped earlier in this drain period is taken over (so it is upserted, not deleted). */
  created(cell: Cell): void {
    if (this.#deletes.delete(cell.id)) cell.persisted = true;
    this.touch(cell);
  }

  /** A cell loaded from a snapshot. */
  restored(cell: Cell): void {
    cell.persisted = true;
  }

  touch(cell: Cell): void {
    if (!cell.dirty) {
      cell.dirty = true;
      this.#dirty.push(cell);
    }
  }

  touchLive(cell: Cell): void {
    if (!cell.live) {
      cell.live = true;
      this.#live.push(cell);
    }
  }

  drop(cell: Cell): void {
    cell.dropped = true;
    if (cell.persisted) this.#deletes.add(cell.id);
  }

  /** The cell's start moved (a session gained an earlier event): its id changes. */
  rekey(cell: Cell, a: number): void {
    if (cell.persisted) this.#deletes.add(cell.id);
    cell.persisted = false;
    cell.a = a;
    cell.id = cellId(cell.tag, a, cell.site, cell.key);
    this.created(cell);
  }

  late(site: string, start: number, end: number): void {
    const key = `${site}|${start}|${end}`;
    const entry = this.#late.get(key);
    if (entry === undefined) this.#late.set(key, { site, start, end, count: 1 });
    else entry.count++;
  }

  final(result: WindowResult): void {
    this.#finals.push(result);
  }

  /** Cells marked live since the last call, still open. */
  takeLive(): Cell[] {
    const cells = this.#live.filter((cell) => !cell.dropped);
    for (const cell of this.#live) cell.live = false;
    this.#live = [];
    return cells;
  }

  drain(observedTimeMs: number): EngineDelta {
    const upserts: Array<[string, string]> = [];
    for (const cell of this.#dirty) {
      cell.dirty = false;
      if (cell.dropped) continue;
      upserts.push([cell.id, serializeCell(cell, this.aggs)]);
      cell.persisted = true;
    }
    const delta: EngineDelta = {
      upserts,
      deletes: [...this.#deletes],
      finals: this.#finals,
      late: [...this.#late.values()],
      observedTimeMs,
    };
    this.#dirty = [];
    this.#deletes.clear();
    this.#finals = [];
    this.#late.clear();
    // Nobody asking for live values must not let the marks pile up: forget closed cells' marks.
    if (this.#live.length > 65_536) this.#live = this.#live.filter((cell) => !cell.dropped);
    return delta;
  }
}

export function serializeCell(cell: Cell, aggs: AggregateSet): string {
  return JSON.stringify([cell.a, cell.b, cell.site, cell.key, aggs.toJSON(cell.states)]);
}

export interface ParsedCell {
  tag: CellTag;
  a: number;
  b: number;
  site: string;
  key: CellKey;
  states: CellStates;
}

export function parseCell(id: string, value: string, aggs: AggregateSet): ParsedCell {
  const tag = id.slice(0, id.indexOf('|'));
  if (tag !== 'w' && tag !== 'p' && tag !== 's' && tag !== 'g') throw new Error(`cell ${id}: unknown kind`);
  const json: unknown = JSON.parse(value);
  if (!Array.isArray(json) || json.length !== 5)
    throw new Error(`cell ${id}: expected [a, b, site, key, states]`);
  const [a, b, site, key, states] = json;
  if (typeof a !== 'number' || typeof b !== 'number' || typeof site !== 'string') {
    throw new Error(`cell ${id}: bad bounds or site`);
  }
  const validKey =
    key === null ||
    key === 'other' ||
    (Array.isArray(key) &&
      key.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)));
  if (!validKey) throw new Error(`cell ${id}: bad key`);
  return { tag, a, b, site, key: key as CellKey, states: aggs.fromJSON(states) };
}
