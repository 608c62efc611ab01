// The faults a scenario injects while orders come in, each at a point of the run (a share of the
// requests answered), one after another. Each says what it did, for the progress output and the
// report; what it shows is explained in docs/example.md.

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

/** Fires the faults in order as requests are answered; one at a time, never overlapping. */
export class FaultSchedule {
  readonly #faults: readonly ScheduledFault[];
  readonly #target: FaultTarget;
  readonly #total: number;
  readonly #notify: (text: string) => void;
  readonly #records: FaultRecord[] = [];
  #next = 0;
  #chain: Promise<void> = Promise.resolve();
  #failure: { readonly error: unknown } | undefined;

  constructor(
    faults: readonly ScheduledFault[],
    target: FaultTarget,
    total: number,
    notify: (text: string) => void,
  ) {
    this.#faults = faults;
    this.#target = target;
    this.#total = total;
    this.#notify = notify;
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
          this.#failure ??= { error };
        });
    }
  }

  /** Resolves when every fault fired so far has finished; rejects with the first that failed. */
  async finished(): Promise<void> {
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  async #inject(fault: ScheduledFault, answered: number): Promise<void> {
    this.#notify(`⚡ ${fault.name} …`);
    const detail = await fault.inject(this.#target);
    this.#records.push({ atRequest: answered, name: fault.name, detail });
    this.#notify(`⚡ ${fault.name}: ${detail}`);
  }
}
