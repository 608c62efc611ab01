// A binary min-heap ordered by deadline, then by insertion order, for the hold service's single
// timeout timer. Items woken early are not searched for and removed (that would be O(n)); the
// caller marks them and they are skipped when they surface, or dropped by `compact`.

export interface DeadlineItem {
  readonly deadlineMs: number;
  /** Insertion order; breaks ties so equal deadlines wake in the order they were held. */
  readonly seq: number;
}

export class DeadlineHeap<T extends DeadlineItem> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(items[index], items[parent])) break;
      this.#swap(index, parent);
      index = parent;
    }
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && before(items[left], items[smallest])) smallest = left;
      if (right < items.length && before(items[right], items[smallest])) smallest = right;
      if (smallest === index) break;
      this.#swap(index, smallest);
      index = smallest;
    }
    return top;
  }

  /** Keeps only the items `keep` accepts (O(n log n)); for dropping items woken early. */
  compact(keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep);
    this.#items = [];
    for (const item of kept) this.push(item);
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const itemA = items[a];
    const itemB = items[b];
    if (itemA === undefined || itemB === undefined) return;
    items[a] = itemB;
    items[b] = itemA;
  }
}

function before(a: DeadlineItem | undefined, b: DeadlineItem | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a.deadlineMs < b.deadlineMs || (a.deadlineMs === b.deadlineMs && a.seq < b.seq);
}
