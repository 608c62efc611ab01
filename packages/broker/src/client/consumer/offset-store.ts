// Where a consumer keeps its progress per queue ([CL]consumer/store/OffsetStore.java). CLUSTERING
// groups share progress through the broker (RemoteOffsetStore); BROADCASTING consumers each keep
// their own in a local file (LocalFileOffsetStore). Both cache offsets in memory: consumption
// updates memory on every acknowledgement, and persistAll writes it out periodically (5 s).

import { messageQueueKey, type MessageQueue } from './message-queue';

/** `memory`: only the cache; `store`: ask the backing store (and cache the answer). */
export type ReadOffsetFrom = 'memory' | 'store' | 'memory-then-store';

export interface OffsetStore {
  /** Reads the backing store into memory where that makes sense (local file); a no-op otherwise. */
  load(): Promise<void>;
  /**
   * Records `offset` as the next offset to consume. With `increaseOnly` a smaller value is ignored:
   * concurrent acknowledgements may arrive out of order.
   */
  updateOffset(queue: MessageQueue, offset: number, increaseOnly: boolean): void;
  /** The next offset to consume, or undefined when none is known. */
  readOffset(queue: MessageQueue, from: ReadOffsetFrom): Promise<number | undefined>;
  /** Writes every offset held in memory to the backing store. */
  persistAll(): Promise<void>;
  /** Writes one queue's offset to the backing store (before the queue is given away). */
  persist(queue: MessageQueue): Promise<void>;
  /** Forgets a queue (after persisting it, when a rebalance gives it away). */
  removeOffset(queue: MessageQueue): void;
}

/** The in-memory part both stores share. */
export class OffsetTable {
  readonly #entries = new Map<string, { readonly queue: MessageQueue; offset: number }>();

  update(queue: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = messageQueueKey(queue);
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#entries.set(key, { queue, offset });
    } else if (!increaseOnly || offset > entry.offset) {
      entry.offset = offset;
    }
  }

  get(queue: MessageQueue): number | undefined {
    return this.#entries.get(messageQueueKey(queue))?.offset;
  }

  remove(queue: MessageQueue): void {
    this.#entries.delete(messageQueueKey(queue));
  }

  entries(): { readonly queue: MessageQueue; readonly offset: number }[] {
    return [...this.#entries.values()].map(({ queue, offset }) => ({ queue, offset }));
  }
}
