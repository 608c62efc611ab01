// A retention purge on a schedule: every `intervalMs` on the injected clock, `purge` deletes rows
// older than `retentionMs` (the runtime runs one for the inbox and one for the barrier). One purge
// at a time (a slow one is not overlapped by the next tick); a failed purge is logged and tried
// again at the next tick.

import type { Clock, Logger, TimerHandle } from '@keel/broker';

export interface RetentionPurgerOptions {
  /** What is purged, for the log: 'inbox', 'barrier'. */
  readonly what: string;
  readonly retentionMs: number;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Deletes rows older than `olderThanMs` (in bounded batches); returns how many. */
  readonly purge: (olderThanMs: number) => Promise<number>;
}

export class RetentionPurger {
  readonly #options: RetentionPurgerOptions;
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  /** Rows deleted since start; for monitoring and tests. */
  purged = 0;
  /** Purges finished (successful or not) since start. */
  runs = 0;

  constructor(options: RetentionPurgerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#options.clock.setInterval(() => {
      this.#running ??= this.purgeNow().finally(() => {
        this.#running = undefined;
      });
    }, this.#options.intervalMs);
  }

  /** One purge now; never rejects (a failure is logged). */
  async purgeNow(): Promise<void> {
    const { what, retentionMs, logger, purge } = this.#options;
    try {
      const deleted = await purge(retentionMs);
      this.purged += deleted;
      if (deleted > 0) logger.debug(`${what} rows past retention deleted`, { deleted, retentionMs });
    } catch (error: unknown) {
      logger.warn(`${what} purge failed; tried again at the next interval`, {
        error: error instanceof Error ? error : String(error),
      });
    } finally {
      this.runs += 1;
    }
  }

  /** Stops the schedule and waits for a purge in progress. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) this.#options.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
