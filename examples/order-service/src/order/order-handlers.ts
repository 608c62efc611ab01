// The order service's consumer: payment outcomes, one order's events in order (orderly, and every
// event of an order shares its queue). Keel runs each call in a transaction whose first statement
// records the message in the inbox, so a redelivered message is acknowledged without running again.

import type { Clock } from '@keel/broker';
import { OnMessage, type Delivered } from '@keel/tx';
import { parsePaymentFailed, parsePaymentSucceeded } from '../events/order-events';
import { Groups, Topics } from '../events/topics';
import { completeOrder } from './complete-order';

export class OrderPaymentHandlers {
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  @OnMessage({ topic: Topics.paymentSucceeded, group: Groups.order, orderly: true, maxRetries: 5 })
  async onPaymentSucceeded(message: Delivered<unknown>): Promise<void> {
    const event = parsePaymentSucceeded(message.body);
    await completeOrder(event.orderId, 'PAID', null, this.#clock);
  }

  @OnMessage({ topic: Topics.paymentFailed, group: Groups.order, orderly: true, maxRetries: 5 })
  async onPaymentFailed(message: Delivered<unknown>): Promise<void> {
    const event = parsePaymentFailed(message.body);
    await completeOrder(event.orderId, 'CANCELLED', event.reason, this.#clock);
  }
}
