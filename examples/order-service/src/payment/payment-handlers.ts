// The payment service's consumer of order-created. Keel runs the handler in one transaction with
// the inbox row: the charge and the outcome event (payment-succeeded or payment-failed) commit
// together or not at all, and a redelivered order-created is acknowledged without charging again.

import type { Clock } from '@keel/broker';
import { OnMessage, publish, type Delivered } from '@keel/tx';
import { noFaults, type FaultPoints } from '../fault-points';
import { parseOrderCreated, type PaymentFailed, type PaymentSucceeded } from '../events/order-events';
import { Groups, Topics } from '../events/topics';
import { chargeOrder } from './charge';

export class PaymentHandlers {
  readonly #clock: Clock;
  readonly #faults: FaultPoints;

  constructor(clock: Clock, faults: FaultPoints = noFaults) {
    this.#clock = clock;
    this.#faults = faults;
  }

  // Deduplicated by the business key (the order id, publish()'s `key`), not the message id: one
  // charge per order even if order-created were ever published twice for it.
  @OnMessage({ topic: Topics.orderCreated, group: Groups.payment, maxRetries: 5, idempotencyKey: 'key' })
  async onOrderCreated(message: Delivered<unknown>): Promise<void> {
    const order = parseOrderCreated(message.body);
    const outcome = await chargeOrder(order, this.#clock);
    const options = { key: order.orderId, shardingKey: order.orderId };
    switch (outcome.kind) {
      case 'charged': {
        this.#faults.afterCharge(order.orderId);
        const event: PaymentSucceeded = { orderId: order.orderId, amountCents: order.amountCents };
        publish(Topics.paymentSucceeded, event, options);
        return;
      }
      case 'refused': {
        const event: PaymentFailed = { orderId: order.orderId, reason: outcome.reason };
        publish(Topics.paymentFailed, event, options);
        return;
      }
      case 'already-charged':
        // Its payment-succeeded was published by the transaction that charged it.
        return;
    }
  }
}
