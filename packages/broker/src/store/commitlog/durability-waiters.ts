import type { Clock, TimerHandle } from '../../common/clock';

/** How a put ended, in RocketMQ's terms (`PutMessageStatus`). */
export type DurabilityStatus = 'PUT_OK' | 'FLUSH_DISK_TIMEOUT';

interface Waiter<T extends string> {
  readonly endOffset: number;
  readonly deadlineMs: number;
  readonly resolve: (status: 'PUT_OK' | T) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Puts waiting until the log is durable (or committed) past their end offset. End offsets and
 * deadlines both grow with the append order, so the waiters form a FIFO: progress resolves a prefix,
 * and one timer, armed for the oldest waiter, is enough to time them out (no timer per put).
 * `T` is what a waiter past its deadline resolves with: FLUSH_DISK_TIMEOUT for the flush, and
 * FLUSH_SLAVE_TIMEOUT for a SYNC_MASTER waiting on its slave (the same group wait, by offset).
 */
export class DurabilityWaiters<T extends string = 'FLUSH_DISK_TIMEOUT'> {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #timeoutStatus: T;
  #queue: Waiter<T>[] = [];
  #head = 0;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock, timeoutMs: number, timeoutStatus: T) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#timeoutStatus = timeoutStatus;
  }

  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** End offset of the newest waiter, or -1 when none waits. */
  get newestEndOffset(): number {
    return this.size === 0 ? -1 : (this.#queue[this.#queue.length - 1]?.endOffset ?? -1);
  }

  add(endOffset: number): Promise<'PUT_OK' | T> {
    return new Promise<'PUT_OK' | T>((resolve, reject) => {
      this.#queue.push({ endOffset, deadlineMs: this.#clock.now() + this.#timeoutMs, resolve, reject });
      this.#armTimer();
    });
  }

  /** Resolves PUT_OK every waiter whose bytes all lie below `coveredOffset`. */
  complete(coveredOffset: number): void {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head];
      if (waiter === undefined || waiter.endOffset > coveredOffset) break;
      this.#head++;
      waiter.resolve('PUT_OK');
    }
    this.#compact();
    this.#armTimer();
  }

  /** Rejects every waiter (the log can no longer promise durability). */
  failAll(error: unknown): void {
    const waiting = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    this.#disarmTimer();
    for (const waiter of waiting) waiter.reject(error);
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head];
      if (waiter === undefined || waiter.deadlineMs > now) break;
      this.#head++;
      waiter.resolve(this.#timeoutStatus);
    }
    this.#compact();
    this.#armTimer();
  }

  #armTimer(): void {
    const oldest = this.#queue[this.#head];
    if (oldest === undefined) {
      this.#disarmTimer();
      return;
    }
    if (this.#timer !== undefined) return;
    const delay = Math.max(1, oldest.deadlineMs - this.#clock.now());
    this.#timer = this.#clock.setTimeout(() => this.#expire(), delay);
  }

  #disarmTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #compact(): void {
    // Drop the resolved prefix once it dominates, keeping complete() amortised O(1) per waiter.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
