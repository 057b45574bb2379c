/** A binary min-heap of (time, item), for the next session or stagger window to close. */
export class MinHeap<T> {
  #at: number[] = [];
  #items: T[] = [];

  get size(): number {
    return this.#at.length;
  }

  peekAt(): number {
    return this.#at[0] ?? Number.POSITIVE_INFINITY;
  }

  push(at: number, item: T): void {
    const atList = this.#at;
    const items = this.#items;
    let i = atList.length;
    atList.push(at);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentAt = atList[parent] ?? 0;
      if (parentAt <= at) break;
      atList[i] = parentAt;
      items[i] = items[parent] as T;
      i = parent;
    }
    atList[i] = at;
    items[i] = item;
  }

  /** Removes and returns the item with the smallest time; undefined when empty. */
  pop(): T | undefined {
    const atList = this.#at;
    const items = this.#items;
    if (atList.length === 0) return undefined;
    const top = items[0];
    const lastAt = atList.pop() ?? 0;
    const lastItem = items.pop() as T;
    const n = atList.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && (atList[right] ?? 0) < (atList[left] ?? 0) ? right : left;
        const childAt = atList[child] ?? 0;
        if (childAt >= lastAt) break;
        atList[i] = childAt;
        items[i] = items[child] as T;
        i = child;
      }
      atList[i] = lastAt;
      items[i] = lastItem;
    }
    return top;
  }
}
