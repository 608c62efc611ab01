// The consumer's assigned queues and their process queues: what a rebalance changes and the pull
// loop and consume services read.

import type { MessageLike } from './consumer-broker-api';
import { messageQueueKey, type MessageQueue } from './message-queue';
import type { ProcessQueue } from './process-queue';

export interface AssignedQueue<M extends MessageLike = MessageLike> {
  readonly queue: MessageQueue;
  readonly processQueue: ProcessQueue<M>;
}

export class ProcessQueueTable<M extends MessageLike = MessageLike> {
  readonly #entries = new Map<string, AssignedQueue<M>>();

  get(queue: MessageQueue): ProcessQueue<M> | undefined {
    return this.#entries.get(messageQueueKey(queue))?.processQueue;
  }

  has(queue: MessageQueue): boolean {
    return this.#entries.has(messageQueueKey(queue));
  }

  set(queue: MessageQueue, processQueue: ProcessQueue<M>): void {
    this.#entries.set(messageQueueKey(queue), { queue, processQueue });
  }

  delete(queue: MessageQueue): void {
    this.#entries.delete(messageQueueKey(queue));
  }

  all(): AssignedQueue<M>[] {
    return [...this.#entries.values()];
  }

  ofTopic(topic: string): AssignedQueue<M>[] {
    return this.all().filter((entry) => entry.queue.topic === topic);
  }

  get size(): number {
    return this.#entries.size;
  }
}
