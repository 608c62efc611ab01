// When a push consumer rebalances (RebalanceService, facts §8.4): at start, every
// `rebalanceIntervalMs` (20 s), and whenever a broker says the group's members changed
// (NOTIFY_CONSUMER_IDS_CHANGED). Runs never overlap: a trigger during a run asks for exactly one
// more run after it, so a burst of notifications (one per broker) costs at most two rebalances.
//
//   idle ──trigger/tick──► running ──done──► idle
//                           │  trigger/tick
//                           ▼
//                    running + rerun ──done──► running (once more)

import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';

/** rocketmq.client.rebalance.waitInterval. */
export const DEFAULT_REBALANCE_INTERVAL_MS = 20_000;

export interface RebalanceServiceOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  /** One rebalance of every subscription; a rejection is logged and the schedule goes on. */
  readonly rebalance: () => Promise<void>;
}

export class RebalanceService {
  readonly #options: RebalanceServiceOptions;
  #interval: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #rerun = false;
  #stopped = false;
  #runs = 0;

  constructor(options: RebalanceServiceOptions) {
    this.#options = options;
  }

  /** Rebalances completed (or failed) so far; for monitoring and tests. */
  get completedRuns(): number {
    return this.#runs;
  }

  /** Runs a first rebalance now and schedules the periodic ones. Resolves when the first is done. */
  start(): Promise<void> {
    // Stopped before it started (a consumer shut down while starting): schedule nothing.
    if (this.#stopped) return Promise.resolve();
    this.#interval = this.#options.clock.setInterval(() => this.trigger(), this.#options.intervalMs);
    this.trigger();
    return this.whenIdle();
  }

  /** Asks for a rebalance as soon as the one in progress (if any) is done. */
  trigger(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#rerun = true;
      return;
    }
    this.#running = this.#loop();
  }

  /** Resolves once no rebalance is running or asked for. */
  async whenIdle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /** Stops the schedule and waits for a rebalance in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#interval !== undefined) this.#options.clock.clearInterval(this.#interval);
    this.#interval = undefined;
    this.#rerun = false;
    await this.whenIdle();
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#rerun = false;
        try {
          await this.#options.rebalance();
        } catch (error) {
          this.#options.logger.warn('rebalance failed; the next one tries again', {
            error: error instanceof Error ? error : new Error(String(error)),
          });
        }
        this.#runs++;
      } while (this.#rerun && !this.#stopped);
    } finally {
      this.#running = undefined;
    }
  }
}
