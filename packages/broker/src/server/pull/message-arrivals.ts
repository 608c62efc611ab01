// Tells waiting pulls about new messages when readers can see them. The store dispatches a record
// when it is appended, but a pull only sees it once acknowledged (after the fdatasync in
// SYNC_FLUSH): waking a held pull at dispatch would answer it with nothing and send the consumer
// into a busy loop. So arrivals are queued in append order and released as the acknowledged end of
// the commit log passes them.

import type { DispatchRequest } from '../../store/dispatch-request';
import { isConsumable } from '../../store/dispatch-request';

export interface MessageArrival {
  readonly topic: string;
  readonly queueId: number;
  /** Consume-queue offset after the message: the queue's visible max offset once it is released. */
  readonly maxOffset: number;
  readonly tagsCode: number;
}

export class MessageArrivals {
  readonly #listener: (arrival: MessageArrival) => void;
  readonly #queue: Array<{ readonly end: number; readonly arrival: MessageArrival }> = [];
  #head = 0;

  constructor(listener: (arrival: MessageArrival) => void) {
    this.#listener = listener;
  }

  /** Store dispatch listener. */
  dispatched(request: DispatchRequest): void {
    if (!isConsumable(request.transactionType)) return;
    this.#queue.push({
      end: request.commitLogOffset + request.size,
      arrival: {
        topic: request.topic,
        queueId: request.queueId,
        maxOffset: request.queueOffset + 1,
        tagsCode: request.tagsCode,
      },
    });
  }

  /** Store confirmation listener: releases every arrival the acknowledged end now covers. */
  confirmed(confirmedOffset: number): void {
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      if (next.end > confirmedOffset) break;
      this.#head++;
      this.#listener(next.arrival);
    }
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Arrivals dispatched but not yet acknowledged. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }
}
