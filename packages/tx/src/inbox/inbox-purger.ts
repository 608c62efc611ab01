// Inbox retention on a schedule: every `intervalMs` on the injected clock, purgeInbox deletes rows
// older than `retentionMs`. One purge at a time (a slow one is not overlapped by the next tick);
// a failed purge is logged and tried again at the next tick.

import type { Clock, Logger, TimerHandle } from '@keel/broker';
import type { DataSource } from 'typeorm';
import type { KeelTables } from '../schema/keel-tables';
import { purgeInbox } from './purge-inbox';

export interface InboxPurgerOptions {
  readonly dataSource: DataSource;
  readonly retentionMs: number;
  readonly intervalMs: number;
  readonly tables: KeelTables;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class InboxPurger {
  readonly #options: InboxPurgerOptions;
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  /** Rows deleted since start; for monitoring and tests. */
  purged = 0;
  /** Purges finished (successful or not) since start. */
  runs = 0;

  constructor(options: InboxPurgerOptions) {
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
    const { dataSource, retentionMs, clock, tables, logger } = this.#options;
    try {
      const deleted = await purgeInbox(dataSource, retentionMs, clock, { tables });
      this.purged += deleted;
      if (deleted > 0) logger.debug('inbox rows past retention deleted', { deleted, retentionMs });
    } catch (error: unknown) {
      logger.warn('inbox purge failed; tried again at the next interval', {
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
