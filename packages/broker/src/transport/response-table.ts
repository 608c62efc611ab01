// Requests waiting for their response, keyed by opaque. Thousands can be in flight on one
// connection, so a request costs a map entry and a heap slot, not a timer: one clock timer is armed
// for the earliest deadline and re-armed as deadlines pass. Completed requests are removed from the
// map at once and from the heap lazily, when their slot reaches the top.

import { MAX_TIMER_DELAY_MS, type Clock, type TimerHandle } from '../common/clock';
import type { RemotingCommand } from '../protocol/remoting/remoting-command';

interface Pending {
  readonly requestCode: number;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly resolve: (response: RemotingCommand) => void;
  readonly reject: (error: unknown) => void;
}

interface HeapSlot {
  readonly deadlineMs: number;
  readonly opaque: number;
}

export interface ExpiredRequest {
  readonly opaque: number;
  readonly requestCode: number;
  readonly timeoutMs: number;
}

export class ResponseTable {
  readonly #clock: Clock;
  readonly #onExpired: (request: ExpiredRequest, reject: (error: unknown) => void) => void;
  readonly #pending = new Map<number, Pending>();
  readonly #heap: HeapSlot[] = [];
  #timer: TimerHandle | undefined;
  #timerDueMs = Infinity;

  constructor(clock: Clock, onExpired: (request: ExpiredRequest, reject: (error: unknown) => void) => void) {
    this.#clock = clock;
    this.#onExpired = onExpired;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Registers a request; the promise settles with its response, a timeout or a failure. */
  register(opaque: number, requestCode: number, timeoutMs: number): Promise<RemotingCommand> {
    return new Promise<RemotingCommand>((resolve, reject) => {
      const deadlineMs = this.#clock.now() + timeoutMs;
      this.#pending.set(opaque, { requestCode, timeoutMs, deadlineMs, resolve, reject });
      this.#push({ deadlineMs, opaque });
      if (deadlineMs < this.#timerDueMs) this.#arm();
    });
  }

  /** Completes the request with this opaque; false when none waits (late or unknown response). */
  complete(opaque: number, response: RemotingCommand): boolean {
    const pending = this.#pending.get(opaque);
    if (pending === undefined) return false;
    this.#pending.delete(opaque);
    pending.resolve(response);
    return true;
  }

  /** Fails one request, e.g. when its frame could not be written. */
  fail(opaque: number, error: unknown): void {
    const pending = this.#pending.get(opaque);
    if (pending === undefined) return;
    this.#pending.delete(opaque);
    pending.reject(error);
  }

  /** Fails every waiting request (the connection closed) and stops the timer. */
  failAll(error: unknown): void {
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    this.#heap.length = 0;
    this.#disarm();
    for (const pending of waiting) pending.reject(error);
  }

  #expire(): void {
    this.#timer = undefined;
    this.#timerDueMs = Infinity;
    const now = this.#clock.now();
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || top.deadlineMs > now) break;
      this.#pop();
      const pending = this.#pending.get(top.opaque);
      // A slot whose request completed, or whose opaque was reused with a later deadline, is stale.
      if (pending === undefined || pending.deadlineMs !== top.deadlineMs) continue;
      this.#pending.delete(top.opaque);
      this.#onExpired(
        { opaque: top.opaque, requestCode: pending.requestCode, timeoutMs: pending.timeoutMs },
        pending.reject,
      );
    }
    this.#dropStaleTop();
    if (this.#heap.length > 0) this.#arm();
  }

  #dropStaleTop(): void {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined) return;
      const pending = this.#pending.get(top.opaque);
      if (pending !== undefined && pending.deadlineMs === top.deadlineMs) return;
      this.#pop();
    }
  }

  #arm(): void {
    const top = this.#heap[0];
    if (top === undefined) return;
    this.#disarm();
    this.#timerDueMs = top.deadlineMs;
    // A timer cannot wait longer than MAX_TIMER_DELAY_MS (the clock throws); a longer request
    // timeout is waited out in steps: #expire finds nothing due and re-arms.
    this.#timer = this.#clock.setTimeout(
      () => this.#expire(),
      Math.min(MAX_TIMER_DELAY_MS, Math.max(1, top.deadlineMs - this.#clock.now())),
    );
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDueMs = Infinity;
  }

  #push(slot: HeapSlot): void {
    const heap = this.#heap;
    heap.push(slot);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.deadlineMs <= slot.deadlineMs) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = slot;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.deadlineMs < heap[left]!.deadlineMs ? right : left;
      if (heap[child]!.deadlineMs >= last.deadlineMs) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
