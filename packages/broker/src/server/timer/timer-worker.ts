// Runs the timer service's disk steps (filing, loading a bucket, saving progress) one after
// another, so they never interleave: a checkpoint always sees a finished filing batch, and a
// bucket file is never read while it is being appended to.

export class TimerWorker {
  readonly #onError: (error: unknown, step: string) => void;
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;

  /** `onError` hears of every failed step (the step's name says which); the next steps still run. */
  constructor(onError: (error: unknown, step: string) => void) {
    this.#onError = onError;
  }

  get isIdle(): boolean {
    return this.#queued === 0;
  }

  /** Queues `task` after every step queued before it. */
  run(step: string, task: () => Promise<void>): void {
    this.#queued++;
    this.#tail = this.#tail
      .then(task)
      .catch((error: unknown) => this.#onError(error, step))
      .finally(() => {
        this.#queued--;
      });
  }

  /** Resolves once no step is queued or running, including steps queued while waiting. */
  async idle(): Promise<void> {
    while (this.#queued > 0) await this.#tail;
  }
}
