// The bounded place where the broker's transaction checks wait for the application's checker
// (RocketMQ's checkExecutor: one thread, a queue of checkRequestHoldMax = 2000). At most
// `concurrency` checks run at once; up to `capacity` more wait in arrival order. A check offered
// when both are full is refused, and the caller logs and counts it: the half message stays pending
// and the broker's next check round asks again, so a refusal delays the answer, it loses nothing.

export type CheckTask = () => Promise<void>;

export interface CheckQueueOptions {
  /** At least 1 (validated with the producer's options). */
  readonly concurrency: number;
  /** At least 0. */
  readonly capacity: number;
  /** Tasks are expected to handle their own errors; one that rejects anyway is reported here. */
  readonly onTaskError: (error: unknown) => void;
}

export class CheckQueue {
  readonly #concurrency: number;
  readonly #capacity: number;
  readonly #onTaskError: (error: unknown) => void;
  readonly #waiting: CheckTask[] = [];
  #running = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: CheckQueueOptions) {
    this.#concurrency = options.concurrency;
    this.#capacity = options.capacity;
    this.#onTaskError = options.onTaskError;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Starts or queues `task`; false when the queue is full and the task was not taken. */
  offer(task: CheckTask): boolean {
    if (this.#running < this.#concurrency) {
      this.#start(task);
      return true;
    }
    if (this.#waiting.length >= this.#capacity) return false;
    this.#waiting.push(task);
    return true;
  }

  /** Forgets the waiting tasks (running ones go on) and says how many there were. */
  clear(): number {
    return this.#waiting.splice(0).length;
  }

  /** Resolves once nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #start(task: CheckTask): void {
    this.#running += 1;
    // Through a promise so a task that throws before its first await is reported, not thrown here.
    new Promise<void>((resolve) => resolve(task()))
      .catch((error: unknown) => this.#onTaskError(error))
      .finally(() => {
        this.#running -= 1;
        const next = this.#waiting.shift();
        if (next !== undefined) this.#start(next);
        else if (this.#running === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
      });
  }
}
