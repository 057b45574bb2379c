import type { Pos } from './errors';

/**
 * Where each part of the produced definition came from, keyed by its zod path (`aggregates/2/name`),
 * so an issue `defineWindow` raises points back at the clause that caused it.
 */
export interface Source {
  pos: Pos;
  /** Prefixed to the message when the definition's own wording would not name the clause. */
  label?: string;
}

export class Sources {
  private readonly byPath = new Map<string, Source>();

  note(path: readonly (string | number)[], pos: Pos, label?: string): void {
    this.byPath.set(path.join('/'), label === undefined ? { pos } : { pos, label });
  }

  /** The source of the longest recorded prefix of `path`. */
  find(path: readonly PropertyKey[]): Source | undefined {
    for (let n = path.length; n >= 0; n--) {
      const found = this.byPath.get(path.slice(0, n).map(String).join('/'));
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
