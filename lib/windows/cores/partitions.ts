import type { EnrichedEvent } from '../../events/enriched';
import { type Cell, type CellKey, compareStrings } from '../cells';
import { type GroupKeyer, OTHER_KEY } from '../group-key';
import { MAX_OPEN_PARTITIONS } from './core';

function atCap(map: Map<string, Partition>): boolean {
  return map.size - (map.has(OTHER_KEY) ? 1 : 0) >= MAX_OPEN_PARTITIONS;
}

/** One key tuple's open windows (sessions or stagger windows), sorted by start. */
export class Partition {
  readonly items: Cell[] = [];
  constructor(
    readonly keyStr: string,
    readonly key: CellKey,
  ) {}

  insert(cell: Cell): void {
    const items = this.items;
    let i = items.length;
    while (i > 0 && (items[i - 1]?.a ?? 0) > cell.a) i--;
    items.splice(i, 0, cell);
  }

  remove(cell: Cell): void {
    const i = this.items.indexOf(cell);
    if (i >= 0) this.items.splice(i, 1);
  }
}

/** Open partitions per site, capped at MAX_OPEN_PARTITIONS per site (the rest share "(other)"). */
export class Partitions {
  readonly #sites = new Map<string, Map<string, Partition>>();
  #lastSite = '';
  #lastMap: Map<string, Partition> | undefined;

  #siteMap(site: string): Map<string, Partition> {
    if (this.#lastMap !== undefined && this.#lastSite === site) return this.#lastMap;
    let map = this.#sites.get(site);
    if (map === undefined) {
      map = new Map();
      this.#sites.set(site, map);
    }
    this.#lastSite = site;
    this.#lastMap = map;
    return map;
  }

  /** The partition an event of `keyStr` belongs to now, if it exists: its own, or "(other)" at the cap. */
  find(site: string, keyStr: string): Partition | undefined {
    const map = this.#siteMap(site);
    const own = map.get(keyStr);
    if (own !== undefined || !atCap(map)) return own;
    return map.get(OTHER_KEY);
  }

  /** The partition an event opens a window in: its own, or "(other)" once the site is at the cap. */
  open(site: string, keyStr: string, keyer: GroupKeyer, event: EnrichedEvent, ingestMs: number): Partition {
    const map = this.#siteMap(site);
    let partition = map.get(keyStr);
    if (partition !== undefined) return partition;
    if (atCap(map)) {
      partition = map.get(OTHER_KEY);
      if (partition !== undefined) return partition;
      partition = new Partition(OTHER_KEY, 'other');
      map.set(OTHER_KEY, partition);
      return partition;
    }
    partition = new Partition(keyStr, keyer.values(event, ingestMs));
    map.set(keyStr, partition);
    return partition;
  }

  /** For restoring: the partition of a persisted cell. */
  openForKey(site: string, keyStr: string, key: CellKey): Partition {
    const map = this.#siteMap(site);
    let partition = map.get(keyStr);
    if (partition === undefined) {
      partition = new Partition(keyStr, key);
      map.set(keyStr, partition);
    }
    return partition;
  }

  /** Removes a closed cell; forgets the partition when it has no open window left. */
  removeCell(cell: Cell): void {
    const map = this.#siteMap(cell.site);
    const partition = map.get(cell.keyStr);
    if (partition === undefined) return;
    partition.remove(cell);
    if (partition.items.length === 0) map.delete(cell.keyStr);
  }
}

/** FINAL order for cells closing together: by end, site, key, start — never by Map history. */
export function byEndSiteKeyStart(endOf: (cell: Cell) => number): (x: Cell, y: Cell) => number {
  return (x, y) =>
    endOf(x) - endOf(y) || compareStrings(x.site, y.site) || compareStrings(x.keyStr, y.keyStr) || x.a - y.a;
}
