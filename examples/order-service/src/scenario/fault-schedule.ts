// The faults a scenario injects while orders come in, each at a point of the run (a share of the
// requests answered), one after another. Each says what it did, for the progress output and the
// report; what it shows is explained in docs/example.md. A fault that fails ends the run: the
// system is then not in the state the scenario assumes (a service that did not come back answers
// 503 to every request), so the schedule says so at once and skips the faults after it.

import { KeelError } from '@keel/broker';
import { formatMs } from './latency';
import type { FaultRecord } from './report';
import type { RestartReport } from '../infra/example-system';

export interface FaultTarget {
  loseEndTransactions(count: number): void;
  duplicateDeliveries(forMs: number): Promise<number>;
  restartPaymentService(rewindMs: number): Promise<RestartReport>;
  restartOrderService(rewindMs: number): Promise<RestartReport>;
  restartBroker(downMs: number): Promise<RestartReport>;
}

export interface ScheduledFault {
  /** Injected once this share of the requests has been answered. */
  readonly atFraction: number;
  readonly name: string;
  inject(target: FaultTarget): Promise<string>;
}

// A crash loses the offsets committed in the last few seconds (they are committed every 5 s);
// setting them back this far makes the redelivery that follows visible.
const REWIND_MS = 5_000;

const LOST_END_TRANSACTIONS = 5;
const DUPLICATE_FOR_MS = 2_000;

export const SCENARIO_FAULTS: readonly ScheduledFault[] = [
  {
    atFraction: 0.05,
    name: 'order service dies between COMMIT and END_TRANSACTION',
    inject: async (target) => {
      target.loseEndTransactions(LOST_END_TRANSACTIONS);
      return (
        `the next ${LOST_END_TRANSACTIONS} order-service transactions commit and lose their END_TRANSACTION; ` +
        'the broker checks back and the barrier rows answer COMMIT'
      );
    },
  },
  {
    atFraction: 0.15,
    name: 'payment service crash and restart',
    inject: async (target) => describeRestart(await target.restartPaymentService(REWIND_MS), 'order-created'),
  },
  {
    atFraction: 0.3,
    name: 'duplicate deliveries',
    inject: async (target) => {
      const copies = await target.duplicateDeliveries(DUPLICATE_FOR_MS);
      return `for ${DUPLICATE_FOR_MS / 1_000} s every delivery came twice at once: ${copies} copies raced the originals for the inbox row`;
    },
  },
  {
    atFraction: 0.45,
    name: 'broker restart',
    inject: async (target) => {
      const { downMs } = await target.restartBroker(1_000);
      return `down ${formatMs(downMs)}; sends failed meanwhile and were retried, END_TRANSACTIONs lost were settled by check-back`;
    },
  },
  {
    atFraction: 0.7,
    name: 'order service (and shipping) crash and restart',
    inject: async (target) =>
      describeRestart(
        await target.restartOrderService(REWIND_MS),
        'payment-succeeded/-failed and order-status',
      ),
  },
];

function describeRestart(report: RestartReport, topics: string): string {
  return (
    `down ${formatMs(report.downMs)}; offsets set back ${REWIND_MS / 1_000} s as a crash leaves them, ` +
    `so ${report.rewoundMessages} ${topics} messages are delivered a second time`
  );
}

/** An injected fault did not complete (a restart that failed); `cause` says why. */
export class FaultFailedError extends KeelError {
  readonly fault: string;

  constructor(fault: string, cause: unknown) {
    super('FAULT_FAILED', `fault "${fault}" failed: ${messageOf(cause)}`, { cause });
    this.fault = fault;
  }
}

/** Fires the faults in order as requests are answered; one at a time, never overlapping. */
export class FaultSchedule {
  readonly #faults: readonly ScheduledFault[];
  readonly #target: FaultTarget;
  readonly #total: number;
  readonly #notify: (text: string) => void;
  readonly #onFailure: (error: FaultFailedError) => void;
  readonly #records: FaultRecord[] = [];
  #next = 0;
  #chain: Promise<void> = Promise.resolve();
  #failure: FaultFailedError | undefined;

  /** `onFailure` hears of a failed fault as it fails, so the run can stop without waiting for finished(). */
  constructor(
    faults: readonly ScheduledFault[],
    target: FaultTarget,
    total: number,
    notify: (text: string) => void,
    onFailure: (error: FaultFailedError) => void = () => undefined,
  ) {
    this.#faults = faults;
    this.#target = target;
    this.#total = total;
    this.#notify = notify;
    this.#onFailure = onFailure;
  }

  get records(): readonly FaultRecord[] {
    return this.#records;
  }

  onAnswered(answered: number): void {
    for (let fault = this.#faults[this.#next]; fault !== undefined; fault = this.#faults[this.#next]) {
      if (answered < Math.ceil(fault.atFraction * this.#total)) return;
      this.#next += 1;
      const chosen = fault;
      // Caught at once (not only in finished()), so a failed injection is never an unhandled rejection.
      this.#chain = this.#chain
        .then(() => (this.#failure === undefined ? this.#inject(chosen, answered) : undefined))
        .catch((error: unknown) => {
          if (this.#failure !== undefined) return;
          this.#failure = new FaultFailedError(chosen.name, error);
          this.#notify(`⚡ ${chosen.name} failed: ${messageOf(error)}`);
          this.#onFailure(this.#failure);
        });
    }
  }

  /** Resolves when every fault fired so far has finished; rejects with the first that failed. */
  async finished(): Promise<void> {
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #inject(fault: ScheduledFault, answered: number): Promise<void> {
    this.#notify(`⚡ ${fault.name} …`);
    const detail = await fault.inject(this.#target);
    this.#records.push({ atRequest: answered, name: fault.name, detail });
    this.#notify(`⚡ ${fault.name}: ${detail}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
