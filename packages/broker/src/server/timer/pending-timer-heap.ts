// The timed messages loaded for delivery, earliest first (ties in store order). A binary min-heap
// over three typed arrays rather than an array of objects: a loaded minute of a million-message
// backlog costs 20 bytes per entry here instead of ~80 for an object and its slot, and the garbage
// collector has three buffers to look at instead of a million objects.

import type { TimerEntry } from './timer-bucket-layout';

const INITIAL_CAPACITY = 1024;

export class PendingTimerHeap {
  #due = new Float64Array(INITIAL_CAPACITY);
  #offset = new Float64Array(INITIAL_CAPACITY);
  #size = new Int32Array(INITIAL_CAPACITY);
  #count = 0;

  get length(): number {
    return this.#count;
  }

  /** Due time of the earliest entry, or undefined when empty. */
  peekDue(): number | undefined {
    return this.#count === 0 ? undefined : this.#due[0];
  }

  push(entry: TimerEntry): void {
    if (this.#count === this.#due.length) this.#resize(this.#count * 2);
    let at = this.#count++;
    // Sift up: move parents down until the new entry's place is found, then write it once.
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!sortsBefore(entry.dueMs, entry.commitLogOffset, this.#due[parent]!, this.#offset[parent]!)) break;
      this.#move(parent, at);
      at = parent;
    }
    this.#set(at, entry.dueMs, entry.commitLogOffset, entry.size);
  }

  /** Removes and returns the earliest entry, or undefined when empty. */
  pop(): TimerEntry | undefined {
    if (this.#count === 0) return undefined;
    const top: TimerEntry = { dueMs: this.#due[0]!, commitLogOffset: this.#offset[0]!, size: this.#size[0]! };
    const last = --this.#count;
    if (last > 0) {
      const due = this.#due[last]!;
      const offset = this.#offset[last]!;
      const size = this.#size[last]!;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= last) break;
        const right = left + 1;
        const child =
          right < last &&
          sortsBefore(this.#due[right]!, this.#offset[right]!, this.#due[left]!, this.#offset[left]!)
            ? right
            : left;
        if (!sortsBefore(this.#due[child]!, this.#offset[child]!, due, offset)) break;
        this.#move(child, at);
        at = child;
      }
      this.#set(at, due, offset, size);
    }
    // Give memory back after a large bucket drains, keeping room to grow without churn.
    if (this.#due.length > INITIAL_CAPACITY && this.#count < this.#due.length / 4) {
      this.#resize(Math.max(INITIAL_CAPACITY, this.#due.length / 2));
    }
    return top;
  }

  #move(from: number, to: number): void {
    this.#set(to, this.#due[from]!, this.#offset[from]!, this.#size[from]!);
  }

  #set(at: number, due: number, offset: number, size: number): void {
    this.#due[at] = due;
    this.#offset[at] = offset;
    this.#size[at] = size;
  }

  #resize(capacity: number): void {
    const due = new Float64Array(capacity);
    const offset = new Float64Array(capacity);
    const size = new Int32Array(capacity);
    due.set(this.#due.subarray(0, this.#count));
    offset.set(this.#offset.subarray(0, this.#count));
    size.set(this.#size.subarray(0, this.#count));
    this.#due = due;
    this.#offset = offset;
    this.#size = size;
  }
}

function sortsBefore(dueA: number, offsetA: number, dueB: number, offsetB: number): boolean {
  return dueA < dueB || (dueA === dueB && offsetA < offsetB);
}
