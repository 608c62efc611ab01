// The scenario's fault point in the payment service: the first attempt to charge one order in
// `every` fails after all its writes, just before the commit. The transaction rolls back (debit,
// credit, payment row and inbox row together), the message is redelivered, and the second attempt
// charges the order once. Which orders is decided by their id, so the choice does not depend on
// timing.

import { createHash } from 'node:crypto';
import { InjectedFault, type FaultPoints } from '../fault-points';

export class ChargeFaults implements FaultPoints {
  readonly #every: number;
  readonly #failed = new Set<string>();

  constructor(every: number) {
    this.#every = every;
  }

  /** Charges failed on purpose so far. */
  get injected(): number {
    return this.#failed.size;
  }

  afterCharge(orderId: string): void {
    if (this.#failed.has(orderId)) return;
    if (createHash('sha256').update(orderId).digest().readUInt32BE(0) % this.#every !== 0) return;
    this.#failed.add(orderId);
    throw new InjectedFault(`payment of order ${orderId} fails before its commit`);
  }
}
